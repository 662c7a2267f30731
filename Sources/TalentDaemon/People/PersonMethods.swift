import Foundation
import GRDB
import TalentProtocol

/// `person.*`: the registry of persons (experts, candidates, appointees) every domain refers to.
/// The contract validates formats (email, phone, country codes, CCCD); this adds what a schema
/// cannot say, and hides personal data from callers who may not see it.
struct PersonMethods: Sendable {
    static let defaultSearchLimit = 50

    private func target(_ id: Int64) -> AuditTarget { AuditTarget(type: "person", id: String(id)) }

    func create(_ call: Call, _ db: Database) throws -> Change {
        _ = try call.requiredString("full_name")
        let id = try PersonStore.insert(db, try columnValues(call))
        let person = try PersonStore.require(db, id: id)
        let duplicates = try PersonStore.possibleDuplicates(db, nameKey: NameKey.fold(person.fullName), birthDate: person.birthDate,
                                                            email: person.email, excluding: id)
        let warnings: [JSONValue] = duplicates.map { other in
            ["code": "possible_duplicate", "person_id": .int(other.id),
             "message": .string("person \(other.id) has the \(other.reason); check before using this record")]
        }
        return Change(result: ["person": person.json(personalData: call.seesPersonalData), "warnings": .array(warnings)],
                      target: target(id))
    }

    func get(_ call: Call, _ db: Database) throws -> JSONValue {
        try PersonStore.require(db, id: try call.requiredInt("id")).json(personalData: call.seesPersonalData)
    }

    func update(_ call: Call, _ db: Database) throws -> Change {
        let id = try call.requiredInt("id")
        let values = try columnValues(call)
        try PersonStore.update(db, id: id, version: try call.requiredInt("version"), values)
        return Change(result: try PersonStore.require(db, id: id).json(personalData: call.seesPersonalData), target: target(id))
    }

    func search(_ call: Call, _ db: Database) throws -> JSONValue {
        let words = NameKey.words(try call.requiredString("q"))
        guard !words.isEmpty else {
            throw RPCError.invalidParams(field: "q", "q must contain at least one letter or digit")
        }
        let limit = Int(call.int("limit") ?? Int64(Self.defaultSearchLimit))
        var afterID: Int64 = 0
        if let cursor = call.string("cursor") {
            guard let id = Int64(cursor), id >= 0 else {
                throw RPCError.invalidParams(field: "cursor", "cursor must be a next_cursor from an earlier person.search")
            }
            afterID = id
        }
        // One more than asked tells whether another page exists.
        let found = try PersonStore.search(db, words: words, afterID: afterID, limit: limit + 1)
        let page = found.prefix(limit)
        var result: [String: JSONValue] = [
            "persons": .array(page.map { $0.json(personalData: call.seesPersonalData) }),
        ]
        if found.count > limit, let last = page.last { result["next_cursor"] = .string(String(last.id)) }
        return .object(result)
    }

    /// The columns a create or update sets, from the params present: text in NFC, null clears.
    private func columnValues(_ call: Call) throws -> [String: DatabaseValueConvertible?] {
        var values: [String: DatabaseValueConvertible?] = [:]
        if let name = call.string("full_name") {
            let fullName = name.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
            let key = NameKey.fold(fullName)
            if key.isEmpty { throw RPCError.invalidParams(field: "full_name", "full_name must contain letters") }
            values["full_name"] = fullName
            values["name_key"] = key
        }
        for column in PersonStore.textColumns {
            switch call.params[column] {
            case .string(let text)?:
                values[column] = try normalized(column, text, today: call.today)
            case .null?:
                values[column] = .some(nil)
            default:
                break
            }
        }
        switch call.params["overseas_vietnamese"] {
        case .bool(let flag)?: values["overseas_vietnamese"] = flag
        case .null?: values["overseas_vietnamese"] = false
        default: break
        }
        switch call.params["fields"] {
        case .array(let list)?:
            let fields = list.compactMap(\.stringValue).map { $0.precomposedStringWithCanonicalMapping }
            values["fields"] = String(decoding: try JSONEncoder().encode(fields), as: UTF8.self)
        case .null?:
            values["fields"] = .some(nil)
        default:
            break
        }
        return values
    }

    private func normalized(_ column: String, _ text: String, today: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
        switch column {
        case "birth_date":
            guard let date = CalendarDate(trimmed), date.description <= today else {
                throw RPCError.invalidParams(field: column, "birth_date must be a real date YYYY-MM-DD, not in the future")
            }
        case "phone":
            // Stored with single spaces, so the same number typed twice compares equal.
            return trimmed.split(separator: " ").joined(separator: " ")
        default:
            break
        }
        if trimmed.isEmpty { throw RPCError.invalidParams(field: column, "\(column) must not be blank; send null to clear it") }
        return trimmed
    }
}
