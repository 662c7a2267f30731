import TalentProtocol

/// `award_round.*`: the round's life from draft to decided, its ranking, the sealed list to the
/// Prime Minister and the published results.
struct AwardRoundMethods: Sendable {
    static let defaultLimit = 100

    private func target(_ round: AwardRound) -> AuditTarget { AuditTarget(type: "award_round", id: round.code) }

    func create(_ call: Call, _ store: AwardStore) throws -> Change {
        let code = try call.requiredString("code")
        let opensOn = try call.requiredDate("opens_on").description
        let closesOn = try call.requiredDate("closes_on").description
        let reviewClosesOn = try call.requiredDate("review_closes_on").description
        if closesOn < opensOn {
            throw RPCError.invalidParams(field: "closes_on", "closes_on (\(closesOn)) must be on or after opens_on (\(opensOn))")
        }
        if reviewClosesOn < closesOn {
            throw RPCError.invalidParams(field: "review_closes_on", "review_closes_on (\(reviewClosesOn)) must be on or after closes_on (\(closesOn))")
        }
        let categories = (call.params["categories"]?.arrayValue ?? []).compactMap(AwardCategory.init)
        let criteria = (call.params["criteria"]?.arrayValue ?? []).compactMap(AwardCriterion.init)
        if let twice = duplicate(categories.map(\.key)) {
            throw RPCError.invalidParams(field: "categories", "categories: key \(twice) is given twice")
        }
        if let twice = duplicate(criteria.map(\.key)) {
            throw RPCError.invalidParams(field: "criteria", "criteria: key \(twice) is given twice")
        }
        try store.insert(AwardStore.NewRound(
            code: code, title: try call.requiredText("title"), year: try call.requiredInt("year"), opensOn: opensOn, closesOn: closesOn,
            reviewClosesOn: reviewClosesOn, categories: .array(categories.map(\.json)), criteria: .array(criteria.map(\.json))),
            by: call.principalName, at: call.timestamp)
        return try changed(store, code)
    }

    func open(_ call: Call, _ store: AwardStore) throws -> Change { try move(call, store, from: .draft, to: .open) }
    func close(_ call: Call, _ store: AwardStore) throws -> Change { try move(call, store, from: .open, to: .closed) }

    /// closed -> reviewed, once review_closes_on has passed or every assigned, unconflicted review is in.
    func closeReview(_ call: Call, _ store: AwardStore) throws -> Change {
        let round = try store.requireRound(code: try call.requiredString("code"))
        try requireState(round, .closed, to: "close its review")
        if call.today <= round.reviewClosesOn {
            let nominations = try store.nominations(.init(round: round, status: .submitted), nil)
            let live = Set(nominations.map(\.id))
            let conflicts = try ConflictBook.load(store, round: round, nominations: nominations, reviewers: try store.reviewers())
            let done = Set(try store.currentReviews(round: round).map { "\($0.nominationID)|\($0.reviewer)" })
            let missing = try store.assignments(round: round).filter {
                live.contains($0.nominationID) && !conflicts.isConflicted($0.nominationID, $0.reviewer)
                    && !done.contains("\($0.nominationID)|\($0.reviewer)")
            }
            if !missing.isEmpty {
                throw RPCError.invalidState("\(missing.count) assigned review(s) of round \(round.code) are not in (first: nomination "
                                            + "\(missing[0].nominationID) by \(missing[0].reviewer)); the review closes on "
                                            + "\(round.reviewClosesOn) or when all are in", details: ["outstanding": .int(Int64(missing.count))])
            }
        }
        try store.setState(round, .reviewed, at: call.timestamp)
        return try changed(store, round.code)
    }

    func get(_ call: Call, _ store: AwardStore) throws -> JSONValue {
        try store.requireRound(code: try call.requiredString("code")).json
    }

    func list(_ call: Call, _ store: AwardStore) throws -> JSONValue {
        let request = try call.page(defaultLimit: Self.defaultLimit)
        let rounds = try store.rounds(state: try call.optional(AwardRoundState.self, "state"), year: call.int("year"), request)
        return Page(rounds, request, cursor: { String($0.id) }).json("rounds") { $0.json }
    }

    func ranking(_ call: Call, _ store: AwardStore) throws -> JSONValue {
        let round = try store.requireRound(code: try call.requiredString("round"))
        let category = call.string("category")
        if let category, round.category(category) == nil {
            throw RPCError.invalidParams(field: "category", "category: round \(round.code) has no category \"\(category)\"")
        }
        return try RankingReport.build(store, round: round, category: category,
                                       normalize: try call.optional(Normalization.self, "normalize") ?? .none).json
    }

