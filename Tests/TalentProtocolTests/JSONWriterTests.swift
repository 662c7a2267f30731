import Foundation
import XCTest

@testable import TalentProtocol

final class JSONWriterTests: XCTestCase {
    private func written(_ value: JSONValue) -> String { JSONWriter.string(value) }

    func testScalars() {
        XCTAssertEqual(written(.null), "null")
        XCTAssertEqual(written(.bool(true)), "true")
        XCTAssertEqual(written(.bool(false)), "false")
        XCTAssertEqual(written(.int(0)), "0")
        XCTAssertEqual(written(.int(-1)), "-1")
        XCTAssertEqual(written(.int(2_340_000)), "2340000")
        XCTAssertEqual(written(.int(Int64.max)), "9223372036854775807")
        XCTAssertEqual(written(.int(Int64.min)), "-9223372036854775808")
        XCTAssertEqual(written(.string("")), #""""#)
    }

    func testDoubles() {
        XCTAssertEqual(written(.double(1.5)), "1.5")
        XCTAssertEqual(written(.double(-0.25)), "-0.25")
        XCTAssertEqual(written(.double(0.1)), "0.1")
        // Integral values are written without a fraction.
        XCTAssertEqual(written(.double(3.0)), "3")
        XCTAssertEqual(written(.double(-0.0)), "0")
        // Large and tiny ones in exponent form, which is still valid JSON.
        XCTAssertEqual(parseOK(written(.double(1e20))), .double(1e20))
        XCTAssertEqual(parseOK(written(.double(1.25e-7))), .double(1.25e-7))
        XCTAssertEqual(parseOK(written(.double(Double.greatestFiniteMagnitude))), .double(Double.greatestFiniteMagnitude))
        // JSON has no NaN or infinity: the writer never emits an invalid document.
        XCTAssertEqual(written(.double(.nan)), "null")
        XCTAssertEqual(written(.double(.infinity)), "null")
        XCTAssertEqual(written(.double(-.infinity)), "null")
    }

    func testQuotesAndBackslashesAreEscaped() {
        XCTAssertEqual(written(.string(#"say "hi""#)), #""say \"hi\"""#)
        XCTAssertEqual(written(.string(#"C:\dir\"#)), #""C:\\dir\\""#)
        XCTAssertEqual(written(.string(#"\""#)), #""\\\"""#)
        // The solidus needs no escape and gets none.
        XCTAssertEqual(written(.string("a/b")), #""a/b""#)
    }

    func testTextBetweenEscapesIsKeptWhole() {
        // Runs of text between escapes are copied as runs: multi-byte letters beside escapes,
        // escapes first and last, and JSON text held as a string (audit params) all come out exact.
        XCTAssertEqual(written(.string("\"Nguyễn\"\tVăn\\Đức\n")), #""\"Nguyễn\"\tVăn\\Đức\n""#)
        XCTAssertEqual(written(.string(#"{"full_name":"Trần Văn Đức","org":"MOHA"}"#)),
                       #""{\"full_name\":\"Trần Văn Đức\",\"org\":\"MOHA\"}""#)
        XCTAssertEqual(parseOK(written(.string("a\u{1}b\"c"))), .string("a\u{1}b\"c"))
    }

    func testEveryControlCharacterIsEscaped() {
        let named: [UInt8: String] = [0x09: #"\t"#, 0x0A: #"\n"#, 0x0D: #"\r"#]
        for byte in UInt8(0x00)...UInt8(0x1F) {
            let expected = named[byte] ?? String(format: "\\u%04x", byte)
            XCTAssertEqual(written(.string(String(UnicodeScalar(byte)))), "\"\(expected)\"", "byte \(byte)")
        }
        XCTAssertEqual(written(.string("\u{0}\u{8}\u{C}\u{1B}\u{1F}")), #""\u0000\u0008\u000c\u001b\u001f""#)
        // DEL is not a JSON control character: it is written raw.
        XCTAssertEqual(JSONWriter.bytes(.string("\u{7F}")), [0x22, 0x7F, 0x22])
        // The output holds no raw control character at all, so it always fits on one line.
        let all = String(String.UnicodeScalarView((0...0x1F).map { Unicode.Scalar(UInt8($0)) }))
        let bytes = JSONWriter.bytes(.string(all))
        XCTAssertFalse(bytes.contains { $0 < 0x20 })
        XCTAssertEqual(parseOK(bytes), .string(all))
    }

    func testNonASCIIIsWrittenAsRawUTF8() {
        for text in ["Nguyễn Thị Hương", "中文", "😀", "e\u{0301}", "\u{2028}\u{2029}", "\u{FEFF}", "\u{10FFFF}"] {
            XCTAssertEqual(JSONWriter.bytes(.string(text)), [0x22] + Array(text.utf8) + [0x22], text)
        }
        let bytes = JSONWriter.bytes(.object(["tên": .string("Hương")]))
        XCTAssertEqual(bytes, Array(#"{"tên":"Hương"}"#.utf8))
        XCTAssertFalse(utf8String(bytes).contains("\\u"))
    }

    func testObjectMembersAreSortedAndCompact() {
        let value: JSONValue = .object([
            "b": .int(1), "a": .int(2), "B": .int(3), "aa": .int(4), "_": .int(5), "a1": .int(6), "": .int(7),
        ])
        XCTAssertEqual(written(value), #"{"":7,"B":3,"_":5,"a":2,"a1":6,"aa":4,"b":1}"#)
    }

    func testNestedObjectsAreSortedAndArraysKeepTheirOrder() {
        let value: JSONValue = .object([
            "z": .array([.int(3), .int(1), .int(2), .object(["y": .null, "x": .bool(true)])]),
            "m": .object(["k2": .string("v"), "k1": .array([])]),
        ])
        XCTAssertEqual(written(value), #"{"m":{"k1":[],"k2":"v"},"z":[3,1,2,{"x":true,"y":null}]}"#)
    }

    func testEqualValuesGiveEqualBytes() {
        var first: [String: JSONValue] = [:]
        var second: [String: JSONValue] = [:]
        let keys = (0..<50).map { "key\($0)" }
        for key in keys { first[key] = .string(key) }
        for key in keys.reversed() { second[key] = .string(key) }
        XCTAssertEqual(JSONWriter.bytes(.object(first)), JSONWriter.bytes(.object(second)))
        XCTAssertEqual(written(.object(first)).hasPrefix(#"{"key0":"key0","key1":"key1","key10":"key10""#), true)
    }

    func testWriteAppendsToTheBuffer() {
        var out = Array("prefix:".utf8)
        JSONWriter.write(.array([.int(1), .string("x")]), into: &out)
        XCTAssertEqual(utf8String(out), #"prefix:[1,"x"]"#)
        var string = Array("=".utf8)
        JSONWriter.writeString("a\"b", into: &string)
        XCTAssertEqual(utf8String(string), #"="a\"b""#)
    }

    func testStringAndBytesAgree() {
        let value: JSONValue = .object(["a": .array([.null, .double(2.5), .string("ễ\n")])])
        XCTAssertEqual(Array(JSONWriter.string(value).utf8), JSONWriter.bytes(value))
    }
}
