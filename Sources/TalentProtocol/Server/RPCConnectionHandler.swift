import NIOCore

/// Sent down every open connection when the daemon begins to shut down.
struct DrainEvent {}

/// Serves one connection. Lines are answered strictly in the order they arrived (the pipelining
/// guarantee in PROTOCOL.md): a line whose handler runs on the worker pool holds back the lines
/// behind it until it is answered. Reading pauses while too many lines wait, so a client that
/// writes without reading cannot make the daemon buffer without bound. An idle connection is
/// closed: soon if it never logged in, after the configured idle time if it did.
final class RPCConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let dispatcher: Dispatcher
    private let connection: ConnectionInfo
    private let stats: ServerStats
    private let limits: Limits
    private var queue = CircularBuffer<Frame>()
    private var busy = false
    private var heldRead = false
    private var inputClosed = false
    private var unflushed = false
    private var lastActivityAt = NIODeadline.now()
    /// While draining, a connection is closed once it has been idle this long: a request the
    /// client wrote just before the signal may still be on its way through the kernel.
    static let drainQuietPeriod = TimeAmount.milliseconds(100)

    init(dispatcher: Dispatcher, connection: ConnectionInfo, stats: ServerStats, limits: Limits) {
        self.dispatcher = dispatcher
        self.connection = connection
        self.stats = stats
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        scheduleIdleCheck(context: context)
    }

    private var idleTimeout: TimeAmount {
        .seconds(connection.isAuthenticated ? limits.idleTimeoutSeconds : limits.idleTimeoutUnauthenticatedSeconds)
    }

    /// Checks for idleness when the current timeout could have run out, and again after that.
    private func scheduleIdleCheck(context: ChannelHandlerContext) {
        let due = lastActivityAt + idleTimeout
        context.eventLoop.assumeIsolated().scheduleTask(deadline: max(due, .now() + .milliseconds(100))) {
            guard context.channel.isActive else { return }
            if !self.busy, self.queue.isEmpty, NIODeadline.now() - self.lastActivityAt >= self.idleTimeout {
                self.flushIfNeeded(context: context)
                context.close(promise: nil)
            } else {
                self.scheduleIdleCheck(context: context)
            }
        }
    }

    /// Between a read's first line and its end (channelReadComplete), answers are written but not
    /// flushed: one write system call then carries every answer of a pipelined burst.
    private var inReadBurst = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inReadBurst = true
        queue.append(unwrapInboundIn(data))
        lastActivityAt = .now()
        if !busy { processQueue(context: context) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inReadBurst = false
        flushIfNeeded(context: context)
    }

    func read(context: ChannelHandlerContext) {
        if queue.count >= limits.maxQueuedPerConnection || readingStopped {
            heldRead = true
        } else {
            context.read()
        }
    }

    /// When shutdown began on this connection. Reading goes on for one quiet period (a request
    /// written just before the signal may still be in the kernel), then stops for good.
    private var drainStartedAt: NIODeadline?
    private var readingStopped: Bool {
        drainStartedAt.map { NIODeadline.now() - $0 >= Self.drainQuietPeriod } ?? false
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            inputClosed = true
            closeIfDone(context: context)
        } else if event is DrainEvent {
            closeWhenQuiet(context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func processQueue(context: ChannelHandlerContext) {
        while !busy, let frame = queue.popFirst() {
            switch frame {
            case .tooLarge:
                write(Response.failureLine(id: .null, error: .tooLarge(
                    "request line longer than \(limits.maxLineBytes) bytes; it was discarded")), context: context)
            case .line(let line):
                switch dispatcher.process(line: line, connection: connection, on: context.eventLoop) {
                case .none:
                    break
                case .ready(let bytes):
                    write(bytes, context: context)
                case .pending(let future):
                    busy = true
                    flushIfNeeded(context: context)
                    future.assumeIsolated().whenComplete { result in
                        self.busy = false
                        if case .success(let bytes?) = result, context.channel.isActive {
                            self.write(bytes, context: context)
                        }
                        self.processQueue(context: context)
                    }
                }
            }
        }
        if busy { return }
        if !inReadBurst { flushIfNeeded(context: context) }
        if heldRead, queue.count < limits.maxQueuedPerConnection / 2, !readingStopped {
            heldRead = false
            context.read()
        }
        closeIfDone(context: context)
    }

    private func write(_ bytes: [UInt8], context: ChannelHandlerContext) {
        stats.addBytes(out: bytes.count)
        lastActivityAt = .now()
        context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
        unflushed = true
    }

    private func flushIfNeeded(context: ChannelHandlerContext) {
        if unflushed {
            unflushed = false
            context.flush()
        }
    }

    private func closeIfDone(context: ChannelHandlerContext) {
        guard !busy, queue.isEmpty, inputClosed else { return }
        flushIfNeeded(context: context)
        context.close(promise: nil)
    }

    /// Closes once every request read has been answered and either the client has been quiet or
    /// reading has stopped, so a client that never stops writing cannot hold shutdown up.
    private func closeWhenQuiet(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let now = NIODeadline.now()
        if drainStartedAt == nil { drainStartedAt = now }
        if !busy, queue.isEmpty, readingStopped || now - lastActivityAt >= Self.drainQuietPeriod {
            flushIfNeeded(context: context)
            context.close(promise: nil)
            return
        }
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.drainQuietPeriod) {
            self.closeWhenQuiet(context: context)
        }
    }
}