    /// Seals the list: its canonical JSON (sorted keys, no spaces) and that text's SHA-256 are stored
    /// once; list_export returns the same bytes.
    func submitList(_ call: Call, _ store: AwardStore) throws -> Change {
        let round = try store.requireRound(code: try call.requiredString("round"))
        try requireState(round, .reviewed, to: "submit its list")
        let ids = (call.params["nomination_ids"]?.arrayValue ?? []).compactMap(\.intValue)
        if let twice = duplicate(ids.map(String.init)) {
            throw RPCError.invalidParams(field: "nomination_ids", "nomination_ids lists nomination \(twice) twice")
        }
        let report = try RankingReport.build(store, round: round, category: nil, normalize: .none)
        for id in ids {
            guard let entry = report.entries[id] else {
                throw RPCError.invalidParams(field: "nomination_ids", "nomination \(id) is not a live nomination of round \(round.code)")
            }
            guard entry.gates.passedAll else {
                throw RPCError.invalidState("nomination \(id) cannot be listed: \(entry.gates.failure ?? "gates not passed"); "
                                            + "only nominations that passed all three screenings are listed",
                                            details: ["nomination_id": .int(id)])
            }
        }
        let sealed: JSONValue = .object([
            "round": .object(["code": .string(round.code), "title": .string(round.title), "year": .int(round.year),
                              "categories": .array(round.categories.map(\.json)), "criteria": .array(round.criteria.map(\.json))]),
            "note": .string(try call.requiredText("note")),
            "submitted_by": .string(call.principalName), "submitted_at": .string(call.timestamp),
            "tie_break_rule": .string(RankingReport.tieBreakRule),
            "normalization": report.normalizationJSON,
            "nominations": .array(try ids.map { try report.sealedEntry($0, store) }),
            "conflicts_and_recusals": .array(report.conflicts.all.map(\.json)),
        ])
        let text = JSONWriter.string(sealed)
        let sha = Secrets.sha256Hex(Array(text.utf8))
        try store.seal(round, list: text, sha256: sha, by: call.principalName, at: call.timestamp)
        return Change(result: try export(store.requireRound(code: round.code)), target: target(round))
    }

    func listExport(_ call: Call, _ store: AwardStore) throws -> JSONValue {
        let round = try store.requireRound(code: try call.requiredString("round"))
        guard round.sealedList != nil else {
            throw RPCError.invalidState("award round \(round.code) is \(round.state.rawValue): its list is not submitted yet (award_round.submit_list)",
                                        details: ["state": .string(round.state.rawValue)])
        }
        return export(round)
    }

    func decide(_ call: Call, _ store: AwardStore) throws -> Change {
        let round = try store.requireRound(code: try call.requiredString("round"))
        try requireState(round, .submitted, to: "record the decisions")
        let listed = Set(sealedIDs(round))
        var decided: [Int64: (AwardOutcome, String)] = [:]
        for (i, decision) in (call.params["decisions"]?.arrayValue ?? []).enumerated() {
            guard let id = decision["nomination_id"]?.intValue, listed.contains(id) else {
                throw RPCError.invalidParams(field: "decisions[\(i)].nomination_id", "decisions[\(i)]: only nominations on the sealed list are decided")
            }
            guard decided[id] == nil else {
                throw RPCError.invalidParams(field: "decisions[\(i)].nomination_id", "decisions[\(i)]: nomination \(id) is decided twice")
            }
            let outcome = decision["outcome"]?.stringValue.flatMap(AwardOutcome.init) ?? .notAwarded
            decided[id] = (outcome, NFC.of(decision["decision_ref"]?.stringValue ?? ""))
        }
        if let missing = listed.sorted().first(where: { decided[$0] == nil }) {
            throw RPCError.invalidParams(field: "decisions", "decisions: nomination \(missing) of the sealed list has no decision; every listed nomination needs one")
        }
        for (id, (outcome, ref)) in decided.sorted(by: { $0.key < $1.key }) {
            try store.decide(id, outcome: outcome, decisionRef: ref, at: call.timestamp)
        }
        try store.markDecided(round, by: call.principalName, at: call.timestamp)
        return try changed(store, round.code)
    }

    /// What gets published: who was awarded, with org and citation; no person ids, members or personal data.
    func results(_ call: Call, _ store: AwardStore) throws -> JSONValue {
        let round = try store.requireRound(code: try call.requiredString("round"))
        try requireState(round, .decided, to: "publish its results")
        let awarded = try store.nominations(.init(round: round, status: .submitted), nil).filter { $0.outcome == .awarded }
        return .object([
            "round": .string(round.code), "title": .string(round.title), "year": .int(round.year),
            "decided_at": .string(round.decidedAt ?? ""),
            "awarded": .array(awarded.map { n in
                .object(["category": .string(n.category), "category_title": .string(round.category(n.category)?.title ?? ""),
                         "kind": .string(n.kind.rawValue), "name": .string(n.displayName), "org": .string(n.org),
                         "citation": .string(n.citation), "decision_ref": .string(n.decisionRef ?? "")])
            }),
        ])
    }

    private func export(_ round: AwardRound) -> JSONValue {
        .object(["round": .string(round.code), "state": .string(round.state.rawValue),
                 "sha256": .string(round.sealedSHA256 ?? ""), "canonical_json": .string(round.sealedList ?? "")])
    }

    private func sealedIDs(_ round: AwardRound) -> [Int64] {
        let sealed = round.sealedList.flatMap { try? JSONParser.parse($0) }
        return (sealed?["nominations"]?.arrayValue ?? []).compactMap { $0["nomination_id"]?.intValue }
    }

    private func move(_ call: Call, _ store: AwardStore, from: AwardRoundState, to: AwardRoundState) throws -> Change {
        let round = try store.requireRound(code: try call.requiredString("code"))
        try requireState(round, from, to: "become \(to.rawValue)")
        try store.setState(round, to, at: call.timestamp)
        return try changed(store, round.code)
    }

    private func changed(_ store: AwardStore, _ code: String) throws -> Change {
        let round = try store.requireRound(code: code)
        return Change(result: round.json, target: target(round))
    }

    private func duplicate(_ keys: [String]) -> String? {
        var seen: Set<String> = []
        return keys.first { !seen.insert($0).inserted }
    }
}
