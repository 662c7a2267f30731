import Crypto
import GRDB
import TalentProtocol

/// One entry of the audit trail as stored, and the rule its hash follows: SHA-256 over the
/// previous entry's hash and this one's canonical JSON (compact, members sorted).
struct AuditEntry: FetchableRecord, Sendable {
    /// The `prev_hash` of the first entry.
    static let genesisHash = String(repeating: "0", count: 64)

    let seq: Int64
    let at: String
    let principal: String
    let method: String
    let target: AuditTarget?
    /// The params as stored (canonical JSON text), which the hash covers.
    let paramsText: String
    let outcome: String
    let prevHash: String
    let hash: String

    init(row: Row) {
        seq = row["seq"]
        at = row["at"]
        principal = row["principal"]
        method = row["method"]
        let type: String? = row["target_type"], id: String? = row["target_id"]
        target = type.map { AuditTarget(type: $0, id: id ?? "") }
        paramsText = row["params"]
        outcome = row["outcome"]
        prevHash = row["prev_hash"]
        hash = row["hash"]
    }

    /// The hash this entry should carry, recomputed from its members.
    var expectedHash: String {
        Self.hash(seq: seq, at: at, principal: principal, method: method, target: target,
                  paramsText: paramsText, outcome: outcome, prevHash: prevHash)
    }

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "seq": .int(seq), "at": .string(at), "principal": .string(principal), "method": .string(method),
            "params": (try? JSONParser.parse(paramsText)) ?? .string(paramsText), "outcome": .string(outcome),
            "prev_hash": .string(prevHash), "hash": .string(hash),
        ]
        if let target { object["target"] = ["type": .string(target.type), "id": .string(target.id)] }
        return .object(object)
    }

    /// SHA-256 of the bytes an entry's hash covers: every member but the hash itself, canonical JSON.
    static func hash(seq: Int64, at: String, principal: String, method: String, target: AuditTarget?,
                     paramsText: String, outcome: String, prevHash: String) -> String {
        AuditPreamble(at: at, method: method, outcome: outcome, paramsText: paramsText)
            .hash(prevHash: prevHash, principal: principal, seq: seq, target: target)
    }
}

/// The members of an entry that are known before its write runs (`at`, `method`, `outcome`,
/// `params`), with the start of its hash already computed over them. Sorted, they come first in
/// the canonical JSON, so a write hashes them on its event loop and the shared commit, where
/// writes run one after another, hashes only what it learns there (the previous hash, the seq,
/// the target). The JSON is written member by member, keys in sorted order as `JSONWriter` sorts
/// them. `AuditHashTests` pins the bytes.
struct AuditPreamble {
    let at: String
    let method: String
    let outcome: String
    /// The params as stored (canonical JSON text).
    let paramsText: String
    private let hashed: SHA256

    init(at: String, method: String, outcome: String, paramsText: String) {
        self.at = at
        self.method = method
        self.outcome = outcome
        self.paramsText = paramsText
        var out: [UInt8] = []
        out.reserveCapacity(96 + paramsText.utf8.count)
        Self.member(#"{"at":"#, at, into: &out)
        Self.member(#","method":"#, method, into: &out)
        Self.member(#","outcome":"#, outcome, into: &out)
        Self.member(#","params":"#, paramsText, into: &out)
        var hashed = SHA256()
        hashed.update(data: out)
        self.hashed = hashed
    }

    /// The entry's hash, given the members the commit decides.
    func hash(prevHash: String, principal: String, seq: Int64, target: AuditTarget?) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(160)
        Self.member(#","prev_hash":"#, prevHash, into: &out)
        Self.member(#","principal":"#, principal, into: &out)
        out.append(contentsOf: #","seq":"#.utf8)
        out.append(contentsOf: String(seq).utf8)
        if let target {
            Self.member(#","target":{"id":"#, target.id, into: &out)
            Self.member(#","type":"#, target.type, into: &out)
            out.append(contentsOf: "}}".utf8)
        } else {
            out.append(contentsOf: #","target":null}"#.utf8)
        }
        var hashed = self.hashed
        hashed.update(data: out)
        return Secrets.hex(hashed.finalize())
    }

    private static func member(_ key: StaticString, _ value: String, into out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        JSONWriter.writeString(value, into: &out)
    }
}

/// What `audit.verify` found.
struct AuditVerification: Sendable {
    let ok: Bool
    let entries: Int
    let firstBadSeq: Int64?

    var json: JSONValue {
        var object: [String: JSONValue] = ["ok": .bool(ok), "entries": .int(Int64(entries))]
        object["first_bad_seq"] = firstBadSeq.map { .int($0) } ?? .null
        return .object(object)
    }
}

/// The newest entry of the chain: `audit.head`, and what `system.backup` reports its copy holds.
struct AuditHead: Sendable {
    let seq: Int64
    let hash: String
    let at: String?

    var json: JSONValue { ["seq": .int(seq), "hash": .string(hash), "at": at.map { .string($0) } ?? .null] }
}

/// A head published outside the database ("SEQ:HASH"), to check the chain against later.
public struct AuditAnchor: Sendable, CustomStringConvertible {
    public let seq: Int64
    public let hash: String

    /// Parses "SEQ:HASH" (HASH 64 lowercase hex digits); nil when malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let seq = Int64(parts[0]), seq >= 0, parts[1].count == 64,
              parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        self.seq = seq
        self.hash = String(parts[1])
    }

    public var description: String { "\(seq):\(hash)" }
}
