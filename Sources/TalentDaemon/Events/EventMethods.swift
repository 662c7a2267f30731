import TalentProtocol
import TalentStorage

/// `events.subscribe`, `events.unsubscribe` and `events.list`: the live stream and its history.
/// Anyone logged in may call them; what each caller receives is filtered by `EventAudience`.
/// Subscribing waits for the bus's queue, whose delivery pass reads the database: so it holds
/// no snapshot meanwhile (plain methods), or enough waiting subscribers would starve the pass.
struct EventMethods: Sendable {
    let store: Store
    let bus: EventBus

    func subscribe(_ call: Call) throws -> JSONValue {
        guard let principal = call.principal else { throw RPCError.unauthenticated() }
        let head = try store.pool.read { try EventStore($0).head() }
        let after = try afterSeq(call, head: head) ?? head
        let view = bus.subscribe(call.connection, as: principal, topics: try topics(call), after: after)
        return ["head_seq": .int(head), "topics": Self.json(view.topics)]
    }

    func unsubscribe(_ call: Call) throws -> JSONValue {
        ["unsubscribed": .bool(bus.unsubscribe(call.connection))]
    }

    /// One page of the events the caller may see; as in `audit.list`, an event's cursor is its seq.
    func list(_ call: Call, _ store: EventStore) throws -> JSONValue {
        guard let principal = call.principal else { throw RPCError.unauthenticated() }
        let request = try call.page(defaultLimit: 100)
        let view = bus.audience.view(of: principal, asked: try topics(call))
        let events = try store.page(after: request.after, view: view, limit: request.fetchLimit)
        return Page(events, request, cursor: { String($0.seq) })
            .json("events", extra: ["head_seq": .int(try store.head())], \.json)
    }

    private func afterSeq(_ call: Call, head: Int64) throws -> Int64? {
        guard let after = call.int("after_seq") else { return nil }
        if after > head {
            throw RPCError.invalidParams(field: "after_seq",
                                         "after_seq \(after) is past the newest event (\(head)); pass the seq of the last event you received")
        }
        return after
    }

    /// The topics asked for; nil for all. The contract has already refused unknown ones.
    private func topics(_ call: Call) throws -> Set<EventTopic>? {
        guard let names = call.strings("topics") else { return nil }
        return Set(try names.map { name in
            guard let topic = EventTopic(rawValue: name) else {
                throw RPCError.invalidParams(field: "topics", "unknown topic \(name): one of \(EventTopic.rawValues.joined(separator: ", "))")
            }
            return topic
        })
    }

    private static func json(_ topics: Set<EventTopic>) -> JSONValue {
        .array(topics.map(\.rawValue).sorted().map(JSONValue.string))
    }
}
