import TalentProtocol

/// `evaluation.*` and `campaign.ranking`: blind scoring by assigned evaluators without a conflict
/// of interest, and the ranking computed exactly from the scores.
struct EvaluationMethods: Sendable {
    static let defaultLimit = 100

    func declareConflict(_ call: Call, _ store: EvaluationStore) throws -> Change {
        let application = try store.applications.require(id: try call.requiredInt("application_id"), field: "application_id")
        let evaluator = try self.evaluator(call, store)
        let kind = try call.required(ConflictKind.self, "kind")
        let note = try call.requiredText("note")
        let id = try store.declareConflict(applicationID: application.id, principalID: evaluator.id, kind: kind.rawValue,
                                           note: note, at: call.timestamp)
        let result: JSONValue = ["id": .int(id), "application_id": .int(application.id), "evaluator": .string(call.principalName),
                                 "kind": .string(kind.rawValue), "note": .string(note), "declared_at": .string(call.timestamp)]
        return Change(result: result, target: AuditTarget(type: "application", id: String(application.id)))
    }

    func submit(_ call: Call, _ store: EvaluationStore) throws -> Change {
        let application = try store.applications.require(id: try call.requiredInt("application_id"), field: "application_id")
        let campaign = try store.campaigns.require(code: application.campaign)
        let evaluator = try self.evaluator(call, store)
        guard try store.campaigns.isAssigned(campaignID: campaign.id, principalID: evaluator.id) else {
            throw RPCError.forbidden("\(call.principalName) is not an evaluator of campaign \(campaign.code); an hr official "
                                     + "assigns evaluators with campaign.assign_evaluator")
        }
        if let why = try conflict(of: evaluator, with: application, store) {
            throw RPCError.forbidden("\(call.principalName) cannot score application \(application.id): \(why)")
        }
        guard application.stage == .evaluation else {
            throw RPCError.invalidState("application \(application.id) is at \(application.stage.rawValue); scores are taken only at "
                                        + "evaluation (application.advance {id, to: evaluation})",
                                        details: ["stage": .string(application.stage.rawValue)])
        }
        let scores = try Self.scores(call, campaign.criteria)
        let id = try store.insert(applicationID: application.id, principalID: evaluator.id, scores: scores,
                                  comment: call.text("comment"), at: call.timestamp)
        let submitted = try store.evaluations(applicationID: application.id).first { $0.id == id }
        return Change(result: submitted?.json ?? .null,
                      target: AuditTarget(type: "application", id: String(application.id)))
    }

    /// Every criterion scored, each within 0...max_score, no unknown key: else `invalid_params`
    /// naming the criterion.
    static func scores(_ call: Call, _ criteria: [Criterion]) throws -> [(key: String, score: Int64)] {
        let given = call.params["scores"]?.objectValue ?? [:]
        let keys = Set(criteria.map(\.key))
        if let unknown = given.keys.sorted().first(where: { !keys.contains($0) }) {
            throw RPCError.invalidParams(field: unknown, "\(unknown) is not a criterion of this campaign (\(criteria.map(\.key).joined(separator: ", ")))")
        }
        return try criteria.map { c in
            guard let value = given[c.key] else { throw RPCError.invalidParams(field: c.key, "\(c.key): a score is required for every criterion") }
            guard let score = value.intValue, (0...c.maxScore).contains(score) else {
                throw RPCError.invalidParams(field: c.key, "\(c.key): the score must be an integer from 0 to \(c.maxScore)")
            }
            return (c.key, score)
        }
    }

    /// Why an evaluator may not score a candidate (nil: no conflict): linked to the candidate,
    /// the same employer (folded: case and diacritics ignored), or a declared conflict.
    private func conflict(of evaluator: (id: Int64, roles: [String], personID: Int64?), with application: Application,
                          _ store: EvaluationStore) throws -> String? {
        if let declared = try store.declaredConflict(applicationID: application.id, principalID: evaluator.id) {
            return "a conflict of interest was declared (\(declared.kind)) on \(declared.declaredAt)"
        }
        guard let personID = evaluator.personID else { return nil }
        if personID == application.personID { return "the evaluator is the candidate" }
        if let own = try store.employer(personID: personID), let theirs = try store.employer(personID: application.personID),
           !NameKey.fold(own).isEmpty, NameKey.fold(own) == NameKey.fold(theirs) {
            return "the evaluator and the candidate share an employer (\(theirs))"
        }
        return nil
    }

