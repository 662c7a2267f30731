import GRDB
import TalentProtocol
import TalentStorage

/// The SQL of the tamper-evident audit trail, bound to one transaction or snapshot. Every entry
/// carries the hash of the one before it, so an edited, deleted or reordered row breaks the chain
/// from that point on. The head (last seq and hash) is also kept in `store_meta`, so deleting the
/// newest entries shows too.
struct AuditStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    /// Appends one entry; call inside the transaction that makes the change it records. A
    /// successful change is also an event (same seq, same transaction): `result` (what the write
    /// answered) and `actorOrg` (the org of who made it) say which org it belongs to.
    @discardableResult
    func append(principal: String, method: String, target: AuditTarget?, params: JSONValue,
                outcome: String = "ok", at timestamp: String, result: JSONValue? = nil, actorOrg: String? = nil) throws -> Int64 {
        try append(principal: principal, AuditPreamble(at: timestamp, method: method, outcome: outcome, paramsText: JSONWriter.string(params)),
                   target: target, params: params, result: result, actorOrg: actorOrg)
    }

    /// The same, with what the entry's hash covers before the write ran already hashed (outside
    /// the shared commit): `params` are the ones `preamble` holds as text.
    @discardableResult
    func append(principal: String, _ preamble: AuditPreamble, target: AuditTarget?, params: JSONValue,
                result: JSONValue? = nil, actorOrg: String? = nil) throws -> Int64 {
        let deferred = DeferredAuditEntries.shared.newest(in: db)
        let (headSeq, prevHash, newestSeq): (Int64, String, Int64)
        if let newest = deferred.newest {
            // An earlier append of this shared commit, not inserted yet: see DeferredAuditEntries.
            (headSeq, prevHash, newestSeq) = (newest.seq, newest.hash, newest.seq)
        } else {
            // The recorded head and the newest row's seq in one read.
            let position = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT (SELECT value FROM store_meta WHERE key = 'audit_head'), (SELECT max(seq) FROM audit_entry)
                """))
            newestSeq = position?[1] ?? 0
            (headSeq, prevHash) = try Self.complete((position?[0] as String?).map(Self.headParts)) ?? newestRow()
        }
        // Past any row too, so that a head set back by hand cannot make every write collide.
        let seq = max(headSeq, newestSeq) + 1
        let hash = preamble.hash(prevHash: prevHash, principal: principal, seq: seq, target: target)
        let row: [DatabaseValue] = [seq.databaseValue, preamble.at.databaseValue, principal.databaseValue,
                                    preamble.method.databaseValue, target?.type.databaseValue ?? .null,
                                    target?.id.databaseValue ?? .null, preamble.paramsText.databaseValue,
                                    preamble.outcome.databaseValue, prevHash.databaseValue, hash.databaseValue]
        let event = preamble.outcome == "ok"
            ? EventStore.row(seq: seq, at: preamble.at, method: preamble.method, target: target, params: params,
                             result: result, actorOrg: actorOrg)
            : nil
        if deferred.deferring {
            DeferredAuditEntries.shared.add(.init(seq: seq, hash: hash, row: row, event: event), in: db)
        } else {
            try insertEntries(row)
            if let event { try EventStore(db).insert(event) }
            try writeHead(seq: seq, hash: hash)
        }
        return seq
    }

    /// Inserts this shared commit's kept entries, their events and the head (see
    /// DeferredAuditEntries): run once, after the commit's writes and before it commits.
    func writeDeferredEntries() throws {
        let entries = DeferredAuditEntries.shared.kept(in: db)
        guard let newest = entries.last else { return }
        try insertEntries(entries.flatMap(\.row))
        try EventStore(db).insert(entries.flatMap { $0.event ?? [] })
        try writeHead(seq: newest.seq, hash: newest.hash)
    }

    /// Rows of `audit_entry`'s columns in this order, one after another.
    private func insertEntries(_ values: [DatabaseValue]) throws {
        try db.insertRows("INSERT INTO audit_entry(seq, at, principal, method, target_type, target_id, params, outcome, prev_hash, hash) VALUES",
                          columns: 10, values: values)
    }

    private func writeHead(seq: Int64, hash: String) throws {
        try db.cachedStatement(sql: """
            INSERT INTO store_meta(key, value) VALUES ('audit_head', ?)
            ON CONFLICT(key) DO UPDATE SET value = excluded.value
            """).execute(arguments: ["\(seq):\(hash)"])
    }

    /// Where the next entry links to: the recorded head, not the newest row, so that deleting or
    /// rewriting the newest rows by hand stays visible after later appends instead of being
    /// papered over by them.
    func head() throws -> (seq: Int64, hash: String) {
        try Self.complete(recordedHead()) ?? newestRow()
    }

    private func newestRow() throws -> (seq: Int64, hash: String) {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
        return (last?["seq"] ?? 0, last?["hash"] ?? AuditEntry.genesisHash)
    }

    /// The head as kept in `store_meta` ("seq:hash"), parts unreadable by hand edits left nil.
    private func recordedHead() throws -> (seq: Int64?, hash: String?)? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM store_meta WHERE key = 'audit_head'")).map(Self.headParts)
    }

    private static func headParts(_ value: String) -> (seq: Int64?, hash: String?) {
        let parts = value.split(separator: ":", maxSplits: 1)
        return (Int64(parts.first ?? ""), parts.count == 2 ? String(parts[1]) : nil)
    }

    /// The recorded head when both its parts read; nil sends the caller to the newest row.
    private static func complete(_ head: (seq: Int64?, hash: String?)?) -> (seq: Int64, hash: String)? {
        guard let seq = head?.seq, let hash = head?.hash else { return nil }
        return (seq, hash)
    }

    /// Recomputes the whole chain in seq order. The first bad seq is the first entry whose hash,
    /// link or position is wrong; a missing entry is reported by the seq it should have had.
    func verify() throws -> AuditVerification {
        var expectedSeq: Int64 = 1
        var prevHash = AuditEntry.genesisHash
        var count = 0
        let entries = try AuditEntry.fetchCursor(db, sql: "SELECT * FROM audit_entry ORDER BY seq")
        while let entry = try entries.next() {
            count += 1
            if entry.seq != expectedSeq { return AuditVerification(ok: false, entries: count, firstBadSeq: expectedSeq) }
            if entry.prevHash != prevHash || entry.expectedHash != entry.hash {
                return AuditVerification(ok: false, entries: count, firstBadSeq: entry.seq)
            }
            prevHash = entry.hash
            expectedSeq += 1
        }
        if let head = try recordedHead() {
            let headSeq = head.seq ?? 0
            if headSeq != expectedSeq - 1 || (head.hash != nil && headSeq > 0 && head.hash != prevHash) {
                return AuditVerification(ok: false, entries: count, firstBadSeq: min(headSeq, expectedSeq))
            }
        } else if count > 0 {
            return AuditVerification(ok: false, entries: count, firstBadSeq: 1)
        }
        return AuditVerification(ok: true, entries: count, firstBadSeq: nil)
    }

    /// The newest entry, to publish elsewhere as an anchor: seq 0 and the genesis hash when empty.
    func newest() throws -> AuditHead {
        guard let row = try Row.fetchOne(db, sql: "SELECT seq, hash, at FROM audit_entry ORDER BY seq DESC LIMIT 1") else {
            return AuditHead(seq: 0, hash: AuditEntry.genesisHash, at: nil)
        }
        return AuditHead(seq: row["seq"], hash: row["hash"], at: row["at"])
    }

    /// Whether the entry at the anchor's seq still carries the anchor's hash. A chain rebuilt
    /// consistently by someone who can write the file passes `verify()` but fails here, because
    /// the anchor was published outside the database before the rewrite.
    func holds(_ anchor: AuditAnchor) throws -> Bool {
        if anchor.seq == 0 { return anchor.hash == AuditEntry.genesisHash }
        return try String.fetchOne(db, sql: "SELECT hash FROM audit_entry WHERE seq = ?", arguments: [anchor.seq]) == anchor.hash
    }

    func list(afterSeq: Int64, limit: Int, principal: String?, method: String?) throws -> [AuditEntry] {
        var sql = "SELECT * FROM audit_entry WHERE seq > ?"
        var arguments: StatementArguments = [afterSeq]
        if let principal { sql += " AND principal = ?"; arguments += [principal] }
        if let method { sql += " AND method = ?"; arguments += [method] }
        sql += " ORDER BY seq LIMIT ?"
        arguments += [limit]
        return try AuditEntry.fetchAll(db, sql: sql, arguments: arguments)
    }
}
