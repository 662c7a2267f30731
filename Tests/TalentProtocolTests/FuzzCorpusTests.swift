import Foundation
import XCTest

@testable import TalentProtocol

/// Replays the fuzzer's seed corpus (Tests/fuzz/corpus) and every input that once crashed it
/// (Tests/fuzz/crashes) through the fuzz entry, so a crash found by `make fuzz` stays fixed.
final class FuzzCorpusTests: XCTestCase {
    func testCorpusAndPastCrashesRunCleanly() throws {
        let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fuzz")
        var replayed = 0
        for folder in ["corpus", "crashes"] {
            let directory = fuzz.appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() {
                FuzzEntry.run(Array(try Data(contentsOf: directory.appendingPathComponent(name))))
                replayed += 1
            }
        }
        XCTAssertGreaterThan(replayed, 40, "the seed corpus is missing")
    }

    /// Split points and lengths around the framer's limit, which the harness uses (256 bytes).
    func testLinesAroundTheFramerLimit() {
        for length in [0, 1, 255, 256, 257, 600] {
            for cut in [0, 1, 128, 255] {
                var bytes = [UInt8(cut)] + Array(repeating: UInt8(ascii: "a"), count: length)
                bytes += Array("\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}".utf8)
                FuzzEntry.run(bytes)
            }
        }
    }
}
