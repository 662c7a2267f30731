import TalentProtocol

/// `remuneration.*`: pay computed by the formulas from dated parameters, with its explanation;
/// back-pay when a decree was entered late; monthly cost per org; what-if simulations that write
/// nothing. A caller limited to an org sees only the pay of posts in that org.
struct RemunerationMethods: Sendable {
    static let maxArrearsMonths = 240

    func compute(_ call: Call, _ store: RemunerationStore) throws -> JSONValue {
        let personID = try requirePerson(call, store)
        let at = try call.requiredDate("at").description
        let book = ParameterBook(store.params, asOf: call.string("as_of") ?? call.timestamp)
        let components = try pay(store, personID: personID, on: at, book, org: call.scopeOrg)
        var result: [String: JSONValue] = [
            "person_id": .int(personID), "at": .string(at), "as_of": .string(book.asOf),
            "total": .int(components.reduce(0) { $0 + $1.amount }), "components": .array(components.map(\.json)),
        ]
        if components.isEmpty {
            let scope = call.scopeOrg.map { " in \($0)" } ?? ""
            result["reason"] = .string("person \(personID) held no paid post\(scope) on \(at) as known at \(book.asOf) "
                                       + "(no approved appointment in office that day; no expert register exists yet)")
        }
        return .object(result)
    }

    /// Month by month (each priced on its first day), what was due as known at paid_as_of against
    /// what is due as known now; each month that differs names the inputs that changed.
    func arrears(_ call: Call, _ store: RemunerationStore) throws -> JSONValue {
        let personID = try requirePerson(call, store)
        let from = try call.requiredDate("from"), to = try call.requiredDate("to")
        guard from <= to else { throw RPCError.invalidParams(field: "to", "to (\(to)) must not be before from (\(from))") }
        let months = Self.months(from: from, to: to)
        guard months.count <= Self.maxArrearsMonths else {
            throw RPCError.invalidParams(field: "to", "at most \(Self.maxArrearsMonths) months at a time; this range has \(months.count)")
        }
        let paidAsOf = try call.requiredString("paid_as_of")
        let paidBook = ParameterBook(store.params, asOf: paidAsOf), dueBook = ParameterBook(store.params, asOf: call.timestamp)
        var rows: [JSONValue] = []
        var totals = (paid: Int64(0), due: Int64(0))
        for (month, day) in months {
            var row: [String: JSONValue] = ["month": .string(month), "at": .string(day)]
            var paidComponents: [PayComponent] = []
            do {
                paidComponents = try pay(store, personID: personID, on: day, paidBook, org: call.scopeOrg)
            } catch let error as RPCError where error.reason == "not_found" {
                // Nothing could be priced then: the whole month is owed.
                row["paid_unpriced"] = .string(error.message)
            }
            let dueComponents = try pay(store, personID: personID, on: day, dueBook, org: call.scopeOrg)
            let paid = paidComponents.reduce(0) { $0 + $1.amount }, due = dueComponents.reduce(0) { $0 + $1.amount }
            row["paid"] = .int(paid); row["due"] = .int(due); row["difference"] = .int(due - paid)
            if paid != due || paidComponents != dueComponents {
                let before = Set(paidComponents.flatMap(\.inputs).map(Self.inputKey))
                let changed = dueComponents.flatMap(\.inputs).filter { !before.contains(Self.inputKey($0)) }
                var seen = Set<String>()
                row["changed_inputs"] = .array(changed.filter { seen.insert(Self.inputKey($0)).inserted }.map(\.json))
                row["components"] = .array(dueComponents.map(\.json))
            }
            totals.paid += paid; totals.due += due
            rows.append(.object(row))
        }
        return ["person_id": .int(personID), "from": .string(from.description), "to": .string(to.description),
                "paid_as_of": .string(paidAsOf), "known_as_of": .string(call.timestamp), "months": .array(rows),
                "total_paid": .int(totals.paid), "total_due": .int(totals.due), "total_difference": .int(totals.due - totals.paid)]
    }

