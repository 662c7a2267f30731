import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import TalentProtocol
import TalentStorage

/// `system.backup`: an online copy of the database, checked before it is reported.
extension SystemMethods {
    func backup(_ call: Call) throws -> JSONValue {
        guard let path = call.string("path"), path.hasPrefix("/") else {
            throw RPCError.invalidParams(field: "path", "path must be an absolute file name on the daemon's machine, e.g. /var/backups/talentd/talent-2026-11-25.db")
        }
        if FileManager.default.fileExists(atPath: path) {
            throw RPCError.conflict("\(path) already exists; a backup never overwrites a file: choose a new name", details: ["field": "path"])
        }
        let folder = (path as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.isEmpty ? "/" : folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw RPCError.notFound("no folder \(folder) on the daemon's machine; create it (writable by the daemon's user) first", details: ["field": "path"])
        }
        // Recorded before the copy starts, so the copy holds the record of its own making.
        _ = try store.pool.write { db in
            try AuditStore(db).append(principal: call.principalName, method: call.method, target: nil,
                                      params: ["path": .string(path)], at: call.timestamp)
        }
        let copy: BackupCopy
        do {
            copy = try store.backup(to: path)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN {
            throw RPCError.invalidParams(field: "path", "cannot create \(path): check that its folder exists and the daemon's user may write there")
        }
        let check = try DatabaseVerification.run(path: path, anchor: nil)
        guard check.ok else {
            call.logger.error("a backup failed its verification", metadata: ["path": .string(path), "report": .string(JSONWriter.string(check.json))])
            throw RPCError.internalError("the copy at \(path) failed verification (integrity or audit chain); it was kept for inspection; run `talentd verify --db \(path)`")
        }
        try store.recordBackup(at: UTCTime.now())
        return [
            "path": .string(path), "pages": .int(Int64(copy.pages)), "bytes": .int(copy.bytes),
            "seconds": .double(copy.seconds), "audit_head": check.head.json, "verified": true,
        ]
    }

    /// The backup check of `system.health`: degraded when the last backup is older than
    /// `backup_max_age_s` (or there never was one); always ok when that is not set.
    func backupCheck(now: Instant) throws -> (Status, JSONValue) {
        let last = try store.lastBackupAt()
        let age = last.flatMap(Self.epochSeconds).map { now.seconds - $0 }
        var status = Status.ok
        if let limit = config.backupMaxAgeSeconds, age.map({ Int64($0) > limit }) ?? true { status = .degraded }
        return (status, [
            "status": status.json, "last_at": last.map { .string($0) } ?? .null,
            "age_s": age.map { .int(Int64($0)) } ?? .null,
            "max_age_s": config.backupMaxAgeSeconds.map { .int($0) } ?? .null,
        ])
    }
}

extension SystemMethods {
    /// Seconds since 1970 of a timestamp this daemon wrote ("2026-11-25T06:01:02.345Z").
    static func epochSeconds(_ timestamp: String) -> Int? {
        let digits = timestamp.split(whereSeparator: { "-T:.Z".contains($0) }).compactMap { Int($0) }
        guard digits.count >= 6 else { return nil }
        var parts = tm()
        parts.tm_year = Int32(digits[0] - 1900)
        parts.tm_mon = Int32(digits[1] - 1)
        parts.tm_mday = Int32(digits[2])
        parts.tm_hour = Int32(digits[3])
        parts.tm_min = Int32(digits[4])
        parts.tm_sec = Int32(digits[5])
        return Int(timegm(&parts))
    }
}
