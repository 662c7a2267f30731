import GRDB
import TalentProtocol

enum ParamUnit: String, ContractEnum, DatabaseValueConvertible {
    static let contractSchema = "ParamUnit"
    /// Whole dong, given and returned as a JSON integer.
    case vnd
    /// An exact decimal with up to three places, given and returned as a string ("1.25").
    case coefficient

    /// A stored value (dong, or thousandths) as a client reads it.
    func json(_ stored: Int64) -> JSONValue {
        self == .vnd ? .int(stored) : .string(Coefficient(thousandths: stored).description)
    }

    /// What a client gave, as stored; nil when it does not suit the unit.
    func stored(_ value: JSONValue) -> Int64? {
        switch self {
        case .vnd: return value.intValue.flatMap { $0 >= 0 ? $0 : nil }
        case .coefficient: return value.stringValue.flatMap(Coefficient.init).map(\.thousandths)
        }
    }

    var expected: String {
        self == .vnd ? "a whole number of dong (a JSON integer, e.g. 2340000)"
            : "an exact decimal with up to 3 places, as a string (e.g. \"1.25\"), at most 999.999"
    }
}

/// A parameter's definition.
struct ParamDefinition: FetchableRecord, Sendable {
    let id: Int64
    let name: String
    let unit: ParamUnit
    let description: String
    let definedBy: String, definedAt: String

    init(row: Row) {
        id = row["id"]; name = row["name"]; unit = row["unit"]; description = row["description"]
        definedBy = row["defined_by"]; definedAt = row["defined_at"]
    }

    var json: JSONValue {
        ["name": .string(name), "unit": .string(unit.rawValue), "description": .string(description),
         "defined_by": .string(definedBy), "defined_at": .string(definedAt)]
    }
}

/// One recorded value of a parameter, with its unit and, in a history, the row that replaced it.
struct ParamValue: FetchableRecord, Sendable {
    let id: Int64
    let name: String
    let unit: ParamUnit
    let effectiveFrom: String
    /// Dong, or thousandths of a coefficient.
    let stored: Int64
    let decisionRef: String
    let note: String?
    let correctsID: Int64?
    let recordedAt: String, recordedBy: String
    let replacedAt: String?, replacedBy: String?

    init(row: Row) {
        id = row["id"]; name = row["name"]; unit = row["unit"]; effectiveFrom = row["effective_from"]
        stored = row["value"]; decisionRef = row["decision_ref"]; note = row["note"]; correctsID = row["corrects_id"]
        recordedAt = row["recorded_at"]; recordedBy = row["recorded_by"]
        replacedAt = row["replaced_at"]; replacedBy = row["replaced_by"]
    }

    init(name: String, unit: ParamUnit, effectiveFrom: String, stored: Int64, decisionRef: String) {
        id = 0; self.name = name; self.unit = unit; self.effectiveFrom = effectiveFrom; self.stored = stored
        self.decisionRef = decisionRef; note = nil; correctsID = nil; recordedAt = ""; recordedBy = ""
        replacedAt = nil; replacedBy = nil
    }

    var value: JSONValue { unit.json(stored) }
    var coefficient: Coefficient { Coefficient(thousandths: stored) }

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "id": .int(id), "name": .string(name), "unit": .string(unit.rawValue), "effective_from": .string(effectiveFrom),
            "value": value, "decision_ref": .string(decisionRef), "recorded_at": .string(recordedAt),
            "recorded_by": .string(recordedBy),
        ]
        if let note { object["note"] = .string(note) }
        if let correctsID { object["corrects_id"] = .int(correctsID) }
        if let replacedAt { object["replaced_at"] = .string(replacedAt) }
        if let replacedBy { object["replaced_by"] = .string(replacedBy) }
        return .object(object)
    }
}
