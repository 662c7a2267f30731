import XCTest

@testable import TalentProtocol

final class SchemaTests: XCTestCase {
    // MARK: helpers

    private func compile(_ json: String, components: String = "{}", file: StaticString = #filePath, line: UInt = #line) -> Schema? {
        guard let schema = parseOK(json, file: file, line: line),
              let components = parseOK(components, file: file, line: line)?.objectValue else { return nil }
        do {
            return try Schema(schema, components: components)
        } catch {
            XCTFail("schema does not compile: \(error)", file: file, line: line)
            return nil
        }
    }

    private func compileError(_ json: String, components: String = "{}", file: StaticString = #filePath, line: UInt = #line) -> String? {
        guard let schema = parseOK(json, file: file, line: line),
              let components = parseOK(components, file: file, line: line)?.objectValue else { return nil }
        do {
            _ = try Schema(schema, components: components)
            XCTFail("schema compiled but should not: \(json)", file: file, line: line)
            return nil
        } catch let error as Schema.CompileError {
            return error.description
        } catch {
            XCTFail("unexpected error type \(error)", file: file, line: line)
            return nil
        }
    }

    private func assertAccepts(_ schema: Schema?, _ values: [String], file: StaticString = #filePath, line: UInt = #line) {
        guard let schema else { return }
        for text in values {
            guard let value = parseOK(text, file: file, line: line) else { continue }
            do throws(RPCError) {
                try schema.validate(value, field: "x")
            } catch {
                XCTFail("\(text) refused: \(error.field ?? "-"): \(error.message)", file: file, line: line)
            }
        }
    }

    /// Validates `value` as the param `x` and returns the refusal, checking it is invalid_params for `field`.
    @discardableResult
    private func assertRejects(_ schema: Schema?, _ text: String, field: String, message: String? = nil,
                               file: StaticString = #filePath, line: UInt = #line) -> RPCError? {
        guard let schema, let value = parseOK(text, file: file, line: line) else { return nil }
        do throws(RPCError) {
            try schema.validate(value, field: "x")
            XCTFail("\(text) accepted, expected a refusal naming \(field)", file: file, line: line)
            return nil
        } catch {
            check(error, field: field, message: message, text: text, file: file, line: line)
            return error
        }
    }

    /// Validates an object as a method's top-level params (field paths without a prefix).
    private func assertParamsRejected(_ schema: Schema?, _ text: String, field: String, message: String? = nil,
                                      file: StaticString = #filePath, line: UInt = #line) {
        guard let schema, let members = parseOK(text, file: file, line: line)?.objectValue else { return }
        do throws(RPCError) {
            try schema.validateMembers(members, prefix: "")
            XCTFail("\(text) accepted, expected a refusal naming \(field)", file: file, line: line)
        } catch {
            check(error, field: field, message: message, text: text, file: file, line: line)
        }
    }

    private func assertParamsAccepted(_ schema: Schema?, _ text: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let schema, let members = parseOK(text, file: file, line: line)?.objectValue else { return }
        do throws(RPCError) {
            try schema.validateMembers(members, prefix: "")
        } catch {
            XCTFail("\(text) refused: \(error.field ?? "-"): \(error.message)", file: file, line: line)
        }
    }

    private func check(_ error: RPCError, field: String, message: String?, text: String, file: StaticString, line: UInt) {
        XCTAssertEqual(error.code, -32602, text, file: file, line: line)
        XCTAssertEqual(error.reason, "invalid_params", text, file: file, line: line)
        XCTAssertEqual(error.field, field, text, file: file, line: line)
        if let message { XCTAssertEqual(error.message, message, text, file: file, line: line) }
    }

    // MARK: type

