#if canImport(Glibc)
import Glibc
#endif

/// ISO 8601 UTC timestamps with milliseconds ("2026-11-22T13:44:04.123Z"), formatted by hand
/// because `system.ping` is on the hot path and Foundation's formatters allocate heavily.
enum UTCTime {
    static func now() -> String { ago(seconds: 0) }

    /// The time `seconds` ago (for cut-offs such as the idempotency retention window).
    static func ago(seconds offset: Int64) -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec - Int(offset)
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
            put(Int(spec.tv_nsec / 1_000_000), 3, then: UInt8(ascii: "Z"))
            return at
        }
    }

}
