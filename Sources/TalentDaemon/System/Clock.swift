#if canImport(Glibc)
import Glibc
#endif

/// A moment, to the millisecond, since the Unix epoch.
struct Instant: Sendable, Equatable {
    let seconds: Int
    let milliseconds: Int

    /// The ISO 8601 UTC timestamp of this instant ("2026-11-22T13:44:04.123Z").
    var timestamp: String { UTCTime.format(self) }
    /// The calendar date in Vietnam at this instant ("2026-11-23").
    var vietnamDate: String { VietnamCalendar.date(of: self) }
}

/// The one source of "now" for every handler: the system clock in the daemon, a fixed instant
/// in unit tests. Handlers read it through `call.now`, `call.timestamp` and `call.today`.
struct Clock: Sendable {
    let read: @Sendable () -> Instant

    static let system = Clock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(seconds: Int(spec.tv_sec), milliseconds: Int(spec.tv_nsec / 1_000_000))
    }

    /// Always the same instant (tests).
    static func fixed(_ instant: Instant) -> Clock { Clock { instant } }
}
