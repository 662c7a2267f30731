import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// What one copy of the database took and holds.
public struct BackupCopy: Sendable {
    public let pages: Int
    public let bytes: Int64
    public let seconds: Double
}

extension Store {
    /// Copies the database to a new file at `path` with SQLite's online backup API, in one step
    /// inside one read snapshot: writers go on (WAL), and the copy holds exactly the commits made
    /// before the snapshot began. Refuses an existing file; removes a partial copy on failure.
    public func backup(to path: String) throws -> BackupCopy {
        guard !FileManager.default.fileExists(atPath: path) else { throw BackupError.exists(path) }
        let started = Date()
        do {
            let destination = try DatabaseQueue(path: path)
            try pool.backup(to: destination)
            // One self-contained file, readable without its WAL: the copy leaves WAL mode.
            try destination.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
            try destination.close()
        } catch {
            Self.removeDatabaseFiles(path)
            throw error
        }
        let pages = try Self.pageCount(path)
        return BackupCopy(pages: pages, bytes: Self.fileSize(path), seconds: Date().timeIntervalSince(started))
    }

    /// When the last verified backup finished (kept in the database, so a restart remembers it).
    public func recordBackup(at timestamp: String) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO store_meta(key, value) VALUES ('last_backup_at', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [timestamp])
        }
    }

    public func lastBackupAt() throws -> String? {
        try pool.read { try String.fetchOne($0, sql: "SELECT value FROM store_meta WHERE key = 'last_backup_at'") }
    }

    /// `PRAGMA integrity_check`: empty when the file is sound, else SQLite's findings.
    public func integrityProblems() throws -> [String] {
        let rows = try pool.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        return rows == ["ok"] ? [] : rows
    }

    /// Bytes of the database file and of its WAL.
    public func fileSizes() -> (database: Int64, wal: Int64) {
        (Self.fileSize(path), Self.fileSize(path + "-wal"))
    }

    /// Replaces the database at `path` with a copy of `source` through the backup API, so the
    /// target's WAL and shared memory stay consistent. The caller holds the target's lock.
    public static func restore(from source: String, to path: String) throws -> BackupCopy {
        guard FileManager.default.fileExists(atPath: source) else { throw BackupError.missing(source) }
        let started = Date()
        var configuration = Configuration()
        configuration.readonly = true
        let from = try DatabaseQueue(path: source, configuration: configuration)
        defer { try? from.close() }
        let to = try DatabaseQueue(path: path)
        try from.backup(to: to)
        // Back to one file; `serve` turns WAL on again when it opens it.
        try to.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
        try to.close()
        return BackupCopy(pages: try pageCount(path), bytes: fileSize(path), seconds: Date().timeIntervalSince(started))
    }

    static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.int64Value ?? 0
    }

    private static func pageCount(_ path: String) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { try Int.fetchOne($0, sql: "PRAGMA page_count") ?? 0 }
    }

    static func removeDatabaseFiles(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

public enum BackupError: Error, CustomStringConvertible {
    case exists(String)
    case missing(String)

    public var description: String {
        switch self {
        case .exists(let path): return "\(path) already exists; choose a new file name (a backup never overwrites)"
        case .missing(let path): return "no file at \(path)"
        }
    }
}

/// An exclusive `flock` on the database file, held by `talentd serve` for its whole life and by
/// `talentd restore` while it replaces the file, so neither runs over the other. flock locks are
/// separate from the POSIX locks SQLite takes, so they neither disturb nor are released by it.
public final class DatabaseLock: Sendable {
    private let fd: Int32

    public struct Held: Error, CustomStringConvertible {
        public let path: String
        public var description: String {
            "\(path) is already in use by a running talentd (it holds the database lock); stop it first (systemctl stop talentd)"
        }
    }

    /// Takes the lock without waiting, creating the file if needed; throws `Held` when taken.
    public init(path: String) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let failure = errno
            close(fd)
            if failure == EWOULDBLOCK { throw Held(path: path) }
            throw POSIXError(POSIXErrorCode(rawValue: failure) ?? .EIO)
        }
    }

    deinit { close(fd) }
}
