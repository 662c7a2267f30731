import Dispatch
import Logging
import TalentStorage

/// Deletes expired idempotency keys in the background, every few minutes, off the request path.
final class IdempotencyPurge: @unchecked Sendable {  // the timer is only started and cancelled
    private let store: Store
    private let retentionSeconds: Int64
    private let logger: Logger
    private let timer: DispatchSourceTimer

    init(store: Store, retentionSeconds: Int64, logger: Logger, every interval: DispatchTimeInterval = .seconds(300)) {
        self.store = store
        self.retentionSeconds = retentionSeconds
        self.logger = logger
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "talentd.idempotency-purge"))
        timer.schedule(deadline: .now() + .seconds(5), repeating: interval)
    }

    func start() {
        timer.setEventHandler { [self] in purgeOnce() }
        timer.resume()
    }

    func stop() { timer.cancel() }

    private func purgeOnce() {
        do {
            let removed = try store.pool.write { db in
                try IdempotencyStore(db).purge(before: UTCTime.ago(seconds: retentionSeconds))
            }
            if removed > 0 { logger.info("purged expired idempotency keys", metadata: ["count": .stringConvertible(removed)]) }
        } catch {
            logger.warning("purging idempotency keys failed", metadata: ["error": .string("\(error)")])
        }
    }
}
