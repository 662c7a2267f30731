/// An error answered to a client: a JSON-RPC code, a stable snake_case `reason` that clients
/// switch on, a message a human can act on, and for bad params the JSON path of the `field`.
public struct RPCError: Error, Sendable, Equatable {
    public var code: Int
    public var reason: String
    public var message: String
    public var field: String?
    /// Further machine-readable details (for example the id of a clashing record).
    public var details: [String: JSONValue]

    public init(code: Int, reason: String, message: String, field: String? = nil, details: [String: JSONValue] = [:]) {
        self.code = code
        self.reason = reason
        self.message = message
        self.field = field
        self.details = details
    }

    /// The `error` member of a response.
    public var json: JSONValue {
        var data = details
        data["reason"] = .string(reason)
        if let field { data["field"] = .string(field) }
        return .object(["code": .int(Int64(code)), "message": .string(message), "data": .object(data)])
    }
}

/// Every reason the daemon answers, with its code. PROTOCOL.md lists the same table.
extension RPCError {
    public static func parseError(_ message: String) -> RPCError {
        RPCError(code: -32700, reason: "parse_error", message: message)
    }
    public static func invalidRequest(_ message: String) -> RPCError {
        RPCError(code: -32600, reason: "invalid_request", message: message)
    }
    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: -32601, reason: "method_not_found",
                 message: "no method named \"\(method)\"; rpc.discover lists the methods")
    }
    public static func invalidParams(field: String, _ message: String) -> RPCError {
        RPCError(code: -32602, reason: "invalid_params", message: message, field: field)
    }
    public static func internalError(_ message: String = "internal error; the daemon log has details") -> RPCError {
        RPCError(code: -32603, reason: "internal", message: message)
    }
    public static func tooLarge(_ message: String) -> RPCError {
        RPCError(code: -32000, reason: "too_large", message: message)
    }
    public static func overloaded(_ message: String) -> RPCError {
        RPCError(code: -32001, reason: "overloaded", message: message)
    }
    public static func unavailable(_ message: String) -> RPCError {
        RPCError(code: -32002, reason: "unavailable", message: message)
    }
    /// The database could not be written because its volume is full: an operator's job, not a bug.
    public static func storageFull(_ message: String =
        "the database could not be written: its disk is full; nothing was changed. Free space on the volume holding the database file, then retry (the daemon recovers by itself)") -> RPCError {
        RPCError(code: -32003, reason: "storage_full", message: message)
    }
    public static func notFound(_ message: String, details: [String: JSONValue] = [:]) -> RPCError {
        RPCError(code: -32004, reason: "not_found", message: message, details: details)
    }
    public static func conflict(_ message: String, details: [String: JSONValue] = [:]) -> RPCError {
        RPCError(code: -32005, reason: "conflict", message: message, details: details)
    }
    public static func invalidState(_ message: String, details: [String: JSONValue] = [:]) -> RPCError {
        RPCError(code: -32006, reason: "invalid_state", message: message, details: details)
    }
    public static func unauthenticated(_ message: String = "log in first: session.login {principal, secret}") -> RPCError {
        RPCError(code: -32010, reason: "unauthenticated", message: message)
    }
    public static func forbidden(_ message: String) -> RPCError {
        RPCError(code: -32011, reason: "forbidden", message: message)
    }
    public static func rateLimited(_ message: String, retryAfterMilliseconds: Int64) -> RPCError {
        RPCError(code: -32012, reason: "rate_limited", message: message,
                 details: ["retry_after_ms": .int(retryAfterMilliseconds)])
    }
    public static func idempotencyMismatch(_ message: String) -> RPCError {
        RPCError(code: -32013, reason: "idempotency_mismatch", message: message, field: "idempotency_key")
    }
}
