import XCTest
@testable import TalentDaemon

/// The ranking arithmetic documented on `AwardRanking`, on a data set small enough to check by hand.
/// Criteria weights 2 and 1 (Σ 3), max 10: review score = (2×a + b) / 3.
final class AwardRankingTests: XCTestCase {
    // Reviewer A scores high, B low; both rank nomination 1 above 2.
    // A: n1 (10, 10) -> 30, n2 (8, 8) -> 24. B: n1 (6, 6) -> 18, n2 (4, 4) -> 12. n3: no review.
    let reviews = [
        AwardRanking.Review(nominationID: 1, reviewer: "A", weighted: 30),
        AwardRanking.Review(nominationID: 2, reviewer: "A", weighted: 24),
        AwardRanking.Review(nominationID: 1, reviewer: "B", weighted: 18),
        AwardRanking.Review(nominationID: 2, reviewer: "B", weighted: 12),
    ]

    func testMeanIsExactAndRoundedHalfUp() {
        let result = AwardRanking.rank(nominations: [1, 2, 3], reviews: reviews, weightSum: 3, maxWeighted: 30, by: .none)
        // n1: (10 + 6) / 2 = 8.00; n2: (8 + 4) / 2 = 6.00; spread n1 = 10 - 6 = 4.00.
        XCTAssert(result.rows.map(\.nominationID) == [1, 2, 3])
        XCTAssert(result.rows[0].meanHundredths == 800 && result.rows[1].meanHundredths == 600)
        XCTAssert(result.rows[0].spreadHundredths == 400)
        XCTAssert(result.rows[2].meanHundredths == nil && result.rows[2].count == 0 && result.rows[2].rank == 3)
        // 2/3 = 0.666… -> 0.67; 1/6 = 0.1666… -> 0.17; 1/8 = 0.125 -> 0.13 (half up).
        XCTAssert(AwardRanking.hundredths(2, over: 3) == 67 && AwardRanking.hundredths(1, over: 6) == 17 && AwardRanking.hundredths(1, over: 8) == 13)
        XCTAssert(AwardRanking.decimal(805) == "8.05" && AwardRanking.decimal(7) == "0.07" && AwardRanking.decimal(1000) == "10.00")
    }

    func testZscoreRemovesEachReviewersLevel() {
        let result = AwardRanking.rank(nominations: [1, 2], reviews: reviews, weightSum: 3, maxWeighted: 30, by: .zscore)
        // A: mean 9, sd 1 -> z(n1) = +1, z(n2) = -1; B: mean 5, sd 1 -> the same. Round: scores 10, 8, 6, 4:
        // mean 7, population sd √5 = 2.2360…; n1 = 7 + 1 × 2.236 = 9.24, n2 = 7 − 2.236 = 4.76.
        XCTAssert(result.rows.map(\.normalizedHundredths) == [924, 476])
        XCTAssert(result.roundMeanHundredths == 700 && result.roundSDHundredths == 224)
        XCTAssert(result.reviewers == [
            .init(reviewer: "A", count: 2, meanHundredths: 900, sdHundredths: 100),
            .init(reviewer: "B", count: 2, meanHundredths: 500, sdHundredths: 100),
        ])
    }

    func testRescaledScoreStaysWithinTheCriteriaRange() {
        // One reviewer, three nominations: z = ±1.22…; round mean 5, sd 4.08…; clamped to 0…10.
        let spreadOut = [AwardRanking.Review(nominationID: 1, reviewer: "A", weighted: 30),
                         AwardRanking.Review(nominationID: 2, reviewer: "A", weighted: 15),
                         AwardRanking.Review(nominationID: 3, reviewer: "A", weighted: 0)]
        let result = AwardRanking.rank(nominations: [1, 2, 3], reviews: spreadOut, weightSum: 3, maxWeighted: 30, by: .zscore)
        XCTAssert(result.rows.map(\.normalizedHundredths) == [1000, 500, 0])
    }

    func testAReviewerWithoutSpreadCountsZero() {
        let flat = [AwardRanking.Review(nominationID: 1, reviewer: "A", weighted: 21),
                    AwardRanking.Review(nominationID: 2, reviewer: "A", weighted: 21)]
        let result = AwardRanking.rank(nominations: [1, 2], reviews: flat, weightSum: 3, maxWeighted: 30, by: .zscore)
        // sd 0: z = 0 for both, so both sit at the round mean, 7.00; tie broken down to the id.
        XCTAssert(result.rows.map(\.normalizedHundredths) == [700, 700])
        XCTAssert(result.rows.map(\.nominationID) == [1, 2] && result.rows[1].tieBreak == "nomination_id")
    }

    func testTiesAreBrokenByCountThenSpreadThenID() {
        // n1: one review of 7 (count 1). n2: 6 and 8 (mean 7, count 2, spread 2). n3: 7 and 7 (spread 0).
        let tied = [AwardRanking.Review(nominationID: 1, reviewer: "A", weighted: 21),
                    AwardRanking.Review(nominationID: 2, reviewer: "B", weighted: 18), AwardRanking.Review(nominationID: 2, reviewer: "C", weighted: 24),
                    AwardRanking.Review(nominationID: 3, reviewer: "D", weighted: 21), AwardRanking.Review(nominationID: 3, reviewer: "E", weighted: 21)]
        let result = AwardRanking.rank(nominations: [1, 2, 3], reviews: tied, weightSum: 3, maxWeighted: 30, by: .none)
        XCTAssert(result.rows.map(\.meanHundredths) == [700, 700, 700])
        XCTAssert(result.rows.map(\.nominationID) == [3, 2, 1])
        XCTAssert(result.rows.map(\.tieBreak) == [nil, "spread", "count"])
    }
}
