import Foundation

/// The arithmetic of `award_round.ranking`, apart from any storage so it is unit-tested
/// (Tests/TalentDaemonTests/RankingTests.swift).
///
/// A review's score is its weighted mean, Σ weight×score / Σ weight, on the criteria's scale
/// (0 to Σ weight×max_score / Σ weight). Per nomination:
/// - `mean`: the mean of its reviews' scores, exact (integer arithmetic), in hundredths rounded half up;
/// - `normalized` (z-score): each review's score becomes z = (score − μ_r) / σ_r with μ_r, σ_r the mean
///   and population standard deviation of all that reviewer's scores in the round (σ_r = 0 gives z = 0:
///   a reviewer who gives everyone the same score says nothing about order); the nomination's mean z is
///   rescaled to the criteria's scale as μ + z̄ × σ over every review score in the round, clamped to
///   0…max, in hundredths rounded half up;
/// - `spread`: highest minus lowest review score, exact.
/// Order: by the chosen score (mean or normalized), highest first, unscored last; ties broken by the
/// other score, then more reviews, then smaller spread, then the lower nomination id. `tieBreak` names
/// the rule that separated a nomination from the one above it when their chosen scores are equal.
enum AwardRanking {
    struct Review: Sendable {
        let nominationID: Int64
        let reviewer: String
        /// Σ weight × score.
        let weighted: Int64
    }

    struct ReviewerParameters: Sendable, Equatable {
        let reviewer: String
        let count: Int
        let meanHundredths: Int64
        let sdHundredths: Int64
    }

    struct Row: Sendable, Equatable {
        let nominationID: Int64
        let count: Int
        let meanHundredths: Int64?
        let normalizedHundredths: Int64?
        let spreadHundredths: Int64?
        var rank = 0
        var tieBreak: String?
    }

    struct Result: Sendable {
        let rows: [Row]
        let reviewers: [ReviewerParameters]
        let roundMeanHundredths: Int64?
        let roundSDHundredths: Int64?
    }

    /// `reviews` are every unconflicted current review of the round (they set the normalization);
    /// `nominations` are the ones to rank.
    static func rank(nominations: [Int64], reviews: [Review], weightSum: Int64, maxWeighted: Int64,
                     by normalization: Normalization) -> Result {
        let w = Double(weightSum)
        let score: (Review) -> Double = { Double($0.weighted) / w }
        let byReviewer = Dictionary(grouping: reviews, by: \.reviewer)
        let stats = byReviewer.mapValues { meanAndSD($0.map(score)) }
        let (roundMean, roundSD) = meanAndSD(reviews.map(score))
        let top = Double(maxWeighted) / w
        let byNomination = Dictionary(grouping: reviews, by: \.nominationID)

        var rows = nominations.map { id -> Row in
            let own = byNomination[id] ?? []
            guard !own.isEmpty else {
                return Row(nominationID: id, count: 0, meanHundredths: nil, normalizedHundredths: nil, spreadHundredths: nil)
            }
            let total = own.reduce(Int64(0)) { $0 + $1.weighted }
            let mean = hundredths(total, over: Int64(own.count) * weightSum)
            let values = own.map(\.weighted)
            let spread = hundredths(values.max()! - values.min()!, over: weightSum)
            let zs = own.map { review -> Double in
                let (mu, sd) = stats[review.reviewer]!
                return sd > 0 ? (score(review) - mu) / sd : 0
            }
            let zMean = zs.reduce(0, +) / Double(zs.count)
            let normalized = min(max(roundMean + zMean * roundSD, 0), top)
            return Row(nominationID: id, count: own.count, meanHundredths: mean,
                       normalizedHundredths: hundredths(normalized), spreadHundredths: spread)
        }
        let primary: (Row) -> Int64? = normalization == .zscore ? { $0.normalizedHundredths } : { $0.meanHundredths }
        let secondary: (Row) -> Int64? = normalization == .zscore ? { $0.meanHundredths } : { $0.normalizedHundredths }
        rows.sort { a, b in
            if let order = descending(primary(a), primary(b)) { return order }
            if let order = descending(secondary(a), secondary(b)) { return order }
            if a.count != b.count { return a.count > b.count }
            if a.spreadHundredths != b.spreadHundredths { return (a.spreadHundredths ?? 0) < (b.spreadHundredths ?? 0) }
            return a.nominationID < b.nominationID
        }
        for i in rows.indices {
            rows[i].rank = i + 1
            guard i > 0, primary(rows[i - 1]) == primary(rows[i]) else { continue }
            let above = rows[i - 1], row = rows[i]
            rows[i].tieBreak = secondary(above) != secondary(row) ? (normalization == .zscore ? "mean" : "normalized")
                : above.count != row.count ? "count" : above.spreadHundredths != row.spreadHundredths ? "spread" : "nomination_id"
        }
        let reviewers = byReviewer.keys.sorted().map { name in
            let (mu, sd) = stats[name]!
            return ReviewerParameters(reviewer: name, count: byReviewer[name]!.count,
                                      meanHundredths: hundredths(mu), sdHundredths: hundredths(sd))
        }
        return Result(rows: rows, reviewers: reviewers,
                      roundMeanHundredths: reviews.isEmpty ? nil : hundredths(roundMean),
                      roundSDHundredths: reviews.isEmpty ? nil : hundredths(roundSD))
    }

    /// Nil when equal; otherwise whether `a` comes first (higher first, nil last).
    private static func descending(_ a: Int64?, _ b: Int64?) -> Bool? {
        switch (a, b) {
        case let (x?, y?): x == y ? nil : x > y
        case (nil, nil): nil
        case (_?, nil): true
        case (nil, _?): false
        }
    }

    /// Population mean and standard deviation (0, 0 for none).
    static func meanAndSD(_ values: [Double]) -> (Double, Double) {
        guard !values.isEmpty else { return (0, 0) }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        return (mean, variance.squareRoot())
    }

    /// numerator / denominator in hundredths, rounded half up (both non-negative, denominator > 0).
    static func hundredths(_ numerator: Int64, over denominator: Int64) -> Int64 {
        (numerator * 200 + denominator) / (2 * denominator)
    }

    static func hundredths(_ value: Double) -> Int64 { Int64((value * 100).rounded(.toNearestOrAwayFromZero)) }

    /// 7250 -> "72.50".
    static func decimal(_ hundredths: Int64) -> String {
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}
