import TalentProtocol

/// The ranking of a round as clients and the sealed list read it: `AwardRanking`'s numbers with each
/// nomination's gates, recommendations and conflicts. Reviews by conflicted reviewers (derived or
/// declared) count nowhere; the normalization parameters come from every other current review of
/// the round's live nominations, whatever category is shown, so a category's view agrees with the whole.
struct RankingReport {
    static let tieBreakRule = "highest chosen score (mean or normalized) first, unscored last; then the other score; "
        + "then more reviews; then smaller spread; then lower nomination id"

    struct Entry {
        let nomination: Nomination
        let gates: Gates
        let reviews: [Review]
        var row: AwardRanking.Row?
    }

    let round: AwardRound
    let normalize: Normalization
    let entries: [Int64: Entry]
    let order: [Int64]
    let excluded: [(Int64, String)]
    let result: AwardRanking.Result
    let conflicts: ConflictBook

    static func build(_ store: AwardStore, round: AwardRound, category: String?, normalize: Normalization) throws -> RankingReport {
        let nominations = try store.nominations(.init(round: round, status: .submitted), nil)
        let gates = try store.gates(round: round)
        let conflicts = try ConflictBook.load(store, round: round, nominations: nominations, reviewers: try store.reviewers())
        let reviews = try store.currentReviews(round: round).filter { !conflicts.isConflicted($0.nominationID, $0.reviewer) }
        let weightSum = round.criteria.reduce(Int64(0)) { $0 + $1.weight }
        let maxWeighted = round.criteria.reduce(Int64(0)) { $0 + $1.weight * $1.maxScore }
        let byNomination = Dictionary(grouping: reviews, by: \.nominationID)
        var excluded: [(Int64, String)] = []
        var ranked: [Int64] = []
        for n in nominations where category == nil || n.category == category {
            if let gate = gates[n.id], gate.screens.contains(where: { $0.outcome == .fail }) {
                excluded.append((n.id, gate.failure ?? "failed a screening"))
            } else {
                ranked.append(n.id)
            }
        }
        let result = AwardRanking.rank(nominations: ranked, reviews: reviews.map {
            AwardRanking.Review(nominationID: $0.nominationID, reviewer: $0.reviewer, weighted: $0.weighted(round.criteria))
        }, weightSum: max(weightSum, 1), maxWeighted: maxWeighted, by: normalize)
        var entries = Dictionary(uniqueKeysWithValues: nominations.map {
            ($0.id, Entry(nomination: $0, gates: gates[$0.id]!, reviews: byNomination[$0.id] ?? []))
        })
        for row in result.rows { entries[row.nominationID]?.row = row }
        return RankingReport(round: round, normalize: normalize, entries: entries, order: result.rows.map(\.nominationID),
                             excluded: excluded, result: result, conflicts: conflicts)
    }

    var normalizationJSON: JSONValue {
        .object([
            "round_mean": result.roundMeanHundredths.map { .string(AwardRanking.decimal($0)) } ?? .null,
            "round_sd": result.roundSDHundredths.map { .string(AwardRanking.decimal($0)) } ?? .null,
            "reviewers": .array(result.reviewers.map { r in
                .object(["reviewer": .string(r.reviewer), "count": .int(Int64(r.count)),
                         "mean": .string(AwardRanking.decimal(r.meanHundredths)), "sd": .string(AwardRanking.decimal(r.sdHundredths))])
            }),
        ])
    }

    var json: JSONValue {
        .object([
            "round": .string(round.code), "normalize": .string(normalize.rawValue), "tie_break_rule": .string(Self.tieBreakRule),
            "normalization": normalizationJSON,
            "ranking": .array(order.map { rowJSON(entries[$0]!) }),
            "excluded": .array(excluded.map { .object(["nomination_id": .int($0.0), "reason": .string($0.1)]) }),
        ])
    }

    private func rowJSON(_ entry: Entry) -> JSONValue {
        let n = entry.nomination, row = entry.row
        var object: [String: JSONValue] = [
            "nomination_id": .int(n.id), "org": .string(n.org), "category": .string(n.category), "kind": .string(n.kind.rawValue),
            "name": .string(n.displayName), "rank": .int(Int64(row?.rank ?? 0)), "count": .int(Int64(row?.count ?? 0)),
            "mean": row?.meanHundredths.map { .string(AwardRanking.decimal($0)) } ?? .null,
            "normalized": row?.normalizedHundredths.map { .string(AwardRanking.decimal($0)) } ?? .null,
            "spread": row?.spreadHundredths.map { .string(AwardRanking.decimal($0)) } ?? .null,
            "recommendations": .object(Dictionary(uniqueKeysWithValues: Recommendation.allCases.map { r in
                (r.rawValue, JSONValue.int(Int64(entry.reviews.filter { $0.recommendation == r }.count)))
            })),
            "gates": entry.gates.json,
            "conflicts": .array(conflicts.of(nomination: n.id).map { .object(["reviewer": .string($0.reviewer), "kind": .string($0.kind)]) }),
        ]
        if let tie = row?.tieBreak { object["tie_break"] = .string(tie) }
        return .object(object)
    }

    /// One nomination as the sealed list records it: everything that put it there.
    func sealedEntry(_ id: Int64, _ store: AwardStore) throws -> JSONValue {
        let entry = entries[id]!
        guard case .object(var object) = rowJSON(entry) else { return .null }
        object["nominee"] = entry.nomination.nomineeJSON
        object["citation"] = .string(entry.nomination.citation)
        object["achievements"] = entry.nomination.achievements
        object["screens"] = .array(entry.gates.screens.map(\.json))
        object["reviews"] = .array(entry.reviews.map(\.json))
        object["conflicts"] = .array(conflicts.of(nomination: id).map(\.json))
        return .object(object)
    }
}
