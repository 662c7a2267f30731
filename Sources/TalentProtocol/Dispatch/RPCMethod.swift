import Logging

/// One row of the daemon's method table: its name, what it does, how it runs.
public struct RPCMethod: Sendable {
    public struct Flags: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// Changes state (audited, idempotency keys apply).
        public static let mutating = Flags(rawValue: 1 << 0)
        /// Does no I/O and never blocks: runs on the connection's event loop, not the worker pool.
        public static let fast = Flags(rawValue: 1 << 1)
    }

    public typealias Handler = @Sendable (RequestContext) throws -> JSONValue

    public let name: String
    public let flags: Flags
    public let handler: Handler

    public init(_ name: String, _ handler: @escaping Handler, flags: Flags = []) {
        self.name = name
        self.handler = handler
        self.flags = flags
    }
}

/// What a handler gets: the validated params and who is asking.
public struct RequestContext: Sendable {
    public let method: String
    public let params: [String: JSONValue]
    public let connection: ConnectionInfo
    public let logger: Logger
}

/// Facts about the connection a request came in on.
public struct ConnectionInfo: Sendable {
    public let id: Int
}
