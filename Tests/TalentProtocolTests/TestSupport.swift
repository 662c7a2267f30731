import Foundation
import XCTest

@testable import TalentProtocol

/// SplitMix64: a tiny deterministic generator, so randomized tests replay the same cases every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Parses text that must be valid JSON; fails the calling test otherwise.
func parseOK(_ text: String, maxDepth: Int = 64, file: StaticString = #filePath, line: UInt = #line) -> JSONValue? {
    parseOK(Array(text.utf8), maxDepth: maxDepth, file: file, line: line)
}

func parseOK(_ bytes: [UInt8], maxDepth: Int = 64, file: StaticString = #filePath, line: UInt = #line) -> JSONValue? {
    do {
        return try JSONParser.parse(bytes, maxDepth: maxDepth)
    } catch {
        XCTFail("expected valid JSON, got \(error.kind) at \(error.offset): \(error.message) for \(String(decoding: bytes, as: UTF8.self))",
                file: file, line: line)
        return nil
    }
}

/// The parser's refusal of bytes that must be invalid; fails the calling test if they parse.
func parseFailure(_ bytes: [UInt8], maxDepth: Int = 64, file: StaticString = #filePath, line: UInt = #line) -> JSONParser.Failure? {
    do {
        let value = try JSONParser.parse(bytes, maxDepth: maxDepth)
        XCTFail("expected a parse failure, got \(value) for bytes \(bytes)", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

func parseFailure(_ text: String, maxDepth: Int = 64, file: StaticString = #filePath, line: UInt = #line) -> JSONParser.Failure? {
    parseFailure(Array(text.utf8), maxDepth: maxDepth, file: file, line: line)
}

func utf8String(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