    /// Monthly cost on `at` per org and nationally, with head counts per post. A post that cannot
    /// be priced (a parameter missing) is counted and listed as unpriced, never as zero.
    func report(_ call: Call, _ store: RemunerationStore) throws -> JSONValue {
        let at = try call.requiredDate("at").description
        let book = ParameterBook(store.params, asOf: call.string("as_of") ?? call.timestamp)
        let posts = try store.posts(on: at, knownAt: book.asOf, org: call.org)
        var byOrg: [String: CostTally] = [:], national = CostTally(), unpriced: [JSONValue] = []
        for post in posts {
            guard let amount = try priced(post, at, book, unpriced: &unpriced) else {
                byOrg[post.org, default: CostTally()].unpriced += 1
                national.unpriced += 1
                continue
            }
            byOrg[post.org, default: CostTally()].add(post, amount)
            national.add(post, amount)
        }
        return ["at": .string(at), "as_of": .string(book.asOf), "orgs": .array(byOrg.keys.sorted().map { byOrg[$0]!.json(org: $0) }),
                "national": national.json(org: nil), "unpriced": .array(unpriced)]
    }

    /// Everyone in post on `at`, priced with and without the changes. Reads only: nothing is written.
    func simulate(_ call: Call, _ store: RemunerationStore) throws -> JSONValue {
        let at = try call.requiredDate("at").description
        let asOf = call.string("as_of") ?? call.timestamp
        let changes = try simulatedChanges(call, store, at: at)
        let baselineBook = ParameterBook(store.params, asOf: asOf)
        let simulatedBook = ParameterBook(store.params, asOf: asOf, changes: changes)
        var byOrg: [String: DeltaTally] = [:], national = DeltaTally(), unpriced: [JSONValue] = []
        // Per person and org first, so "affected" counts people, not components.
        var subtotals: [String: [Int64: (baseline: Int64, simulated: Int64)]] = [:]
        for post in try store.posts(on: at, knownAt: asOf, org: call.org) {
            guard let baseline = try priced(post, at, baselineBook, unpriced: &unpriced),
                  let simulated = try priced(post, at, simulatedBook, unpriced: &unpriced) else {
                byOrg[post.org, default: DeltaTally()].unpriced += 1
                national.unpriced += 1
                continue
            }
            let previous = subtotals[post.org, default: [:]][post.personID] ?? (0, 0)
            subtotals[post.org, default: [:]][post.personID] = (previous.baseline + baseline, previous.simulated + simulated)
        }
        var nationalPeople: [Int64: (baseline: Int64, simulated: Int64)] = [:]
        for (org, people) in subtotals {
            for (person, amounts) in people {
                byOrg[org, default: DeltaTally()].add(amounts.baseline, amounts.simulated)
                let previous = nationalPeople[person] ?? (0, 0)
                nationalPeople[person] = (previous.baseline + amounts.baseline, previous.simulated + amounts.simulated)
            }
        }
        for amounts in nationalPeople.values { national.add(amounts.baseline, amounts.simulated) }
        let echoed: [JSONValue] = changes.map {
            ["parameter": .string($0.definition.name), "value": $0.definition.unit.json($0.stored), "effective_from": .string($0.effectiveFrom)]
        }
        return ["at": .string(at), "as_of": .string(asOf), "changes": .array(echoed),
                "orgs": .array(byOrg.keys.sorted().map { byOrg[$0]!.json(org: $0) }), "national": national.json(org: nil),
                "unpriced": .array(unpriced)]
    }

    // MARK: - Helpers

    /// One post's monthly amount, or nil (and an entry in `unpriced`) when a parameter is missing.
    private func priced(_ post: PaidPost, _ day: String, _ book: ParameterBook, unpriced: inout [JSONValue]) throws -> Int64? {
        do {
            return try Formulas.price(post, on: day, book).reduce(0) { $0 + $1.amount }
        } catch let error as RPCError where error.reason == "not_found" {
            var entry: [String: JSONValue] = ["appointment_id": .int(post.appointmentID), "person_id": .int(post.personID),
                                              "org": .string(post.org), "message": .string(error.message)]
            entry["parameter"] = error.details["parameter"]
            unpriced.append(.object(entry))
            return nil
        }
    }

    private func requirePerson(_ call: Call, _ store: RemunerationStore) throws -> Int64 {
        let personID = try call.requiredInt("person_id")
        guard try store.personExists(id: personID) else {
            throw RPCError.notFound("no person with id \(personID); person.search finds people", details: ["field": "person_id"])
        }
        return personID
    }

