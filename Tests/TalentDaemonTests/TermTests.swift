import GRDB
import XCTest
@testable import TalentDaemon

/// The status rule is written twice, in Swift and in SQL, side by side in Appointment.swift:
/// these tests hold the two to the same answers on every boundary.
final class TermTests: XCTestCase {
    func testStatusOnEveryBoundary() {
        let start = "2025-01-01", end = "2025-12-31"
        XCTAssertEqual(Term.status(state: .approved, termStart: start, effectiveEnd: end, on: "2024-12-31"), .approved)
        XCTAssertEqual(Term.status(state: .approved, termStart: start, effectiveEnd: end, on: "2025-01-01"), .active)
        XCTAssertEqual(Term.status(state: .approved, termStart: start, effectiveEnd: end, on: "2025-12-31"), .active)
        XCTAssertEqual(Term.status(state: .approved, termStart: start, effectiveEnd: end, on: "2026-01-01"), .ended)
        XCTAssertEqual(Term.status(state: .ended, termStart: start, effectiveEnd: "2025-06-30", on: "2025-07-01"), .ended)
        XCTAssertEqual(Term.status(state: .proposed, termStart: start, effectiveEnd: end, on: "2025-06-01"), .proposed)
        XCTAssertEqual(Term.status(state: .rejected, termStart: start, effectiveEnd: end, on: "2025-06-01"), .rejected)
        XCTAssertEqual(Term.status(state: .approved, termStart: start, effectiveEnd: Term.openEnd, on: "2090-01-01"), .active)
    }

    func testSQLConditionAgreesWithSwift() throws {
        let db = try DatabaseQueue()
        try db.write { db in
            try db.execute(sql: "CREATE TABLE appointment (id INTEGER PRIMARY KEY, state TEXT, term_start TEXT, effective_end TEXT)")
            let rows: [(AppointmentState, String, String)] = [
                (.proposed, "2025-01-01", "2025-12-31"), (.rejected, "2025-01-01", "2025-12-31"),
                (.approved, "2025-01-01", "2025-12-31"), (.ended, "2025-01-01", "2025-06-30"),
                (.approved, "2025-03-01", Term.openEnd),
            ]
            for (state, start, end) in rows {
                try db.execute(sql: "INSERT INTO appointment(state, term_start, effective_end) VALUES (?, ?, ?)",
                               arguments: [state.rawValue, start, end])
            }
            let days = ["2024-12-31", "2025-01-01", "2025-02-28", "2025-03-01", "2025-06-30", "2025-07-01", "2025-12-31", "2026-01-01"]
            for day in days {
                for status in AppointmentStatus.allCases {
                    let bySQL = try Int64.fetchAll(db, sql: "SELECT a.id FROM appointment a WHERE :day = :day AND \(Term.sqlCondition(status, day: ":day")) ORDER BY a.id",
                                                   arguments: ["day": day])
                    let bySwift = rows.enumerated().filter { Term.status(state: $1.0, termStart: $1.1, effectiveEnd: $1.2, on: day) == status }
                        .map { Int64($0.offset + 1) }
                    XCTAssertEqual(bySQL, bySwift, "\(status) on \(day)")
                }
            }
        }
    }

    func testRanksFollowTheOrgKind() {
        XCTAssertNil(EquivalentRank.directorGeneral.mismatch(orgKind: .ministry))
        XCTAssertNotNil(EquivalentRank.provincialViceChairman.mismatch(orgKind: .ministry))
        XCTAssertNotNil(EquivalentRank.directorGeneral.mismatch(orgKind: .province))
        XCTAssertNil(EquivalentRank.directorGeneral.mismatch(orgKind: .other))
        XCTAssertNil(EquivalentRank.provincialViceChairman.mismatch(orgKind: .other))
    }
}
