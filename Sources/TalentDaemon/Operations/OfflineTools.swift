import Foundation
import TalentProtocol
import TalentStorage

/// `talentd verify` and `talentd restore`: offline checks and recovery of a database file.
extension Daemon {
    public struct RestoreRefused: Error, CustomStringConvertible {
        public let description: String
    }

    /// `talentd verify`: integrity, audit chain and, when given, an anchor. Returns the verdict as JSON.
    public static func verifyDatabase(path: String, anchor: AuditAnchor?) throws -> (ok: Bool, report: JSONValue) {
        let verification = try DatabaseVerification.run(path: path, anchor: anchor)
        return (verification.ok, verification.json)
    }

    /// `talentd restore`: checks the backup, takes the target's lock (so no daemon serves it
    /// meanwhile, and none is serving it now), copies the backup over it, and checks the result.
    public static func restore(from source: String, databasePath: String) throws -> JSONValue {
        restrictFileModes()
        let before = try DatabaseVerification.run(path: source, anchor: nil)
        guard before.ok else {
            throw RestoreRefused(description: "\(source) fails verification, so it was not restored: \(JSONWriter.string(before.json)); run `talentd verify --db \(source)`")
        }
        let lock = try DatabaseLock(path: databasePath)
        let copy = try withExtendedLifetime(lock) { try Store.restore(from: source, to: databasePath) }
        let after = try DatabaseVerification.run(path: databasePath, anchor: nil)
        guard after.ok else {
            throw RestoreRefused(description: "the restored \(databasePath) fails verification: \(JSONWriter.string(after.json))")
        }
        return [
            "restored": .string(databasePath), "from": .string(source), "pages": .int(Int64(copy.pages)),
            "bytes": .int(copy.bytes), "seconds": .double(copy.seconds), "audit_head": after.head.json,
        ]
    }
}
