import Foundation
import XCTest

@testable import TalentProtocol

/// Requests are counted per thread and added up when read: nothing counted on any thread is lost
/// or counted twice, and the Prometheus text says the same as the snapshot.
final class ServerStatsTests: XCTestCase {
    func testCountsFromManyThreadsAddUp() {
        let stats = ServerStats()
        let threads = 4, perThread = 2_000
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for i in 0..<perThread {
                let failed = i % 4 == 0
                stats.recordRequest(method: thread % 2 == 0 ? "org.get" : "person.get", nanoseconds: Int64(50_000 + i),
                                    errorReason: failed ? "not_found" : nil)
                stats.addBytes(in: 3, out: 5)
                if i % 100 == 0 { stats.recordProtocolError() }
            }
        }
        let snapshot = stats.snapshot()
        XCTAssertEqual(snapshot.bytesIn, 3 * threads * perThread)
        XCTAssertEqual(snapshot.bytesOut, 5 * threads * perThread)
        XCTAssertEqual(snapshot.protocolErrors, threads * perThread / 100)
        for method in ["org.get", "person.get"] {
            XCTAssertEqual(snapshot.methods[method]?.requests, threads / 2 * perThread)
            XCTAssertEqual(snapshot.methods[method]?.errorsByReason, ["not_found": threads / 2 * perThread / 4])
            XCTAssertEqual(Int(snapshot.methods[method]?.maxMicros ?? 0), 51, accuracy: 1)
        }

        let text = stats.requestExposition()
        XCTAssertTrue(text.contains("# TYPE talentd_requests_total counter\n"))
        XCTAssertTrue(text.contains("talentd_requests_total{method=\"org.get\",outcome=\"ok\"} 3000\n"), text)
        XCTAssertTrue(text.contains("talentd_requests_total{method=\"org.get\",outcome=\"not_found\"} 1000\n"), text)
        // Every request took 50-52 µs: the first bucket (100 µs) holds them all.
        XCTAssertTrue(text.contains("talentd_request_duration_seconds_bucket{method=\"person.get\",le=\"0.0001\"} 4000\n"), text)
        XCTAssertTrue(text.contains("talentd_request_duration_seconds_bucket{method=\"person.get\",le=\"+Inf\"} 4000\n"), text)
        XCTAssertTrue(text.contains("talentd_request_duration_seconds_count{method=\"person.get\"} 4000\n"), text)
    }

    /// The fuzzer makes one per input: more than a process has thread-specific keys (1,024).
    func testManyInstancesOnOneThreadEachCountTheirOwn() {
        let first = ServerStats()
        for bytes in 1...3_000 {
            let stats = ServerStats()
            stats.addBytes(in: bytes)
            first.addBytes(in: 1)
            XCTAssertEqual(stats.snapshot().bytesIn, bytes)
        }
        XCTAssertEqual(first.snapshot().bytesIn, 3_000)
    }

    func testARequestFallsInTheFirstBucketThatHoldsIt() {
        let stats = ServerStats()
        stats.recordRequest(method: "system.ping", nanoseconds: 3_000_000, errorReason: nil)
        let text = stats.requestExposition()
        XCTAssertTrue(text.contains("talentd_request_duration_seconds_bucket{method=\"system.ping\",le=\"0.002\"} 0\n"), text)
        XCTAssertTrue(text.contains("talentd_request_duration_seconds_bucket{method=\"system.ping\",le=\"0.005\"} 1\n"), text)
        XCTAssertTrue(text.contains("talentd_request_duration_seconds_sum{method=\"system.ping\"} 0.003\n"), text)
    }
}