    func testTypeString() {
        let schema = compile(#"{"type":"string"}"#)
        assertAccepts(schema, [#""""#, #""a""#])
        assertRejects(schema, "1", field: "x", message: "x must be a string, not integer")
        assertRejects(schema, "null", field: "x", message: "x must be a string, not null")
        assertRejects(schema, "[]", field: "x", message: "x must be a string, not array")
    }

    func testTypeIntegerAndNumber() {
        let integer = compile(#"{"type":"integer"}"#)
        assertAccepts(integer, ["0", "-5", "9223372036854775807", "-9223372036854775808"])
        assertRejects(integer, "1.5", field: "x", message: "x must be an integer, not number")
        assertRejects(integer, #""1""#, field: "x", message: "x must be an integer, not string")
        // Outside 64 bits a number is not an integer (PROTOCOL.md §8).
        assertRejects(integer, "9223372036854775808", field: "x")
        assertRejects(integer, "-9223372036854775809", field: "x")
        assertRejects(integer, "1e30", field: "x")

        let number = compile(#"{"type":"number"}"#)
        assertAccepts(number, ["0", "1.5", "-2e10"])
        assertRejects(number, "true", field: "x", message: "x must be a number, not boolean")
    }

    func testTypeBooleanNullArrayObject() {
        assertAccepts(compile(#"{"type":"boolean"}"#), ["true", "false"])
        assertRejects(compile(#"{"type":"boolean"}"#), "0", field: "x", message: "x must be a boolean, not integer")
        assertAccepts(compile(#"{"type":"null"}"#), ["null"])
        assertRejects(compile(#"{"type":"null"}"#), "false", field: "x")
        assertAccepts(compile(#"{"type":"array"}"#), ["[]", "[1,\"a\"]"])
        assertRejects(compile(#"{"type":"array"}"#), "{}", field: "x", message: "x must be an array, not object")
        assertAccepts(compile(#"{"type":"object"}"#), ["{}", #"{"a":1}"#])
        assertRejects(compile(#"{"type":"object"}"#), "[]", field: "x", message: "x must be an object, not array")
    }

    func testSeveralTypes() {
        let schema = compile(#"{"type":["string","null"]}"#)
        assertAccepts(schema, ["null", #""a""#])
        assertRejects(schema, "1", field: "x", message: "x must be a null or string, not integer")
    }

    func testNoTypeAcceptsAnything() {
        assertAccepts(compile(#"{"description":"anything"}"#), ["null", "1", "\"s\"", "[]", "{}", "true", "1.5"])
    }

    // MARK: enum and const

    func testEnum() {
        let schema = compile(#"{"enum":["ok","degraded","failing"]}"#)
        assertAccepts(schema, [#""ok""#, #""failing""#])
        assertRejects(schema, #""OK""#, field: "x", message: #"x must be one of "ok", "degraded", "failing""#)
        assertRejects(schema, "1", field: "x")
        let mixed = compile(#"{"enum":[1,null,"a"]}"#)
        assertAccepts(mixed, ["1", "null", #""a""#])
        assertRejects(mixed, "2", field: "x", message: #"x must be one of 1, null, "a""#)
    }

    func testConst() {
        let schema = compile(#"{"const":"2.0"}"#)
        assertAccepts(schema, [#""2.0""#])
        assertRejects(schema, #""2""#, field: "x", message: #"x must be one of "2.0""#)
        assertRejects(schema, "2.0", field: "x")
        assertAccepts(compile(#"{"const":{"a":[1]}}"#), [#"{"a":[1]}"#])
        assertRejects(compile(#"{"const":{"a":[1]}}"#), #"{"a":[2]}"#, field: "x")
    }

    // MARK: objects

    func testPropertiesAndNestedFieldPaths() {
        let schema = compile(#"""
            {"type":"object","properties":{
              "a":{"type":"object","properties":{"b":{"type":"integer"}},"required":["b"]},
              "c":{"type":"string"}}}
            """#)
        assertParamsAccepted(schema, #"{"a":{"b":1},"c":"s"}"#)
        assertParamsAccepted(schema, #"{}"#)
        assertParamsRejected(schema, #"{"a":{"b":"x"}}"#, field: "a.b", message: "a.b must be an integer, not string")
        assertParamsRejected(schema, #"{"a":{}}"#, field: "a.b", message: "a.b is required")
        assertParamsRejected(schema, #"{"c":3}"#, field: "c", message: "c must be a string, not integer")
        // Nested below a named field.
        assertRejects(schema, #"{"a":{"b":true}}"#, field: "x.a.b")
        assertRejects(schema, #"{"a":[]}"#, field: "x.a", message: "x.a must be an object, not array")
    }

    func testRequired() {
        let schema = compile(#"{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"]}"#)
        assertParamsAccepted(schema, #"{"name":"n","age":3}"#)
        assertParamsRejected(schema, #"{"name":"n"}"#, field: "age", message: "age is required")
        assertParamsRejected(schema, #"{"age":3}"#, field: "name", message: "name is required")
        // Both missing: the first in sorted order is reported, so the answer is stable.
        assertParamsRejected(schema, #"{}"#, field: "age")
        // A null value is present, but of the wrong type.
        assertParamsRejected(schema, #"{"name":null,"age":3}"#, field: "name", message: "name must be a string, not null")
    }

    func testAdditionalPropertiesFalse() {
        let schema = compile(#"{"type":"object","properties":{"b":{},"a":{}},"additionalProperties":false}"#)
        assertParamsAccepted(schema, #"{"a":1,"b":2}"#)
        assertParamsRejected(schema, #"{"a":1,"zz":2}"#, field: "zz", message: "unknown parameter zz; allowed: a, b")
        assertRejects(schema, #"{"zz":2}"#, field: "x.zz", message: "unknown parameter x.zz; allowed: a, b")
        // With no properties at all: PROTOCOL.md's example message.
        let none = compile(#"{"type":"object","properties":{},"additionalProperties":false}"#)
        assertParamsAccepted(none, "{}")
        assertParamsRejected(none, #"{"verbose":true}"#, field: "verbose", message: "unknown parameter verbose; this takes none")
    }

    func testAdditionalPropertiesSchemaAndDefault() {
        let typed = compile(#"{"type":"object","properties":{"a":{}},"additionalProperties":{"type":"integer","minimum":0}}"#)
        assertParamsAccepted(typed, #"{"a":"anything","k":1,"l":0}"#)
        assertParamsRejected(typed, #"{"k":"s"}"#, field: "k", message: "k must be an integer, not string")
        assertParamsRejected(typed, #"{"k":-1}"#, field: "k", message: "k must be at least 0")
        // Absent or true: extra members are allowed.
        assertParamsAccepted(compile(#"{"type":"object","properties":{"a":{}}}"#), #"{"zz":1}"#)
        assertParamsAccepted(compile(#"{"type":"object","additionalProperties":true}"#), #"{"zz":1}"#)
    }

    // MARK: arrays

    func testItemsAndElementFieldPaths() {
        let schema = compile(#"""
            {"type":"object","properties":{"items":{"type":"array","items":{
              "type":"object","properties":{"name":{"type":"string","minLength":1}},"required":["name"]}}}}
            """#)
        assertParamsAccepted(schema, #"{"items":[{"name":"a"},{"name":"b"}]}"#)
        assertParamsAccepted(schema, #"{"items":[]}"#)
        assertParamsRejected(schema, #"{"items":[{"name":"a"},{"name":"b"},{"name":""}]}"#,
                             field: "items[2].name", message: "items[2].name must not be empty")
        assertParamsRejected(schema, #"{"items":[{"name":"a"},{}]}"#, field: "items[1].name", message: "items[1].name is required")
        assertParamsRejected(schema, #"{"items":[{"name":"a"},7]}"#, field: "items[1]", message: "items[1] must be an object, not integer")
        // Arrays of arrays.
        let matrix = compile(#"{"type":"array","items":{"type":"array","items":{"type":"integer"}}}"#)
        assertAccepts(matrix, ["[[1,2],[],[3]]"])
        assertRejects(matrix, "[[1,2],[3,\"x\"]]", field: "x[1][1]")
    }

    func testMinItemsAndMaxItems() {
        let schema = compile(#"{"type":"array","minItems":2,"maxItems":3}"#)
        assertAccepts(schema, ["[1,2]", "[1,2,3]"])
        assertRejects(schema, "[1]", field: "x", message: "x must have at least 2 items")
        assertRejects(schema, "[]", field: "x", message: "x must have at least 2 items")
        assertRejects(schema, "[1,2,3,4]", field: "x", message: "x must have at most 3 items")
    }

    // MARK: strings

    func testMinLengthAndMaxLengthCountUnicodeScalars() {
        let schema = compile(#"{"type":"string","minLength":2,"maxLength":3}"#)
        assertAccepts(schema, [#""ab""#, #""abc""#, "\"\u{1EC5}\u{1EC5}\u{1EC5}\"", "\"\u{1F600}\u{1F600}\""])
        assertRejects(schema, #""a""#, field: "x", message: "x must be at least 2 characters")
        assertRejects(schema, #""abcd""#, field: "x", message: "x must be at most 3 characters")
        // One emoji is one scalar though four bytes; a combining mark is a scalar of its own.
        assertRejects(schema, #""😀""#, field: "x")
        assertRejects(schema, "\"e\u{0301}e\u{0301}\"", field: "x", message: "x must be at most 3 characters")
        assertRejects(compile(#"{"type":"string","minLength":1}"#), #""""#, field: "x", message: "x must not be empty")
        // Length rules do not apply to other types.
        assertAccepts(compile(#"{"minLength":5}"#), ["1", "[]"])
    }

    func testPattern() {
        let schema = compile(#"{"type":"string","pattern":"^[a-z][a-z_]*$"}"#)
        assertAccepts(schema, [#""abc_d""#, #""a""#])
        assertRejects(schema, #""Abc""#, field: "x", message: "x must match ^[a-z][a-z_]*$")
        assertRejects(schema, #""a b""#, field: "x")
        assertRejects(schema, #""""#, field: "x")
        let date = compile(#"{"type":"string","pattern":"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}"#)
        assertAccepts(date, [#""2025-07-01""#])
        assertRejects(date, #""2025-7-01""#, field: "x")
        let hinted = compile(#"{"type":"string","pattern":"^[0-9]{12}$","x-format-hint":"12 digits, for example 001085012345"}"#)
        assertRejects(hinted, #""12345""#, field: "x", message: #"x must be 12 digits, for example 001085012345, not "12345""#)
        // Patterns apply to strings only.
        assertAccepts(compile(#"{"pattern":"^a$"}"#), ["1"])
    }

    func testPatternIsNotImplicitlyAnchored() throws {
        assertAccepts(compile(#"{"type":"string","pattern":"b"}"#), [#""abc""#])
        assertAccepts(compile(#"{"type":"string","pattern":"^3\\.[0-9]+\\.[0-9]+"}"#), [#""3.40.1-beta""#])
    }

    func testInvalidPatternIsRefusedAtCompileTime() {
        let description = compileError(#"{"type":"string","pattern":"[a-"}"#)
        XCTAssertTrue(description?.contains("invalid pattern [a-") ?? false, description ?? "")
    }

    // MARK: numbers

    func testMinimumAndMaximumAreInclusive() {
        let schema = compile(#"{"type":"integer","minimum":1,"maximum":10}"#)
        assertAccepts(schema, ["1", "10", "5"])
        assertRejects(schema, "0", field: "x", message: "x must be at least 1")
        assertRejects(schema, "11", field: "x", message: "x must be at most 10")
        assertRejects(schema, "-9223372036854775808", field: "x")
        let fractional = compile(#"{"type":"number","minimum":0.5,"maximum":2.5}"#)
        assertAccepts(fractional, ["0.5", "2.5", "1"])
        assertRejects(fractional, "0.49", field: "x", message: "x must be at least 0.5")
        assertRejects(fractional, "2.51", field: "x", message: "x must be at most 2.5")
        // Bounds do not apply to other types.
        assertAccepts(compile(#"{"minimum":5}"#), [#""1""#])
    }

    func testBoundsCompareIntegersExactly() throws {
        assertRejects(compile(#"{"type":"integer","maximum":9007199254740992}"#), "9007199254740993", field: "x")
        assertRejects(compile(#"{"type":"integer","minimum":-9007199254740992}"#), "-9007199254740993", field: "x")
    }

    // MARK: formats

    func testFormatDate() {
        let schema = compile(#"{"type":"string","format":"date"}"#)
        assertAccepts(schema, [#""2024-02-29""#, #""2000-02-29""#, #""2025-12-31""#, #""2025-01-01""#, #""2025-04-30""#])
        assertRejects(schema, #""2025-02-29""#, field: "x", message: #"x must be a date as YYYY-MM-DD, for example 1985-03-08; "2025-02-29" is not a day of the calendar"#)
        for bad in ["1900-02-29", "2100-02-29", "2024-02-30", "2025-04-31", "2025-13-01", "2025-00-10", "2025-01-00",
                    "2025-01-32", "2025-4-01", "25-04-01", "2025/04/01", "2025-04-01T00:00:00Z", "", "2025-04-1 ",
                    " 2025-04-01", "abcd-ef-gh", "-2025-04-01"] {
            assertRejects(schema, "\"\(bad)\"", field: "x")
        }
    }

    func testFormatDateRefusesSignedNumbers() throws {
        for bad in ["2024-+1-05", "2024-01-+5", "+202-01-01"] {
            XCTAssertNil(CalendarDate(bad), bad)
            assertRejects(compile(#"{"type":"string","format":"date"}"#), "\"\(bad)\"", field: "x")
        }
    }

    func testFormatDateTime() {
        let schema = compile(#"{"type":"string","format":"date-time"}"#)
        assertAccepts(schema, [#""2026-11-22T13:44:04.123Z""#, #""2025-07-01T08:00:00Z""#, #""2025-07-01T08:00:00+07:00""#,
                               #""2025-07-01T08:00:00-05:00""#])
        assertRejects(schema, #""2025-07-01 08:00:00Z""#, field: "x",
                      message: #"x must be an ISO 8601 date and time in UTC, for example 2025-07-01T08:00:00Z, not "2025-07-01 08:00:00Z""#)
        for bad in ["2025-02-29T08:00:00Z", "2025-07-01", "2025-07-01T08:00:00", "2025-07-01T08:00:00.123", "T08:00:00Z", ""] {
            assertRejects(schema, "\"\(bad)\"", field: "x")
        }
    }

    func testFormatDateTimeChecksTheTime() throws {
        let schema = compile(#"{"type":"string","format":"date-time"}"#)
        for bad in ["2025-07-01T99:99:99Z", "2025-07-01T24:00:01Z", "2025-07-01Tnonsense!!Z"] {
            assertRejects(schema, "\"\(bad)\"", field: "x")
        }
    }

    // MARK: anyOf

    func testAnyOf() {
        let schema = compile(#"{"anyOf":[{"type":"string"},{"type":"integer","minimum":0}]}"#)
        assertAccepts(schema, [#""a""#, "0", "5"])
        // When no option fits, the first option's complaint is reported.
        assertRejects(schema, "-1", field: "x", message: "x must be a string, not integer")
        assertRejects(schema, "true", field: "x", message: "x must be a string, not boolean")
        // Inside an object, with the path.
        let nested = compile(#"{"type":"object","properties":{"v":{"anyOf":[{"type":"null"},{"type":"string","format":"date"}]}}}"#)
        assertParamsAccepted(nested, #"{"v":null}"#)
        assertParamsAccepted(nested, #"{"v":"2024-02-29"}"#)
        assertParamsRejected(nested, #"{"v":"2025-02-29"}"#, field: "v", message: "v must be a null, not string")
    }

    // MARK: $ref

    private let components = #"""
        {"Name":{"type":"string","minLength":1,"maxLength":5},
         "Person":{"type":"object","properties":{"name":{"$ref":"#/components/schemas/Name"}},"required":["name"],
                   "additionalProperties":false}}
        """#

    func testRefResolvesToComponents() {
        let schema = compile(##"{"$ref":"#/components/schemas/Name"}"##, components: components)
        assertAccepts(schema, [#""ann""#])
        assertRejects(schema, #""""#, field: "x", message: "x must not be empty")
        assertRejects(schema, "1", field: "x", message: "x must be a string, not integer")
        // A $ref inside a component, reached through items: paths are those of the value.
        let team = compile(##"{"type":"object","properties":{"members":{"type":"array","items":{"$ref":"#/components/schemas/Person"}}}}"##,
                           components: components)
        assertParamsAccepted(team, #"{"members":[{"name":"a"},{"name":"b"}]}"#)
        assertParamsRejected(team, #"{"members":[{"name":"a"},{"name":"b"},{"name":"toolong"}]}"#,
                             field: "members[2].name", message: "members[2].name must be at most 5 characters")
        assertParamsRejected(team, #"{"members":[{"name":"a","age":3}]}"#, field: "members[0].age")
        assertParamsRejected(team, #"{"members":[{}]}"#, field: "members[0].name", message: "members[0].name is required")
    }

    func testKeywordsBesideRefOverrideTheTarget() {
        let schema = compile(##"{"$ref":"#/components/schemas/Name","maxLength":2,"description":"short"}"##, components: components)
        assertAccepts(schema, [#""ab""#])
        assertRejects(schema, #""abc""#, field: "x", message: "x must be at most 2 characters")
    }

    func testUnresolvableRefIsRefusedAtCompileTime() {
        for ref in ["#/components/schemas/Missing", "#/definitions/Name", "other.json#/components/schemas/Name", "Name"] {
            let description = compileError(#"{"$ref":"\#(ref)"}"#, components: components)
            XCTAssertEqual(description, "#: unresolvable $ref \(ref)")
        }
        let nested = compileError(##"{"properties":{"a":{"items":{"$ref":"#/components/schemas/Nope"}}}}"##)
        XCTAssertEqual(nested, "#.a[]: unresolvable $ref #/components/schemas/Nope")
    }

    func testRefToARefIsFollowed() throws {
        let schema = compile(##"{"$ref":"#/components/schemas/Alias"}"##,
                             components: ##"{"Alias":{"$ref":"#/components/schemas/Real"},"Real":{"type":"string"}}"##)
        assertRejects(schema, "1", field: "x", message: "x must be a string, not integer")
    }

    // MARK: unknown keywords

    func testUnknownKeywordsAreRefusedAtCompileTime() {
        XCTAssertEqual(compileError(#"{"type":"string","minlength":1}"#), #"#: unsupported schema keyword "minlength""#)
        XCTAssertEqual(compileError(#"{"type":"object","properties":{"a":{"oneOf":[]}}}"#), #"#.a: unsupported schema keyword "oneOf""#)
        XCTAssertEqual(compileError(#"{"type":"array","items":{"uniqueItems":true}}"#), #"#[]: unsupported schema keyword "uniqueItems""#)
        XCTAssertEqual(compileError(#"{"anyOf":[{},{"exclusiveMinimum":0}]}"#), #"#.anyOf[1]: unsupported schema keyword "exclusiveMinimum""#)
        XCTAssertEqual(compileError(#"{"additionalProperties":{"not":{}}}"#), #"#.*: unsupported schema keyword "not""#)
        // In a component reached through $ref.
        XCTAssertEqual(compileError(##"{"$ref":"#/components/schemas/Bad"}"##, components: ##"{"Bad":{"multipleOf":2}}"##),
                       #"#: unsupported schema keyword "multipleOf""#)
        // A schema must be an object.
        XCTAssertEqual(compileError("true"), "#: a schema must be an object")
        XCTAssertEqual(compileError(#"{"properties":{"a":"string"}}"#), "#.a: a schema must be an object")
    }

    func testAnnotationKeywordsAreAllowed() {
        assertAccepts(compile(#"{"type":"string","description":"d","title":"t","examples":["e"],"default":"x","x-secret":true}"#),
                      [#""s""#])
    }

    // MARK: CalendarDate

    func testCalendarDateParsing() {
        let date = CalendarDate("2024-02-29")
        XCTAssertEqual(date?.year, 2024)
        XCTAssertEqual(date?.month, 2)
        XCTAssertEqual(date?.day, 29)
        XCTAssertEqual(date?.description, "2024-02-29")
        XCTAssertNil(CalendarDate("2025-02-29"))
        XCTAssertNotNil(CalendarDate("2000-02-29"))
        XCTAssertNil(CalendarDate("1900-02-29"))
        XCTAssertEqual(CalendarDate("0005-01-09")?.description, "0005-01-09")
        XCTAssertNil(CalendarDate("20240229"))
        XCTAssertNil(CalendarDate("2024-02-29 "))
        XCTAssertNil(CalendarDate("2024-02"))
        // Digits are ASCII digits only, read from the bytes.
        XCTAssertNil(CalendarDate("２０２４-01-01"))
        XCTAssertNil(CalendarDate("2024-01-0٣"))
        XCTAssertNil(CalendarDate("2024-01-1\u{0}"))
        let days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        for (index, count) in days.enumerated() {
            let month = index + 1 < 10 ? "0\(index + 1)" : "\(index + 1)"
            XCTAssertNotNil(CalendarDate("2025-\(month)-\(count)"), "2025-\(month)-\(count)")
            XCTAssertNil(CalendarDate("2025-\(month)-\(count + 1)"), "2025-\(month)-\(count + 1)")
        }
    }

    func testEveryDayOfTheGregorianCalendarParsesAndPrintsAsGiven() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for start in ["1899-12-25", "1999-12-01", "2024-01-01", "2099-12-20"] {
            var day = ISO8601DateFormatter().date(from: start + "T00:00:00Z")!
            for _ in 0..<400 {
                let parts = calendar.dateComponents([.year, .month, .day], from: day)
                let text = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
                XCTAssertEqual(CalendarDate(text)?.description, text)
                day = calendar.date(byAdding: .day, value: 1, to: day)!
            }
        }
    }

    func testCalendarDateOrdering() {
        func d(_ text: String) -> CalendarDate { CalendarDate(text)! }
        XCTAssertLessThan(d("2024-12-31"), d("2025-01-01"))
        XCTAssertLessThan(d("2025-01-09"), d("2025-01-10"))
        XCTAssertLessThan(d("2025-01-31"), d("2025-02-01"))
        XCTAssertFalse(d("2025-03-01") < d("2025-03-01"))
        XCTAssertGreaterThan(d("2025-02-01"), d("2025-01-31"))
        XCTAssertEqual(d("2025-03-01"), d("2025-03-01"))
        XCTAssertNotEqual(d("2025-03-01"), d("2025-03-02"))
        XCTAssertEqual(Set([d("2025-03-01"), d("2025-03-01"), d("2024-03-01")]).count, 2)
        let shuffled = ["2025-06-30", "2024-02-29", "2025-01-01", "1999-12-31", "2025-06-03"].map(d)
        XCTAssertEqual(shuffled.sorted().map(\.description), ["1999-12-31", "2024-02-29", "2025-01-01", "2025-06-03", "2025-06-30"])
        // Same order as the text, since the format is fixed-width.
        XCTAssertEqual(shuffled.sorted().map(\.description), shuffled.map(\.description).sorted())
    }

    // MARK: the text rule

    func testStringsRefuseNulAndControlCharactersButTab() {
        let single = compile(#"{"type": "string"}"#)
        assertAccepts(single, [#""Nguyễn Văn A""#, #""tab\there""#, #""""#])
        for bad in [#""Nguyen\u0000Evil""#, #""line\nbreak""#, #""cr\r""#, #""esc\u001b[31m""#, #""\u0001""#, #""\u001f""#] {
            assertRejects(single, bad, field: "x")
        }
        let error = assertRejects(single, #""ACME\u0000 hidden""#, field: "x")
        XCTAssertEqual(error?.message.contains("NUL (U+0000) (character 5)"), true, error?.message ?? "")
        // The rule holds whatever the schema says, down to nested members and array items.
        let nested = compile(#"{"type": "object", "properties": {"a": {"type": "array", "items": {}}}}"#)
        assertRejects(nested, #"{"a": ["ok", "bad\u0007"]}"#, field: "x.a[1]")
    }

    func testMultilineStringsAllowLineBreaksButNeverNul() {
        let multiline = compile(#"{"type": "string", "x-multiline": true}"#)
        assertAccepts(multiline, [#""first line\nsecond line""#, #""windows\r\nline""#, #""tab\t""#])
        assertRejects(multiline, #""a\u0000b""#, field: "x")
        assertRejects(multiline, #""bell\u0007""#, field: "x")
    }
}