    /// Every component of one person's pay on `day`: each post in office, by its dated formula.
    private func pay(_ store: RemunerationStore, personID: Int64, on day: String, _ book: ParameterBook, org: String?) throws -> [PayComponent] {
        try store.posts(on: day, knownAt: book.asOf, personID: personID, org: org).flatMap { try Formulas.price($0, on: day, book) }
    }

    private func simulatedChanges(_ call: Call, _ store: RemunerationStore, at: String) throws -> [ParameterBook.Change] {
        let book = ParameterBook(store.params, asOf: call.timestamp)
        return try (call.params["changes"]?.arrayValue ?? []).enumerated().map { index, change in
            let field = "changes[\(index)]"
            guard let name = change["parameter"]?.stringValue else {
                throw RPCError.invalidParams(field: "\(field).parameter", "\(field).parameter is required")
            }
            let definition: ParamDefinition
            do { definition = try book.definition(name) } catch let error as RPCError {
                throw RPCError.invalidParams(field: "\(field).parameter", "\(field).parameter: \(error.message)")
            }
            guard let raw = change["value"], let stored = definition.unit.stored(raw) else {
                throw RPCError.invalidParams(field: "\(field).value", "\(field).value: \(name) is in \(definition.unit.rawValue), "
                                             + "so its value must be \(definition.unit.expected)")
            }
            let effectiveFrom = change["effective_from"]?.stringValue ?? at
            return ParameterBook.Change(definition: definition, stored: stored, effectiveFrom: effectiveFrom)
        }
    }

    private static func inputKey(_ input: PayComponent.Input) -> String {
        "\(input.parameter)|\(JSONWriter.string(input.value))|\(input.effectiveFrom ?? "")|\(input.decisionRef ?? "")"
    }

    /// ("2024-07", "2024-07-01") for every month from `from`'s to `to`'s, both included.
    static func months(from: CalendarDate, to: CalendarDate) -> [(String, String)] {
        var result: [(String, String)] = []
        var (year, month) = (from.year, from.month)
        while (year, month) <= (to.year, to.month) {
            let label = CalendarDate("\(year)-\(month < 10 ? "0" : "")\(month)-01")!.description
            result.append((String(label.prefix(7)), label))
            if result.count > maxArrearsMonths { break }
            (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
        }
        return result
    }
}

/// Cost and head counts of one org (or the nation) in a report.
private struct CostTally {
    var people = Set<Int64>()
    var total: Int64 = 0
    /// Posts left out of the total: a parameter is missing.
    var unpriced = 0
    var posts: [AppointmentPost: (people: Set<Int64>, total: Int64)] = [:]

    mutating func add(_ post: PaidPost, _ amount: Int64) {
        people.insert(post.personID)
        total += amount
        posts[post.post, default: ([], 0)].people.insert(post.personID)
        posts[post.post, default: ([], 0)].total += amount
    }

    func json(org: String?) -> JSONValue {
        var object: [String: JSONValue] = [
            "head_count": .int(Int64(people.count)), "total": .int(total), "unpriced": .int(Int64(unpriced)),
            "posts": .array(AppointmentPost.allCases.compactMap { post in
                posts[post].map { ["post": .string(post.rawValue), "head_count": .int(Int64($0.people.count)), "total": .int($0.total)] }
            }),
        ]
        if let org { object["org"] = .string(org) }
        return .object(object)
    }
}

/// Baseline against simulated cost of one org (or the nation).
private struct DeltaTally {
    var people = 0, affected = 0, unpriced = 0
    var baseline: Int64 = 0, simulated: Int64 = 0

    mutating func add(_ baseline: Int64, _ simulated: Int64) {
        people += 1
        if baseline != simulated { affected += 1 }
        self.baseline += baseline; self.simulated += simulated
    }

    func json(org: String?) -> JSONValue {
        var object: [String: JSONValue] = [
            "people": .int(Int64(people)), "affected": .int(Int64(affected)), "baseline": .int(baseline),
            "simulated": .int(simulated), "delta": .int(simulated - baseline), "unpriced": .int(Int64(unpriced)),
        ]
        if let org { object["org"] = .string(org) }
        return .object(object)
    }
}
