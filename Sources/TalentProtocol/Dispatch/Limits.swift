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
    /// Answer bytes written but not yet taken by the client, per connection. Past this the daemon
    /// stops answering and reading that connection until the client reads (as Redis's client
    /// output buffer limit): answers the client does not read cannot grow memory.
    public var maxUnsentBytesPerConnection = 4 << 20
    /// A connection whose unsent answers have stayed over the bound this long is closed, after a
    /// last `overloaded` line: a client that never reads cannot hold its requests forever.
    public var stuckOutputTimeoutSeconds: Int64 = 60
    /// A connection that has not logged in is closed after this many idle seconds.
    public var idleTimeoutUnauthenticatedSeconds: Int64 = 10
    /// A logged-in connection is closed after this many idle seconds.
    public var idleTimeoutSeconds: Int64 = 1800

    public init() {}
}
