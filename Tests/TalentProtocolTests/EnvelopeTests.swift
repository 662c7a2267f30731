import XCTest

@testable import TalentProtocol

/// The JSON-RPC 2.0 envelope: the cases of the specification's examples section
/// (https://www.jsonrpc.org/specification#examples) plus PROTOCOL.md §3's stricter rules.
final class EnvelopeTests: XCTestCase {
    /// What the dispatcher's fast path finds in a line (nil: it leaves the line to the general way).
    private func fastPath(_ json: String) -> Request? {
        Array(json.utf8).withUnsafeBytes { JSONParser.parseEnvelope($0, maxDepth: 64).flatMap(Request.valid) }
    }

    private func accepted(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> Request? {
        guard let value = parseOK(json, file: file, line: line) else { return nil }
        switch Request.validate(value) {
        case .success(let request):
            // The fast path finds the very same request, or (an id to rewrite) leaves it alone.
            if let fast = fastPath(json) {
                XCTAssertEqual(fast.id, request.id, "fast path id", file: file, line: line)
                XCTAssertEqual(fast.method, request.method, "fast path method", file: file, line: line)
                XCTAssertEqual(fast.params, request.params, "fast path params", file: file, line: line)
            } else if case .double = value["id"] {
            } else {
                XCTFail("the fast path left a plain valid request to the general way", file: file, line: line)
            }
            return request
        case .failure(let failure):
            XCTFail("expected a valid request, got \(failure.error.reason): \(failure.error.message)", file: file, line: line)
            return nil
        }
    }

    private func assertRefused(_ json: String, id: JSONValue, code: Int, reason: String, field: String? = nil,
                               notification: Bool = false, file: StaticString = #filePath, line: UInt = #line) {
        guard let value = parseOK(json, file: file, line: line) else { return }
        // Refusals are always answered by the general way, so their errors stay the same.
        XCTAssertNil(fastPath(json), "the fast path accepted a request the general way refuses", file: file, line: line)
        assertRefused(value, id: id, code: code, reason: reason, field: field, notification: notification, file: file, line: line)
    }

    private func assertRefused(_ value: JSONValue, id: JSONValue, code: Int, reason: String, field: String? = nil,
                               notification: Bool = false, file: StaticString = #filePath, line: UInt = #line) {
        switch Request.validate(value) {
        case .success(let request):
            XCTFail("expected \(reason), got a valid request for \(request.method)", file: file, line: line)
        case .failure(let failure):
            XCTAssertEqual(failure.id, id, "answer id", file: file, line: line)
            XCTAssertEqual(failure.error.code, code, "code", file: file, line: line)
            XCTAssertEqual(failure.error.reason, reason, "reason", file: file, line: line)
            XCTAssertEqual(failure.error.field, field, "field", file: file, line: line)
            XCTAssertEqual(failure.isNotification, notification, "isNotification", file: file, line: line)
            XCTAssertFalse(failure.error.message.isEmpty, file: file, line: line)
        }
    }

    // MARK: the specification's examples

    func testSpecPositionalParamsAreRefusedWithFieldParams() {
        // rpc call with positional parameters: this daemon takes params by name only.
        assertRefused(#"{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}"#,
                      id: .int(1), code: -32602, reason: "invalid_params", field: "params")
        assertRefused(#"{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}"#,
                      id: .int(2), code: -32602, reason: "invalid_params", field: "params")
    }

    func testSpecNamedParams() {
        let request = accepted(#"{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}"#)
        XCTAssertEqual(request?.method, "subtract")
        XCTAssertEqual(request?.id, .int(3))
        XCTAssertEqual(request?.params, ["subtrahend": .int(23), "minuend": .int(42)])
        let again = accepted(#"{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}"#)
        XCTAssertEqual(again?.id, .int(4))
        XCTAssertEqual(again?.params, request?.params)
    }

    func testSpecNotifications() {
        let foobar = accepted(#"{"jsonrpc": "2.0", "method": "foobar"}"#)
        XCTAssertEqual(foobar?.method, "foobar")
        XCTAssertNotNil(foobar)
        XCTAssertNil(foobar?.id, "no id member: a notification")
        XCTAssertEqual(foobar?.params, [:])
        // A notification with positional params fails, and, being a notification, is not answered.
        assertRefused(#"{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}"#,
                      id: .null, code: -32602, reason: "invalid_params", field: "params", notification: true)
    }

    func testSpecNonExistentMethodIsAValidEnvelope() {
        // "Method not found" is decided by the dispatcher; the envelope itself is fine.
        let request = accepted(#"{"jsonrpc": "2.0", "method": "foobar", "id": "1"}"#)
        XCTAssertEqual(request?.id, .string("1"))
        XCTAssertEqual(request?.method, "foobar")
    }

    func testSpecInvalidJSONIsAParseError() {
        XCTAssertEqual(parseFailure(#"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#)?.kind, .syntax)
        XCTAssertEqual(parseFailure(#"[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method"]"#)?.kind, .syntax)
    }

    func testSpecInvalidRequestObject() {
        assertRefused(#"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#, id: .null, code: -32600, reason: "invalid_request")
    }

    func testSpecBatchEntriesThatAreNotRequests() {
        // "[1]" and "[1,2,3]": each entry is its own invalid_request with id null.
        for entry: JSONValue in [.int(1), .int(2), .string("x"), .null, .bool(true), .array([]), .double(1.5)] {
            assertRefused(entry, id: .null, code: -32600, reason: "invalid_request")
        }
        assertRefused(#"{"foo": "boo"}"#, id: .null, code: -32600, reason: "invalid_request")
        // The other entries of the spec's batch example.
        XCTAssertEqual(accepted(#"{"jsonrpc": "2.0", "method": "sum", "params": {"a":1}, "id": "1"}"#)?.id, .string("1"))
        XCTAssertNil(accepted(#"{"jsonrpc": "2.0", "method": "notify_hello", "params": {"v": 7}}"#)?.id)
        XCTAssertEqual(accepted(#"{"jsonrpc": "2.0", "method": "get_data", "id": "9"}"#)?.id, .string("9"))
        assertRefused(#"{"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]}"#,
                      id: .null, code: -32602, reason: "invalid_params", field: "params", notification: true)
    }

    // MARK: jsonrpc

    func testJsonrpcMustBeExactlyTheString2Point0() {
        for bad in [#""1.0""#, "2.0", "2", #""2""#, #""2.0 ""#, #"" 2.0""#, #""2.00""#, "null", #"["2.0"]"#] {
            assertRefused(#"{"jsonrpc":\#(bad),"method":"m","id":7}"#, id: .int(7), code: -32600, reason: "invalid_request")
        }
        assertRefused(#"{"method":"m","id":7}"#, id: .int(7), code: -32600, reason: "invalid_request")
        // Not a notification either, even without an id: it is answered (with id null).
        assertRefused(#"{"jsonrpc":"1.0","method":"m"}"#, id: .null, code: -32600, reason: "invalid_request")
    }

    // MARK: method

    func testMethodMustBeAString() {
        assertRefused(#"{"jsonrpc":"2.0","id":"a"}"#, id: .string("a"), code: -32600, reason: "invalid_request")
        for bad in ["1", "null", "true", "[]", "{}", #"["m"]"#, "1.5"] {
            assertRefused(#"{"jsonrpc":"2.0","id":"a","method":\#(bad)}"#, id: .string("a"), code: -32600, reason: "invalid_request")
        }
        // Without an id it is still answered.
        assertRefused(#"{"jsonrpc":"2.0"}"#, id: .null, code: -32600, reason: "invalid_request")
        // Any string is a valid method name for the envelope.
        XCTAssertEqual(accepted(#"{"jsonrpc":"2.0","id":1,"method":""}"#)?.method, "")
        XCTAssertEqual(accepted(#"{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}"#)?.method, "rpc.discover")
    }

    // MARK: id

    func testIdsThatAreEchoed() {
        let cases: [(String, JSONValue)] = [
            (#""abc""#, .string("abc")), (#""""#, .string("")), (#""Nguyễn""#, .string("Nguyễn")),
            ("0", .int(0)), ("42", .int(42)), ("-7", .int(-7)),
            ("9223372036854775807", .int(Int64.max)), ("-9223372036854775808", .int(Int64.min)),
            ("9007199254740993", .int(9_007_199_254_740_993)),
        ]
        for (text, id) in cases {
            let request = accepted(#"{"jsonrpc":"2.0","id":\#(text),"method":"m"}"#)
            XCTAssertEqual(request?.id, id, text)
        }
    }

    /// One rule for numbers, ids as params: an integral number is that integer however written.
    func testIntegralNumericIdsAreThatInteger() {
        let cases: [(String, Int64)] = [("1.0", 1), ("-0", 0), ("-0.0", 0), ("1e2", 100), ("-7.0", -7), ("2.5e1", 25)]
        for (text, id) in cases {
            XCTAssertEqual(accepted(#"{"jsonrpc":"2.0","id":\#(text),"method":"m"}"#)?.id, .int(id), text)
        }
        var out: [UInt8] = []
        Response.success(id: accepted(#"{"jsonrpc":"2.0","id":1.0,"method":"m"}"#)!.id!, result: .null, into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), #"{"jsonrpc":"2.0","id":1,"result":null}"#)
    }

    func testNullIdIsAnsweredAndIsNotANotification() {
        let request = accepted(#"{"jsonrpc":"2.0","id":null,"method":"m"}"#)
        XCTAssertNotNil(request)
        XCTAssertEqual(request?.id, .some(.null), "id null must be kept, distinct from an absent id")
        // And an error for it is answered, not dropped as for a notification.
        assertRefused(#"{"jsonrpc":"2.0","id":null,"method":"m","params":[1]}"#,
                      id: .null, code: -32602, reason: "invalid_params", field: "params", notification: false)
    }

    func testIdsOfTheWrongTypeAreInvalidRequestsAnsweredWithNullId() {
        for bad in ["1.5", "-0.25", "1e-3", "true", "false", #"{"a":1}"#, "{}", "[1]", "[]"] {
            assertRefused(#"{"jsonrpc":"2.0","id":\#(bad),"method":"m"}"#, id: .null, code: -32600, reason: "invalid_request")
        }
        // The id is checked first: a bad id hides other problems and is never echoed.
        assertRefused(#"{"jsonrpc":"1.0","id":true}"#, id: .null, code: -32600, reason: "invalid_request")
    }

    func testNumericIdOutsideInt64IsInvalid() throws {
        for bad in ["9223372036854775808", "-9223372036854775809", "1e300"] {
            assertRefused(#"{"jsonrpc":"2.0","id":\#(bad),"method":"m"}"#, id: .null, code: -32600, reason: "invalid_request")
        }
    }

    // MARK: params

    func testParamsByNameOmittedOrEmpty() {
        XCTAssertEqual(accepted(#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":[1,{"b":null}],"c":"d"}}"#)?.params,
                       ["a": .array([.int(1), .object(["b": .null])]), "c": .string("d")])
        XCTAssertEqual(accepted(#"{"jsonrpc":"2.0","id":1,"method":"m"}"#)?.params, [:])
        XCTAssertEqual(accepted(#"{"jsonrpc":"2.0","id":1,"method":"m","params":{}}"#)?.params, [:])
        // An empty array means no params.
        XCTAssertEqual(accepted(#"{"jsonrpc":"2.0","id":1,"method":"m","params":[]}"#)?.params, [:])
        XCTAssertNil(accepted(#"{"jsonrpc":"2.0","method":"m","params":[]}"#)?.id)
    }

    func testParamsByPositionAreInvalidParamsWithFieldParams() {
        for positional in ["[1]", "[{}]", "[null]", #"[{"a":1}]"#, "[[]]"] {
            assertRefused(#"{"jsonrpc":"2.0","id":"p","method":"m","params":\#(positional)}"#,
                          id: .string("p"), code: -32602, reason: "invalid_params", field: "params")
        }
    }

    func testParamsOfAnyOtherTypeAreInvalidRequests() {
        for bad in [#""x""#, "1", "1.5", "null", "true", "false"] {
            assertRefused(#"{"jsonrpc":"2.0","id":9,"method":"m","params":\#(bad)}"#, id: .int(9), code: -32600, reason: "invalid_request")
        }
        // Without an id this is not a recognizable request, so it is answered.
        assertRefused(#"{"jsonrpc":"2.0","method":"m","params":"x"}"#, id: .null, code: -32600, reason: "invalid_request")
    }

    // MARK: members

    func testUnknownMembersAreInvalidRequests() {
        for member in ["auth", "meta", "ID", "Method", "jsonrpc2", "result", "error", ""] {
            assertRefused(#"{"jsonrpc":"2.0","id":1,"method":"m","\#(member)":true}"#, id: .int(1), code: -32600, reason: "invalid_request")
        }
        // Without an id: still answered, it is not a notification.
        assertRefused(#"{"jsonrpc":"2.0","method":"m","auth":"token"}"#, id: .null, code: -32600, reason: "invalid_request")
    }

    func testARequestMustBeAnObject() {
        for value: JSONValue in [.string("m"), .int(1), .null, .array([.object(["jsonrpc": "2.0", "method": "m"])])] {
            assertRefused(value, id: .null, code: -32600, reason: "invalid_request")
        }
    }

    func testTheFastPathLeavesAnythingUnusualToTheGeneralWay() {
        let deep = #"{"jsonrpc":"2.0","method":"m","params":"# + String(repeating: "[", count: 64) + String(repeating: "]", count: 64) + "}"
        for line in [#"{"jsonrpc":"2.0","method":"m","method":"n"}"#, #"{"jsonrpc":"2.0","method":"m"} x"#,
                     #"{"jsonrpc":"2.0","meth\u006fd":"m"}"#, #"{"jsonrpc":"2.0","method":"m",}"#, #"{}"#,
                     #"[{"jsonrpc":"2.0","method":"m"}]"#, #"{"jsonrpc":"2.0","method":"m","id":1.0}"#, deep,
                     #"{"jsonrpc":"2.0","method":"m""#, #"{"jsonrpc":"2.0","method":"m","id":[1]}"#] {
            XCTAssertNil(fastPath(line), line)
        }
        // Whitespace anywhere JSON allows it is fine.
        XCTAssertEqual(fastPath(" {\t\"jsonrpc\" : \"2.0\" ,\"method\":\"m\", \"id\" :7 }\r ")?.id, .int(7))
    }

    func testMemberOrderDoesNotMatter() {
        let request = accepted(#"{"params":{"x":1},"method":"m","id":"z","jsonrpc":"2.0"}"#)
        XCTAssertEqual(request?.id, .string("z"))
        XCTAssertEqual(request?.params, ["x": .int(1)])
    }

    // MARK: errors

    func testErrorJSONShape() {
        let error = RPCError.invalidParams(field: "members[2].name", "members[2].name must not be empty")
        XCTAssertEqual(error.json, .object([
            "code": .int(-32602),
            "message": .string("members[2].name must not be empty"),
            "data": .object(["reason": .string("invalid_params"), "field": .string("members[2].name")]),
        ]))
        // Without a field, data holds the reason only.
        XCTAssertEqual(RPCError.parseError("bad").json, .object([
            "code": .int(-32700), "message": .string("bad"), "data": .object(["reason": .string("parse_error")]),
        ]))
    }

    func testErrorDetailsGoIntoDataButCannotOverrideReasonOrField() {
        let conflict = RPCError.conflict("clash", details: ["id": .int(7), "reason": .string("forged")])
        XCTAssertEqual(conflict.json["data"], .object(["id": .int(7), "reason": .string("conflict")]))
        var withField = RPCError.invalidParams(field: "a", "m")
        withField.details = ["field": .string("forged"), "hint": .string("h")]
        XCTAssertEqual(withField.json["data"], .object(["field": .string("a"), "reason": .string("invalid_params"), "hint": .string("h")]))
    }

    func testEveryReasonHasTheCodeOfThePROTOCOLTable() {
        let table: [(RPCError, Int, String)] = [
            (.parseError("m"), -32700, "parse_error"),
            (.invalidRequest("m"), -32600, "invalid_request"),
            (.methodNotFound("no.such"), -32601, "method_not_found"),
            (.invalidParams(field: "f", "m"), -32602, "invalid_params"),
            (.internalError(), -32603, "internal"),
            (.tooLarge("m"), -32000, "too_large"),
            (.overloaded("m"), -32001, "overloaded"),
            (.unavailable("m"), -32002, "unavailable"),
            (.notFound("m"), -32004, "not_found"),
            (.conflict("m"), -32005, "conflict"),
            (.invalidState("m"), -32006, "invalid_state"),
        ]
        for (error, code, reason) in table {
            XCTAssertEqual(error.code, code, reason)
            XCTAssertEqual(error.reason, reason)
            XCTAssertEqual(error.json["code"], .int(Int64(code)), reason)
            XCTAssertEqual(error.json["data"]?["reason"], .string(reason))
            XCTAssertEqual(error.field, reason == "invalid_params" ? "f" : nil, reason)
        }
        XCTAssertTrue(RPCError.methodNotFound("no.such").message.contains("no.such"))
        XCTAssertEqual(RPCError.internalError().message, "internal error; the daemon log has details")
    }

    // MARK: response bytes

    func testSuccessResponseBytes() {
        var out: [UInt8] = []
        Response.success(id: .int(1), result: .object(["time": "t", "pong": true]), into: &out)
        XCTAssertEqual(utf8String(out), #"{"jsonrpc":"2.0","id":1,"result":{"pong":true,"time":"t"}}"#)
        out = []
        Response.success(id: .string("Nguyễn"), result: .array([.null]), into: &out)
        XCTAssertEqual(utf8String(out), #"{"jsonrpc":"2.0","id":"Nguyễn","result":[null]}"#)
        out = []
        Response.success(id: .null, result: .null, into: &out)
        XCTAssertEqual(utf8String(out), #"{"jsonrpc":"2.0","id":null,"result":null}"#)
    }

    func testFailureResponseBytesMatchThePROTOCOLExample() {
        var out: [UInt8] = []
        Response.failure(id: .string("h-7"),
                         error: .invalidParams(field: "verbose", "unknown parameter verbose; this takes none"), into: &out)
        XCTAssertEqual(utf8String(out),
                       #"{"jsonrpc":"2.0","id":"h-7","error":{"code":-32602,"data":{"field":"verbose","reason":"invalid_params"},"message":"unknown parameter verbose; this takes none"}}"#)
    }

    func testFailureLineEndsWithOneNewlineAndParses() {
        let line = Response.failureLine(id: .null, error: .tooLarge("line \"too\"\nlong"))
        XCTAssertEqual(line.last, 0x0A)
        XCTAssertEqual(line.filter { $0 == 0x0A }.count, 1, "exactly one newline: the terminator")
        XCTAssertFalse(line.contains(0x0D))
        XCTAssertEqual(utf8String(Array(line.dropLast())),
                       #"{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"data":{"reason":"too_large"},"message":"line \"too\"\nlong"}}"#)
        XCTAssertEqual(parseOK(Array(line.dropLast())), .object([
            "jsonrpc": "2.0", "id": .null,
            "error": .object(["code": .int(-32000), "message": .string("line \"too\"\nlong"), "data": .object(["reason": "too_large"])]),
        ]))
    }

    func testResponsesAppendToTheBuffer() {
        var out = Array("[".utf8)
        Response.success(id: .int(1), result: .bool(true), into: &out)
        out.append(UInt8(ascii: ","))
        Response.failure(id: .int(2), error: .methodNotFound("x"), into: &out)
        out.append(UInt8(ascii: "]"))
        let batch = parseOK(out)?.arrayValue
        XCTAssertEqual(batch?.count, 2)
        XCTAssertEqual(batch?.first?["result"], .bool(true))
        XCTAssertEqual(batch?.last?["error"]?["code"], .int(-32601))
        XCTAssertTrue(utf8String(out).hasPrefix(#"[{"jsonrpc":"2.0","id":1,"result":true},{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"#))
    }
}
