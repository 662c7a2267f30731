import Dispatch
import Foundation
import GRDB
import GRDBSQLite

/// Copies committed pages from the WAL back into the database file on a thread of its own. Left
/// to SQLite, the writer checkpoints after any commit that takes the WAL past 1,000 pages: with
/// a few hundred writes per shared commit that was nearly every commit, each one writing
/// megabytes into the database file and syncing it while the next batch of writes waited. Here
/// the writer's WAL hook, which SQLite calls after every commit with the WAL's size, wakes a
/// PASSIVE checkpoint on this connection once `wakePages` pages were added since the last one
/// copied: it never blocks the writer or a reader, and syncs like the writer does (synchronous
/// FULL). Counting from the last checkpoint matters: under steady writes the WAL seldom
/// restarts (a restart needs every frame copied when a write begins), so its size alone stays
/// past any threshold and would wake a checkpoint, with two syncs, after every commit. Past
/// `backstopPages` (the checkpoints fell behind) the writer checkpoints itself, as SQLite would.
final class Checkpointer: @unchecked Sendable {
    /// SQLite's own default threshold: a checkpoint copies at least this much, so small commits
    /// do not each cost a checkpoint and two more syncs.
    static let wakePages: Int32 = 1_000
    static let backstopPages: Int32 = 16_384

    private let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "talent.checkpoint")
    private let lock = NSLock()
    private var scheduled = false
    private var stopped = false
    /// WAL frames the last checkpoint had copied; frames past it are the ones waiting.
    private var copied: Int32 = 0

    init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "talent.checkpoint"
        connection = try DatabaseQueue(path: path, configuration: configuration)
        try connection.inDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    }

    /// Replaces SQLite's auto-checkpoint on the writer (`PRAGMA wal_autocheckpoint` would
    /// replace this hook in turn). The hook keeps the checkpointer alive for good: SQLite may call
    /// it until the writer closes, and a store opens one checkpointer.
    func install(on writer: Database) {
        sqlite3_wal_hook(writer.sqliteConnection, { context, connection, schema, pages in
            Unmanaged<Checkpointer>.fromOpaque(context!).takeUnretainedValue().walHas(pages, connection, schema)
        }, Unmanaged.passRetained(self).toOpaque())
    }

    /// On the writer's thread, after a commit, holding the writer: only hands the work off.
    /// Commits that come while a checkpoint runs wake another once it is done, if they still leave
    /// `wakePages` uncopied.
    private func walHas(_ pages: Int32, _ writer: OpaquePointer?, _ schema: UnsafePointer<CChar>?) -> Int32 {
        if pages >= Self.backstopPages {
            // Busy or failed: the next commit tries again.
            _ = sqlite3_wal_checkpoint_v2(writer, schema, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            return SQLITE_OK
        }
        let start: Bool = lock.withLock {
            if pages < copied { copied = 0 }  // the WAL restarted from its beginning
            if pages - copied < Self.wakePages || scheduled || stopped { return false }
            scheduled = true
            return true
        }
        if start { queue.async { self.checkpoint() } }
        return SQLITE_OK
    }

    private func checkpoint() {
        lock.withLock { scheduled = false }
        // Busy (another checkpoint running) or failed: the next commit past `wakePages` tries
        // again, and the writer's backstop bounds the WAL meanwhile.
        guard let (_, checkpointed) = try? connection.inDatabase({ db in try db.checkpoint(.passive) }) else { return }
        lock.withLock { copied = Int32(clamping: checkpointed) }
    }

    /// Waits for a running checkpoint and runs no more; then the connection is closed.
    func stop() throws {
        lock.withLock { stopped = true }
        queue.sync {}
        try connection.close()
    }
}
