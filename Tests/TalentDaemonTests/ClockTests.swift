import XCTest
@testable import TalentDaemon

/// "Today" is the date in Vietnam (UTC+7), whatever the server's zone: the day turns at 17:00 UTC.
final class ClockTests: XCTestCase {
    // 2026-11-24T16:59:59.999Z is 23:59:59.999 on the 24th in Hanoi; one millisecond later it is the 25th.
    let beforeMidnight = Instant(seconds: 1_795_539_599, milliseconds: 999)
    let atMidnight = Instant(seconds: 1_795_539_600, milliseconds: 0)

    func testVietnamDateTurnsAtMidnightInHanoi() {
        XCTAssertEqual(beforeMidnight.timestamp, "2026-11-24T16:59:59.999Z")
        XCTAssertEqual(beforeMidnight.vietnamDate, "2026-11-24")
        XCTAssertEqual(atMidnight.timestamp, "2026-11-24T17:00:00.000Z")
        XCTAssertEqual(atMidnight.vietnamDate, "2026-11-25")
    }

    func testAFixedClockAlwaysAnswersTheSameInstant() {
        let clock = Clock.fixed(atMidnight)
        XCTAssertEqual(clock.read(), atMidnight)
        XCTAssertEqual(clock.read().vietnamDate, "2026-11-25")
    }

    func testLeapDayAndYearEnd() {
        // 2028-02-28T17:00:00Z is 2028-02-29 00:00 in Hanoi.
        XCTAssertEqual(Instant(seconds: 1_835_370_000, milliseconds: 0).vietnamDate, "2028-02-29")
        // 2026-12-31T17:00:00Z is New Year's Day 2027 in Hanoi.
        XCTAssertEqual(Instant(seconds: 1_798_736_400, milliseconds: 0).vietnamDate, "2027-01-01")
    }
}
