import XCTest
@testable import TalentDaemon

/// campaign.ranking's arithmetic: exact ratios, half-up rounding to two decimals, eligibility,
/// spread, and the documented tie-break.
final class RankingTests: XCTestCase {
    private let rubric = [
        Criterion(key: "research", title: "Research", weight: 3, maxScore: 10, minScore: 5),
        Criterion(key: "leadership", title: "Leadership", weight: 1, maxScore: 10, minScore: nil),
    ]

    private func candidate(_ id: Int64, _ scores: [(Int64, Int64)]) -> Ranking.Candidate {
        Ranking.Candidate(applicationID: id, evaluations: scores.enumerated().map { index, s in
            Ranking.Evaluation(evaluator: "ev\(index)", scores: ["research": s.0, "leadership": s.1])
        }, criteria: rubric)
    }

    func testRatioRoundsHalfUpToTwoDecimals() {
        XCTAssertEqual(Ratio(numerator: 2, denominator: 3).formatted, "0.67")
        XCTAssertEqual(Ratio(numerator: 1, denominator: 3).formatted, "0.33")
        XCTAssertEqual(Ratio(numerator: 1, denominator: 8).formatted, "0.13")  // 0.125, half up
        XCTAssertEqual(Ratio(numerator: 58, denominator: 8).formatted, "7.25")
        XCTAssertEqual(Ratio(numerator: 10, denominator: 1).formatted, "10.00")
        XCTAssertEqual(Ratio(numerator: 0, denominator: 4).formatted, "0.00")
        XCTAssertEqual(Ratio(numerator: 1999, denominator: 200).formatted, "10.00")  // 9.995 rounds up into the next unit
    }

    func testRatiosCompareExactly() {
        XCTAssertEqual(Ratio(numerator: 52, denominator: 8), Ratio(numerator: 26, denominator: 4))
        // 0.3333... and 0.33 differ although both show "0.33".
        XCTAssertLessThan(Ratio(numerator: 33, denominator: 100), Ratio(numerator: 1, denominator: 3))
        XCTAssertEqual(Ratio(numerator: 33, denominator: 100).formatted, Ratio(numerator: 1, denominator: 3).formatted)
    }

    func testWeightedScoreMeansSpreadAndEligibility() {
        let rows = Ranking.rows(rubric, [candidate(1, [(8, 6), (6, 10)]), candidate(2, [(4, 10), (4, 10)])])
        let a = rows[0], c = rows[1]
        XCTAssertEqual(a.applicationID, 1)
        XCTAssertEqual(a.weightedScore, Ratio(numerator: 58, denominator: 8))
        XCTAssertEqual(a.weightedScore?.numerator, 58)
        XCTAssertEqual(a.weightedScore?.denominator, 8)
        XCTAssertEqual(a.criterionMeans.map { $0.mean?.formatted }, ["7.00", "8.00"])
        XCTAssertEqual(a.spread?.formatted, "0.50")  // (30 - 28) / 4
        XCTAssertTrue(a.eligible)
        XCTAssertEqual(c.weightedScore?.formatted, "5.50")
        XCTAssertFalse(c.eligible, "research mean 4 is below min_score 5")
        XCTAssertEqual(c.spread?.formatted, "0.00")
    }

    func testTieBreakMoreEvaluationsThenLowerIDAndUnscoredLast() {
        let rows = Ranking.rows(rubric, [
            candidate(5, []), candidate(4, [(7, 5)]), candidate(3, [(9, 1), (7, 3)]), candidate(2, [(7, 5)]),
        ])
        // 3: 52/8 = 6.50 with two evaluations; 2 and 4: 26/4 = 6.50 with one, lower id first; 5 unscored.
        XCTAssertEqual(rows.map(\.applicationID), [3, 2, 4, 5])
        XCTAssertNil(rows[3].weightedScore)
        XCTAssertFalse(rows[3].eligible)
        XCTAssertNil(rows[3].spread)
    }

    func testMinScoreIsComparedOnTheExactMean() {
        // Research 5 and 4: mean 4.5 < 5, not eligible, even though 4.5 would round to 5 as an integer.
        let rows = Ranking.rows(rubric, [candidate(1, [(5, 0), (4, 0)]), candidate(2, [(5, 0), (5, 0)])])
        XCTAssertEqual(rows.first { $0.applicationID == 1 }?.eligible, false)
        XCTAssertEqual(rows.first { $0.applicationID == 2 }?.eligible, true)
    }
}
