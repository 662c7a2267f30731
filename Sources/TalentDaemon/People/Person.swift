import Foundation
import GRDB
import TalentProtocol

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
struct Person: FetchableRecord, Sendable {
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

    init(row: Row) throws {
        id = row["id"]
        version = row["version"]
        fullName = row["full_name"]
        birthDate = row["birth_date"]
        gender = row["gender"]
        nationality = row["nationality"]
        overseasVietnamese = row["overseas_vietnamese"]
        residenceCountry = row["residence_country"]
        email = row["email"]
        phone = row["phone"]
        nationalID = row["national_id"]
        let fieldsJSON: String? = row["fields"]
        fields = try fieldsJSON.map { try JSONDecoder().decode([String].self, from: Data($0.utf8)) }
        highestDegree = row["highest_degree"]
        employer = row["employer"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
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
