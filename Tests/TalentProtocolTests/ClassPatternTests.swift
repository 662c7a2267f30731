import Foundation
import XCTest

@testable import TalentProtocol

/// `ClassPattern` must give `Regex`'s answer for every pattern it takes: checked on every pattern
/// of the contract, against near misses built from each pattern's own characters.
final class ClassPatternTests: XCTestCase {
    private func contractPatterns() throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("Protocol/openrpc.json"), encoding: .utf8)
        var patterns: Set<String> = []
        func walk(_ value: JSONValue) {
            switch value {
            case .object(let members):
                if case .string(let pattern)? = members["pattern"] { patterns.insert(pattern) }
                members.values.forEach(walk)
            case .array(let elements): elements.forEach(walk)
            default: break
            }
        }
        walk(try JSONParser.parse(Array(text.utf8)))
        return patterns.sorted()
    }

    /// Strings near the pattern's language: pieces of its own characters, lengths around its bounds,
    /// and characters it must refuse (other letters, accents, a combining mark, a newline).
    private func candidates(for pattern: String, count: Int) -> [String] {
        var generator = SystemRandomNumberGenerator()
        let own = Array(Set(pattern.filter { !"^$[]{}\\+*?".contains($0) }))
        let others: [Character] = ["a", "Z", "0", "9", ".", "-", "_", " ", "é", "\u{301}", "\n", "@", "Đ"]
        return (0..<count).map { _ in
            let length = Int.random(in: 0...24, using: &generator)
            return String((0..<length).map { _ in
                Int.random(in: 0..<4, using: &generator) == 0 || own.isEmpty ? others.randomElement(using: &generator)!
                    : own.randomElement(using: &generator)!
            })
        }
    }

    func testAgreesWithRegexOnEveryContractPattern() throws {
        var taken = 0
        for source in try contractPatterns() {
            guard let classPattern = ClassPattern(source) else { continue }
            taken += 1
            let regex = try Regex(source)
            for text in candidates(for: source, count: 3000) {
                XCTAssertEqual(classPattern.matches(text), (try? regex.firstMatch(in: text)) != nil, "\(source) on \(text.debugDescription)")
            }
        }
        XCTAssertGreaterThanOrEqual(taken, 20, "most of the contract's patterns are runs of classes")
    }

    func testKnownAnswers() {
        let code = ClassPattern("^[A-Z0-9][A-Z0-9_-]{1,31}$")!
        XCTAssertTrue(code.matches("MOHA"))
        XCTAssertTrue(code.matches("A-1_"))
        XCTAssertFalse(code.matches("M"))
        XCTAssertFalse(code.matches("-MOHA"))
        XCTAssertFalse(code.matches("MOHA\u{301}"))
        XCTAssertFalse(code.matches(String(repeating: "A", count: 33)))
        let money = ClassPattern("^-?[0-9]+\\.[0-9]{2}$")!
        XCTAssertTrue(money.matches("-12.50"))
        XCTAssertFalse(money.matches("12.5"))
        XCTAssertTrue(ClassPattern("^[a-z0-9][a-z0-9._-]{0,63}$")!.matches("a.b-c_d"))
    }

    func testLeavesEverythingElseToRegex() {
        for source in ["^/", "b", "^[^@\\s]+@[^@\\s]+$", "^(19|20)[0-9]{2}$", "^[a-z]+?$", "^[a-z--b]$", "^\\d+$", "^[0-9]{1,}$", "^a.b$"] {
            XCTAssertNil(ClassPattern(source), source)
        }
    }
}
