/// The subset of JSON Schema that `Protocol/openrpc.json` uses for params, compiled once at start-up.
///
/// The dispatcher validates every request's params against the method's content descriptors
/// before a handler runs, so the contract and the daemon cannot disagree about what is accepted,
/// and every rejection names the offending field. Supported keywords: `$ref` (to
/// `#/components/schemas/...`), `type` (one or several), `enum`, `const`, `properties`, `required`,
/// `additionalProperties` (boolean or schema), `items`, `minItems`, `maxItems`, `minLength`,
/// `maxLength`, `minimum`, `maximum`, `pattern`, `format` (`date`, `date-time`), `anyOf`.
/// An unsupported keyword is refused at start-up rather than silently ignored.
///
/// One rule holds for every string, whatever its schema: it must not contain U+0000 nor another
/// C0 control character except tab (SQLite and C strings cut text at a NUL; control characters
/// garble logs and terminals), so the database holds exactly what was sent. A string marked
/// `"x-multiline": true` may also hold line breaks (\n, \r), never a NUL.
///
/// People do not read regular expressions: `x-format-hint` says in words, with an example, what a
/// `pattern` or `format` accepts ("a date as YYYY-MM-DD, for example 1985-03-08"), and a
/// rejection quotes it instead of the pattern.
public final class Schema: @unchecked Sendable {  // immutable after init
    let types: Set<String>?
    let enumValues: [JSONValue]?
    let properties: [String: Schema]
    /// Sorted once here, not on every request: the first one missing is the one reported.
    let required: [String]
    let additionalProperties: Schema??  // nil: allowed; .some(nil): forbidden; .some(schema): validated
    let items: Schema?
    let minItems: Int?, maxItems: Int?
    let minLength: Int?, maxLength: Int?
    let minimum: Double?, maximum: Double?
    /// The bounds as exact integers when they are integers: Int64 values above 2^53 do not fit a Double.
    let minimumInt: Int64?, maximumInt: Int64?
    let pattern: (source: String, regex: Regex<AnyRegexOutput>)?
    /// The same pattern matched without `Regex`, when it is a run of character classes (most are).
    let classPattern: ClassPattern?
    let format: String?
    let formatHint: String?
    let anyOf: [Schema]?
    /// `x-multiline`: line breaks allowed.
    let multiline: Bool

    public struct CompileError: Error, CustomStringConvertible {
        public let description: String
    }

    static let knownKeywords: Set<String> = [
        "$ref", "type", "enum", "const", "properties", "required", "additionalProperties", "items",
        "minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum", "pattern", "format",
        "anyOf", "description", "title", "examples", "default", "x-secret", "x-multiline", "x-format-hint",
    ]

    public convenience init(_ json: JSONValue, components: [String: JSONValue]) throws {
        try self.init(json, components: components, path: "#")
    }

    init(_ json: JSONValue, components: [String: JSONValue], path: String) throws {
        guard case .object(var object) = json else { throw CompileError(description: "\(path): a schema must be an object") }
        // A $ref may lead to another $ref: follow the chain (bounded, so a cycle is an error).
        var hops = 0
        while case .string(let ref) = object["$ref"] {
            let prefix = "#/components/schemas/"
            guard hops < 16, ref.hasPrefix(prefix), case .object(let target)? = components[String(ref.dropFirst(prefix.count))] else {
                throw CompileError(description: "\(path): unresolvable $ref \(ref)")
            }
            // Keywords beside $ref (such as a description) are merged over the target.
            object.removeValue(forKey: "$ref")
            object = target.merging(object) { _, local in local }
            hops += 1
        }
        for key in object.keys where !Self.knownKeywords.contains(key) {
            throw CompileError(description: "\(path): unsupported schema keyword \"\(key)\"")
        }
        switch object["type"] {
        case .string(let t)?: types = [t]
        case .array(let list)?: types = Set(list.compactMap(\.stringValue))
        default: types = nil
        }
        if let const = object["const"] { enumValues = [const] } else { enumValues = object["enum"]?.arrayValue }
        var props: [String: Schema] = [:]
        for (name, sub) in object["properties"]?.objectValue ?? [:] {
            props[name] = try Schema(sub, components: components, path: "\(path).\(name)")
        }
        properties = props
        required = Set((object["required"]?.arrayValue ?? []).compactMap(\.stringValue)).sorted()
        switch object["additionalProperties"] {
        case nil, .bool(true)?: additionalProperties = nil
        case .bool(false)?: additionalProperties = .some(nil)
        case let sub?: additionalProperties = .some(try Schema(sub, components: components, path: "\(path).*"))
        }
        items = try object["items"].map { try Schema($0, components: components, path: "\(path)[]") }
        minItems = object["minItems"]?.intValue.map(Int.init)
        maxItems = object["maxItems"]?.intValue.map(Int.init)
        minLength = object["minLength"]?.intValue.map(Int.init)
        maxLength = object["maxLength"]?.intValue.map(Int.init)
        minimum = Self.number(object["minimum"])
        maximum = Self.number(object["maximum"])
        minimumInt = object["minimum"]?.intValue
        maximumInt = object["maximum"]?.intValue
        if let source = object["pattern"]?.stringValue {
            do { pattern = (source, try Regex(source)) } catch {
                throw CompileError(description: "\(path): invalid pattern \(source): \(error)")
            }
            classPattern = ClassPattern(source)
        } else {
            pattern = nil
            classPattern = nil
        }
        format = object["format"]?.stringValue
        multiline = object["x-multiline"] == .bool(true)
        formatHint = object["x-format-hint"]?.stringValue
        anyOf = try object["anyOf"]?.arrayValue?.enumerated().map {
            try Schema($0.element, components: components, path: "\(path).anyOf[\($0.offset)]")
        }
    }

