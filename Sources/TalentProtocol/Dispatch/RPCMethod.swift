import Logging
import NIOConcurrencyHelpers
import NIOCore

/// One method the server can run: its name, how it runs, and its handler. The daemon builds
/// these from its method table, where roles and scoping are declared.
public struct RPCMethod: Sendable {
    public struct Flags: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// Changes state (audited, idempotency keys apply).
        public static let mutating = Flags(rawValue: 1 << 0)
        /// Does no I/O and never blocks: runs on the connection's event loop, not the worker pool.
        public static let fast = Flags(rawValue: 1 << 1)
        /// Callable before login.
        public static let `public` = Flags(rawValue: 1 << 2)
        /// CPU-bound (password hashing): runs on the small bounded pool, at most one thread per
        /// core, so a flood of such requests queues there instead of starving everything else.
        public static let heavy = Flags(rawValue: 1 << 3)
        /// A quick read (a few rows by index): runs on the connection's event loop, from that
        /// loop's own read connection, instead of hopping to the worker pool. Whatever might block
        /// (a session to reload, a denial to audit) throws `RunOnWorkers` and runs there instead.
        public static let quick = Flags(rawValue: 1 << 4)
    }

    /// Thrown by a `.quick` handler on the event loop: run this request on the worker pool.
    public struct RunOnWorkers: Error {
        public init() {}
    }

    public typealias Handler = @Sendable (RequestContext) throws -> JSONValue
    /// Queues the request from its event loop without blocking and later hands its answer to
    /// the callback (on any thread); returns false, having done nothing, when it must run on the
    /// worker pool instead (a session to reload, a denial to audit).
    public typealias Enqueue = @Sendable (RequestContext, @escaping @Sendable (Result<JSONValue, Error>) -> Void) -> Bool

    public let name: String
    public let flags: Flags
    public let handler: Handler
    /// For a `.heavy` method whose cost depends on the request: whether this one is heavy (a
    /// login with an API token needs no password hashing, so it need not queue behind hashes).
    public let isHeavy: (@Sendable ([String: JSONValue]) -> Bool)?
    /// For a write that queues into a shared commit: a connection's pipelined writes are queued
    /// in order, one behind the other, without waiting for each other's answers.
    public let enqueue: Enqueue?

    public init(_ name: String, _ handler: @escaping Handler, flags: Flags = [],
                isHeavy: (@Sendable ([String: JSONValue]) -> Bool)? = nil, enqueue: Enqueue? = nil) {
        self.name = name
        self.handler = handler
        self.flags = flags
        self.isHeavy = isHeavy
        self.enqueue = enqueue
    }
}

/// What a handler gets: the validated params and who is asking.
public struct RequestContext: Sendable {
    public let method: String
    public let params: [String: JSONValue]
    public let connection: ConnectionInfo
    public let logger: Logger
    /// On the connection's event loop (`.fast` and `.quick`): nothing may block.
    public let onEventLoop: Bool
}

/// The Unix credentials of the process at the other end of a connection (SO_PEERCRED).
public struct PeerCredentials: Sendable, Equatable {
    public let pid: Int32
    public let uid: UInt32
    public let gid: UInt32
}

/// Who a connection is logged in as. The daemon decides what the roles and org mean.
public struct SessionPrincipal: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let roles: Set<String>
    public let org: String?
    /// How the session was established: "password", "token" or "peer".
    public let via: String
    /// With `via` "token": the API token logged in with, so revoking it can end the session.
    public let tokenID: Int64?

    public init(id: Int64, name: String, roles: Set<String>, org: String?, via: String, tokenID: Int64? = nil) {
        self.id = id
        self.name = name
        self.roles = roles
        self.org = org
        self.via = via
        self.tokenID = tokenID
    }
}

/// Per-connection state that outlives one request: the login and the login-failure count.
public struct SessionState: Sendable {
    public var principal: SessionPrincipal?
    /// The identity generation the principal was loaded at; a newer one means reload it.
    public var generation: Int = 0
    /// Whether the peer's uid has been looked up for an automatic login.
    public var peerChecked = false
    public var failedLogins = 0
    public var blockedUntil: NIODeadline?

    public init() {}
}

/// Facts about the connection a request came in on, and its session.
public final class ConnectionInfo: Sendable {
    public let id: Int
    public let peer: PeerCredentials?
    public let session = NIOLockedValueBox(SessionState())
    /// Where the daemon sends lines nobody asked for (event notifications).
    public let push = ServerPush()

    public init(id: Int, peer: PeerCredentials?) {
        self.id = id
        self.peer = peer
    }

    public var principal: SessionPrincipal? { session.withLockedValue { $0.principal } }
    public var isAuthenticated: Bool { principal != nil }
}
