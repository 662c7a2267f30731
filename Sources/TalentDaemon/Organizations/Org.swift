import TalentProtocol
import TalentStorage

/// The kinds of organization, in listing order: ministries, ministerial agencies, central cities,
/// provinces, then the rest.
enum OrgKind: String, ContractEnum {
    static let contractSchema = "OrgKind"
    case ministry, ministerialAgency = "ministerial_agency", centralCity = "central_city", province
    case governmentAgency = "government_agency", other
}

/// One row of `org`.
struct Org: Sendable {
    var code: String
    var kind: String
    var name: String
    var nameEn: String?
    var parent: String?

    /// What a query selects for `init`, in its order.
    static let columns = "code, kind, name, name_en, parent"

    init(_ row: IndexedColumns) throws {
        code = try row.string(0)
        kind = try row.string(1)
        name = try row.string(2)
        nameEn = row.nullableString(3)
        parent = row.nullableString(4)
    }

    var json: JSONValue {
        var out: [String: JSONValue] = ["code": .string(code), "kind": .string(kind), "name": .string(name)]
        if let nameEn { out["name_en"] = .string(nameEn) }
        if let parent { out["parent"] = .string(parent) }
        return .object(out)
    }
}
