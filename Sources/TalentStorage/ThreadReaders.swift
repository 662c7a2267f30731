#if canImport(Glibc)
import Glibc
#endif
import GRDB

/// Read-only connections to the database, one per thread that reads through it (the event loops):
/// a quick read runs where its request arrived, without a hand-off to a worker thread or the pool's
/// reader lock. A connection is used only by the thread that opened it.
///
/// Consecutive reads on a thread share one read transaction (one WAL snapshot: beginning one
/// takes SQLite's shared-memory lock, contended between the threads) for as long as nothing has
/// been committed since it began: each read still sees every write acknowledged before it was
/// sent. The transaction ends once the thread has finished its current round of work (see
/// `endOfRound`), so an idle thread never holds a snapshot that would keep checkpoints from
/// resetting the WAL.
public final class ThreadReaders: @unchecked Sendable {
    private let path: String
    private let configuration: Configuration
    private let commits: CommitCount
    // Immutable once created; a key's values are set and read only by their own thread.
    private var key = pthread_key_t()

    /// Runs the closure on the calling thread once it has finished its current round of work (the
    /// event loop's current batch of I/O), returning false when it cannot; set before serving.
    /// Unset, or when it returns false, each read ends its own transaction.
    public var endOfRound: (@Sendable (@escaping @Sendable () -> Void) -> Bool)?

    init(path: String, busyTimeout: Double, commits: CommitCount) {
        self.path = path
        self.commits = commits
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "talent.thread-reader"
        // The transaction outlives the `inDatabase` call that began it (ended by `ThreadReader`).
        configuration.allowsUnsafeTransactions = true
        self.configuration = configuration
        // A thread's connection is closed when the thread ends, its transaction ended first.
        pthread_key_create(&key) { raw in
            if let raw { Unmanaged<ThreadReader>.fromOpaque(raw).takeRetainedValue().endTransaction() }
        }
    }

    deinit { pthread_key_delete(key) }

    /// Runs `body` on this thread's connection, opening it on first use, in a read transaction
    /// begun after every commit acknowledged so far.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        let reader = try threadReader()
        return try reader.read(since: commits.current, body) { [endOfRound] in
            endOfRound?({ reader.roundEnded() }) ?? false
        }
    }

    private func threadReader() throws -> ThreadReader {
        if let raw = pthread_getspecific(key) {
            return Unmanaged<ThreadReader>.fromOpaque(raw).takeUnretainedValue()
        }
        let reader = ThreadReader(try DatabaseQueue(path: path, configuration: configuration))
        pthread_setspecific(key, Unmanaged.passRetained(reader).toOpaque())
        return reader
    }
}

/// One thread's connection and the read transaction it keeps open. Used only by that thread
/// (the end of a round runs there too), hence unchecked.
final class ThreadReader: @unchecked Sendable {
    private let queue: DatabaseQueue
    /// The commit count when the open transaction began; nil when none is open.
    private var openSince: Int?
    /// Whether `roundEnded` is already scheduled (one call per round is enough).
    private var endScheduled = false

    init(_ queue: DatabaseQueue) { self.queue = queue }

    /// Runs `body` in the open transaction if nothing was committed since it began (`commitCount`
    /// is still the count it began at), else in a new one. A new transaction ends when the round
    /// does if `scheduleEnd` could arrange it (it returns false when not), else right after `body`.
    func read<T>(since commitCount: Int, _ body: (Database) throws -> T, scheduleEnd: () -> Bool) throws -> T {
        try queue.inDatabase { db in
            if openSince != commitCount || !db.isInsideTransaction {
                try end(db)
                // Deferred: the snapshot is taken at the first read, after `commitCount` was loaded.
                try db.cachedStatement(sql: "BEGIN DEFERRED TRANSACTION").execute()
                openSince = commitCount
                if !endScheduled { endScheduled = scheduleEnd() }
            }
            do {
                let result = try body(db)
                if !endScheduled { try end(db) }
                return result
            } catch {
                // A failed read may have left SQLite's transaction in any state: never reuse it.
                try? end(db)
                throw error
            }
        }
    }

    /// The thread finished a round of work: end the transaction, so it holds no snapshot idle.
    func roundEnded() {
        endScheduled = false
        endTransaction()
    }

    func endTransaction() {
        try? queue.inDatabase { try end($0) }
    }

    private func end(_ db: Database) throws {
        openSince = nil
        guard db.isInsideTransaction else { return }  // none open, or SQLite ended it (some errors do)
        do {
            try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
        } catch {
            // Nothing was written: ROLLBACK ends it as well, and cannot be refused.
            try db.rollback()
        }
    }
}
