import Foundation
import Logging
import NIOConcurrencyHelpers
import TalentProtocol
import TalentStorage

/// Fans committed events out to subscribed connections, reading them from the event table (not
/// from memory) after every commit that wrote one. One serial queue does all delivery, so a
/// subscriber's replay and the live stream never interleave: each subscriber has a cursor (every
/// event up to it that it may see has been sent); one behind the bus's head catches up from the
/// table a page at a time, one at the head receives each new event once. No gap, no duplicate,
/// whatever commits during a replay. A subscriber at the head that leaves `maxBacklog` lines
/// unread overflows: the bus cannot wait for it without holding everyone's events back.
final class EventBus: @unchecked Sendable {
    private final class Subscriber {
        let connection: ConnectionInfo
        let asked: Set<EventTopic>?
        var principal: SessionPrincipal
        var view: EventView
        var cursor: Int64

        init(connection: ConnectionInfo, asked: Set<EventTopic>?, principal: SessionPrincipal, view: EventView, cursor: Int64) {
            self.connection = connection
            self.asked = asked
            self.principal = principal
            self.view = view
            self.cursor = cursor
        }
    }

    /// Lines gathered for one subscriber in one pass, sent in one write.
    private struct Outbox {
        var bytes: [UInt8] = []
        /// Each line's end in `bytes`, and its seq.
        var ends: [(end: Int, seq: Int64)] = []
    }

    static let pageSize = 500

    private let store: Store
    private let sessions: SessionResolver
    /// Derived from the method table, which is built after the bus (`start`).
    private let audienceBox = NIOLockedValueBox(EventAudience(table: []))
    var audience: EventAudience { audienceBox.withLockedValue { $0 } }
    private let maxBacklog: Int
    private let logger: Logger
    private let queue = DispatchQueue(label: "talentd.events")
    private let wakeLock = NSLock()
    private var wakeQueued = false
    // Touched on `queue` only.
    private var head: Int64
    private var subscribers: [Int: Subscriber] = [:]

    init(store: Store, sessions: SessionResolver, maxBacklog: Int, logger: Logger) throws {
        self.store = store
        self.sessions = sessions
        self.maxBacklog = maxBacklog
        self.logger = logger
        head = try store.pool.read { try EventStore($0).head() }
    }

    /// Starts delivering after every commit that writes events, to the audience of this table.
    func start(table: [MethodSpec]) {
        audienceBox.withLockedValue { $0 = EventAudience(table: table) }
        store.afterCommits(insertingInto: "event") { [weak self] in self?.wake() }
    }

    /// Subscribes a connection (replacing its subscription, if any) from `after`: it is sent every
    /// event after that seq it may see. Returns what it will see.
    func subscribe(_ connection: ConnectionInfo, as principal: SessionPrincipal, topics: Set<EventTopic>?, after: Int64) -> EventView {
        let view = audience.view(of: principal, asked: topics)
        queue.sync {
            subscribers[connection.id] = Subscriber(connection: connection, asked: topics, principal: principal, view: view, cursor: after)
        }
        connection.push.whenClosed { [weak self] in self?.forget(connection.id) }
        wake()
        return view
    }

    /// Whether the connection had a subscription.
    func unsubscribe(_ connection: ConnectionInfo) -> Bool {
        queue.sync { subscribers.removeValue(forKey: connection.id) != nil }
    }

    private func forget(_ id: Int) {
        queue.async { self.subscribers[id] = nil }
    }

    /// Asks for a delivery pass; passes asked for while one is queued are one pass.
    func wake() {
        let schedule = wakeLock.withLock {
            defer { wakeQueued = true }
            return !wakeQueued
        }
        guard schedule else { return }
        queue.async {
            self.wakeLock.withLock { self.wakeQueued = false }
            self.deliver()
        }
    }

    private func deliver() {
        do {
            refreshSubscribers()
            let (behind, waiting) = try catchUp()
            if try fanOutNew() || behind { wake() }
            // A replay goes at its reader's pace: look again soon at those whose backlog was full.
            if waiting { queue.asyncAfter(deadline: .now() + .milliseconds(20)) { self.wake() } }
        } catch {
            logger.error("event delivery failed; retrying in 1 s", metadata: ["error": "\(error)"])
            queue.asyncAfter(deadline: .now() + 1) { self.wake() }
        }
    }

