import Foundation
import GRDB
import NIOConcurrencyHelpers
import TalentStorage
import XCTest
@testable import TalentDaemon

/// A thread's reads keep one snapshot only while nothing commits, and give it up when the round
/// ends (here the round never ends until the test says so).
final class ThreadReadersTests: XCTestCase {
    private var dir: URL!
    private var store: Store!
    /// The ends of rounds the readers asked for, run when the test ends the round.
    private let pendingEnds = NIOLockedValueBox<[@Sendable () -> Void]>([])

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("readers-\(UUID().uuidString)")
        store = try Store.createOrMigrate(path: dir.appendingPathComponent("t.db").path, migrations: Daemon.migrations).store
        store.threadReaders.endOfRound = { [pendingEnds] end in
            pendingEnds.withLockedValue { $0.append(end) }
            return true
        }
    }

    override func tearDownWithError() throws {
        endRound()
        try store.close()
        try? FileManager.default.removeItem(at: dir)
    }

    private func endRound() {
        pendingEnds.withLockedValue { ends in ends.forEach { $0() }; ends = [] }
    }

    private func set(_ value: String) throws {
        try store.pool.write { db in
            try db.execute(sql: "INSERT INTO store_meta(key, value) VALUES ('probe', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [value])
        }
    }

    private func quickRead() throws -> String? {
        try store.threadReaders.read { try String.fetchOne($0, sql: "SELECT value FROM store_meta WHERE key = 'probe'") }
    }

    /// Whether a checkpoint could copy every frame of the WAL (no reader holds an older snapshot).
    /// The store's own checkpointer may be running one after the last commit: a PASSIVE checkpoint
    /// then answers busy at once, and is tried again.
    private func checkpointsEverything() throws -> Bool {
        for _ in 0..<200 {
            do {
                let (walFrames, checkpointed) = try store.pool.writeWithoutTransaction { try $0.checkpoint(.passive) }
                return walFrames == checkpointed
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                usleep(10_000)
            }
        }
        XCTFail("a checkpoint stayed busy for 2 s")
        return false
    }

    func testAReadInTheSameRoundSeesWhatCommittedBeforeIt() throws {
        try set("1")
        XCTAssertEqual(try quickRead(), "1")
        try set("2")
        XCTAssertEqual(try quickRead(), "2")
        XCTAssertEqual(pendingEnds.withLockedValue { $0.count }, 1, "one end per round, however many transactions")
    }

    func testTheEndOfTheRoundGivesTheSnapshotUp() throws {
        try set("1")
        XCTAssertEqual(try quickRead(), "1")
        try set("2")
        XCTAssertFalse(try checkpointsEverything(), "the open snapshot keeps the second write in the WAL")
        endRound()
        XCTAssertTrue(try checkpointsEverything())
        XCTAssertEqual(try quickRead(), "2")
    }

    func testWithoutRoundsEachReadEndsItsOwnTransaction() throws {
        store.threadReaders.endOfRound = nil
        try set("1")
        XCTAssertEqual(try quickRead(), "1")
        try set("2")
        XCTAssertTrue(try checkpointsEverything())
    }

    func testAFailedReadLeavesNoTransactionBehind() throws {
        try set("1")
        XCTAssertThrowsError(try store.threadReaders.read { try $0.execute(sql: "SELECT * FROM no_such_table") })
        try set("2")
        XCTAssertTrue(try checkpointsEverything())
        XCTAssertEqual(try quickRead(), "2")
    }
}
