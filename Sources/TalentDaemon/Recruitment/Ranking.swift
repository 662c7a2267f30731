import TalentProtocol

/// An exact non-negative rational: scores are never floating point, so two candidates with the
/// same scores always compare equal, and a ranking recomputed later gives the same order.
struct Ratio: Sendable, Equatable, Comparable {
    let numerator: Int64
    let denominator: Int64

    static func < (a: Ratio, b: Ratio) -> Bool { a.numerator * b.denominator < b.numerator * a.denominator }
    static func == (a: Ratio, b: Ratio) -> Bool { a.numerator * b.denominator == b.numerator * a.denominator }

    /// Rounded to hundredths, half up: 2/3 -> 67, 1/8 -> 13 (12.5 rounds up).
    var hundredths: Int64 { (numerator * 200 + denominator) / (2 * denominator) }

    /// Two decimals, as shown: "66.67".
    var formatted: String {
        let h = hundredths
        let cents = h % 100
        return "\(h / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}

/// `campaign.ranking`, as pure arithmetic over a campaign's rubric and its evaluations.
///
/// - An evaluator's weighted score is sum(weight x score) / sum(weight); a candidate's is the
///   mean over its evaluators: sum over evaluators and criteria of weight x score, over
///   (evaluations x sum of weights). Every figure is an exact `Ratio`, shown with two decimals.
/// - Eligible: at least one evaluation, and on every criterion with a `min_score` a mean score at
///   or above it.
/// - Spread: the highest evaluator's weighted score minus the lowest's.
/// - Order (deterministic): candidates with evaluations first, by weighted score, highest first;
///   ties by more evaluations, then by the earlier application (lower id).
enum Ranking {
    struct Evaluation: Sendable {
        let evaluator: String
        let scores: [String: Int64]
    }

    /// What the ranking needs of a candidate's evaluations: integer sums, which the store
    /// computes in SQL (so a ranking of thousands of candidates reads one row per candidate and
    /// criterion) and `init(applicationID:evaluations:criteria:)` computes from the evaluations.
    struct Candidate: Sendable {
        let applicationID: Int64
        let evaluationCount: Int64
        /// Per criterion key, the sum of its scores over the evaluations.
        let scoreSums: [String: Int64]
        /// Over the evaluations, of each one's sum(weight x score): total, highest and lowest.
        let weightedTotal: Int64
        let weightedHighest: Int64
        let weightedLowest: Int64

        init(applicationID: Int64, evaluationCount: Int64, scoreSums: [String: Int64],
             weightedTotal: Int64, weightedHighest: Int64, weightedLowest: Int64) {
            self.applicationID = applicationID; self.evaluationCount = evaluationCount; self.scoreSums = scoreSums
            self.weightedTotal = weightedTotal; self.weightedHighest = weightedHighest; self.weightedLowest = weightedLowest
        }

        init(applicationID: Int64, evaluations: [Evaluation], criteria: [Criterion]) {
            let weighted = evaluations.map { e in criteria.reduce(Int64(0)) { $0 + $1.weight * (e.scores[$1.key] ?? 0) } }
            var sums: [String: Int64] = [:]
            for c in criteria { sums[c.key] = evaluations.reduce(Int64(0)) { $0 + ($1.scores[c.key] ?? 0) } }
            self.init(applicationID: applicationID, evaluationCount: Int64(evaluations.count), scoreSums: sums,
                      weightedTotal: weighted.reduce(0, +), weightedHighest: weighted.max() ?? 0, weightedLowest: weighted.min() ?? 0)
        }
    }

    struct Row: Sendable {
        let applicationID: Int64
        let evaluationCount: Int
        let weightedScore: Ratio?
        let criterionMeans: [(key: String, mean: Ratio?)]
        let eligible: Bool
        let spread: Ratio?
    }

    static func rows(_ criteria: [Criterion], _ candidates: [Candidate]) -> [Row] {
        let totalWeight = criteria.reduce(Int64(0)) { $0 + $1.weight }
        let rows = candidates.map { candidate -> Row in
            let n = candidate.evaluationCount
            let sums = criteria.map { candidate.scoreSums[$0.key] ?? 0 }
            let eligible = n > 0 && zip(criteria, sums).allSatisfy { c, sum in c.minScore.map { sum >= $0 * n } ?? true }
            return Row(
                applicationID: candidate.applicationID, evaluationCount: Int(n),
                weightedScore: n == 0 ? nil : Ratio(numerator: candidate.weightedTotal, denominator: n * totalWeight),
                criterionMeans: zip(criteria, sums).map { c, sum in (c.key, n == 0 ? nil : Ratio(numerator: sum, denominator: n)) },
                eligible: eligible,
                spread: n == 0 ? nil : Ratio(numerator: candidate.weightedHighest - candidate.weightedLowest, denominator: totalWeight))
        }
        return rows.sorted(by: precedes)
    }

    /// The ranking order documented above.
    static func precedes(_ a: Row, _ b: Row) -> Bool {
        switch (a.weightedScore, b.weightedScore) {
        case (nil, nil): return a.applicationID < b.applicationID
        case (nil, _): return false
        case (_, nil): return true
        case (let x?, let y?):
            if x != y { return x > y }
            if a.evaluationCount != b.evaluationCount { return a.evaluationCount > b.evaluationCount }
            return a.applicationID < b.applicationID
        }
    }
}
