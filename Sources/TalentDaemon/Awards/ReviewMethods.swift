import TalentProtocol

/// `review.*` and `award_round.assign_reviewers`: who reviews what, conflicts, and blind scoring.
struct ReviewMethods: Sendable {
    static let defaultPerNomination: Int64 = 3
    static let defaultLimit = 100

    private func target(_ nominationID: Int64) -> AuditTarget { AuditTarget(type: "nomination", id: String(nominationID)) }

    /// Fills every live nomination up to `per_nomination` reviewers: unconflicted only; while a
    /// nomination has reviewers from fewer than two of MOST, MPS and MOHA, one from a missing agency
    /// first; otherwise the least loaded, then by name. Deterministic for the same register.
    func assignReviewers(_ call: Call, _ store: AwardStore) throws -> Change {
        let round = try store.requireRound(code: try call.requiredString("round"))
        try requireState(round, .closed, to: "assign reviewers")
        let wanted = Int(call.int("per_nomination") ?? Self.defaultPerNomination)
        let reviewers = try store.reviewers()
        let nominations = try store.nominations(.init(round: round, status: .submitted), nil)
        let conflicts = try ConflictBook.load(store, round: round, nominations: nominations, reviewers: reviewers)
        var assigned = Dictionary(grouping: try store.assignments(round: round), by: \.nominationID).mapValues { $0.map(\.reviewer) }
        var load: [String: Int] = [:]
        for names in assigned.values { for name in names { load[name, default: 0] += 1 } }
        let agencyOf = Dictionary(uniqueKeysWithValues: reviewers.map { ($0.name, $0.agency) })
        var added = 0
        var short: [JSONValue] = []
        for nomination in nominations {
            var current = assigned[nomination.id] ?? []
            while current.count < wanted {
                let agencies = Set(current.compactMap { agencyOf[$0] ?? nil })
                let candidates = reviewers.filter { !current.contains($0.name) && !conflicts.isConflicted(nomination.id, $0.name) }
                guard let pick = candidates.min(by: { a, b in
                    let newA = agencies.count < 2 && a.agency.map { !agencies.contains($0) } == true
                    let newB = agencies.count < 2 && b.agency.map { !agencies.contains($0) } == true
                    if newA != newB { return newA }
                    let (la, lb) = (load[a.name, default: 0], load[b.name, default: 0])
                    return la != lb ? la < lb : a.name < b.name
                }) else { break }
                try store.assign(nomination.id, pick.name, by: call.principalName, at: call.timestamp)
                current.append(pick.name)
                load[pick.name, default: 0] += 1
                added += 1
            }
            assigned[nomination.id] = current
            let agencyCount = Set(current.compactMap { agencyOf[$0] ?? nil }).count
            if current.count < wanted || agencyCount < 2 {
                short.append(.object(["nomination_id": .int(nomination.id), "reviewers": .int(Int64(current.count)),
                                      "agencies": .int(Int64(agencyCount)),
                                      "reason": .string("not enough unconflicted reviewers: \(current.count) of \(wanted), from \(agencyCount) agencies")]))
            }
        }
        let result: JSONValue = .object([
            "round": .string(round.code), "added": .int(Int64(added)),
            "assignments": .array(nominations.map { n in
                .object(["nomination_id": .int(n.id), "reviewers": .array((assigned[n.id] ?? []).sorted().map { .string($0) })])
            }),
            "short": .array(short),
        ])
        return Change(result: result, target: AuditTarget(type: "award_round", id: round.code))
    }

