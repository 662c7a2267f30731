/// Wire limits. Each is configurable; each breach is answered with a clear error, never a crash.
public struct Limits: Sendable {
    /// Longest request line in bytes (without the newline): longer lines get `too_large`.
    public var maxLineBytes = 1 << 20
    /// Deepest JSON nesting accepted: deeper documents get `parse_error`.
    public var maxDepth = 64
    /// Most entries in one batch: larger batches get `too_large`.
    public var maxBatch = 1000
    /// Most open connections: the next one gets one `overloaded` line and is closed.
    public var maxConnections = 1024
    /// Requests read but not yet answered on one connection before the daemon stops reading from
    /// it (backpressure: a client that writes without reading cannot make the daemon buffer without bound).
    public var maxQueuedPerConnection = 4096
    /// A connection that has not logged in is closed after this many idle seconds.
    public var idleTimeoutUnauthenticatedSeconds: Int64 = 10
    /// A logged-in connection is closed after this many idle seconds.
    public var idleTimeoutSeconds: Int64 = 1800

    public init() {}
}
