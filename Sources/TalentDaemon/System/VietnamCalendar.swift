#if canImport(Glibc)
import Glibc
#endif

/// "Today" for the program is the calendar date in Vietnam (Asia/Ho_Chi_Minh: UTC+7, no DST),
/// whatever the server's time zone. Handlers read it as `call.today`.
enum VietnamCalendar {
    static let utcOffsetSeconds = 7 * 3600

    static func date(of instant: Instant) -> String {
        var seconds = instant.seconds + utcOffsetSeconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ n: Int32, _ width: Int) -> String {
            let digits = String(n)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
    }
}