    func assign(_ call: Call, _ store: AwardStore) throws -> Change {
        let (nomination, round) = try live(call, store)
        guard [.open, .closed].contains(round.state) else {
            throw RPCError.invalidState("award round \(round.code) is \(round.state.rawValue): reviewers are assigned while it is open or closed")
        }
        let reviewer = try requireReviewer(call, store)
        let conflicts = try ConflictBook.load(store, round: round, nominations: [nomination], reviewers: [reviewer])
        if conflicts.isConflicted(nomination.id, reviewer.name) {
            throw RPCError.conflict("\(reviewer.name) is conflicted on nomination \(nomination.id): \(conflicts.reasons(nomination.id, reviewer.name))",
                                    details: ["field": "reviewer"])
        }
        try store.assign(nomination.id, reviewer.name, by: call.principalName, at: call.timestamp)
        return try assignmentChange(store, round, nomination)
    }

    func unassign(_ call: Call, _ store: AwardStore) throws -> Change {
        let (nomination, round) = try live(call, store)
        let name = try call.requiredString("reviewer")
        if try store.currentReview(nomination.id, name) != nil {
            throw RPCError.invalidState("\(name) has already reviewed nomination \(nomination.id); a review in stays: "
                                        + "the reviewer declares a conflict (review.declare_conflict) to take it out of the ranking")
        }
        try store.unassign(nomination.id, name)
        return try assignmentChange(store, round, nomination)
    }

    func declareConflict(_ call: Call, _ store: AwardStore) throws -> Change {
        let (nomination, round) = try live(call, store)
        try store.declareConflict(nomination.id, reviewer: call.principalName, kind: try call.required(DeclaredConflictKind.self, "kind"),
                                  note: try call.requiredText("note"), at: call.timestamp)
        let me = Reviewer(name: call.principalName, org: call.principal?.org)
        let conflicts = try ConflictBook.load(store, round: round, nominations: [nomination], reviewers: [me])
        return Change(result: .object(["nomination_id": .int(nomination.id), "reviewer": .string(me.name),
                                       "conflicts": .array(conflicts.of(nomination.id, me.name).map(\.json))]),
                      target: target(nomination.id))
    }

    func submit(_ call: Call, _ store: AwardStore) throws -> Change {
        try record(call, store, amending: false)
    }

    func amend(_ call: Call, _ store: AwardStore) throws -> Change {
        try record(call, store, amending: true)
    }

    /// A nomination's reviews. Blind: a reviewer sees them only once its own is in, and never
    /// when conflicted; the secretariat, admins and auditors see all, with every version.
    func list(_ call: Call, _ store: AwardStore) throws -> JSONValue {
        let nomination = try store.requireNomination(id: try call.requiredInt("nomination_id"))
        let round = try store.requireRound(code: nomination.roundCode)
        let seesAll = call.hasAny([.admin, .awardSecretariat, .auditor])
        if !seesAll {
            let me = Reviewer(name: call.principalName, org: call.principal?.org)
            let conflicts = try ConflictBook.load(store, round: round, nominations: [nomination], reviewers: [me])
            if conflicts.isConflicted(nomination.id, me.name) {
                throw RPCError.forbidden("\(me.name) is conflicted on nomination \(nomination.id) and cannot see its reviews: "
                                         + conflicts.reasons(nomination.id, me.name))
            }
            if try store.currentReview(nomination.id, me.name) == nil {
                throw RPCError.forbidden("reviews are blind: \(me.name) sees the reviews of nomination \(nomination.id) once its own "
                                         + "is in (review.submit)")
            }
        }
        let history = seesAll && call.bool("history") == true
        let request = try call.page(defaultLimit: Self.defaultLimit)
        return Page(try store.reviews(nomination: nomination.id, history: history, request), request, cursor: { String($0.id) })
            .json("reviews", extra: ["nomination_id": .int(nomination.id)]) { $0.json }
    }

