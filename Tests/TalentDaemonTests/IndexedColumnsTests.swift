import Foundation
import GRDB
import TalentStorage
import XCTest
@testable import TalentDaemon

/// Rows read by column index give what GRDB's `Row` gives, and a NULL where the schema forbids
/// one is an error, not a crash.
final class IndexedColumnsTests: XCTestCase {
    func testRowsByIndex() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("columns-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _) = try Store.createOrMigrate(path: dir.appendingPathComponent("t.db").path, migrations: Daemon.migrations)
        defer { try? store.close() }
        try store.pool.read { db in
            let org = try XCTUnwrap(try OrgStore(db).find(code: "MOHA"))
            let row = try XCTUnwrap(try Row.fetchOne(db, sql: "SELECT * FROM org WHERE code = 'MOHA'"))
            XCTAssertEqual([org.code, org.kind, org.name, org.nameEn, org.parent],
                           [row["code"], row["kind"], row["name"], row["name_en"], row["parent"]] as [String?])
            XCTAssertNil(try OrgStore(db).find(code: "NONE"))

            let statement = try db.makeStatement(sql: "SELECT column1, NULL FROM (VALUES (1), (2), (3)) ORDER BY 1 DESC")
            XCTAssertEqual(try statement.allRows(arguments: []) { try $0.int64(0) }, [3, 2, 1])
            XCTAssertEqual(try statement.allRows(arguments: []) { $0.nullableString(1) }, [nil, nil, nil])
            XCTAssertThrowsError(try statement.firstRow(arguments: []) { try $0.string(1) }) { error in
                XCTAssertTrue(error is UnexpectedNull, "\(error)")
            }
        }
    }
}
