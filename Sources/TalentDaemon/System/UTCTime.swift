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
}
