/// What one response line says, as far as the benchmark cares: whether it has a top-level
/// `result` or `error` member, and its top-level integer `id` (if any).
///
/// This is a single pass over the bytes that tracks nesting and strings, so it does not depend
/// on member order and is not fooled by `"error"` appearing inside a result. It does not
/// validate the JSON; the daemon's own tests do that.
struct ResponseSummary {
    var hasResult = false
    var hasError = false
    var id: Int64? = nil
}

enum ResponseScanner {
    private static let quote: UInt8 = 0x22       // "
    private static let backslash: UInt8 = 0x5C   // \
    private static let colon: UInt8 = 0x3A       // :
    private static let comma: UInt8 = 0x2C       // ,

    static func scan(_ line: UnsafeBufferPointer<UInt8>) -> ResponseSummary {
        var summary = ResponseSummary()
        var depth = 0
        var index = 0
        let count = line.count
        var expectKey = false
        // The top-level key whose value comes next (0 = other, 1 = id, 2 = result, 3 = error).
        var pendingKey = 0
        while index < count {
            let byte = line[index]
            switch byte {
            case quote:
                let start = index + 1
                index = start
                while index < count, line[index] != quote {
                    if line[index] == backslash { index += 1 }
                    index += 1
                }
                // `index` is at the closing quote (or the end of a truncated line).
                if depth == 1 && expectKey {
                    let length = index - start
                    pendingKey = 0
                    if length == 2 && line[start] == 0x69 && line[start + 1] == 0x64 {        // id
                        pendingKey = 1
                    } else if length == 6 && matches(line, start, "result") {
                        pendingKey = 2
                    } else if length == 5 && matches(line, start, "error") {
                        pendingKey = 3
                    }
                    expectKey = false
                }
            case colon:
                if depth == 1 {
                    switch pendingKey {
                    case 1: summary.id = parseInteger(line, from: index + 1)
                    case 2: summary.hasResult = true
                    case 3: summary.hasError = true
                    default: break
                    }
                    pendingKey = 0
                }
            case comma:
                if depth == 1 { expectKey = true }
            case 0x7B:  // {
                depth += 1
                if depth == 1 { expectKey = true }
            case 0x5B:  // [
                depth += 1
            case 0x7D, 0x5D:  // } ]
                depth -= 1
            default:
                break
            }
            index += 1
        }
        return summary
    }

    private static func matches(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ word: StaticString) -> Bool {
        let bytes = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for offset in 0..<bytes.count where line[start + offset] != bytes[offset] { return false }
        return true
    }

    /// An optionally negative decimal integer after optional spaces; nil for anything else
    /// (a string id, null, a fraction).
    private static func parseInteger(_ line: UnsafeBufferPointer<UInt8>, from: Int) -> Int64? {
        var index = from
        while index < line.count, line[index] == 0x20 { index += 1 }
        var negative = false
        if index < line.count, line[index] == 0x2D { negative = true; index += 1 }
        var value: Int64 = 0
        var digits = 0
        while index < line.count, line[index] >= 0x30, line[index] <= 0x39 {
            value = value &* 10 &+ Int64(line[index] - 0x30)
            index += 1
            digits += 1
        }
        guard digits > 0 else { return nil }
        if index < line.count {
            let next = line[index]
            if next == 0x2E || next == 0x65 || next == 0x45 { return nil }   // . e E: not an integer
        }
        return negative ? -value : value
    }
}
