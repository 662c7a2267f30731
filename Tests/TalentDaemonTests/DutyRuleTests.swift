import Foundation
import GRDB
import TalentProtocol
import TalentStorage
import XCTest
@testable import TalentDaemon

/// The duty status rule is written twice, in Swift and in SQL, side by side in Duty.swift: these
/// tests hold the two to the same answers on every boundary, and check the days-late arithmetic.
final class DutyRuleTests: XCTestCase {
    func testStatusOnEveryBoundary() {
        let due = "2025-06-30"
        XCTAssertEqual(DutyRule.status(dueOn: due, doneOn: nil, cancelledOn: nil, at: "2025-06-30"), .open)
        XCTAssertEqual(DutyRule.status(dueOn: due, doneOn: nil, cancelledOn: nil, at: "2025-07-01"), .late)
        XCTAssertEqual(DutyRule.status(dueOn: due, doneOn: "2025-06-30", cancelledOn: nil, at: "2025-07-01"), .done)
        XCTAssertEqual(DutyRule.status(dueOn: due, doneOn: "2025-07-01", cancelledOn: nil, at: "2025-07-01"), .doneLate)
        XCTAssertEqual(DutyRule.status(dueOn: due, doneOn: nil, cancelledOn: "2025-07-02", at: "2025-07-01"), .late)
        XCTAssertEqual(DutyRule.status(dueOn: due, doneOn: nil, cancelledOn: "2025-07-02", at: "2025-07-02"), .cancelled)
    }

    func testDaysLateCountsCalendarDaysAcrossMonthsAndLeapYears() {
        XCTAssertEqual(DutyRule.daysLate(.late, dueOn: "2025-06-30", doneOn: nil, at: "2025-07-15"), 15)
        XCTAssertEqual(DutyRule.daysLate(.doneLate, dueOn: "2025-06-30", doneOn: "2025-08-01", at: "2026-01-01"), 32)
        XCTAssertEqual(DutyRule.daysLate(.late, dueOn: "2024-02-28", doneOn: nil, at: "2024-03-01"), 2)
        XCTAssertEqual(DutyRule.daysLate(.late, dueOn: "2025-12-31", doneOn: nil, at: "2027-01-01"), 366)
        XCTAssertEqual(DutyRule.daysLate(.done, dueOn: "2025-06-30", doneOn: "2025-06-01", at: "2025-07-15"), 0)
        XCTAssertEqual(DutyRule.days(from: "1970-01-01", to: "2000-03-01"), 11017)
    }

    func testSQLStatusAgreesWithSwift() throws {
        let db = try DatabaseQueue()
        try db.write { db in
            try db.execute(sql: "CREATE TABLE d (id INTEGER PRIMARY KEY, due_on TEXT, done_on TEXT, cancelled_on TEXT)")
            let rows: [(String, String?, String?)] = [
                ("2025-06-30", nil, nil), ("2025-06-30", "2025-06-30", nil), ("2025-06-30", "2025-06-15", nil),
                ("2025-06-30", "2025-07-01", nil), ("2025-06-30", nil, "2025-07-01"), ("2025-06-30", "2025-06-01", "2025-06-15"),
            ]
            for (due, done, cancelled) in rows {
                try db.execute(sql: "INSERT INTO d(due_on, done_on, cancelled_on) VALUES (?, ?, ?)", arguments: [due, done, cancelled])
            }
            let sql = DutyRule.sqlStatus(dueOn: "d.due_on", doneOn: "d.done_on", cancelledOn: "d.cancelled_on", at: ":at")
            for at in ["2025-06-14", "2025-06-15", "2025-06-30", "2025-07-01", "2025-07-02"] {
                // The store limits done_on to dates on or before `at`; so does this reference.
                let bySwift = rows.map { due, done, cancelled in
                    DutyRule.status(dueOn: due, doneOn: done.flatMap { $0 <= at ? $0 : nil }, cancelledOn: cancelled, at: at).rawValue
                }
                let bySQL = try String.fetchAll(db, sql: """
                    SELECT \(sql) FROM (SELECT id, due_on, CASE WHEN done_on <= :at THEN done_on END AS done_on, cancelled_on FROM d) d ORDER BY id
                    """, arguments: ["at": at])
                XCTAssertEqual(bySQL, bySwift, "on \(at)")
            }
        }
    }

    /// What the KPI report counts, per org on a date, in a real migrated database.
    func testStatusCountsPerOrgLeaveCancelledOut() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duty-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _) = try Store.createOrMigrate(path: dir.appendingPathComponent("t.db").path, migrations: Daemon.migrations)
        defer { try? store.close() }
        let t = "2025-01-01T00:00:00.000Z"
        try store.pool.write { db in
            let duties = DutyStore(db)
            func give(_ org: String, due: String) throws -> Int64 {
                try duties.insert(.init(title: "t", kind: .manual, dueOn: due, responsible: nil, target: nil, targetRoundID: nil, note: nil),
                                  orgs: [org], by: "t", at: t)[0]
            }
            _ = try give("MOH", due: "2025-06-30")                                   // open on 06-30, late after
            let onTime = try give("MOH", due: "2025-06-30")
            try duties.complete(id: onTime, on: "2025-06-01", result: "x", evidenceRef: nil, by: "t", at: t)
            let doneLate = try give("MOF", due: "2025-06-30")
            try duties.complete(id: doneLate, on: "2025-07-05", result: "x", evidenceRef: nil, by: "t", at: t)
            let cancelled = try give("MOF", due: "2025-06-30")
            try duties.cancel(id: cancelled, on: "2025-07-01", reason: "x", by: "t", at: t)
        }
        try store.pool.read { db in
            let counts = { (day: String) in try DutyStore(db).statusCounts(at: CalendarDate(day)!) }
            XCTAssertEqual(try counts("2025-06-30"), ["MOH": DutyCounts(onTime: 1, open: 1), "MOF": DutyCounts(open: 2)])
            XCTAssertEqual(try counts("2025-07-10"), ["MOH": DutyCounts(onTime: 1, late: 1), "MOF": DutyCounts(doneLate: 1)])
        }
    }
}
