import Foundation
import GRDB
import TalentProtocol

/// A person's gender as recorded (optional).
enum Gender: String, ContractEnum {
    static let contractSchema = "Gender"
    case female, male, other
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
