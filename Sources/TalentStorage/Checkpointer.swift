import Dispatch
import Foundation
import GRDB

/// Copies committed pages from the WAL back into the database file on a thread of its own. Left
/// to SQLite, the writer checkpoints after any commit that takes the WAL past 1,000 pages: with
/// a few hundred writes per shared commit that was nearly every commit, each one writing
/// megabytes into the database file and syncing it while the next batch of writes waited. Here
/// a PASSIVE checkpoint runs after commits on its own connection: it never blocks the writer or
/// a reader, and syncs like the writer does (synchronous FULL). The writer keeps SQLite's own
/// checkpoint only as a backstop, for a WAL grown past `backstopPages`.
final class Checkpointer: TransactionObserver, @unchecked Sendable {
    static let backstopPages = 16_384

    private let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "talent.checkpoint")
    private let lock = NSLock()
    private var scheduled = false
    private var stopped = false

    init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "talent.checkpoint"
        connection = try DatabaseQueue(path: path, configuration: configuration)
        try connection.inDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }

    func databaseDidChange(with event: DatabaseEvent) {}

    func databaseDidRollback(_ db: Database) {}

    /// On the writer's thread, holding the writer: only hands the work off. Commits that come
    /// while a checkpoint runs are covered by one more run after it.
    func databaseDidCommit(_ db: Database) {
        let start: Bool = lock.withLock {
            if scheduled || stopped { return false }
            scheduled = true
            return true
        }
        if start { queue.async { self.checkpoint() } }
    }

    private func checkpoint() {
        lock.withLock { scheduled = false }
        // Busy (another checkpoint running) or failed: the next commit tries again, and the
        // writer's backstop bounds the WAL meanwhile.
        _ = try? connection.inDatabase { db in try db.checkpoint(.passive) }
    }

    /// Waits for a running checkpoint and runs no more; then the connection is closed.
    func stop() throws {
        lock.withLock { stopped = true }
        queue.sync {}
        try connection.close()
    }
}