    private static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let i)?: return Double(i)
        case .double(let d)?: return d
        default: return nil
        }
    }

    /// Checks `value`; on failure throws `invalid_params` naming `field` (a JSON path such as
    /// `members[2].name`) and saying what was expected.
    public func validate(_ value: JSONValue, field: String) throws(RPCError) {
        if let types, !types.contains(where: { Self.matches(value, type: $0) }) {
            let expected = types.sorted().joined(separator: " or ")
            throw .invalidParams(field: field, "\(field) must be \(Self.article(expected)), not \(value.typeName)")
        }
        if let enumValues, !enumValues.contains(value) {
            let allowed = enumValues.map { JSONWriter.string($0) }.joined(separator: ", ")
            throw .invalidParams(field: field, "\(field) must be one of \(allowed)")
        }
        switch value {
        case .string(let s):
            try Self.checkText(s, multiline: multiline, field: field)
            let length = s.unicodeScalars.count
            if let minLength, length < minLength {
                throw .invalidParams(field: field, minLength == 1 ? "\(field) must not be empty" : "\(field) must be at least \(minLength) characters")
            }
            if let maxLength, length > maxLength { throw .invalidParams(field: field, "\(field) must be at most \(maxLength) characters") }
            // JSON Schema patterns are not anchored: they match anywhere unless they say ^ and $.
            if let pattern, !(classPattern?.matches(s) ?? ((try? pattern.regex.firstMatch(in: s)) != nil)) {
                throw .invalidParams(field: field, formatHint.map { "\(field) must be \($0), not \"\(s)\"" }
                                                   ?? "\(field) must match \(pattern.source)")
            }
            if let format { try Self.checkFormat(format, s, field: field, hint: formatHint) }
        case .int(let i):
            let below = minimumInt.map { i < $0 } ?? minimum.map { Double(i) < $0 } ?? false
            let above = maximumInt.map { i > $0 } ?? maximum.map { Double(i) > $0 } ?? false
            if below, let minimum { throw .invalidParams(field: field, "\(field) must be at least \(Self.show(minimum))") }
            if above, let maximum { throw .invalidParams(field: field, "\(field) must be at most \(Self.show(maximum))") }
        case .double(let number):
            if let minimum, number < minimum { throw .invalidParams(field: field, "\(field) must be at least \(Self.show(minimum))") }
            if let maximum, number > maximum { throw .invalidParams(field: field, "\(field) must be at most \(Self.show(maximum))") }
        case .array(let elements):
            if let minItems, elements.count < minItems { throw .invalidParams(field: field, "\(field) must have at least \(minItems) items") }
            if let maxItems, elements.count > maxItems { throw .invalidParams(field: field, "\(field) must have at most \(maxItems) items") }
            if let items {
                for (i, element) in elements.enumerated() { try items.validate(element, field: "\(field)[\(i)]") }
            }
        case .object(let members):
            try validateMembers(members, prefix: field + ".")
        case .null, .bool:
            break
        }
        if let anyOf {
            var firstError: RPCError?
            for option in anyOf {
                do { try option.validate(value, field: field); firstError = nil; break } catch { firstError = firstError ?? error }
            }
            if let firstError { throw firstError }
        }
    }

    /// Validates an object's members; `prefix` is prepended to member names in field paths
    /// (empty for top-level params).
    public func validateMembers(_ members: [String: JSONValue], prefix: String) throws(RPCError) {
        for name in required where members[name] == nil {
            throw .invalidParams(field: prefix + name, "\(prefix + name) is required")
        }
        for (name, member) in members {
            if let property = properties[name] {
                try property.validate(member, field: prefix + name)
            } else if case .some(let extra) = additionalProperties {
                guard let extra else {
                    let allowed = properties.keys.sorted().joined(separator: ", ")
                    throw .invalidParams(field: prefix + name,
                        "unknown parameter \(prefix + name)" + (allowed.isEmpty ? "; this takes none" : "; allowed: \(allowed)"))
                }
                try extra.validate(member, field: prefix + name)
            }
        }
    }

    /// The text rule above; the message names the first offending character and its position.
    static func checkText(_ s: String, multiline: Bool, field: String) throws(RPCError) {
        for (offset, scalar) in s.unicodeScalars.enumerated() where scalar.value < 0x20 && scalar != "\t" {
            if multiline, scalar == "\n" || scalar == "\r" { continue }
            let code = "U+" + String(repeating: "0", count: scalar.value < 0x10 ? 3 : 2) + String(scalar.value, radix: 16, uppercase: true)
            let allowed = multiline ? "tab and line breaks are the only control characters allowed" : "a single line of text (tab allowed)"
            throw .invalidParams(field: field,
                "\(field) must not contain \(scalar.value == 0 ? "NUL (U+0000)" : "the control character \(code)") (character \(offset + 1)); \(allowed)")
        }
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
             ("integer", .int), ("number", .int), ("number", .double):
            return true
        case ("integer", .double(let d)):
            return d == d.rounded() && abs(d) < 9.2e18
        default:
            return false
        }
    }

    private static func article(_ noun: String) -> String {
        ["a", "e", "i", "o", "u"].contains(noun.prefix(1)) ? "an \(noun)" : "a \(noun)"
    }

    private static func show(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e18 ? String(Int64(number)) : String(number)
    }

    /// RFC 3339 date-time: a real date, "T", hh:mm:ss within range, optional fraction, then "Z"
    /// or a ±hh:mm offset.
    static func isDateTime(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count >= 20, CalendarDate(String(decoding: b[0..<10], as: UTF8.self)) != nil, b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let hour = twoDigits(b, 11), let minute = twoDigits(b, 14), let second = twoDigits(b, 17),
              hour < 24, minute < 60, second < 61 else { return false }
        var i = 19
        if b[i] == UInt8(ascii: ".") {
            i += 1
            let digitsStart = i
            while i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) { i += 1 }
            if i == digitsStart { return false }
        }
        if i == b.count - 1 { return b[i] == UInt8(ascii: "Z") }
        guard b.count - i == 6, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), b[i + 3] == UInt8(ascii: ":"),
              let offsetHour = twoDigits(b, i + 1), let offsetMinute = twoDigits(b, i + 4) else { return false }
        return offsetHour < 24 && offsetMinute < 60
    }

    private static func twoDigits(_ b: [UInt8], _ at: Int) -> Int? {
        guard at + 1 < b.count else { return nil }
        let zero = UInt8(ascii: "0")
        guard (zero...zero + 9).contains(b[at]), (zero...zero + 9).contains(b[at + 1]) else { return nil }
        return Int(b[at] - zero) * 10 + Int(b[at + 1] - zero)
    }

    private static func checkFormat(_ format: String, _ s: String, field: String, hint: String?) throws(RPCError) {
        switch format {
        case "date":
            guard CalendarDate(s) != nil else {
                let words = hint ?? "a date as YYYY-MM-DD, for example 1985-03-08"
                throw .invalidParams(field: field, "\(field) must be \(words); \"\(s)\" is not a day of the calendar")
            }
        case "date-time":
            guard Self.isDateTime(s) else {
                let words = hint ?? "an ISO 8601 date and time in UTC, for example 2025-07-01T08:00:00Z"
                throw .invalidParams(field: field, "\(field) must be \(words), not \"\(s)\"")
            }
        default:
            break
        }
    }
}

/// A calendar date `YYYY-MM-DD` that really exists (2025-02-29 does not).
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int

    public init?(_ text: String) {
        // Read from the bytes: every date param is parsed several times per request (validation,
        // the handler), and splitting the string cost about 8,000 instructions a date.
        var text = text
        guard let (y, m, d) = text.withUTF8(Self.digits) else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        guard (1...days).contains(d) else { return nil }
        (year, month, day) = (y, m, d)
    }

    /// Year, month (1-12) and day of `YYYY-MM-DD`, or nil when it is not that shape.
    private static func digits(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int, Int, Int)? {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), (1...12).contains(month) else {
            return nil
        }
        return (year, month, day)
    }

    /// A date is only made from `YYYY-MM-DD` text, so its year has four digits at most.
    public var description: String {
        let digit = { (n: Int) in UInt8(ascii: "0") + UInt8(n % 10) }
        let dash = UInt8(ascii: "-")
        return String(decoding: [digit(year / 1000), digit(year / 100), digit(year / 10), digit(year), dash,
                                 digit(month / 10), digit(month), dash, digit(day / 10), digit(day)], as: UTF8.self)
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}
