import Foundation
import GRDB
import TalentStorage
import XCTest
@testable import TalentDaemon

/// The audit entries of a shared commit, their events and its head are inserted once, before it
/// commits: entries appended by writes that roll back to their savepoint must neither stay linked
/// to, nor be inserted, nor become the head.
final class DeferredAuditEntriesTests: XCTestCase {
    private var dir: URL!
    private var store: Store!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("audit-entries-\(UUID().uuidString)")
        store = try Store.createOrMigrate(path: dir.appendingPathComponent("t.db").path, migrations: Daemon.migrations).store
        Daemon.doOncePerCommit(store.writes)
    }

    override func tearDownWithError() throws {
        try store.close()
        try? FileManager.default.removeItem(at: dir)
    }

    private struct RolledBack: Error {}

    private func append(_ db: Database, _ name: String) throws {
        try AuditStore(db).append(principal: "test", method: "principal.disable", target: AuditTarget(type: "principal", id: name),
                                  params: ["name": .string(name)], at: "2026-12-05T00:00:00.000Z")
    }

    private func chain() throws -> (verification: AuditVerification, head: String?, newest: String?, names: [String]) {
        try store.pool.read { db in
            (try AuditStore(db).verify(),
             try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'audit_head'"),
             try String.fetchOne(db, sql: "SELECT seq || ':' || hash FROM audit_entry ORDER BY seq DESC LIMIT 1"),
             try String.fetchAll(db, sql: "SELECT target_id FROM audit_entry WHERE principal = 'test' ORDER BY seq"))
        }
    }

    func testEntriesOfRolledBackWritesAreNeitherLinkedToNorTheHead() throws {
        // A recorded head from before: within the commit it is out of date after the first append.
        try store.pool.write { db in try self.append(db, "before") }
        // Kept, rolled back, kept, rolled back last: the head is the second kept entry.
        let failed = store.writes.commitTogether([
            { db in try self.append(db, "a") },
            { db in try self.append(db, "b"); throw RolledBack() },
            { db in try self.append(db, "c") },
            { db in try self.append(db, "d"); throw RolledBack() },
        ])
        XCTAssertEqual(failed, [false, true, false, true])
        var now = try chain()
        XCTAssertTrue(now.verification.ok, "\(now.verification)")
        XCTAssertEqual(now.names, ["before", "a", "c"])
        XCTAssertNotNil(now.head)
        XCTAssertEqual(now.head, now.newest)

        // A commit whose every append rolls back leaves the head where it was.
        let before = now.head
        XCTAssertEqual(store.writes.commitTogether([{ db in try self.append(db, "e"); throw RolledBack() }]), [true])
        now = try chain()
        XCTAssertTrue(now.verification.ok)
        XCTAssertEqual(now.head, before)

        // A first write rolled back, then writes of two appends each, the last one rolled back:
        // each append links to the newest entry still kept.
        XCTAssertEqual(store.writes.commitTogether([
            { db in try self.append(db, "g"); throw RolledBack() },
            { db in try self.append(db, "h"); try self.append(db, "i") },
            { db in try self.append(db, "j"); try self.append(db, "k") },
            { db in try self.append(db, "l"); try self.append(db, "m"); throw RolledBack() },
        ]), [true, false, false, true])
        now = try chain()
        XCTAssertTrue(now.verification.ok, "\(now.verification)")
        XCTAssertEqual(now.names, ["before", "a", "c", "h", "i", "j", "k"])
        XCTAssertEqual(now.head, now.newest)

        // Appends outside a shared commit write the head themselves, and link to the committed one.
        try store.pool.write { db in try self.append(db, "f") }
        now = try chain()
        XCTAssertTrue(now.verification.ok)
        XCTAssertEqual(now.names, ["before", "a", "c", "h", "i", "j", "k", "f"])
        XCTAssertEqual(now.head, now.newest)
    }

    /// More entries than one multi-row statement holds, some rolled back: the same rows, events
    /// and chain as appending them one by one.
    func testAManyWriteCommitInsertsEveryKeptEntryAndItsEventOnce() throws {
        var jobs: [(Database) throws -> Void] = []
        var kept: [String] = []
        for index in 0..<150 {
            let name = "w\(index)"
            if index % 7 == 3 {
                jobs.append { db in try self.append(db, name); throw RolledBack() }
            } else {
                jobs.append { db in try self.append(db, name) }
                kept.append(name)
            }
        }
        XCTAssertEqual(store.writes.commitTogether(jobs).filter { $0 }.count, 150 - kept.count)
        let now = try chain()
        XCTAssertTrue(now.verification.ok, "\(now.verification)")
        XCTAssertEqual(now.names, kept)
        XCTAssertEqual(now.head, now.newest)
        let (entries, events, params) = try store.pool.read { db in
            (try Int64.fetchAll(db, sql: "SELECT seq FROM audit_entry ORDER BY seq"),
             try Int64.fetchAll(db, sql: "SELECT seq FROM event ORDER BY seq"),
             try String.fetchAll(db, sql: "SELECT params FROM audit_entry ORDER BY seq"))
        }
        XCTAssertEqual(entries, Array(1...Int64(kept.count)))
        XCTAssertEqual(events, entries, "every kept entry of an event method has its event, and only those")
        XCTAssertEqual(params, kept.map { #"{"name":"\#($0)"}"# })
    }
}
