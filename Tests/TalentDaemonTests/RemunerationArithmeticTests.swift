import Foundation
import GRDB
import TalentProtocol
import TalentStorage
import XCTest
@testable import TalentDaemon

/// Exact decimals, the one rounding rule (half up, once per component, to the dong) at its
/// boundary, formula dating, and the formulas themselves against parameters in a real database.
final class RemunerationArithmeticTests: XCTestCase {
    func testCoefficientsAreExactDecimalsWithUpToThreePlaces() {
        XCTAssertEqual(Coefficient("1.25")?.thousandths, 1250)
        XCTAssertEqual(Coefficient("0.125")?.thousandths, 125)
        XCTAssertEqual(Coefficient("2")?.thousandths, 2000)
        XCTAssertEqual(Coefficient("999.999")?.thousandths, 999_999)
        XCTAssertEqual(Coefficient("1.250")?.description, "1.25")
        XCTAssertEqual(Coefficient("0.7")?.description, "0.7")
        XCTAssertEqual(Coefficient("6")?.description, "6")
        XCTAssertEqual(Coefficient("0.005")?.description, "0.005")
        for bad in ["", ".5", "1.", "1.2345", "-1", "1e3", "1000", "1,25", "0x1", " 1", "١.٢"] {
            XCTAssertNil(Coefficient(bad), bad)
        }
        // What floats get wrong: 0.1 + 0.2 is exactly 0.3 here.
        XCTAssertEqual(Coefficient("0.1")!.thousandths + Coefficient("0.2")!.thousandths, Coefficient("0.3")!.thousandths)
    }

    func testRoundingIsHalfUpToTheDongAtTheBoundary() throws {
        let c = { (s: String) in Coefficient(s)! }
        XCTAssertEqual(try Money.times(c("0.001"), 500), 1)      // 0.5 exactly: up
        XCTAssertEqual(try Money.times(c("0.001"), 499), 0)      // 0.499: down
        XCTAssertEqual(try Money.times(c("0.001"), 1500), 2)     // 1.5: up
        XCTAssertEqual(try Money.times(c("0.001"), 1499), 1)     // 1.499: down
        XCTAssertEqual(try Money.times(c("1.5"), 3), 5)          // 4.5: up
        XCTAssertEqual(try Money.times(c("0.005"), 100), 1)      // 0.5: up
        XCTAssertEqual(try Money.times(c("2.345"), 1), 2)        // 2.345: down
        XCTAssertEqual(try Money.times(c("1.25"), 2_340_000), 2_925_000)
        XCTAssertEqual(try Money.times(c("1.001"), 1_490_001), 1_491_491)  // 1491491.001: down
        XCTAssertEqual(try Money.times(c("0.003"), 1_800_500), 5_402)      // 5401.5: up
        XCTAssertEqual(try Money.times(c("999.999"), 1_000_000_000_000), 999_999_000_000_000)
        XCTAssertThrowsError(try Money.times(c("999.999"), Int64.max / 10))
        XCTAssertEqual(Coefficient.exactProduct(c("0.003"), 1_800_500), "5401.5")
    }

    func testTheFormulaInForceIsTheLatestNotAfterTheDate() {
        let formulas = [Dated(from: "2019-07-01", formula: "first"), Dated(from: "2025-01-01", formula: "second")]
        XCTAssertNil(Dated.applicable(formulas, on: "2019-06-30"))
        XCTAssertEqual(Dated.applicable(formulas, on: "2019-07-01")?.formula, "first")
        XCTAssertEqual(Dated.applicable(formulas, on: "2024-12-31")?.formula, "first")
        XCTAssertEqual(Dated.applicable(formulas, on: "2025-01-01")?.formula, "second")
        XCTAssertEqual(Formulas.chiefPost.map(\.from), ["2019-07-01"])
    }

    func testArrearsMonthsIncludeBothEnds() {
        let months = RemunerationMethods.months(from: CalendarDate("2024-11-15")!, to: CalendarDate("2025-02-01")!)
        XCTAssertEqual(months.map(\.0), ["2024-11", "2024-12", "2025-01", "2025-02"])
        XCTAssertEqual(months.first?.1, "2024-11-01")
    }

    /// The formulas priced against the seeded base salary and test parameters in a real database.
    func testFormulasPriceChiefPostsAndExperts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rem-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _) = try Store.createOrMigrate(path: dir.appendingPathComponent("t.db").path, migrations: Daemon.migrations)
        defer { try? store.close() }
        try store.pool.write { db in
            let params = ParamStore(db)
            for (name, value) in [("leadership_allowance.director_general", "1.25"), ("expert_allowance.leading_expert", "10.005")] {
                try params.define(name: name, unit: .coefficient, description: "test", by: "t", at: "2026-01-01T00:00:00.000Z")
                _ = try params.insert(try params.definition(name: name)!, ParamStore.NewValue(
                    effectiveFrom: "2024-07-01", stored: Coefficient(value)!.thousandths, decisionRef: "test/2024", note: nil, corrects: nil),
                    by: "t", at: "2026-01-01T00:00:00.000Z")
            }
        }
        try store.pool.read { db in
            let book = ParameterBook(ParamStore(db), asOf: "2099-01-01T00:00:00.000Z")
            let post = PaidPost(appointmentID: 7, org: "MOHA", post: .chiefEngineerSTI, personID: 3, rank: "director_general",
                                salaryCoefficient: Coefficient("6.2"), decisionRef: "1/QĐ", termStart: "2024-01-01")
            let components = try Formulas.price(post, on: "2024-07-01", book)
            XCTAssertEqual(components.map(\.key), ["leadership_allowance", "salary"])
            XCTAssertEqual(components.map(\.amount), [2_925_000, 14_508_000])
            XCTAssertEqual(components[0].formula, "leadership_allowance.director_general × base_salary = 1.25 × 2340000 = 2925000")
            XCTAssertEqual(components[1].inputs.first?.decisionRef, "1/QĐ")
            // The expert tier formula: 10.005 × 2,340,000 = 23,411,700 exactly.
            let expert = ExpertEngagement(expertID: 9, org: "MOST", personID: 4, tier: .leadingExpert)
            let priced = try Formulas.price(expert, on: "2024-08-01", book)
            XCTAssertEqual(priced.map(\.amount), [23_411_700])
            XCTAssertEqual(priced.first?.source, .expert(9))
            // Before the allowance's first value: not_found naming the parameter and the date.
            XCTAssertThrowsError(try Formulas.price(post, on: "2024-06-30", book)) { error in
                let rpc = error as? RPCError
                XCTAssertEqual(rpc?.reason, "not_found")
                XCTAssertEqual(rpc?.details["parameter"], .string("leadership_allowance.director_general"))
                XCTAssertEqual(rpc?.details["at"], .string("2024-06-30"))
            }
            // Before the first formula's date: nothing to price.
            XCTAssertEqual(try Formulas.price(post, on: "2019-06-30", book), [])
        }
    }
}
