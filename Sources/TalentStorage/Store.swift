import Foundation
import CSQLiteSetup
import GRDB

/// The SQLite database: one GRDB `DatabasePool` in WAL mode with `synchronous=FULL`, so an
/// acknowledged write survives a crash or power loss; foreign keys on; a busy timeout so a
/// reader never fails just because the writer is busy.
public final class Store: Sendable {
    public let path: String
    /// Open to the storage layer and the domain stores; the protocol layer never sees it.
    public let pool: DatabasePool
    /// Request writes go through here: queued writes share one commit (see `GroupCommit`).
    public let writes: GroupCommit
    /// Quick reads on the thread they arrive on (the event loops): see `ThreadReaders`.
    public let threadReaders: ThreadReaders
    /// Checkpoints the WAL off the committer thread.
    private let checkpointer: Checkpointer
    private let migrations: Migrations

    public enum OpenError: Error, CustomStringConvertible {
        case missing(String)
        case notInitialized(String)
        case needsMigration(path: String, applied: Int, known: Int)
        case newerThanThisBuild(path: String, unknown: [String])

        public var description: String {
            switch self {
            case .missing(let path):
                return "no database at \(path); create it with `talentd init --db \(path)`"
            case .notInitialized(let path):
                return "\(path) holds no talentd database; create it with `talentd init --db \(path)`"
            case .needsMigration(let path, let applied, let known):
                return "database \(path) is at schema version \(applied) but this talentd needs \(known); run `talentd init --db \(path)` (or start `talentd serve`) to migrate it"
            case .newerThanThisBuild(let path, let unknown):
                return "database \(path) has migrations this talentd does not know (\(unknown.joined(separator: ", "))); it was written by a newer version"
            }
        }
    }

    /// Opens an existing database and applies the migrations it lacks (what `serve` does), so a
    /// database from an earlier release upgrades in place on first start. One written by a newer
    /// build is refused untouched. Returns the identifiers of the migrations it applied.
    public static func openForServing(path: String, migrations: Migrations, busyTimeout: TimeInterval = 5) throws -> (store: Store, applied: [String]) {
        guard FileManager.default.fileExists(atPath: path) else { throw OpenError.missing(path) }
        let store = try Store(path: path, migrations: migrations, busyTimeout: busyTimeout)
        do {
            let before = try store.pool.read { try store.knownAppliedIdentifiers($0) }
            // Only `init` creates a database (and its admin); serve upgrades one it made.
            if before.isEmpty { throw OpenError.notInitialized(path) }
            try store.migrations.migrator.migrate(store.pool)
            return (store, store.migrations.identifiers.filter { !before.contains($0) })
        } catch {
            try? store.pool.close()
            throw error
        }
    }

    /// Opens an existing, fully migrated database (what the offline tools do: they never migrate).
    public static func openMigrated(path: String, migrations: Migrations, busyTimeout: TimeInterval = 5) throws -> Store {
        guard FileManager.default.fileExists(atPath: path) else { throw OpenError.missing(path) }
        let store = try Store(path: path, migrations: migrations, busyTimeout: busyTimeout)
        do {
            let applied = try store.pool.read { try store.knownAppliedIdentifiers($0) }
            if applied.count < store.migrations.identifiers.count {
                throw OpenError.needsMigration(path: path, applied: applied.count, known: store.migrations.identifiers.count)
            }
        } catch {
            try? store.pool.close()
            throw error
        }
        return store
    }

    /// The migrations applied to the database, all of which this build must know.
    private func knownAppliedIdentifiers(_ db: Database) throws -> Set<String> {
        let applied = try migrations.migrator.appliedIdentifiers(db)
        let unknown = applied.subtracting(migrations.identifiers).sorted()
        if !unknown.isEmpty { throw OpenError.newerThanThisBuild(path: path, unknown: unknown) }
        return applied
    }

