import Foundation
import XCTest
@testable import TalentDaemon

/// `NFC` and `NameKey` skip Foundation for text in two ranges of scalars; these tests hold the
/// shortcut to what Foundation gives, so a range too wide (or a Foundation that disagrees) fails.
final class NFCTests: XCTestCase {
    let scalars = (Array(NFC.latin) + Array(NFC.vietnamese)).map { Unicode.Scalar($0)! }
    /// Letters of Vietnamese names, with ASCII and the separators names hold.
    let nameScalars = Array("aăâbcdđeêghiklmnoôơpqrstuưvxyàằầèềìòồờùừỳáắấéếíóốớúứýảẳẩẻểỉỏổởủửỷãẵẫẽễĩõỗỡũữỹạặậẹệịọộợụựỵ"
        .uppercased().unicodeScalars) + Array("aăâbcdđeêghiklmnoôơpqrstuưvxyàằầèềìòồờùừỳáắấéếíóốớúứýảẳẩẻểỉỏổởủửỷãẵẫẽễĩõỗỡũữỹạặậẹệịọộợụựỵ' -.,0".unicodeScalars)

    func testEveryScalarOfTheRangesIsItsOwnNFCAndFoldsAsInAString() {
        for scalar in scalars {
            let text = String(scalar)
            XCTAssertTrue(NFC.isKnownNFC(text))
            XCTAssertEqual(text.precomposedStringWithCanonicalMapping.unicodeScalars.map(\.value), [scalar.value],
                           "U+\(String(scalar.value, radix: 16)) is not NFC as it is")
            XCTAssertEqual(NameKey.foldedByScalar(text), String(NameKey.folded(text)))
        }
    }

    /// NFC composes a scalar with the one before it: every pair of name letters stays as it is.
    func testPairsStayAsTheyAreAndFoldAsFoundationFoldsThem() {
        for first in nameScalars {
            for second in scalars {
                for text in [String(first) + String(second), String(second) + String(first)] {
                    XCTAssertEqual(text.precomposedStringWithCanonicalMapping, text)
                    XCTAssertEqual(text.precomposedStringWithCanonicalMapping.unicodeScalars.count, 2)
                    XCTAssertEqual(NameKey.foldedByScalar(text), String(NameKey.folded(text)), text)
                }
            }
        }
    }

    func testNamesFoldTheSameEitherWay() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let pool = Bool.random(using: &generator) ? nameScalars : scalars
            var text = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 1...16, using: &generator) { text.append(pool.randomElement(using: &generator)!) }
            let name = String(text)
            XCTAssertEqual(NameKey.words(name), String(NameKey.folded(name)).split(separator: " ").map(String.init), name)
            XCTAssertEqual(NFC.of(name).unicodeScalars.map(\.value), name.precomposedStringWithCanonicalMapping.unicodeScalars.map(\.value))
        }
        XCTAssertEqual(NameKey.fold("ĐẶNG  Văn Đức"), "dang van duc")
        XCTAssertEqual(NameKey.fold("Nguyễn Thị H'Hương-Lan"), "nguyen thi h huong lan")
    }

    func testTextOutsideTheRangesStillGoesThroughFoundation() {
        // Decomposed marks, as some keyboards and macOS file names send them.
        let decomposed = "Nguye\u{0302}\u{0303}n Thi\u{0323}"
        XCTAssertFalse(NFC.isKnownNFC(decomposed))
        XCTAssertNil(NameKey.foldedByScalar(decomposed))
        XCTAssertEqual(NFC.of(decomposed), "Nguyễn Thị")
        XCTAssertEqual(NFC.of(decomposed).unicodeScalars.count, 10)
        XCTAssertEqual(NameKey.fold(decomposed), "nguyen thi")
        XCTAssertEqual(NFC.of("\u{212B}ngström"), "Ångström")  // the Ångström sign is not NFC
        XCTAssertEqual(NameKey.fold("Ωμέγα Σίσυφος"), "ωμεγα σισυφος")
    }

    func testTrimmingKeepsFoundationsWhiteSpace() {
        XCTAssertEqual(NFC.trimmed("  Lê Văn Tám \n"), "Lê Văn Tám")
        XCTAssertEqual(NFC.trimmed("\u{3000}Lê\u{00A0}Văn\u{2029}"), "Lê\u{00A0}Văn")
        XCTAssertEqual(NFC.trimmed("Le\u{0301} "), "Lé")
        XCTAssertEqual(NFC.trimmed(""), "")
        XCTAssertEqual(NFC.trimmed(" \t "), "")
        // Foundation's set, not only Unicode's White_Space: the zero-width space is trimmed too.
        XCTAssertEqual(NFC.trimmed("\u{200B}Lê Văn Tám\u{200B}"), "Lê Văn Tám")
    }
}