    /// Blind: an evaluator sees other evaluators' scores of a candidate only once it has submitted
    /// its own; admins, hr officials and auditors see every evaluation.
    func list(_ call: Call, _ store: EvaluationStore) throws -> JSONValue {
        let application = try store.applications.require(id: try call.requiredInt("application_id"), field: "application_id")
        var evaluations = try store.evaluations(applicationID: application.id)
        var blind = false
        if !call.hasAny([.admin, .hrOfficial, .auditor]) {
            let own = evaluations.filter { $0.evaluator == call.principalName }
            if own.isEmpty { blind = true; evaluations = [] }
        }
        let request = try call.page(defaultLimit: Self.defaultLimit)
        let page = Page(Array(evaluations.filter { $0.id > request.after }.prefix(request.fetchLimit)), request, cursor: { String($0.id) })
        return page.json("evaluations", extra: ["blind": .bool(blind)]) { $0.json }
    }

    func ranking(_ call: Call, _ store: EvaluationStore) throws -> JSONValue {
        let campaign = try store.campaigns.require(code: try call.requiredString("campaign"), field: "campaign")
        let applications = try store.rankedApplications(campaignID: campaign.id)
        let sums = try store.rankingSums(campaignID: campaign.id)
        let conflicts = try store.conflicts(campaignID: campaign.id)
        let candidates = applications.map { a in
            sums[a.id] ?? Ranking.Candidate(applicationID: a.id, evaluations: [], criteria: campaign.criteria)
        }
        let info = Dictionary(uniqueKeysWithValues: applications.map { ($0.id, $0) })
        let ranked = Array(Ranking.rows(campaign.criteria, candidates).enumerated())
        let request = try call.page(defaultLimit: Self.defaultLimit)
        let page = Page(Array(ranked.dropFirst(Int(request.after)).prefix(request.fetchLimit)), request, cursor: { String($0.offset + 1) })
        let extra: [String: JSONValue] = ["campaign": .string(campaign.code), "min_evaluators": .int(campaign.minEvaluators),
                                          "criteria": .array(campaign.criteria.map(\.json))]
        return page.json("ranking", extra: extra) { position, row in
            let a = info[row.applicationID]!
            var object: [String: JSONValue] = [
                "rank": .int(Int64(position + 1)), "application_id": .int(row.applicationID), "person_id": .int(a.personID),
                "person_name": .string(a.personName), "stage": .string(a.stage), "evaluations": .int(Int64(row.evaluationCount)),
                "enough_evaluations": .bool(Int64(row.evaluationCount) >= campaign.minEvaluators), "eligible": .bool(row.eligible),
                "criteria": .array(row.criterionMeans.map { mean in
                    var c: [String: JSONValue] = ["key": .string(mean.key)]
                    if let m = mean.mean { c["mean"] = .string(m.formatted) }
                    return .object(c)
                }),
                "conflicts": .array((conflicts[row.applicationID] ?? []).map(\.json)),
            ]
            if let score = row.weightedScore {
                object["weighted_score"] = .string(score.formatted)
                object["weighted_score_exact"] = ["numerator": .int(score.numerator), "denominator": .int(score.denominator)]
            }
            if let spread = row.spread { object["spread"] = .string(spread.formatted) }
            return .object(object)
        }
    }

    /// The caller as an evaluator: its principal id and linked person.
    private func evaluator(_ call: Call, _ store: EvaluationStore) throws -> (id: Int64, roles: [String], personID: Int64?) {
        guard let evaluator = try store.campaigns.principal(name: call.principalName) else { throw RPCError.unauthenticated() }
        return evaluator
    }

    /// The org of the application named by `application_id`, for `.record` scoping.
    static func org(_ store: EvaluationStore, _ call: Call) throws -> String? { try store.applications.org(id: call.int("application_id")) }
}

enum ConflictKind: String, ContractEnum {
    static let contractSchema = "ConflictKind"
    case relative, supervisor, coAuthor = "co_author", sameEmployer = "same_employer", other
}
