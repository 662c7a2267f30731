import XCTest
@testable import TalentDaemon

final class AuditAnchorTests: XCTestCase {
    func testAnAnchorIsSeqColonSixtyFourLowercaseHexDigits() {
        let hash = String(repeating: "ab", count: 32)
        let anchor = AuditAnchor("1204:\(hash)")
        XCTAssertEqual(anchor?.seq, 1204)
        XCTAssertEqual(anchor?.hash, hash)
        XCTAssertEqual(anchor?.description, "1204:\(hash)")
        XCTAssertNotNil(AuditAnchor("0:\(AuditEntry.genesisHash)"))
        for bad in ["1204", "1204:", ":\(hash)", "-1:\(hash)", "x:\(hash)", "12:\(hash.uppercased())", "12:\(hash.dropLast())",
                    "12:\(hash)0", "12:\(String(repeating: "g", count: 64))"] {
            XCTAssertNil(AuditAnchor(bad), bad)
        }
    }
}

final class BackupAgeTests: XCTestCase {
    /// The backup check reads back timestamps this daemon wrote: the parse must invert the format.
    func testEpochSecondsInvertsTheTimestampFormat() {
        for seconds in [0, 86_399, 1_764_046_800, 4_102_444_799] {
            let text = UTCTime.format(Instant(seconds: seconds, milliseconds: 123))
            XCTAssertEqual(SystemMethods.epochSeconds(text), seconds, text)
        }
        XCTAssertNil(SystemMethods.epochSeconds("yesterday"))
    }
}
