import TalentProtocol

/// `param.*`: dated parameters (base salary, allowance coefficients), each value with the decree
/// it comes from, entered late when decrees are, corrected without rewriting history.
struct ParamMethods: Sendable {
    static let defaultLimit = 100

    func define(_ call: Call, _ store: ParamStore) throws -> Change {
        let name = try call.requiredString("name")
        let unit = try call.required(ParamUnit.self, "unit")
        if let existing = try store.definition(name: name) {
            throw RPCError.conflict("parameter \(name) is already defined (unit \(existing.unit.rawValue), by \(existing.definedBy) "
                                    + "at \(existing.definedAt)); param.set records its values", details: ["field": "name"])
        }
        try store.define(name: name, unit: unit, description: try call.requiredText("description"),
                         by: call.principalName, at: call.timestamp)
        return Change(result: try require(store, name).json, target: AuditTarget(type: "param", id: name))
    }

    /// A second value for an effective_from is a correction: refused unless it says so, with a note.
    func set(_ call: Call, _ store: ParamStore) throws -> Change {
        let definition = try require(store, try call.requiredString("name"))
        let effectiveFrom = try call.requiredDate("effective_from").description
        guard let raw = call.params["value"], let stored = definition.unit.stored(raw) else {
            throw RPCError.invalidParams(field: "value", "value: \(definition.name) is in \(definition.unit.rawValue), so its value must be \(definition.unit.expected)")
        }
        let corrects = call.bool("corrects") ?? false
        let note = call.text("note")
        let previous = try store.current(definition, effectiveFrom: effectiveFrom)
        if let previous, !corrects {
            throw RPCError.conflict("\(definition.name) already has a value from \(effectiveFrom): \(JSONWriter.string(previous.value)) "
                                    + "(\(previous.decisionRef), recorded by \(previous.recordedBy) at \(previous.recordedAt)); "
                                    + "to replace it, send corrects: true with a note saying why",
                                    details: ["value_id": .int(previous.id), "field": "effective_from"])
        }
        if corrects {
            guard previous != nil else {
                throw RPCError.invalidParams(field: "corrects", "corrects: \(definition.name) has no value from \(effectiveFrom) to correct; "
                                             + "leave corrects out to record a new value (param.history lists the values)")
            }
            guard note != nil else {
                throw RPCError.invalidParams(field: "note", "note is required with corrects: true: say why the value is replaced")
            }
        }
        let id = try store.insert(definition, ParamStore.NewValue(
            effectiveFrom: effectiveFrom, stored: stored, decisionRef: try call.requiredText("decision_ref"), note: note,
            corrects: previous?.id), by: call.principalName, at: call.timestamp)
        guard let value = try store.find(id: id) else { throw RPCError.internalError() }
        return Change(result: value.json, target: AuditTarget(type: "param", id: definition.name))
    }

    /// The value in force on `at` (default today) as the system knew it at `as_of` (default now).
    func get(_ call: Call, _ store: ParamStore) throws -> JSONValue {
        let at = call.date("at")?.description ?? call.today
        let book = ParameterBook(store, asOf: call.string("as_of") ?? call.timestamp)
        let value = try book.value(try call.requiredString("name"), on: at)
        guard case .object(var object) = value.json else { return value.json }
        object["at"] = .string(at)
        object["as_of"] = .string(book.asOf)
        return .object(object)
    }

    /// Every parameter, each with its value in force today as known now (when it has one).
    func list(_ call: Call, _ store: ParamStore) throws -> JSONValue {
        let request = try call.page(defaultLimit: Self.defaultLimit)
        return try Page(try store.definitions(request), request, cursor: { String($0.id) }).json("params") { definition in
            guard case .object(var object) = definition.json else { return definition.json }
            if let current = try store.value(definition, on: call.today, asOf: call.timestamp) {
                object["current"] = ["value": current.value, "effective_from": .string(current.effectiveFrom),
                                     "decision_ref": .string(current.decisionRef)]
            }
            return .object(object)
        }
    }

    /// Every value ever recorded, in the order recorded; a corrected one says who replaced it and when.
    func history(_ call: Call, _ store: ParamStore) throws -> JSONValue {
        let definition = try require(store, try call.requiredString("name"))
        let request = try call.page(defaultLimit: Self.defaultLimit)
        guard case .object(let about) = definition.json else { return definition.json }
        return Page(try store.history(definition, request), request, cursor: { String($0.id) }).json("values", extra: about) { $0.json }
    }

    private func require(_ store: ParamStore, _ name: String) throws -> ParamDefinition {
        guard let definition = try store.definition(name: name) else {
            throw RPCError.notFound("no parameter named \(name); param.list shows the parameters, param.define defines one",
                                    details: ["parameter": .string(name), "field": "name"])
        }
        return definition
    }
}
