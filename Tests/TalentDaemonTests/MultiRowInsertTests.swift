import Foundation
import GRDB
import TalentStorage
import XCTest

/// `insertRows`, `execute(binding:)` and `firstRow(binding:)` bind values themselves: every kind
/// of value, every chunk size and the rows around each chunk boundary must come back as given, in
/// order, and values that do not fit the statement's parameters are refused as GRDB would refuse them.
final class MultiRowInsertTests: XCTestCase {
    func testRowsOfEveryCountComeBackAsGiven() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t(n INTEGER, s TEXT, d REAL, b BLOB, x)")
            for count in [0, 1, 3, 4, 5, 16, 21, 63, 64, 65, 85, 150] {
                try db.execute(sql: "DELETE FROM t")
                var values: [DatabaseValue] = []
                for n in 0..<count {
                    values += [Int64(n).databaseValue,
                               (n % 3 == 0 ? "" : "Nguyễn Thị Hương \(n) 'x' \"y\"").databaseValue,
                               (Double(n) / 8).databaseValue,
                               (n % 2 == 0 ? Data() : Data([0, UInt8(n % 256), 0])).databaseValue,
                               n % 4 == 0 ? .null : "x \(n)".databaseValue]
                }
                try db.insertRows("INSERT INTO t(n, s, d, b, x) VALUES", columns: 5, values: values)
                let rows = try Row.fetchAll(db, sql: "SELECT n, s, d, b, x, typeof(s), typeof(b) FROM t ORDER BY rowid")
                XCTAssertEqual(rows.count, count)
                for (n, row) in rows.enumerated() {
                    XCTAssertEqual(row[0] as Int64, Int64(n))
                    XCTAssertEqual(row[1] as String, n % 3 == 0 ? "" : "Nguyễn Thị Hương \(n) 'x' \"y\"")
                    XCTAssertEqual(row[5] as String, "text", "an empty string stays text, not NULL")
                    XCTAssertEqual(row[2] as Double, Double(n) / 8)
                    XCTAssertEqual(row[3] as Data, n % 2 == 0 ? Data() : Data([0, UInt8(n % 256), 0]))
                    XCTAssertEqual(row[6] as String, "blob")
                    XCTAssertEqual(row[4] as String?, n % 4 == 0 ? nil : "x \(n)")
                }
            }
        }
    }

    func testValuesThatDoNotFitTheParametersAreRefused() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t(a, b)")
            let statement = try db.cachedStatement(sql: "INSERT INTO t(a, b) VALUES (?, ?)")
            for values: [DatabaseValue] in [[], [1.databaseValue], [1.databaseValue, 2.databaseValue, 3.databaseValue]] {
                XCTAssertThrowsError(try statement.execute(binding: values)) { error in
                    XCTAssertEqual((error as? DatabaseError)?.resultCode, .SQLITE_MISUSE)
                }
            }
            try statement.execute(binding: [1.databaseValue, "b".databaseValue])
            XCTAssertEqual(try Row.fetchAll(db, sql: "SELECT a, b FROM t"), [["a": 1, "b": "b"]])
        }
    }

    func testFirstRowReadsWhatItsBoundValuesFind() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL, photo BLOB)")
            try db.execute(sql: "INSERT INTO t VALUES (1, 'Nguyễn Thị Hương', 2.5, x'00ff'), (2, '', NULL, x'')")
            let statement = try db.cachedStatement(sql: "SELECT id, name, score, photo FROM t WHERE id = ? OR name = ?")
            // Run again and again, as inside a shared commit: each run starts from its own values.
            for _ in 0..<3 {
                XCTAssertEqual(try statement.firstRow(binding: [1.databaseValue, "x".databaseValue]),
                               [1.databaseValue, "Nguyễn Thị Hương".databaseValue, 2.5.databaseValue, Data([0, 0xff]).databaseValue])
                XCTAssertEqual(try statement.firstRow(binding: [DatabaseValue.null, "".databaseValue]),
                               [2.databaseValue, "".databaseValue, .null, Data().databaseValue])
                XCTAssertNil(try statement.firstRow(binding: [3.databaseValue, "Nguyen Thi Huong".databaseValue]))
            }
            XCTAssertThrowsError(try statement.firstRow(binding: [1.databaseValue])) { error in
                XCTAssertEqual((error as? DatabaseError)?.resultCode, .SQLITE_MISUSE)
            }
            // An error while stepping comes back as GRDB's error, and leaves the statement usable.
            let failing = try db.cachedStatement(sql: "SELECT abs(?)")
            XCTAssertThrowsError(try failing.firstRow(binding: [Int64.min.databaseValue])) { error in
                XCTAssertEqual((error as? DatabaseError)?.message, "integer overflow")
            }
            XCTAssertEqual(try failing.firstRow(binding: [(-3).databaseValue]), [3.databaseValue])
            // The statement holds no read once it has answered a row: its table can be dropped.
            XCTAssertNotNil(try statement.firstRow(binding: [1.databaseValue, "".databaseValue]))
            try db.execute(sql: "DROP TABLE t")
        }
    }
}
