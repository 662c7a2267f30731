#if canImport(Glibc)
import Glibc
#endif

/// ISO 8601 UTC timestamps with milliseconds ("2026-11-22T13:44:04.123Z"), formatted by hand
/// because `system.ping` is on the hot path and Foundation's formatters allocate heavily.
enum UTCTime {
    /// Now by the system clock: for the daemon's own bookkeeping outside a call (purges, start-up).
    static func now() -> String { format(Clock.system.read()) }

    /// The time `seconds` before now (for cut-offs such as the idempotency retention window).
    static func ago(seconds offset: Int64) -> String {
        let now = Clock.system.read()
        return format(Instant(seconds: now.seconds - Int(offset), milliseconds: now.milliseconds))
    }

    static func format(_ instant: Instant) -> String {
        var seconds = instant.seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        // One allocation (the string's own): system.ping formats this on every call.
        return String(unsafeUninitializedCapacity: 24) { out in
            var at = 0
            func put(_ value: Int, _ width: Int, then separator: UInt8) {
                var v = value
                for i in stride(from: at + width - 1, through: at, by: -1) {
                    out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                }
                out[at + width] = separator
                at += width + 1
            }
            put(Int(parts.tm_year) + 1900, 4, then: UInt8(ascii: "-"))
            put(Int(parts.tm_mon) + 1, 2, then: UInt8(ascii: "-"))
            put(Int(parts.tm_mday), 2, then: UInt8(ascii: "T"))
            put(Int(parts.tm_hour), 2, then: UInt8(ascii: ":"))
            put(Int(parts.tm_min), 2, then: UInt8(ascii: ":"))
            put(Int(parts.tm_sec), 2, then: UInt8(ascii: "."))
            put(instant.milliseconds, 3, then: UInt8(ascii: "Z"))
            return at
        }
    }

    /// The Unix seconds of a timestamp this type formatted (nil when it is not one).
    static func seconds(_ timestamp: String) -> Int? {
        let digits = Array(timestamp.utf8)
        guard digits.count >= 19 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int32? {
            var value: Int32 = 0
            for byte in digits[from..<from + count] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int32(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2) else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900; parts.tm_mon = month - 1; parts.tm_mday = day
        parts.tm_hour = hour; parts.tm_min = minute; parts.tm_sec = second
        return Int(timegm(&parts))
    }
}
