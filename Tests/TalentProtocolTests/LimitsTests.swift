import XCTest

@testable import TalentProtocol

/// The defaults must be those of PROTOCOL.md §6: clients and operators rely on the table.
final class LimitsTests: XCTestCase {
    func testDefaultsMatchThePROTOCOLTable() {
        let limits = Limits()
        XCTAssertEqual(limits.maxLineBytes, 1_048_576, "max_line_bytes: 1 MiB")
        XCTAssertEqual(limits.maxDepth, 64, "max_depth")
        XCTAssertEqual(limits.maxBatch, 1000, "max_batch")
        XCTAssertEqual(limits.maxConnections, 1024, "max_connections")
        XCTAssertEqual(limits.maxQueuedPerConnection, 4096, "max_queued_per_connection")
    }

    func testTheParserDefaultDepthIsTheLimitsDefault() {
        let depth = Limits().maxDepth
        XCTAssertNotNil(parseOK(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)))
        XCTAssertEqual(parseFailure(String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1))?.kind, .tooDeep)
    }

    func testLimitsAreConfigurable() {
        var limits = Limits()
        limits.maxLineBytes = 1024
        limits.maxDepth = 2
        limits.maxBatch = 1
        limits.maxConnections = 1
        limits.maxQueuedPerConnection = 1
        XCTAssertEqual([limits.maxLineBytes, limits.maxDepth, limits.maxBatch, limits.maxConnections, limits.maxQueuedPerConnection],
                       [1024, 2, 1, 1, 1])
    }
}
