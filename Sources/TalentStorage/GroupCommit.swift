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
/// One committer thread takes what is queued, commits it, hands the answers to a second thread
/// and takes the next batch.
/// Writes are queued without waiting (`submit`), so one connection's pipelined writes can share
/// a commit while keeping their order; `write` queues and waits, for callers on worker threads.
public final class GroupCommit: @unchecked Sendable {
    private struct Job {
        let body: (Database) throws -> Void
        /// Called on the answering thread once the batch is committed (nil) or with the failure.
        let done: (Error?) -> Void
    }

    private let pool: DatabasePool
    private let lock = NSLock()
    private var queue: [Job] = []
    private var committing = false
    private let committer = DispatchQueue(label: "talent.group-commit")
    private let answering = DispatchQueue(label: "talent.group-commit.answers")
    /// At most this many writes share one commit (bounds a transaction's size and its latency).
    private let maxBatch: Int
    /// Told how many writes each commit carried (metrics); set before serving.
    public var onCommit: (@Sendable (Int) -> Void)?
    /// Runs in each transaction after its writes, before it commits: work done once per commit
    /// rather than per write (indexing). Its failure fails the whole commit. Set before serving.
    public var beforeCommit: (@Sendable (Database) throws -> Void)?
    /// Run as each transaction begins, before its writes, and once it has ended, committed or
    /// not: for state that lives exactly as long as one shared commit. Set before serving.
    public var transactionBegan: (@Sendable (Database) -> Void)?
    public var transactionEnded: (@Sendable (Database) -> Void)?
    /// Run after each write of a shared commit: `kept` false when it was rolled back to its
    /// savepoint (what it wrote is gone). Set before serving.
    public var writeEnded: (@Sendable (Database, _ kept: Bool) -> Void)?

    public init(pool: DatabasePool, maxBatch: Int = 256) {
        self.pool = pool
        self.maxBatch = maxBatch
    }

    /// Runs `body` in a transaction shared with the writes queued beside it; returns once that
    /// transaction is committed and synced. Errors thrown by `body` roll back its writes only.
    public func write<T>(_ body: @escaping (Database) throws -> T) throws -> T {
        var outcome: Result<T, Error>?
        let answered = DispatchSemaphore(value: 0)
        submit({ db in try body(db) }) { result in
            outcome = result
            answered.signal()
        }
        answered.wait()
        return try outcome!.get()
    }

    /// Queues `body` behind every write queued before it and returns at once; `completion` gets
    /// its result on the answering thread after the commit it shared is synced (or failed), in
    /// commit order, and must only hand the result on, never wait.
    public func submit<T>(_ body: @escaping (Database) throws -> T, completion: @escaping (Result<T, Error>) -> Void) {
        var result: T?
        let job = Job(body: { db in result = try body(db) }) { failure in
            if let failure { completion(.failure(failure)) } else { completion(.success(result!)) }
        }
        let startCommitter: Bool = lock.withLock {
            queue.append(job)
            if committing { return false }
            committing = true
            return true
        }
        if startCommitter { committer.async { self.commitWhileQueued() } }
    }

    private func commitWhileQueued() {
        while true {
            let batch: [Job] = lock.withLock {
                let batch = Array(queue.prefix(maxBatch))
                queue.removeFirst(batch.count)
                if batch.isEmpty { committing = false }
                return batch
            }
            if batch.isEmpty { return }
            commit(batch)
        }
    }

    /// A failed write's savepoint could not be rolled back: committing would keep part of it.
    private struct WriteNotUndone: Error {}

    /// GRDB's `inSavepoint`, with its three statements prepared once: it compiles them on every
    /// call, and every write in a shared commit runs one.
    private static func inSavepoint(_ db: Database, _ body: () throws -> Void) throws {
        try db.cachedStatement(sql: "SAVEPOINT write").execute()
        do {
            try body()
            // Inside the do: a write whose release fails is rolled back like one that threw, so
            // a write reported failed never commits (`writeEnded` tells the audit so).
            try db.cachedStatement(sql: "RELEASE SAVEPOINT write").execute()
        } catch {
            // Some errors roll back the whole transaction, savepoint included: nothing to undo then.
            if db.isInsideTransaction {
                do {
                    try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT write").execute()
                    try db.cachedStatement(sql: "RELEASE SAVEPOINT write").execute()
                } catch {
                    throw WriteNotUndone()
                }
            }
            throw error
        }
    }

    /// Commits one batch and answers each of its writers.
    private func commit(_ batch: [Job]) {
        var failures = [Error?](repeating: nil, count: batch.count)
        do {
            try pool.writeWithoutTransaction { db in
                defer { transactionEnded?(db) }
                try db.inTransaction(.immediate) {
                    transactionBegan?(db)
                    for (index, job) in batch.enumerated() {
                        do {
                            try Self.inSavepoint(db) { try job.body(db) }
                            writeEnded?(db, true)
                        } catch {
                            writeEnded?(db, false)
                            failures[index] = error
                            // Some errors (a full disk, an I/O error) make SQLite roll back the
                            // whole transaction: then nothing after them may run outside it.
                            // A write that could not be undone fails the whole commit likewise.
                            if !db.isInsideTransaction || error is WriteNotUndone {
                                for rest in (index + 1)..<batch.count { failures[rest] = error }
                                throw error
                            }
                        }
                    }
                    try beforeCommit?(db)
                    return .commit
                }
            }
        } catch {
            // The commit itself failed (a full disk, say): nothing of the batch was kept.
            for index in batch.indices where failures[index] == nil { failures[index] = error }
        }
        onCommit?(batch.count)
        // Answered (and the batch freed) on another thread: the committer takes the next batch
        // at once. In commit order, since the queue is serial.
        let answers = Answers(batch: batch, failures: failures)
        answering.async { for (job, failure) in zip(answers.batch, answers.failures) { job.done(failure) } }
    }

    /// A committed batch on its way to the answering queue (nothing else touches it).
    private struct Answers: @unchecked Sendable {
        let batch: [Job]
        let failures: [Error?]
    }
}
