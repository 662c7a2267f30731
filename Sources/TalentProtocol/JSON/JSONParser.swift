/// A strict RFC 8259 parser over raw bytes.
///
/// Why not Foundation's JSONSerialization: the wire limits must be enforced while parsing (nesting
/// depth counted before anything deeper is allocated, invalid UTF-8 reported by byte offset,
/// duplicate member names refused), integers must stay exact 64-bit values, and the daemon's
/// request rate is bounded by this code. It is small and fuzzed by the unit tests.
public struct JSONParser {
    public struct Failure: Error, Equatable, Sendable {
        public enum Kind: Sendable { case syntax, invalidUTF8, tooDeep }
        public let kind: Kind
        public let offset: Int
        public let message: String
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 64) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 1)
        parser.skipWhitespace()
        if parser.index != bytes.count {
            throw parser.fail(.syntax, "unexpected data after the JSON value")
        }
        return value
    }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(Failure) -> JSONValue {
        do {
            return try bytes.withUnsafeBytes { try parse($0, maxDepth: maxDepth) }
        } catch let failure as Failure {
            throw failure
        } catch {
            fatalError("unreachable: \(error)")
        }
    }

    public static func parse(_ text: String, maxDepth: Int = 64) throws(Failure) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    // Internal, not private: the envelope fast path (JSONParser+Envelope.swift) reads with them.
    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    var index = 0

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    private func fail(_ kind: Failure.Kind, _ message: String) -> Failure {
        Failure(kind: kind, offset: index, message: message)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(Failure) -> JSONValue {
        guard index < bytes.count else { throw fail(.syntax, "unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case 0x80...0xFF where !Self.isValidUTF8Sequence(bytes, at: index):
            throw fail(.invalidUTF8, "invalid UTF-8 at byte \(index)")
        default:
            throw fail(.syntax, "unexpected character at byte \(index)")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail(.syntax, "unexpected end of input") }
        let matches = literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw fail(.syntax, "invalid literal at byte \(index)") }
        index += count
    }

    private mutating func parseObject(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= maxDepth else { throw fail(.tooDeep, "JSON nesting deeper than \(maxDepth) levels") }
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw fail(.syntax, "expected a member name in double quotes at byte \(index)")
            }
            let keyOffset = index
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw fail(.syntax, "expected ':' at byte \(index)")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            if members.updateValue(value, forKey: key) != nil {
                throw Failure(kind: .syntax, offset: keyOffset, message: "duplicate member name \"\(key)\"")
            }
            skipWhitespace()
            guard index < bytes.count else { throw fail(.syntax, "unexpected end of input in object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw fail(.syntax, "expected ',' or '}' at byte \(index)")
        }
    }

    private mutating func parseArray(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= maxDepth else { throw fail(.tooDeep, "JSON nesting deeper than \(maxDepth) levels") }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw fail(.syntax, "unexpected end of input in array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            throw fail(.syntax, "expected ',' or ']' at byte \(index)")
        }
    }

    private mutating func parseNumber() throws(Failure) -> JSONValue {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw fail(.syntax, "invalid number at byte \(start)") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail(.syntax, "invalid number at byte \(start)") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail(.syntax, "invalid number at byte \(start)") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let exact = Int64(text) { return .int(exact) }
        guard let double = Double(text), double.isFinite else { throw fail(.syntax, "number out of range at byte \(start)") }
        return .double(double)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func parseString() throws(Failure) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes; validate the raw bytes as UTF-8 in one go.
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                // ASCII is valid UTF-8 as it is; most strings of a request (its keys, the method's
                // name, codes and ids) are, and decoding skips the generic validation's cost.
                if ascii {
                    index += 1
                    return String(decoding: raw, as: UTF8.self)
                }
                guard let text = String(validating: raw, as: UTF8.self) else {
                    index = start + Self.firstInvalidUTF8(raw)
                    throw fail(.invalidUTF8, "invalid UTF-8 at byte \(index)")
                }
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail(.syntax, "unescaped control character in string at byte \(index)") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        guard index < bytes.count else { throw fail(.syntax, "unterminated string") }
        // Slow path: copy bytes, decoding escapes.
        var out = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: out, as: UTF8.self) else {
                    // Escapes are ASCII, so the first bad byte is the first invalid one of the raw bytes.
                    index = start + Self.firstInvalidUTF8(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
                    throw fail(.invalidUTF8, "invalid UTF-8 at byte \(index)")
                }
                index += 1
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw fail(.syntax, "unterminated string") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw fail(.syntax, "unpaired surrogate \\u escape at byte \(index)")
                        }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail(.syntax, "invalid surrogate pair at byte \(index)") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw fail(.syntax, "unpaired surrogate \\u escape at byte \(index)")
                    }
                    out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
                default:
                    throw fail(.syntax, "invalid escape sequence at byte \(index - 1)")
                }
            default:
                if byte < 0x20 { throw fail(.syntax, "unescaped control character in string at byte \(index)") }
                out.append(byte)
                index += 1
            }
        }
        throw fail(.syntax, "unterminated string")
    }

    private mutating func parseHex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail(.syntax, "truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail(.syntax, "invalid \\u escape at byte \(index)")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// Offset of the first byte that does not start a valid UTF-8 sequence (for error messages).
    static func firstInvalidUTF8(_ raw: UnsafeRawBufferPointer) -> Int {
        var i = 0
        while i < raw.count {
            if raw[i] < 0x80 { i += 1; continue }
            guard let length = utf8SequenceLength(raw, at: i) else { return i }
            i += length
        }
        return raw.count
    }

    static func isValidUTF8Sequence(_ raw: UnsafeRawBufferPointer, at i: Int) -> Bool {
        utf8SequenceLength(raw, at: i) != nil
    }

    private static func utf8SequenceLength(_ raw: UnsafeRawBufferPointer, at i: Int) -> Int? {
        let length: Int
        switch raw[i] {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return nil
        }
        guard i + length <= raw.count else { return nil }
        let slice = UnsafeRawBufferPointer(rebasing: raw[i..<(i + length)])
        return String(validating: slice, as: UTF8.self) == nil ? nil : length
    }
}
