import NIOConcurrencyHelpers

/// Lines the server sends on a connection without being asked (JSON-RPC notifications), handed
/// over from any thread. The connection handler writes them on its event loop between complete
/// lines, never inside one, and holds them while a request of that connection is running, so the
/// answer to a subscription comes before its first notification. `unsentLines` counts the lines
/// handed over that the kernel has not taken yet: the sender bounds it, for a client that stops
/// reading. Knows nothing of what the lines say.
public final class ServerPush: Sendable {
    struct Line: Sendable {
        /// One or more complete lines, each ending in a newline.
        let bytes: [UInt8]
        let count: Int
        /// The last line: the connection closes once it has been read.
        let closesAfter: Bool
    }

    private struct State {
        /// Set by the connection handler: hands a line to its event loop.
        var deliver: (@Sendable (Line) -> Void)?
        var open = true
        var unsent = 0
        var onClose: [@Sendable () -> Void] = []
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    public var isOpen: Bool { state.withLockedValue { $0.open } }
    public var unsentLines: Int { state.withLockedValue { $0.unsent } }

    /// Sends `count` complete lines, each ending in a newline; false when the connection is closed.
    @discardableResult
    public func send(lines: [UInt8], count: Int) -> Bool { hand(Line(bytes: lines, count: count, closesAfter: false)) }

    /// Sends a last line (the newline is added), then closes the connection once the client has
    /// read it (or after the stuck-output timeout). Nothing more is sent.
    public func sendLastAndClose(_ line: [UInt8]) { hand(Line(bytes: line + [0x0A], count: 1, closesAfter: true)) }

    /// Runs `action` once the connection is closed (at once if it already is).
    public func whenClosed(_ action: @escaping @Sendable () -> Void) {
        let closed = state.withLockedValue { state -> Bool in
            if state.open { state.onClose.append(action) }
            return !state.open
        }
        if closed { action() }
    }

    @discardableResult
    private func hand(_ line: Line) -> Bool {
        let deliver = state.withLockedValue { state -> (@Sendable (Line) -> Void)? in
            guard state.open, let deliver = state.deliver else { return nil }
            state.unsent += line.count
            if line.closesAfter { state.open = false }
            return deliver
        }
        deliver?(line)
        return deliver != nil
    }

    // The connection handler's side.

    func attach(_ deliver: @escaping @Sendable (Line) -> Void) {
        state.withLockedValue { $0.deliver = deliver }
    }

    /// Lines reached the kernel, or were dropped because the connection closed.
    func done(_ line: Line) {
        state.withLockedValue { $0.unsent -= line.count }
    }

    func connectionClosed() {
        let actions = state.withLockedValue { state -> [@Sendable () -> Void] in
            state.open = false
            state.deliver = nil
            defer { state.onClose = [] }
            return state.onClose
        }
        actions.forEach { $0() }
    }
}