    private func record(_ call: Call, _ store: AwardStore, amending: Bool) throws -> Change {
        let (nomination, round) = try live(call, store)
        let me = Reviewer(name: call.principalName, org: call.principal?.org)
        guard try store.isAssigned(nomination.id, me.name) else {
            throw RPCError.forbidden("\(me.name) is not assigned to nomination \(nomination.id); the secretariat assigns reviewers")
        }
        let conflicts = try ConflictBook.load(store, round: round, nominations: [nomination], reviewers: [me])
        if conflicts.isConflicted(nomination.id, me.name) {
            throw RPCError.forbidden("\(me.name) is conflicted on nomination \(nomination.id) and cannot score it: "
                                     + conflicts.reasons(nomination.id, me.name))
        }
        try requireState(round, .closed, to: "take reviews")
        if call.today > round.reviewClosesOn {
            throw RPCError.invalidState("reviews of round \(round.code) closed on \(round.reviewClosesOn) (Vietnam time); today is \(call.today)",
                                        details: ["review_closes_on": .string(round.reviewClosesOn)])
        }
        let existing = try store.currentReview(nomination.id, me.name)
        if amending, existing == nil {
            throw RPCError.invalidState("\(me.name) has no review of nomination \(nomination.id) to amend; review.submit sends the first")
        }
        if !amending, let existing {
            throw RPCError.conflict("\(me.name) already reviewed nomination \(nomination.id) (version \(existing.version)); "
                                    + "review.amend changes it and keeps this version in the history")
        }
        let given = call.params["scores"]?.objectValue ?? [:]
        var scores: [String: Int64] = [:]
        for criterion in round.criteria {
            guard let score = given[criterion.key]?.intValue else {
                throw RPCError.invalidParams(field: "scores.\(criterion.key)", "scores.\(criterion.key) is required: an integer 0 to \(criterion.maxScore)")
            }
            guard (0...criterion.maxScore).contains(score) else {
                throw RPCError.invalidParams(field: "scores.\(criterion.key)", "scores.\(criterion.key) must be 0 to \(criterion.maxScore), not \(score)")
            }
            scores[criterion.key] = score
        }
        if let unknown = given.keys.sorted().first(where: { scores[$0] == nil }) {
            throw RPCError.invalidParams(field: "scores.\(unknown)", "scores.\(unknown): round \(round.code) has no such criterion; "
                                         + "its criteria are \(round.criteria.map(\.key).joined(separator: ", "))")
        }
        let review = try store.addReview(nomination.id, reviewer: me.name, AwardStore.NewReview(
            scores: scores, recommendation: try call.required(Recommendation.self, "recommendation"),
            confidence: try call.requiredInt("confidence"), comment: call.text("comment")), at: call.timestamp)
        return Change(result: review.json, target: target(nomination.id))
    }

    private func live(_ call: Call, _ store: AwardStore) throws -> (Nomination, AwardRound) {
        let nomination = try store.requireNomination(id: try call.requiredInt("nomination_id"))
        guard nomination.status == .submitted else {
            throw RPCError.invalidState("nomination \(nomination.id) was withdrawn")
        }
        return (nomination, try store.requireRound(code: nomination.roundCode))
    }

    private func requireReviewer(_ call: Call, _ store: AwardStore) throws -> Reviewer {
        let name = try call.requiredString("reviewer")
        guard let reviewer = try store.reviewers().first(where: { $0.name == name }) else {
            _ = try store.principalOrg(name)
            throw RPCError.invalidParams(field: "reviewer", "\(name) does not hold the reviewer role or is disabled; principal.update grants it")
        }
        return reviewer
    }

    private func assignmentChange(_ store: AwardStore, _ round: AwardRound, _ nomination: Nomination) throws -> Change {
        let reviewers = try store.assignments(round: round).filter { $0.nominationID == nomination.id }.map { JSONValue.string($0.reviewer) }
        return Change(result: .object(["nomination_id": .int(nomination.id), "reviewers": .array(reviewers)]), target: target(nomination.id))
    }
}

func requireState(_ round: AwardRound, _ state: AwardRoundState, to action: String) throws {
    guard round.state == state else {
        throw RPCError.invalidState("award round \(round.code) is \(round.state.rawValue); it must be \(state.rawValue) to \(action)",
                                    details: ["state": .string(round.state.rawValue)])
    }
}
