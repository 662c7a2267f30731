import Foundation
import GRDB
import TalentProtocol
import TalentStorage

/// The checks `talentd verify`, `talentd restore` and `system.backup` run on a database file:
/// SQLite's integrity check, the audit chain, and optionally an anchor published earlier.
struct DatabaseVerification: Sendable {
    let integrityProblems: [String]
    let audit: AuditVerification
    let head: AuditHead
    let anchor: AuditAnchor?
    let anchorHolds: Bool?

    var ok: Bool { integrityProblems.isEmpty && audit.ok && anchorHolds != false }

    /// Checks the file in one read (it may be a backup nobody serves, or a live database).
    static func run(path: String, anchor: AuditAnchor?) throws -> DatabaseVerification {
        guard FileManager.default.fileExists(atPath: path) else { throw BackupError.missing(path) }
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            let audit = AuditStore(db)
            return DatabaseVerification(integrityProblems: integrity == ["ok"] ? [] : integrity, audit: try audit.verify(),
                                        head: try audit.newest(), anchor: anchor, anchorHolds: try anchor.map(audit.holds))
        }
    }

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "ok": .bool(ok),
            "integrity": integrityProblems.isEmpty ? "ok" : .array(integrityProblems.prefix(20).map { .string($0) }),
            "audit": audit.json,
            "audit_head": head.json,
        ]
        if let anchor, let anchorHolds {
            object["anchor"] = ["seq": .int(anchor.seq), "hash": .string(anchor.hash), "holds": .bool(anchorHolds)]
        }
        return .object(object)
    }
}
