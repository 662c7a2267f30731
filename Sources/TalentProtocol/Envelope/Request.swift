/// One JSON-RPC 2.0 request object, validated. `id == nil` means a notification (no response).
public struct Request: Sendable {
    public let id: JSONValue?
    public let method: String
    /// Named params; an absent or empty `params` is an empty object.
    public let params: [String: JSONValue]

    /// Validates a request object as the JSON-RPC 2.0 specification says. On failure returns the
    /// error together with the id to answer it with (null when the id itself could not be read).
    public static func validate(_ value: JSONValue) -> Result<Request, EnvelopeFailure> {
        guard case .object(let members) = value else {
            return .failure(EnvelopeFailure(id: .null, error: .invalidRequest("a request must be a JSON object")))
        }
        let id: JSONValue?
        switch members["id"] {
        case nil: id = nil
        case .some(.string), .some(.int), .some(.null): id = members["id"]
        case .some(.double(let d)) where d == d.rounded() && abs(d) < 9.2e18:
            // The rule integer params follow: an integral number is that integer however it is
            // written (1.0, 1e2, -0), and the answer carries it in canonical form (1, 100, 0).
            id = .int(Int64(d))
        case .some(.double(let d)) where d == d.rounded():
            // Whole but not a 64-bit integer (1e300, 2^63): it could not be echoed as an integer.
            return .failure(EnvelopeFailure(id: .null, error: .invalidRequest(
                "\"id\" must be a string, a 64-bit integer or null; \(d) is out of range")))
        case .some(let other):
            return .failure(EnvelopeFailure(id: .null, error: .invalidRequest(
                "\"id\" must be a string, an integer or null, not \(other.typeName)")))
        }
        let answerID = id ?? .null
        guard members["jsonrpc"] == .string("2.0") else {
            return .failure(EnvelopeFailure(id: answerID, error: .invalidRequest("\"jsonrpc\" must be exactly \"2.0\"")))
        }
        guard case .string(let method) = members["method"] else {
            let what = members["method"].map { "a \($0.typeName)" } ?? "missing"
            return .failure(EnvelopeFailure(id: answerID, error: .invalidRequest("\"method\" must be a string (it is \(what))")))
        }
        for key in members.keys where !Self.memberNames.contains(key) {
            return .failure(EnvelopeFailure(id: answerID, error: .invalidRequest(
                "unknown request member \"\(key)\"; allowed: jsonrpc, id, method, params")))
        }
        let params: [String: JSONValue]
        switch members["params"] {
        case nil: params = [:]
        case .some(.object(let object)): params = object
        case .some(.array(let array)) where array.isEmpty: params = [:]
        case .some(.array):
            return .failure(EnvelopeFailure(id: answerID, error: .invalidParams(
                field: "params", "params must be passed by name, as a JSON object"), isNotification: id == nil))
        case .some(let other):
            return .failure(EnvelopeFailure(id: answerID, error: .invalidRequest(
                "\"params\" must be an object or an array, not \(other.typeName)")))
        }
        return .success(Request(id: id, method: method, params: params))
    }

    private static let memberNames: Set<String> = ["jsonrpc", "id", "method", "params"]

    /// The request the fast path found (`JSONParser.parseEnvelope`), when `validate` would
    /// accept it as it is; nil for anything it would refuse or rewrite (an id written 1.0):
    /// the line then goes the general way, which answers every error.
    public static func valid(_ members: JSONParser.EnvelopeMembers) -> Request? {
        guard members.jsonrpc == .string("2.0"), case .string(let method) = members.method else { return nil }
        switch members.id {
        case nil, .some(.string), .some(.int), .some(.null): break
        default: return nil
        }
        switch members.params {
        case nil: return Request(id: members.id, method: method, params: [:])
        case .some(.object(let params)): return Request(id: members.id, method: method, params: params)
        case .some(.array(let array)) where array.isEmpty: return Request(id: members.id, method: method, params: [:])
        default: return nil
        }
    }
}

public struct EnvelopeFailure: Error, Sendable {
    public let id: JSONValue
    public let error: RPCError
    /// A well-formed notification whose params are wrong: per the specification it gets no answer.
    public var isNotification = false
}

/// Response bytes, written by hand in a fixed member order so that `jsonrpc` and `id` come first.
public enum Response {
    public static func success(id: JSONValue, result: JSONValue, into out: inout [UInt8]) {
        // Room for a typical record at once, rather than growing through every power of two.
        out.reserveCapacity(out.count + 512)
        out.append(contentsOf: #"{"jsonrpc":"2.0","id":"#.utf8)
        JSONWriter.write(id, into: &out)
        out.append(contentsOf: #","result":"#.utf8)
        JSONWriter.write(result, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    public static func failure(id: JSONValue, error: RPCError, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"jsonrpc":"2.0","id":"#.utf8)
        JSONWriter.write(id, into: &out)
        out.append(contentsOf: #","error":"#.utf8)
        JSONWriter.write(error.json, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    public static func failureLine(id: JSONValue, error: RPCError) -> [UInt8] {
        var out: [UInt8] = []
        failure(id: id, error: error, into: &out)
        out.append(0x0A)
        return out
    }
}