    /// Creates the database if needed and applies pending migrations (what `init` does; idempotent).
    /// Returns the identifiers of the migrations it applied.
    public static func createOrMigrate(path: String, migrations: Migrations) throws -> (store: Store, applied: [String]) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o750])
        }
        let store = try Store(path: path, migrations: migrations, busyTimeout: 5)
        let before = try store.pool.read { try store.migrations.migrator.appliedIdentifiers($0) }
        try store.migrations.migrator.migrate(store.pool)
        let applied = store.migrations.identifiers.filter { !before.contains($0) }
        return (store, applied)
    }

    /// SQLite's process-wide settings (`CSQLiteSetup`), applied once, before the first database
    /// of the process opens; false when SQLite was already initialized and refused them.
    /// Measured per `appointment.propose` on the commit thread: about 5% fewer instructions
    /// without memory statistics, 8% fewer with each write's savepoint journal in one piece.
    ///
    /// That piece is 120 KiB: a write's journal holds about 10 pages (40 KiB); past 120 KiB it
    /// moves to a temporary file. Not larger: SQLite 3.40's unix VFS writes at most 128 KiB - 1
    /// bytes per call (it masks the size with 0x1ffff), so moving a larger piece to the file
    /// fails as "database or disk is full" (seen at 131,200 bytes; `SavepointJournalTests`).
    /// And below 128 KiB glibc's malloc takes it from the heap, not from a fresh mmap.
    public static let processSettingsApplied: Bool = talent_sqlite_configure(120 * 1024) == 0

    private init(path: String, migrations: Migrations, busyTimeout: TimeInterval) throws {
        _ = Self.processSettingsApplied
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "talent"
        self.path = path
        self.migrations = migrations
        self.pool = try DatabasePool(path: path, configuration: configuration)
        self.writes = GroupCommit(pool: pool)
        let commits = CommitCount()
        pool.add(transactionObserver: commits, extent: .databaseLifetime)
        self.threadReaders = ThreadReaders(path: path, busyTimeout: busyTimeout, commits: commits)
        // WAL alone makes commits durable only at checkpoints; FULL syncs the WAL on every
        // commit, which is what "acknowledged means durable" needs. Set on the writer after the
        // pool opens: GRDB's WAL set-up runs after prepareDatabase and sets NORMAL (found by
        // system.info's storage report, which reads it back).
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        // Each write of a shared commit runs in its own savepoint, whose undo copy of every page
        // it touches goes to a statement journal. With the process settings, that journal is
        // one 120 KiB piece of memory per write. Without them (SQLite was initialized first, as in
        // a test process), it would spill to a temporary file past 64 KiB, two pwrite calls per
        // page of every write (measured: 26 per person.create); kept in memory instead, it is
        // built of 1 KiB pieces, which cost about 8% more instructions per write.
        if !Self.processSettingsApplied {
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA temp_store = MEMORY") }
        }
        checkpointer = try Checkpointer(path: path)
        pool.writeWithoutTransaction { db in checkpointer.install(on: db) }
    }

    /// How many migrations have been applied: the schema version reported by `system.info`.
    public func schemaVersion() throws -> Int {
        try pool.read { try migrations.migrator.appliedIdentifiers($0).count }
    }

    /// The durability settings in force on the writer's connection, as SQLite reports them:
    /// `journal_mode` (wal), `synchronous` (2 = FULL) and `foreign_keys` (1 = on).
    public func settings() throws -> (journalMode: String, synchronous: Int, foreignKeys: Bool) {
        try pool.writeWithoutTransaction { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "unknown",
             try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
             try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false)
        }
    }

    public func sqliteVersion() throws -> String {
        try pool.read { try String.fetchOne($0, sql: "SELECT sqlite_version()") ?? "unknown" }
    }

    /// A real write, committed and synced, so a read-only file system, a full disk or a stuck
    /// lock all show up in health checks.
    public func probeWrite(at timestamp: String) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO store_meta(key, value) VALUES ('last_health_probe', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [timestamp])
        }
    }

    /// Bytes free for unprivileged users on the file system holding the database.
    public func freeDiskBytes() -> Int64? {
        let directory = (path as NSString).deletingLastPathComponent
        guard let attributes = try? FileManager.default.attributesOfFileSystem(forPath: directory.isEmpty ? "." : directory),
              let free = attributes[.systemFreeSize] as? NSNumber else { return nil }
        return free.int64Value
    }

    /// Checkpoints the WAL and closes every connection, the writer last: SQLite deletes the WAL
    /// and shared-memory files only when the last connection closing can write (GRDB closes the
    /// pool's read-only readers after its writer; its issue 739). The event loops' readers must be
    /// closed already: they close when their threads end.
    public func close() throws {
        try checkpointer.stop()
        pool.releaseMemory()
        _ = try pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        try pool.close()
    }
}
