import GRDB
import TalentProtocol

/// The kinds of organization, in listing order: ministries, ministerial agencies, central cities,
/// provinces, then the rest.
enum OrgKind: String, ContractEnum {
    static let contractSchema = "OrgKind"
    case ministry, ministerialAgency = "ministerial_agency", centralCity = "central_city", province
    case governmentAgency = "government_agency", other
}

/// One row of `org`.
struct Org: FetchableRecord, Sendable {
    var code: String
    var kind: String
    var name: String
    var nameEn: String?
    var parent: String?

    init(row: Row) {
        code = row["code"]
        kind = row["kind"]
        name = row["name"]
        nameEn = row["name_en"]
        parent = row["parent"]
    }

    var json: JSONValue {
        var out: [String: JSONValue] = ["code": .string(code), "kind": .string(kind), "name": .string(name)]
        if let nameEn { out["name_en"] = .string(nameEn) }
        if let parent { out["parent"] = .string(parent) }
        return .object(out)
    }
}
