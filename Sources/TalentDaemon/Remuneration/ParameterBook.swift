import TalentProtocol

/// Where formulas read parameters: the values in force on a date as the system knew them at
/// `asOf`, looked up once per (name, date) for a whole computation, with a simulation's changes
/// laid over them (nothing is written). A value that does not exist answers `not_found` naming
/// the parameter and the date, and how to set it.
final class ParameterBook {
    struct Change {
        let definition: ParamDefinition
        let stored: Int64
        let effectiveFrom: String
    }

    private let store: ParamStore
    let asOf: String
    private let changes: [String: Change]
    private var definitions: [String: ParamDefinition] = [:]
    private var memo: [String: ParamValue] = [:]

    init(_ store: ParamStore, asOf: String, changes: [Change] = []) {
        self.store = store
        self.asOf = asOf
        self.changes = Dictionary(changes.map { ($0.definition.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    func definition(_ name: String) throws -> ParamDefinition {
        if let known = definitions[name] { return known }
        guard let definition = try store.definition(name: name) else {
            throw RPCError.notFound("no parameter named \(name); param.list shows the parameters, param.define defines one",
                                    details: ["parameter": .string(name), "field": "name"])
        }
        definitions[name] = definition
        return definition
    }

    func value(_ name: String, on day: String) throws -> ParamValue {
        let key = "\(name)@\(day)"
        if let known = memo[key] { return known }
        guard let definition = try? definition(name) else {
            throw RPCError.notFound("no parameter named \(name), needed on \(day); param.define defines it, then param.set records "
                                    + "its value with the decree", details: ["parameter": .string(name), "at": .string(day)])
        }
        let found: ParamValue
        if let change = changes[name], change.effectiveFrom <= day {
            found = ParamValue(name: name, unit: definition.unit, effectiveFrom: change.effectiveFrom,
                               stored: change.stored, decisionRef: "simulated")
        } else if let recorded = try store.value(definition, on: day, asOf: asOf) {
            found = recorded
        } else {
            let first = try store.firstEffectiveFrom(definition, asOf: asOf)
            let known = first.map { "its recorded values start \($0)" } ?? "it has no recorded value"
            throw RPCError.notFound("\(name) has no value in force on \(day) as known at \(asOf) (\(known)); "
                                    + "param.set {name: \(name), effective_from, value, decision_ref} records one",
                                    details: ["parameter": .string(name), "at": .string(day)])
        }
        memo[key] = found
        return found
    }

    func coefficient(_ name: String, on day: String) throws -> ParamValue {
        let found = try value(name, on: day)
        guard found.unit == .coefficient else {
            throw RPCError.invalidState("\(name) is defined in \(found.unit.rawValue), but the formula needs a coefficient")
        }
        return found
    }

    func amount(_ name: String, on day: String) throws -> ParamValue {
        let found = try value(name, on: day)
        guard found.unit == .vnd else {
            throw RPCError.invalidState("\(name) is defined as a coefficient, but the formula needs an amount in vnd")
        }
        return found
    }
}
