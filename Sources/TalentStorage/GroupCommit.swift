import Dispatch
import Foundation
import GRDB

/// Group commit: writes that queue up while one commit is syncing are committed together, in one
/// transaction and one fsync, each inside its own savepoint. A write is still acknowledged only
/// after its own data is synced, still atomic with whatever it wrote beside it (its audit entry,
/// its idempotency record), and a write that fails rolls back its savepoint alone: the others'
/// results are neither undone nor delayed. Entries are appended in queue order, so the audit
/// chain stays in commit order.
///
/// No thread of its own: the first writer to find nobody committing leads, commits one batch
/// (its own write and whatever queued behind it), and hands the lead to the first writer still
/// waiting, so no writer's answer waits for batches that came after it.
public final class GroupCommit: @unchecked Sendable {
    private final class Job {
        let body: (Database) throws -> Void
        let done = DispatchSemaphore(value: 0)
        var failure: Error?
        /// Set when this job must lead the next batch instead of receiving a result.
        var leads = false
        var finished = false

        init(_ body: @escaping (Database) throws -> Void) { self.body = body }
    }

    private let pool: DatabasePool
    private let lock = NSLock()
    private var queue: [Job] = []
    private var leaderActive = false
    /// At most this many writes share one commit (bounds a transaction's size and its latency).
    private let maxBatch: Int
    /// Told how many writes each commit carried (metrics); set before serving.
    public var onCommit: (@Sendable (Int) -> Void)?

    public init(pool: DatabasePool, maxBatch: Int = 256) {
        self.pool = pool
        self.maxBatch = maxBatch
    }

    /// Runs `body` in a transaction shared with the writes queued beside it; returns once that
    /// transaction is committed and synced. Errors thrown by `body` roll back its writes only.
    public func write<T>(_ body: @escaping (Database) throws -> T) throws -> T {
        var result: T?
        let job = Job { db in result = try body(db) }
        let leadNow: Bool = lock.withLock {
            queue.append(job)
            if leaderActive { return false }
            leaderActive = true
            return true
        }
        if leadNow { lead() }
        while true {
            job.done.wait()
            let (finished, leads) = lock.withLock { (job.finished, job.leads) }
            if finished { break }
            if leads { lead() }
        }
        if let failure = job.failure { throw failure }
        return result!
    }

    /// Commits one batch from the head of the queue, answers its writers, passes the lead on.
    private func lead() {
        let batch: [Job] = lock.withLock {
            let batch = Array(queue.prefix(maxBatch))
            queue.removeFirst(batch.count)
            return batch
        }
        do {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    for (index, job) in batch.enumerated() {
                        do {
                            try db.inSavepoint {
                                try job.body(db)
                                return .commit
                            }
                        } catch {
                            job.failure = error
                            // Some errors (a full disk, an I/O error) make SQLite roll back the
                            // whole transaction: then nothing after them may run outside it.
                            if !db.isInsideTransaction {
                                for rest in batch[(index + 1)...] { rest.failure = error }
                                throw error
                            }
                        }
                    }
                    return .commit
                }
            }
        } catch {
            // The commit itself failed (a full disk, say): nothing of the batch was kept.
            for job in batch where job.failure == nil { job.failure = error }
        }
        onCommit?(batch.count)
        let next: Job? = lock.withLock {
            for job in batch { job.finished = true }
            guard let first = queue.first else {
                leaderActive = false
                return nil
            }
            first.leads = true
            return first
        }
        for job in batch { job.done.signal() }
        next?.done.signal()
    }
}
