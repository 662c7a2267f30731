import Dispatch
import Logging
import TalentProtocol
import TalentStorage

/// Publishes lateness: at start-up and then every interval, each duty late today (Vietnam) whose
/// lateness is not yet published gets one `duty.late` audit entry (principal `talentd`), from
/// which the event stream derives its event, and the duty records that entry's seq so it is
/// never published twice, across restarts too. A duty is late from the day after its due date,
/// so the event comes on that day (within one interval of midnight, or at start-up).
final class DutyLateSweep: @unchecked Sendable {  // the timer is only started and cancelled
    static let principal = "talentd"
    static let method = "duty.late"

    private let store: Store
    private let clock: Clock
    private let logger: Logger
    private let timer: DispatchSourceTimer

    init(store: Store, every seconds: Int, clock: Clock = .system, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "talentd.duty-late-sweep"))
        timer.schedule(deadline: .now(), repeating: .seconds(seconds))
    }

    func start() {
        timer.setEventHandler { [self] in sweepOnce() }
        timer.resume()
    }

    func stop() { timer.cancel() }

    private func sweepOnce() {
        do {
            let published = try sweep(now: clock.read())
            if published > 0 { logger.info("published late duties", metadata: ["count": .stringConvertible(published)]) }
        } catch {
            logger.warning("publishing late duties failed", metadata: ["error": .string("\(error)")])
        }
    }

    /// One pass, in one write of the group-commit writer; returns how many duties it published.
    /// A snapshot read first, so that a pass with nothing to publish commits nothing (no fsync,
    /// nothing in the writers' metrics); the write looks again, as the one that decides.
    func sweep(now: Instant) throws -> Int {
        let day = now.vietnamDate
        if try store.pool.read({ try DutyStore($0).unpublishedLate(on: day) }).isEmpty { return 0 }
        return try store.writes.write { db in
            let duties = DutyStore(db)
            let late = try duties.unpublishedLate(on: day)
            for duty in late {
                let seq = try AuditStore(db).append(
                    principal: Self.principal, method: Self.method, target: AuditTarget(type: "duty", id: String(duty.id)),
                    params: ["org": .string(duty.org), "due_on": .string(duty.dueOn), "kind": .string(duty.kind.rawValue)],
                    at: now.timestamp)
                try duties.markLatePublished(id: duty.id, seq: seq)
            }
            return late.count
        }
    }
}