    /// Drops subscribers whose connection closed or whose principal can no longer log in (disabled,
    /// token revoked, logged out); sees role and org changes.
    private func refreshSubscribers() {
        for (id, subscriber) in subscribers {
            guard subscriber.connection.push.isOpen,
                  let principal = try? sessions.current(subscriber.connection) else {
                subscribers[id] = nil
                continue
            }
            if principal != subscriber.principal {
                subscriber.principal = principal
                subscriber.view = audience.view(of: principal, asked: subscriber.asked)
            }
        }
    }

    /// For each subscriber behind the head, one page of the table, no larger than the room left
    /// in its backlog: a replay never overflows, it waits for the reader (the table keeps what
    /// it has not read yet). `behind`: some subscriber still is; `waiting`: one had no room.
    private func catchUp() throws -> (behind: Bool, waiting: Bool) {
        var behind = false, waiting = false
        for subscriber in subscribers.values where subscriber.cursor < head {
            let room = min(Self.pageSize, maxBacklog - subscriber.connection.push.unsentLines)
            guard room > 0 else {
                waiting = true
                continue
            }
            let events = try store.pool.read { [head] db in
                try EventStore(db).page(after: subscriber.cursor, through: head, view: subscriber.view, limit: room)
            }
            var outbox = Outbox()
            for event in events { add(event.notificationLine, seq: event.seq, to: &outbox) }
            let reached = events.count < room ? head : events.last!.seq
            if send(outbox, to: subscriber, through: reached), subscriber.cursor < head { behind = true }
        }
        return (behind, waiting)
    }

    /// New events (one page) to every subscriber at the head; true if the page was full.
    private func fanOutNew() throws -> Bool {
        // Nobody listening: move the head without reading the events (every commit wakes this).
        if subscribers.isEmpty {
            head = try store.pool.read { db in try EventStore(db).head() }
            return false
        }
        let events = try store.pool.read { [head] db in try EventStore(db).page(after: head, view: nil, limit: Self.pageSize) }
        guard let last = events.last else { return false }
        let live = subscribers.values.filter { $0.cursor >= head }
        var outboxes = [Outbox](repeating: Outbox(), count: live.count)
        for event in events {
            var line: [UInt8]?
            for (index, subscriber) in live.enumerated() where event.seq > subscriber.cursor && subscriber.view.sees(event) {
                if line == nil { line = event.notificationLine }
                add(line!, seq: event.seq, to: &outboxes[index])
            }
        }
        head = last.seq
        for (index, subscriber) in live.enumerated() {
            _ = send(outboxes[index], to: subscriber, through: max(subscriber.cursor, head))
        }
        return events.count == Self.pageSize
    }

    private func add(_ line: [UInt8], seq: Int64, to outbox: inout Outbox) {
        outbox.bytes += line
        outbox.ends.append((outbox.bytes.count, seq))
    }

    /// Sends what fits in the subscriber's backlog and moves its cursor to `through`. When it
    /// does not all fit, sends what does, then `event.overflow` with the last seq sent, and ends
    /// the subscription (the connection closes once the client has read it). False then.
    private func send(_ outbox: Outbox, to subscriber: Subscriber, through: Int64) -> Bool {
        let room = maxBacklog - subscriber.connection.push.unsentLines
        if outbox.ends.count <= room {
            if !outbox.ends.isEmpty { subscriber.connection.push.send(lines: outbox.bytes, count: outbox.ends.count) }
            subscriber.cursor = through
            return true
        }
        let fits = max(room, 0)
        if fits > 0 {
            subscriber.connection.push.send(lines: Array(outbox.bytes[..<outbox.ends[fits - 1].end]), count: fits)
            subscriber.cursor = outbox.ends[fits - 1].seq
        }
        subscriber.connection.push.sendLastAndClose(Event.overflowLine(lastSeq: subscriber.cursor))
        subscribers[subscriber.connection.id] = nil
        logger.notice("event subscriber overflowed", metadata: [
            "connection": .stringConvertible(subscriber.connection.id), "last_seq": .stringConvertible(subscriber.cursor),
        ])
        return false
    }
}
