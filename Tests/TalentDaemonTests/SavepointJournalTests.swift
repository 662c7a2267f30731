import Foundation
import GRDB
import TalentStorage
import XCTest

/// Each write of a shared commit keeps the undo copy of the pages it changes in its savepoint's
/// journal: in memory up to 120 KiB (`Store.processSettingsApplied`), in a temporary file past
/// that. Rolled back from either, a failed write leaves nothing, and the writes beside it in the
/// same commit are kept. With a piece larger than SQLite's unix VFS writes at once (128 KiB - 1),
/// moving it to the file failed every such write as "database or disk is full".
final class SavepointJournalTests: XCTestCase {
    private var dir: URL!
    private var store: Store!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("savepoint-journal-\(UUID().uuidString)")
        store = try Store.createOrMigrate(path: dir.appendingPathComponent("t.db").path, migrations: Migrations()).store
        // About 1 MiB of rows: a write that changes them all journals about 250 pages.
        try store.writes.write { db in
            try db.execute(sql: "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            for id in 1...1000 {
                try db.execute(sql: "INSERT INTO t(id, v) VALUES (?, ?)", arguments: [id, String(repeating: "x", count: 1000)])
            }
        }
    }

    override func tearDownWithError() throws {
        try store.close()
        try? FileManager.default.removeItem(at: dir)
    }

    private struct RolledBack: Error {}

    private func changeRows(_ db: Database, _ range: ClosedRange<Int>, to letter: String) throws {
        try db.execute(sql: "UPDATE t SET v = ? WHERE id BETWEEN ? AND ?",
                       arguments: [String(repeating: letter, count: 1000), range.lowerBound, range.upperBound])
    }

    func testWritesWhoseJournalsStayInMemoryOrSpillAreRolledBackAlone() throws {
        XCTAssertTrue(Store.processSettingsApplied, "a test opened SQLite before the first Store: the settings under test are not in force")
        let failed = store.writes.commitTogether([
            { db in try self.changeRows(db, 1...10, to: "a") },
            // A few pages: the journal stays in memory.
            { db in try self.changeRows(db, 11...20, to: "b"); throw RolledBack() },
            // Every page: the journal spills to a file.
            { db in try self.changeRows(db, 1...1000, to: "c"); throw RolledBack() },
            { db in try self.changeRows(db, 21...30, to: "d") },
            // Spills, then is kept.
            { db in try self.changeRows(db, 500...1000, to: "e") },
        ])
        XCTAssertEqual(failed, [false, true, true, false, false])
        let letters = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT substr(v, 1, 1) AS letter, count(*) AS n, min(id) AS first FROM t GROUP BY letter ORDER BY first")
                .map { "\($0["letter"] as String):\($0["n"] as Int)" }
        }
        XCTAssertEqual(letters, ["a:10", "x:479", "d:10", "e:501"])
        XCTAssertEqual(try store.pool.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }, "ok")
    }
}
