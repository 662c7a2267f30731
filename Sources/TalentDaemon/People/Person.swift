import Foundation
import GRDB
import TalentProtocol
import TalentStorage

/// A person's gender as recorded (optional).
enum Gender: String, ContractEnum {
    static let contractSchema = "Gender"
    case female, male, other
}

/// What a create or an update sets, field by field (absent: unchanged).
struct PersonChanges: Sendable {
    enum Value: Sendable {
        case text(String)
        case flag(Bool)
        case list([String])
        case clear
    }

    var values: [String: Value] = [:]

    /// The folded name key and the values duplicates are looked up by, where this sets them.
    var nameKey: String? { if case .text(let key)? = values["name_key"] { key } else { nil } }
    func text(_ column: String) -> String? { if case .text(let value)? = values[column] { value } else { nil } }
}

/// Another person that may be the same human, and why.
struct PossibleDuplicate: Sendable {
    let id: Int64
    let reason: String

    var warning: JSONValue {
        ["code": "possible_duplicate", "person_id": .int(id),
         "message": .string("person \(id) has the \(reason); check before using this record")]
    }
}

/// One row of `person`.
struct Person: Sendable {
    var id: Int64
    var version: Int64
    var fullName: String
    var birthDate: String?
    var gender: String?
    var nationality: String?
    var overseasVietnamese: Bool
    var residenceCountry: String?
    var email: String?
    var phone: String?
    var nationalID: String?
    var fields: [String]?
    var highestDegree: String?
    var employer: String?
    var createdAt: String
    var updatedAt: String

    /// What a query selects for `init`, in its order (qualified: some queries join).
    static let columns = ["id", "version", "full_name", "birth_date", "gender", "nationality", "overseas_vietnamese",
                          "residence_country", "email", "phone", "national_id", "fields", "highest_degree",
                          "employer", "created_at", "updated_at"].map { "person.\($0)" }.joined(separator: ", ")

    /// A new person as an INSERT of `changes` stores it: version 1 and overseas_vietnamese false
    /// are the columns' defaults.
    init(id: Int64, inserting changes: PersonChanges, at timestamp: String) {
        self.id = id
        version = 1
        fullName = changes.text("full_name") ?? ""
        birthDate = changes.text("birth_date")
        gender = changes.text("gender")
        nationality = changes.text("nationality")
        if case .flag(let flag)? = changes.values["overseas_vietnamese"] { overseasVietnamese = flag } else { overseasVietnamese = false }
        residenceCountry = changes.text("residence_country")
        email = changes.text("email")
        phone = changes.text("phone")
        nationalID = changes.text("national_id")
        if case .list(let list)? = changes.values["fields"] { fields = list } else { fields = nil }
        highestDegree = changes.text("highest_degree")
        employer = changes.text("employer")
        createdAt = timestamp
        updatedAt = timestamp
    }

    init(_ row: IndexedColumns) throws {
        id = try row.int64(0)
        version = try row.int64(1)
        fullName = try row.string(2)
        birthDate = row.nullableString(3)
        gender = row.nullableString(4)
        nationality = row.nullableString(5)
        overseasVietnamese = try row.bool(6)
        residenceCountry = row.nullableString(7)
        email = row.nullableString(8)
        phone = row.nullableString(9)
        nationalID = row.nullableString(10)
        fields = try row.nullableString(11).map { try JSONDecoder().decode([String].self, from: Data($0.utf8)) }
        highestDegree = row.nullableString(12)
        employer = row.nullableString(13)
        createdAt = try row.string(14)
        updatedAt = try row.string(15)
    }

    /// Members that only admin, hr_official and auditor see (`Call.seesPersonalData`).
    static let personalDataColumns: Set<String> = ["national_id", "phone", "email"]

    /// The person as the protocol shows it: absent values are omitted, personal data only
    /// when the caller may see it.
    func json(personalData: Bool) -> JSONValue {
        var out: [String: JSONValue] = [
            "id": .int(id), "version": .int(version), "full_name": .string(fullName),
            "overseas_vietnamese": .bool(overseasVietnamese),
            "created_at": .string(createdAt), "updated_at": .string(updatedAt),
        ]
        let optional: [(String, String?)] = [
            ("birth_date", birthDate), ("gender", gender), ("nationality", nationality),
            ("residence_country", residenceCountry), ("highest_degree", highestDegree), ("employer", employer),
        ]
        for (name, value) in optional { if let value { out[name] = .string(value) } }
        if let fields { out["fields"] = .array(fields.map(JSONValue.string)) }
        if personalData {
            for (name, value) in [("email", email), ("phone", phone), ("national_id", nationalID)] {
                if let value { out[name] = .string(value) }
            }
        }
        return .object(out)
    }
}
