import XCTest

@testable import TalentProtocol

final class JSONParserTests: XCTestCase {
    // MARK: valid documents

    func testScalarsOfEveryType() {
        XCTAssertEqual(parseOK("null"), .null)
        XCTAssertEqual(parseOK("true"), .bool(true))
        XCTAssertEqual(parseOK("false"), .bool(false))
        XCTAssertEqual(parseOK("0"), .int(0))
        XCTAssertEqual(parseOK("-0"), .int(0))
        XCTAssertEqual(parseOK("42"), .int(42))
        XCTAssertEqual(parseOK("-17"), .int(-17))
        XCTAssertEqual(parseOK("1.5"), .double(1.5))
        XCTAssertEqual(parseOK("-2.5e3"), .double(-2500))
        XCTAssertEqual(parseOK("1E2"), .double(100))
        XCTAssertEqual(parseOK("1e+2"), .double(100))
        XCTAssertEqual(parseOK("25e-2"), .double(0.25))
        XCTAssertEqual(parseOK("0.125"), .double(0.125))
        XCTAssertEqual(parseOK("\"\""), .string(""))
        XCTAssertEqual(parseOK("\"abc\""), .string("abc"))
    }

    func testContainers() {
        XCTAssertEqual(parseOK("[]"), .array([]))
        XCTAssertEqual(parseOK("{}"), .object([:]))
        XCTAssertEqual(parseOK(#"[1,"a",null,true,false,1.5,{"k":[false]},[]]"#),
                       .array([.int(1), .string("a"), .null, .bool(true), .bool(false), .double(1.5),
                               .object(["k": .array([.bool(false)])]), .array([])]))
        XCTAssertEqual(parseOK(#"{"a":{"b":{"c":[1,{"d":"e"}]}},"f":null}"#),
                       .object(["a": .object(["b": .object(["c": .array([.int(1), .object(["d": .string("e")])])])]),
                                "f": .null]))
    }

    func testInsignificantWhitespaceEverywhere() {
        XCTAssertEqual(parseOK(" \t\r\n{ \"a\" :\t1 ,\r\n \"b\" : [ 1 , 2 ] , \"c\" : { } } \n\t\r "),
                       .object(["a": .int(1), "b": .array([.int(1), .int(2)]), "c": .object([:])]))
        XCTAssertEqual(parseOK("[ ]"), .array([]))
        XCTAssertEqual(parseOK("{ }"), .object([:]))
    }

    // MARK: numbers

    func testIntegersStayExactOver64Bits() {
        XCTAssertEqual(parseOK("9223372036854775807"), .int(Int64.max))
        XCTAssertEqual(parseOK("-9223372036854775808"), .int(Int64.min))
        // 2^53 + 1 has no Double representation: it must not pass through floating point.
        XCTAssertEqual(parseOK("9007199254740993"), .int(9_007_199_254_740_993))
        XCTAssertEqual(parseOK("-9007199254740993"), .int(-9_007_199_254_740_993))
        XCTAssertEqual(parseOK("2340000"), .int(2_340_000))
    }

    func testIntegersOutOfInt64RangeAreNotIntegers() {
        XCTAssertEqual(parseOK("9223372036854775808"), .double(9_223_372_036_854_775_808.0))
        XCTAssertEqual(parseOK("-9223372036854775809"), .double(-9_223_372_036_854_775_809.0))
        XCTAssertEqual(parseOK("100000000000000000000000000000"), .double(1e29))
        XCTAssertNil(parseOK("9223372036854775808")?.intValue)
    }

    func testFractionOrExponentMakesADouble() {
        XCTAssertEqual(parseOK("1.0"), .double(1.0))
        XCTAssertEqual(parseOK("1e0"), .double(1.0))
        XCTAssertEqual(parseOK("-0.0"), .double(-0.0))
        XCTAssertEqual(parseOK("1e-400"), .double(0))
    }

    func testNumberOverflowingDoubleIsRefused() {
        let failure = parseFailure("[1e400]")
        XCTAssertEqual(failure?.kind, .syntax)
        XCTAssertEqual(failure?.message, "number out of range at byte 1")
        XCTAssertEqual(parseFailure("-1e400")?.kind, .syntax)
    }

    func testMalformedNumbersAreRefused() {
        for text in ["01", "-01", "-", "1.", ".5", "+1", "1e", "1e+", "1E-", "0x10", "NaN", "Infinity", "-Infinity",
                     "1.e3", "--1", "1.2.3", "0.", "-.5", "1_000"] {
            XCTAssertEqual(parseFailure(text)?.kind, .syntax, text)
        }
    }

    // MARK: syntax

    func testSyntaxErrors() {
        let cases: [(String, Int)] = [
            ("", 0), (" ", 1), ("[", 1), ("[1,]", 3), (#"{"a":1,}"#, 7), ("{a:1}", 1), (#"{"a" 1}"#, 5),
            ("[1 2]", 3), ("tru", 0), ("nul", 0), ("nulx", 0), ("'a'", 0), ("\"abc", 4), ("]", 0), ("{", 1),
            (#"{"a":}"#, 5), (#"{"a"}"#, 4), ("[,1]", 1), ("{,}", 1), ("// c", 0), ("True", 0),
        ]
        for (text, offset) in cases {
            let failure = parseFailure(text)
            XCTAssertEqual(failure?.kind, .syntax, text)
            XCTAssertEqual(failure?.offset, offset, text)
        }
    }

    func testUnescapedControlCharactersInStringsAreRefused() {
        for byte: UInt8 in [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F] {
            let failure = parseFailure([0x22, 0x61, byte, 0x22])
            XCTAssertEqual(failure?.kind, .syntax, "byte \(byte)")
            XCTAssertEqual(failure?.offset, 2, "byte \(byte)")
        }
        // The same after an escape (the slow path).
        XCTAssertEqual(parseFailure([0x22, 0x5C, 0x6E, 0x09, 0x22])?.kind, .syntax)
        // DEL is not a control character for JSON.
        XCTAssertEqual(parseOK([0x22, 0x7F, 0x22]), .string("\u{7F}"))
    }

    func testTrailingDataIsRefused() {
        let cases: [(String, Int)] = [
            ("1 2", 2), ("{} {}", 3), ("[]x", 2), (#""a""b""#, 3), ("null,", 4), ("[1]]", 3), ("{}\n{}", 3),
            ("0 0", 2), ("true false", 5),
        ]
        for (text, offset) in cases {
            let failure = parseFailure(text)
            XCTAssertEqual(failure?.kind, .syntax, text)
            XCTAssertEqual(failure?.offset, offset, text)
        }
        XCTAssertEqual(parseOK("{} \r\n\t"), .object([:]))
    }

    func testDuplicateMemberNamesAreRefused() {
        let failure = parseFailure(#"{"a":1,"a":2}"#)
        XCTAssertEqual(failure?.kind, .syntax)
        XCTAssertEqual(failure?.offset, 7, "the offset points at the second name")
        XCTAssertTrue(failure?.message.contains("duplicate") ?? false, failure?.message ?? "")
        // Also when the values are equal, nested, or the names differ only in how they are escaped.
        XCTAssertEqual(parseFailure(#"{"a":1,"a":1}"#)?.kind, .syntax)
        XCTAssertEqual(parseFailure(#"{"x":{"c":[],"b":0,"c":null}}"#)?.offset, 19)
        XCTAssertEqual(parseFailure(#"[{"k":1},{"k":1,"k":1}]"#)?.offset, 16)
        XCTAssertEqual(parseFailure(#"{"a":1,"\u0061":2}"#)?.kind, .syntax)
        XCTAssertEqual(parseFailure(#"{"é":1,"\u00e9":2}"#)?.kind, .syntax)
        // Names are case-sensitive: these are distinct.
        XCTAssertEqual(parseOK(#"{"a":1,"A":2}"#), .object(["a": .int(1), "A": .int(2)]))
        // The same name in sibling objects is fine.
        XCTAssertEqual(parseOK(#"[{"a":1},{"a":2}]"#), .array([.object(["a": .int(1)]), .object(["a": .int(2)])]))
    }

    // MARK: strings

    func testSimpleEscapes() {
        XCTAssertEqual(parseOK(#""\"\\\/\b\f\n\r\t""#), .string("\"\\/\u{8}\u{C}\n\r\t"))
        XCTAssertEqual(parseOK(#""a\nb""#), .string("a\nb"))
        XCTAssertEqual(parseOK(#""\\n""#), .string("\\n"))
    }

    func testUnicodeEscapes() {
        XCTAssertEqual(parseOK(#""\u0041\u00e9\u4E2D\u20AC""#), .string("Aé中€"))
        XCTAssertEqual(parseOK(#""\u0000""#), .string("\u{0}"))
        XCTAssertEqual(parseOK(#""\u001f""#), .string("\u{1F}"))
        XCTAssertEqual(parseOK(#""\uFFFF""#)?.stringValue.map { Array($0.unicodeScalars) }, [Unicode.Scalar(UInt32(0xFFFF))!])
        // A decomposed sequence given as escapes stays decomposed (no normalization).
        XCTAssertEqual(parseOK(#""e\u0301""#)?.stringValue.map { Array($0.utf8) }, [0x65, 0xCC, 0x81])
    }

    func testSurrogatePairs() {
        XCTAssertEqual(parseOK(#""\uD83D\uDE00""#), .string("😀"))
        XCTAssertEqual(parseOK(#""\ud83d\ude00x""#), .string("😀x"))
        XCTAssertEqual(parseOK(#""\uD800\uDC00""#)?.stringValue.map { Array($0.unicodeScalars) }, [Unicode.Scalar(UInt32(0x10000))!])
        XCTAssertEqual(parseOK(#""\uDBFF\uDFFF""#)?.stringValue.map { Array($0.unicodeScalars) }, [Unicode.Scalar(UInt32(0x10FFFF))!])
        XCTAssertEqual(parseOK(#""\uD83D\uDE00" "#)?.stringValue.map { Array($0.utf8) }, [0xF0, 0x9F, 0x98, 0x80])
    }

    func testBadEscapesAreRefused() {
        for text in [#""\uD83D""#, #""\uD83Dx""#, #""\uDE00""#, #""\uD83D\u0041""#, #""\uD83D\uD83D""#, #""\uD83D\n""#,
                     #""\x""#, #""\u12""#, #""\u12G4""#, #""\U0041""#, #""\'""#, #""\"#, #""\u"#, "\"\\\u{20}\""] {
            XCTAssertEqual(parseFailure(text)?.kind, .syntax, text)
        }
    }

    func testNonASCIIUTF8IsKeptAsIs() {
        for text in ["Nguyễn Thị Hương", "中文", "😀👍🏽", "e\u{0301}", "\u{2028}\u{2029}", "\u{FEFF}", "\u{10FFFF}"] {
            let bytes = Array("\"\(text)\"".utf8)
            let parsed = parseOK(bytes)?.stringValue
            XCTAssertEqual(parsed.map { Array($0.utf8) }, Array(text.utf8), text)
        }
        // The same inside a member name.
        let object = parseOK(#"{"Hương":"Nguyễn"}"#)?.objectValue
        XCTAssertEqual(object?.keys.first.map { Array($0.utf8) }, Array("Hương".utf8))
    }

    // MARK: depth

    func testDepthExactlyAtTheLimitIsAccepted() {
        let arrays = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        XCTAssertNotNil(parseOK(arrays, maxDepth: 64))
        let objects = String(repeating: #"{"a":"#, count: 64) + "1" + String(repeating: "}", count: 64)
        XCTAssertNotNil(parseOK(objects, maxDepth: 64))
        // The default limit is 64 too.
        XCTAssertNotNil(parseOK(arrays))
    }

    func testOneLevelDeeperIsRefusedAsTooDeep() {
        let arrays = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let failure = parseFailure(arrays, maxDepth: 64)
        XCTAssertEqual(failure?.kind, .tooDeep)
        XCTAssertEqual(failure?.offset, 64, "the offset is that of the 65th opening bracket")
        let objects = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        XCTAssertEqual(parseFailure(objects, maxDepth: 64)?.kind, .tooDeep)
        XCTAssertEqual(parseFailure(arrays)?.kind, .tooDeep, "default limit")
    }

    func testDepthCountsArraysAndObjectsTogetherAndScalarsNot() {
        // Outermost container is level 1; the scalar inside the deepest one adds no level.
        XCTAssertNotNil(parseOK(#"[{"a":[1]}]"#, maxDepth: 3))
        XCTAssertEqual(parseFailure(#"[{"a":[[]]}]"#, maxDepth: 3)?.kind, .tooDeep)
        XCTAssertNotNil(parseOK("[[]]", maxDepth: 2))
        XCTAssertEqual(parseFailure("[[[]]]", maxDepth: 2)?.kind, .tooDeep)
        XCTAssertNotNil(parseOK("{}", maxDepth: 1))
        XCTAssertNotNil(parseOK("\"deep\"", maxDepth: 1))
        // Wide is not deep.
        XCTAssertNotNil(parseOK("[" + Array(repeating: "[]", count: 1000).joined(separator: ",") + "]", maxDepth: 2))
    }

    func testVeryDeepInputIsRefusedWithoutRecursingIntoIt() {
        let failure = parseFailure(String(repeating: "[", count: 200_000))
        XCTAssertEqual(failure?.kind, .tooDeep)
        XCTAssertEqual(failure?.offset, 64)
    }

    // MARK: invalid UTF-8

    /// Each case is a JSON string literal holding bad bytes; `offset` is where the bad sequence starts.
    private let invalidInStrings: [(name: String, bytes: [UInt8], offset: Int)] = [
        ("overlong 2-byte NUL", [0x22, 0xC0, 0x80, 0x22], 1),
        ("overlong 2-byte (C1)", [0x22, 0x61, 0x62, 0xC1, 0xBF, 0x22], 3),
        ("overlong 3-byte slash", [0x22, 0xE0, 0x80, 0xAF, 0x22], 1),
        ("overlong 4-byte euro", [0x22, 0xF0, 0x82, 0x82, 0xAC, 0x22], 1),
        ("lone continuation byte", [0x22, 0x78, 0x80, 0x22], 2),
        ("lone continuation byte BF", [0x22, 0xBF, 0x22], 1),
        ("continuation after a valid sequence", [0x22, 0xC3, 0xA9, 0x80, 0x22], 3),
        ("surrogate D800 in UTF-8", [0x22, 0xED, 0xA0, 0x80, 0x22], 1),
        ("surrogate DFFF in UTF-8", [0x22, 0x61, 0xED, 0xBF, 0xBF, 0x22], 2),
        ("surrogate pair in CESU-8", [0x22, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80, 0x22], 1),
        ("truncated 2-byte", [0x22, 0xC3, 0x22], 1),
        ("truncated 3-byte", [0x22, 0xE2, 0x82, 0x22], 1),
        ("truncated 4-byte", [0x22, 0x61, 0xF0, 0x9F, 0x98, 0x22], 2),
        ("truncated then ASCII", [0x22, 0xE2, 0x41, 0x42, 0x22], 1),
        ("above U+10FFFF", [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),
        ("F5 lead byte", [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1),
        ("FE byte", [0x22, 0xFE, 0x22], 1),
        ("FF byte", [0x22, 0xFF, 0x22], 1),
    ]

    func testInvalidUTF8InStringsIsRefusedWithItsOffset() {
        for (name, bytes, offset) in invalidInStrings {
            let failure = parseFailure(bytes)
            XCTAssertEqual(failure?.kind, .invalidUTF8, name)
            XCTAssertEqual(failure?.offset, offset, name)
        }
    }

    func testInvalidUTF8InsideContainersAndNames() {
        // As a member value: the string starts at byte 5.
        for (name, bytes, offset) in invalidInStrings {
            let document = Array(#"{"a":"#.utf8) + bytes + Array("}".utf8)
            let failure = parseFailure(document)
            XCTAssertEqual(failure?.kind, .invalidUTF8, name)
            XCTAssertEqual(failure?.offset, offset + 5, name)
        }
        // As a member name.
        let name = parseFailure([0x7B, 0x22, 0xC0, 0x80, 0x22, 0x3A, 0x31, 0x7D])
        XCTAssertEqual(name?.kind, .invalidUTF8)
        XCTAssertEqual(name?.offset, 2)
    }

    func testInvalidUTF8WhereAValueShouldStart() {
        let top = parseFailure([0xC0, 0x80])
        XCTAssertEqual(top?.kind, .invalidUTF8)
        XCTAssertEqual(top?.offset, 0)
        let element = parseFailure([0x5B, 0x31, 0x2C, 0xFF, 0x5D])  // [1,<FF>]
        XCTAssertEqual(element?.kind, .invalidUTF8)
        XCTAssertEqual(element?.offset, 3)
        // Valid UTF-8 that is not JSON is a syntax error, not an encoding error.
        XCTAssertEqual(parseFailure("é")?.kind, .syntax)
    }

    func testInvalidUTF8AfterAnEscapeIsStillRefused() {
        // A string with an escape takes the decoding path; the bad bytes must still be refused.
        for (name, bytes, _) in invalidInStrings {
            let withEscape = [0x22, 0x5C, 0x6E] + bytes.dropFirst()  // "\n<bad>..."
            XCTAssertEqual(parseFailure(Array(withEscape))?.kind, .invalidUTF8, name)
            let escapeAfter = Array(bytes.dropLast()) + [0x5C, 0x74, 0x22]  // "<bad>\t"
            XCTAssertEqual(parseFailure(escapeAfter)?.kind, .invalidUTF8, name)
        }
    }

    func testInvalidUTF8AfterAnEscapeIsReportedAtTheBadByte() throws {
        // "\n" then an overlong NUL: the bad sequence starts at byte 3.
        XCTAssertEqual(parseFailure([0x22, 0x5C, 0x6E, 0xC0, 0x80, 0x22])?.offset, 3)
        // A bad byte before the escape: at byte 1.
        XCTAssertEqual(parseFailure([0x22, 0xFF, 0x5C, 0x6E, 0x22])?.offset, 1)
    }

    // MARK: entry points agree

    func testStringBytesAndBufferEntryPointsAgree() throws {
        let text = #"{"n":[1,-2,3.5],"s":"Hương\n","t":true}"#
        let fromString = try JSONParser.parse(text)
        let fromBytes = try JSONParser.parse(Array(text.utf8))
        let fromBuffer = try Array(text.utf8).withUnsafeBytes { try JSONParser.parse($0) }
        XCTAssertEqual(fromString, fromBytes)
        XCTAssertEqual(fromString, fromBuffer)
        XCTAssertEqual(fromString["s"], .string("Hương\n"))
    }

    // MARK: randomized round trip

    func testRandomRoundTripThroughWriterAndParser() throws {
        var rng = SplitMix64(seed: 0x7A1E_57D0)
        for iteration in 0..<400 {
            let value = randomValue(depth: 0, rng: &rng)
            let bytes = JSONWriter.bytes(value)
            let parsed: JSONValue
            do {
                parsed = try JSONParser.parse(bytes, maxDepth: 64)
            } catch {
                XCTFail("iteration \(iteration): writer output does not parse: \(error.message) in \(utf8String(bytes))")
                continue
            }
            XCTAssertEqual(parsed, value, "iteration \(iteration): \(utf8String(bytes))")
            // Byte-exact too: Swift String equality would hide a normalization.
            XCTAssertEqual(JSONWriter.bytes(parsed), bytes, "iteration \(iteration)")
            XCTAssertFalse(bytes.contains(0x0A), "compact output never holds a raw newline")
        }
    }

    private static let scalarPool: [Unicode.Scalar] = {
        var pool: [Unicode.Scalar] = (0x00...0x7F).map { Unicode.Scalar(UInt8($0)) }
        pool += [0xE9, 0x1EC5, 0x0301, 0x4E2D, 0x20AC, 0x2028, 0x2029, 0xFEFF, 0xFFFD, 0xFFFF, 0x1F600, 0x1F3FD, 0x10FFFF]
            .map { Unicode.Scalar(UInt32($0))! }
        return pool
    }()

    private func randomString(rng: inout SplitMix64) -> String {
        let length = Int.random(in: 0...12, using: &rng)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length { scalars.append(Self.scalarPool.randomElement(using: &rng)!) }
        return String(scalars)
    }

    private func randomDouble(rng: inout SplitMix64) -> Double {
        while true {
            let d: Double
            switch Int.random(in: 0...2, using: &rng) {
            case 0: d = Double(bitPattern: rng.next())
            case 1: d = Double.random(in: -1e6...1e6, using: &rng)
            default: d = Double(Int.random(in: -1000...1000, using: &rng)) / 8
            }
            // Integral values below 1e15 are written as integers and come back as .int: skip them.
            if d.isFinite, !(d == d.rounded() && abs(d) < 1e15) { return d }
        }
    }

    private func randomValue(depth: Int, rng: inout SplitMix64) -> JSONValue {
        let choice = Int.random(in: 0...(depth >= 4 ? 4 : 6), using: &rng)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2:
            switch Int.random(in: 0...3, using: &rng) {
            case 0: return .int(Int64(bitPattern: rng.next()))
            case 1: return .int([Int64.min, Int64.max, 0, -1, 9_007_199_254_740_993].randomElement(using: &rng)!)
            default: return .int(Int64.random(in: -100_000...100_000, using: &rng))
            }
        case 3: return .double(randomDouble(rng: &rng))
        case 4: return .string(randomString(rng: &rng))
        case 5:
            return .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in randomValue(depth: depth + 1, rng: &rng) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                members[randomString(rng: &rng)] = randomValue(depth: depth + 1, rng: &rng)
            }
            return .object(members)
        }
    }
}
