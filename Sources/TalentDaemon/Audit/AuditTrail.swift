import GRDB
import TalentProtocol

/// The tamper-evident audit trail. Every entry carries the hash of the one before it, and its
/// own hash is SHA-256 over that and its canonical JSON (compact, members sorted), so an edited,
/// deleted or reordered row breaks the chain from that point on. The head (last seq and hash) is
/// also kept in `store_meta`, so deleting the newest entries shows too.
enum AuditTrail {
    static let genesisHash = String(repeating: "0", count: 64)

    struct Entry: Sendable {
        let seq: Int64
        let at: String
        let principal: String
        let method: String
        let target: AuditTarget?
        let params: JSONValue
        let outcome: String
        let prevHash: String
        let hash: String

        init(row: Row) throws {
            seq = row["seq"]
            at = row["at"]
            principal = row["principal"]
            method = row["method"]
            let type: String? = row["target_type"], id: String? = row["target_id"]
            target = type.map { AuditTarget(type: $0, id: id ?? "") }
            let paramsText: String = row["params"]
            params = (try? JSONParser.parse(paramsText)) ?? .string(paramsText)
            outcome = row["outcome"]
            prevHash = row["prev_hash"]
            hash = row["hash"]
        }

        var json: JSONValue {
            var object: [String: JSONValue] = [
                "seq": .int(seq), "at": .string(at), "principal": .string(principal), "method": .string(method),
                "params": params, "outcome": .string(outcome), "prev_hash": .string(prevHash), "hash": .string(hash),
            ]
            if let target { object["target"] = ["type": .string(target.type), "id": .string(target.id)] }
            return .object(object)
        }
    }

    /// The bytes an entry's hash covers: every member but the hash itself, canonical JSON.
    static func canonical(seq: Int64, at: String, principal: String, method: String, target: AuditTarget?,
                          paramsText: String, outcome: String, prevHash: String) -> [UInt8] {
        let target: JSONValue = target.map { ["type": .string($0.type), "id": .string($0.id)] } ?? .null
        return JSONWriter.bytes([
            "seq": .int(seq), "at": .string(at), "principal": .string(principal), "method": .string(method),
            "target": target, "params": .string(paramsText), "outcome": .string(outcome), "prev_hash": .string(prevHash),
        ])
    }

    /// Appends one entry; call inside the transaction that makes the change it records.
    @discardableResult
    static func append(_ db: Database, principal: String, method: String, target: AuditTarget?,
                       params: JSONValue, outcome: String = "ok") throws -> Int64 {
        let (headSeq, prevHash) = try head(db)
        // Past any row too, so that a head set back by hand cannot make every write collide.
        let seq = max(headSeq, try Int64.fetchOne(db, sql: "SELECT max(seq) FROM audit_entry") ?? 0) + 1
        let at = UTCTime.now()
        let paramsText = JSONWriter.string(params)
        let hash = Secrets.sha256Hex(canonical(seq: seq, at: at, principal: principal, method: method, target: target,
                                       paramsText: paramsText, outcome: outcome, prevHash: prevHash))
        try db.execute(sql: """
            INSERT INTO audit_entry(seq, at, principal, method, target_type, target_id, params, outcome, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [seq, at, principal, method, target?.type, target?.id, paramsText, outcome, prevHash, hash])
        try db.execute(sql: """
            INSERT INTO store_meta(key, value) VALUES ('audit_head', ?)
            ON CONFLICT(key) DO UPDATE SET value = excluded.value
            """, arguments: ["\(seq):\(hash)"])
        return seq
    }

    /// Where the next entry links to: the recorded head, not the newest row, so that deleting or
    /// rewriting the newest rows by hand stays visible after later appends instead of being
    /// papered over by them.
    private static func head(_ db: Database) throws -> (seq: Int64, hash: String) {
        if let head = try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'audit_head'") {
            let parts = head.split(separator: ":", maxSplits: 1)
            if parts.count == 2, let seq = Int64(parts[0]) { return (seq, String(parts[1])) }
        }
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
        return (last?["seq"] ?? 0, last?["hash"] ?? genesisHash)
    }

    struct Verification: Sendable {
        let ok: Bool
        let entries: Int
        let firstBadSeq: Int64?

        var json: JSONValue {
            var object: [String: JSONValue] = ["ok": .bool(ok), "entries": .int(Int64(entries))]
            object["first_bad_seq"] = firstBadSeq.map { .int($0) } ?? .null
            return .object(object)
        }
    }

    /// Recomputes the whole chain in seq order. The first bad seq is the first entry whose hash,
    /// link or position is wrong; a missing entry is reported by the seq it should have had.
    static func verify(_ db: Database) throws -> Verification {
        var expectedSeq: Int64 = 1
        var prevHash = genesisHash
        var count = 0
        let rows = try Row.fetchCursor(db, sql: """
            SELECT seq, at, principal, method, target_type, target_id, params, outcome, prev_hash, hash
            FROM audit_entry ORDER BY seq
            """)
        while let row = try rows.next() {
            count += 1
            let seq: Int64 = row["seq"]
            if seq != expectedSeq { return Verification(ok: false, entries: count, firstBadSeq: expectedSeq) }
            let type: String? = row["target_type"], id: String? = row["target_id"]
            let storedPrev: String = row["prev_hash"], storedHash: String = row["hash"]
            let recomputed = Secrets.sha256Hex(canonical(
                seq: seq, at: row["at"], principal: row["principal"], method: row["method"],
                target: type.map { AuditTarget(type: $0, id: id ?? "") }, paramsText: row["params"],
                outcome: row["outcome"], prevHash: storedPrev))
            if storedPrev != prevHash || recomputed != storedHash {
                return Verification(ok: false, entries: count, firstBadSeq: seq)
            }
            prevHash = storedHash
            expectedSeq += 1
        }
        if let head = try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'audit_head'") {
            let parts = head.split(separator: ":", maxSplits: 1)
            let headSeq = Int64(parts.first ?? "") ?? 0
            if headSeq != expectedSeq - 1 || (parts.count == 2 && headSeq > 0 && String(parts[1]) != prevHash) {
                return Verification(ok: false, entries: count, firstBadSeq: min(headSeq, expectedSeq))
            }
        } else if count > 0 {
            return Verification(ok: false, entries: count, firstBadSeq: 1)
        }
        return Verification(ok: true, entries: count, firstBadSeq: nil)
    }

    static func list(_ db: Database, afterSeq: Int64, limit: Int, principal: String?, method: String?) throws -> [Entry] {
        var sql = "SELECT * FROM audit_entry WHERE seq > ?"
        var arguments: StatementArguments = [afterSeq]
        if let principal { sql += " AND principal = ?"; arguments += [principal] }
        if let method { sql += " AND method = ?"; arguments += [method] }
        sql += " ORDER BY seq LIMIT ?"
        arguments += [limit]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Entry.init(row:))
    }
}
