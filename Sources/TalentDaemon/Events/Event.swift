import GRDB
import TalentProtocol

/// One committed change as subscribers see it. Its seq is its audit entry's seq.
struct Event: FetchableRecord, Sendable {
    let seq: Int64
    let at: String
    let type: String
    let topic: String
    /// The org the changed record belongs to; nil for a national change.
    let org: String?
    let target: AuditTarget?
    /// Canonical JSON text of the summary: a short text, ids and codes, no personal data.
    let summaryText: String

    init(row: Row) {
        seq = row["seq"]
        at = row["at"]
        type = row["type"]
        topic = row["topic"]
        org = row["org"]
        let targetType: String? = row["target_type"], targetID: String? = row["target_id"]
        target = targetType.map { AuditTarget(type: $0, id: targetID ?? "") }
        summaryText = row["summary"]
    }

    var json: JSONValue {
        [
            "seq": .int(seq), "at": .string(at), "type": .string(type), "topic": .string(topic),
            "org": org.map { .string($0) } ?? .null,
            "target": target.map { ["type": .string($0.type), "id": .string($0.id)] } ?? .null,
            "summary": (try? JSONParser.parse(summaryText)) ?? .object([:]),
        ]
    }

    /// The JSON-RPC notification a subscriber receives, newline included.
    var notificationLine: [UInt8] {
        JSONWriter.bytes(["jsonrpc": "2.0", "method": "event", "params": json]) + [0x0A]
    }

    /// The last line of a subscriber that stopped reading: resume with `after_seq: lastSeq`.
    static func overflowLine(lastSeq: Int64) -> [UInt8] {
        JSONWriter.bytes(["jsonrpc": "2.0", "method": "event.overflow", "params": ["last_seq": .int(lastSeq)]])
    }
}

/// How an audit entry becomes an event: its type and topic (`EventTypes`), the org it belongs
/// to, and its summary, derived from the write itself.
struct EventDraft {
    let kind: EventTypes.Kind
    let org: String?
    /// Canonical JSON text of the summary (`JSONWriter`'s, as `Event.summaryText` is read back).
    let summaryText: String

    /// Members of a record or of the params copied into a summary: ids, codes and states, never
    /// a name, a national id, a birth date or free text. A list of what is allowed, not of what
    /// is not, so a personal member added to a record later stays out.
    static let summaryMembers: Set<String> = [
        "id", "code", "status", "state", "stage", "post", "kind", "round", "category", "campaign",
        "outcome", "person_id", "nomination_id", "application_id", "campaign_id", "appointment_id",
        "duty_id", "due_on", "term_start", "term_end", "version",
    ]

    /// For each name length, a bit per first letter (a-z) of `summaryMembers`. Every write asks
    /// of each member of its record and params, inside the shared commit, whether it is a summary
    /// member; most are not, and this look answers them without hashing the name.
    private static let summaryShapes: [UInt32] = summaryMembers.reduce(into: [UInt32](repeating: 0, count: 32)) { shapes, name in
        shapes[name.utf8.count] |= 1 << (name.utf8.first! - UInt8(ascii: "a"))
    }

    static func isSummaryMember(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard let first = utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), utf8.count < 32,
              summaryShapes[utf8.count] & (1 << (first - UInt8(ascii: "a"))) != 0 else { return false }
        return summaryMembers.contains(name)
    }

    /// Nil when the method is not an event (a login). The org: the changed record's, else the
    /// `org` param, else the org of the principal who made the change (an org-bound principal
    /// acts for its org), else none: a national change.
    init?(method: String, target: AuditTarget?, params: JSONValue, result: JSONValue?, actorOrg: String?) {
        guard let kind = EventTypes.kind(of: method) else { return nil }
        let record = target.flatMap { result?[$0.type]?.objectValue } ?? result?.objectValue ?? [:]
        let paramMembers = params.objectValue ?? [:]
        self.kind = kind
        org = record["org"]?.stringValue ?? paramMembers["org"]?.stringValue ?? actorOrg
        // A few members in an array, sorted and written without a dictionary: this runs for every
        // write, inside the shared commit. The record's member wins over the param of the same name.
        var summary: [(key: String, value: JSONValue)] = []
        summary.reserveCapacity(8)
        for (name, value) in record where Self.isSummaryMember(name) && Self.isScalar(value) {
            summary.append((name, value))
        }
        let fromRecord = summary.count
        for (name, value) in paramMembers where Self.isSummaryMember(name) && Self.isScalar(value)
            && !summary[..<fromRecord].contains(where: { $0.key == name }) {
            summary.append((name, value))
        }
        let what = target.map { " \($0.type) \($0.id)" } ?? ""
        summary.append(("text", .string("\(kind.type):\(what)\(org.map { " (\($0))" } ?? "")")))
        summary.sort(by: JSONWriter.inKeyOrder)
        var text: [UInt8] = []
        text.reserveCapacity(160)
        JSONWriter.writeObject(summary, into: &text)
        summaryText = String(decoding: text, as: UTF8.self)
    }

    private static func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .string, .int, .double, .bool: true
        default: false
        }
    }
}
