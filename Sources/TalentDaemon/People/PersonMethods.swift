import Foundation
import TalentProtocol

/// `person.*`: the registry of persons (experts, candidates, appointees) every domain refers to.
/// The contract validates formats (email, phone, country codes, CCCD); this adds what a schema
/// cannot say, and hides personal data from callers who may not see it.
struct PersonMethods: Sendable {
    static let defaultSearchLimit = 50

    /// What person.create does when the new person may be someone already registered.
    enum IfDuplicate: String {
        /// Create, and say so in `warnings`.
        case warn
        /// Create nothing; `conflict` naming the existing person.
        case refuse
        /// Create nothing; answer the existing person (scripts whose idempotency keys expired).
        case returnExisting = "return_existing"
    }

    private func target(_ id: Int64) -> AuditTarget { AuditTarget(type: "person", id: String(id)) }

    func create(_ call: Call, _ store: PersonStore) throws -> Change {
        _ = try call.requiredString("full_name")
        let creation = try call.prepared as? Creation ?? Creation(try personChanges(call), call)
        let changes = creation.insert.changes
        let ifDuplicate = IfDuplicate(rawValue: call.string("if_duplicate") ?? "warn") ?? .warn
        let duplicates = try store.possibleDuplicates(nameKey: changes.nameKey ?? "", birthDate: changes.text("birth_date"),
                                                      email: changes.text("email"), excluding: 0)
        if let first = duplicates.first, ifDuplicate != .warn {
            if ifDuplicate == .refuse {
                throw RPCError.conflict("person \(first.id) has the \(first.reason); nothing was created "
                                        + "(send if_duplicate \"warn\" to register this person anyway)",
                                        details: ["person_id": .int(first.id)])
            }
            let existing = try store.require(id: first.id)
            return Change(result: ["person": existing.json(personalData: call.seesPersonalData), "warnings": .array([first.warning]),
                                   "created": false], target: target(first.id))
        }
        let id = try store.insert(creation.insert, at: call.timestamp)
        return Change(result: ["person": creation.answer.with(["id": .int(id)]), "warnings": .array(duplicates.map(\.warning)), "created": true],
                      target: target(id))
    }

    /// `person.create`'s work done before the shared commit: its INSERT, and its answer but for the
    /// id (the person as inserted, as the caller may see it). `test_create_answers_the_person_as_stored`
    /// holds the answer to `person.get`'s.
    struct Creation: Sendable {
        let insert: PersonStore.Insert
        let answer: PreparedAnswer

        init(_ changes: PersonChanges, _ call: Call) {
            insert = PersonStore.Insert(changes)
            answer = PreparedAnswer(Person(id: 0, inserting: changes, at: call.timestamp).json(personalData: call.seesPersonalData))
        }
    }

    func get(_ call: Call, _ store: PersonStore) throws -> JSONValue {
        try store.require(id: try call.requiredInt("id")).json(personalData: call.seesPersonalData)
    }

    func update(_ call: Call, _ store: PersonStore) throws -> Change {
        let id = try call.requiredInt("id")
        try store.update(id: id, version: try call.requiredInt("version"), try call.prepared as? PersonChanges ?? personChanges(call),
                         at: call.timestamp)
        let person = try store.require(id: id)
        let duplicates = try store.possibleDuplicates(nameKey: NameKey.fold(person.fullName), birthDate: person.birthDate,
                                                      email: person.email, excluding: id)
        return Change(result: ["person": person.json(personalData: call.seesPersonalData),
                               "warnings": .array(duplicates.map(\.warning))],
                      target: target(id))
    }

    func search(_ call: Call, _ store: PersonStore) throws -> JSONValue {
        let words = NameKey.words(try call.requiredString("q"))
        guard !words.isEmpty else {
            throw RPCError.invalidParams(field: "q", "q must contain at least one letter or digit")
        }
        let request = try call.page(defaultLimit: Self.defaultSearchLimit)
        return Page(try store.search(words: words, request), request, cursor: { String($0.id) })
            .json("persons") { $0.json(personalData: call.seesPersonalData) }
    }

    /// Browsing without a name: filtered by employer and by fields left empty. Which personal
    /// data a person lacks is itself personal data, so only those who see it may filter on it.
    func list(_ call: Call, _ store: PersonStore) throws -> JSONValue {
        let missing = call.strings("missing") ?? []
        if !call.seesPersonalData, let hidden = missing.first(where: Person.personalDataColumns.contains) {
            throw RPCError.invalidParams(field: "missing", "missing: \(hidden) is personal data, which your roles do not show")
        }
        let request = try call.page(defaultLimit: Self.defaultSearchLimit)
        return Page(try store.list(employer: call.string("employer"), missing: missing, request), request, cursor: { String($0.id) })
            .json("persons") { $0.json(personalData: call.seesPersonalData) }
    }

    /// `prepare` of create: its changes as their INSERT, worked out before the shared commit.
    @Sendable func creation(_ call: Call) throws -> any Sendable { Creation(try personChanges(call), call) }

    /// `prepare` of update: its changes, worked out before the shared commit.
    @Sendable func changes(_ call: Call) throws -> any Sendable { try personChanges(call) }

    /// The fields a create or update sets, from the params present: text in NFC, null clears.
    private func personChanges(_ call: Call) throws -> PersonChanges {
        var changes = PersonChanges()
        if let name = call.string("full_name") {
            let fullName = NFC.trimmed(name)
            let key = NameKey.fold(fullName)
            if key.isEmpty { throw RPCError.invalidParams(field: "full_name", "full_name must contain letters") }
            changes.values["full_name"] = .text(fullName)
            changes.values["name_key"] = .text(key)
        }
        for column in PersonStore.textColumns {
            switch call.params[column] {
            case .string(let text)?: changes.values[column] = .text(try normalized(column, text, today: call.today))
            case .null?: changes.values[column] = .clear
            default: break
            }
        }
        switch call.params["overseas_vietnamese"] {
        case .bool(let flag)?: changes.values["overseas_vietnamese"] = .flag(flag)
        case .null?: changes.values["overseas_vietnamese"] = .flag(false)
        default: break
        }
        switch call.params["fields"] {
        case .array(let list)?: changes.values["fields"] = .list(list.compactMap(\.stringValue).map(NFC.of))
        case .null?: changes.values["fields"] = .clear
        default: break
        }
        return changes
    }

    private func normalized(_ column: String, _ text: String, today: String) throws -> String {
        let trimmed = NFC.trimmed(text)
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
