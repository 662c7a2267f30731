import NIOCore

/// Sent down every open connection when the daemon begins to shut down.
struct DrainEvent {}

/// Serves one connection. Lines are answered strictly in the order they arrived (the pipelining
/// guarantee in PROTOCOL.md): a line whose handler runs on the worker pool holds back the lines
/// behind it until it is answered. Writes are the exception that keeps the same order: a write
/// queued into the shared commit lets the writes right behind it queue too, in order, so one
/// connection's pipelined writes share commits; any other line waits for their answers. Two bounds keep a client that writes without reading from
/// growing the daemon's memory: reading pauses while too many lines wait, and answering (and so
/// reading) pauses while more than `maxUnsentBytesPerConnection` of answers wait for the client
/// to read them (the channel is then not writable). A connection stuck that way past
/// `stuckOutputTimeoutSeconds` is closed. An idle connection is closed: soon if it never
/// logged in, after the configured idle time if it did. Closing always lets the answers already
/// written reach the socket first, so a half-closed client gets every answer.
final class RPCConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let dispatcher: Dispatcher
    private let connection: ConnectionInfo
    private let stats: ServerStats
    private let limits: Limits
    private var queue = CircularBuffer<Frame>()
    /// A request runs on the worker pool: nothing behind it runs until it is answered.
    private var busy = false
    /// Answers of writes queued into the shared commit, in request order, written as they come.
    private var queuedWrites = CircularBuffer<QueuedAnswer>()
    /// The next line was found not to be a write that could queue: it waits for those answers.
    private var nextWaitsForWrites = false
    /// Whether a request is still to be answered (pushed lines wait for it).
    private var answering: Bool { busy || !queuedWrites.isEmpty }
    private var heldRead = false
    private var inputClosed = false
    private var unflushed = false
    /// Answers written since they were last passed down the pipeline, in one buffer: a pipelined
    /// burst costs one allocation and one pipeline write, not one per answer.
    private var answers: ByteBuffer?
    /// Past this many bytes the answers are passed on before the flush, so the channel's bound on
    /// unsent bytes (its writability) sees them.
    static let answersPassedOnAt = 64 * 1024
    private var closing = false
    private var lastActivityAt = NIODeadline.now()
    /// Since when the unsent answers have been over the bound; nil while the client keeps up.
    private var outputBlockedSince: NIODeadline?
    /// Pushed lines (notifications) held while a request runs: written after its answer.
    private var heldPushes = CircularBuffer<ServerPush.Line>()
    /// While draining, a connection is closed once it has been idle this long: a request the
    /// client wrote just before the signal may still be on its way through the kernel.
    static let drainQuietPeriod = TimeAmount.milliseconds(100)
    /// While draining, a client that has not read its answers for this long is not waited for.
    static let drainStuckOutput = TimeAmount.seconds(1)
    /// How long a connection closed for being stuck waits for its last line to be read.
    static let stuckCloseGrace = TimeAmount.seconds(2)

    init(dispatcher: Dispatcher, connection: ConnectionInfo, stats: ServerStats, limits: Limits) {
        self.dispatcher = dispatcher
        self.connection = connection
        self.stats = stats
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        scheduleIdleCheck(context: context)
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        connection.push.attach { [eventLoop = context.eventLoop] line in
            eventLoop.execute { bound.value.handler.pushed(line, context: bound.value.context) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        heldPushes.forEach(connection.push.done)
        heldPushes.removeAll()
        connection.push.connectionClosed()
        context.fireChannelInactive()
    }

    /// A line the daemon sends unasked: written now, between lines, unless a request is running.
    private func pushed(_ line: ServerPush.Line, context: ChannelHandlerContext) {
        guard context.channel.isActive, !closing else { return connection.push.done(line) }
        if answering { return heldPushes.append(line) }
        writePushed(line, context: context)
        if !inBurst { flushIfNeeded(context: context) }
    }

    private func writePushed(_ line: ServerPush.Line, context: ChannelHandlerContext) {
        passAnswersOn(context: context)
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenComplete { [push = connection.push] _ in push.done(line) }
        stats.addBytes(out: line.bytes.count)
        lastActivityAt = .now()
        context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: line.bytes)), promise: written)
        unflushed = true
        if line.closesAfter { closeAfterWrites(context: context, grace: .seconds(limits.stuckOutputTimeoutSeconds)) }
    }

    private func writeHeldPushes(context: ChannelHandlerContext) {
        while !closing, let line = heldPushes.popFirst() { writePushed(line, context: context) }
        heldPushes.forEach(connection.push.done)
        heldPushes.removeAll()
    }

    private var idleTimeout: TimeAmount {
        .seconds(connection.isAuthenticated ? limits.idleTimeoutSeconds : limits.idleTimeoutUnauthenticatedSeconds)
    }

    /// Checks for idleness when the current timeout could have run out, and again after that.
    private func scheduleIdleCheck(context: ChannelHandlerContext) {
        let due = lastActivityAt + idleTimeout
        context.eventLoop.assumeIsolated().scheduleTask(deadline: max(due, .now() + .milliseconds(100))) {
            guard context.channel.isActive, !self.closing else { return }
            if !self.answering, self.queue.isEmpty, self.outputBlockedSince == nil,
               NIODeadline.now() - self.lastActivityAt >= self.idleTimeout {
                self.closeAfterWrites(context: context, grace: Self.stuckCloseGrace)
            } else {
                self.scheduleIdleCheck(context: context)
            }
        }
    }

    /// Between a read's first line and its end (channelReadComplete), and while the answers of one
    /// shared commit are delivered, answers are written but not flushed: one write system call then
    /// carries every answer of a pipelined burst.
    private var inBurst = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inBurst = true
        queue.append(unwrapInboundIn(data))
        lastActivityAt = .now()
        if !busy { processQueue(context: context) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inBurst = false
        flushIfNeeded(context: context)
    }

    func read(context: ChannelHandlerContext) {
        if queue.count + queuedWrites.count >= limits.maxQueuedPerConnection || readingStopped || !context.channel.isWritable || closing {
            heldRead = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            outputBlockedSince = nil
            if !busy { processQueue(context: context) }
        } else if outputBlockedSince == nil {
            let since = NIODeadline.now()
            outputBlockedSince = since
            stats.recordOutputPaused()
            context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(limits.stuckOutputTimeoutSeconds)) {
                self.closeIfStuck(context: context, since: since)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    /// The client has not read its answers for the whole timeout: tell it why and close.
    private func closeIfStuck(context: ChannelHandlerContext, since: NIODeadline) {
        guard context.channel.isActive, !closing, outputBlockedSince == since else { return }
        stats.recordStuckOutputClosed()
        queue.removeAll()
        write(Response.failureLine(id: .null, error: .overloaded(
            "answers went unread for \(limits.stuckOutputTimeoutSeconds) s with more than \(limits.maxUnsentBytesPerConnection) bytes waiting; closing the connection: read the answers of pipelined requests as they come")),
              context: context)
        closeAfterWrites(context: context, grace: Self.stuckCloseGrace)
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
        while !busy, !closing, context.channel.isWritable, let frame = queue.first {
            if !queuedWrites.isEmpty {
                guard !nextWaitsForWrites, case .line(let line) = frame,
                      case .queued(let answer) = dispatcher.process(line: line, connection: connection, on: context.eventLoop,
                                                                    onlyQueuedWrite: true) else {
                    nextWaitsForWrites = true
                    break
                }
                queue.removeFirst()
                awaitQueued(answer, context: context)
                continue
            }
            queue.removeFirst()
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
                        if case .success(let bytes?) = result, context.channel.isActive, !self.closing {
                            self.write(bytes, context: context)
                        }
                        self.writeHeldPushes(context: context)
                        self.processQueue(context: context)
                    }
                case .queued(let answer):
                    awaitQueued(answer, context: context)
                case .notNow:
                    preconditionFailure("asked only with onlyQueuedWrite")
                }
            }
        }
        if busy || closing { return }
        // Over the bound the answers must be flushed for the client to be able to take them.
        if !inBurst || !context.channel.isWritable { flushIfNeeded(context: context) }
        if heldRead, queue.count + queuedWrites.count < limits.maxQueuedPerConnection / 2, !readingStopped, context.channel.isWritable {
            heldRead = false
            context.read()
        }
        closeIfDone(context: context)
    }

    private final class QueuedAnswer {
        var done = false
        var bytes: [UInt8]?
    }

    private func awaitQueued(_ answer: EventLoopFuture<[UInt8]?>, context: ChannelHandlerContext) {
        let slot = QueuedAnswer()
        queuedWrites.append(slot)
        answer.assumeIsolated().whenComplete { result in
            slot.done = true
            if case .success(let bytes) = result { slot.bytes = bytes }
            self.writeAnsweredWrites(context: context)
        }
    }

    /// Writes the queued writes' answers that are in, in request order, then goes on reading. The
    /// answers of one shared commit arrive together (one mailbox delivery per event loop): they are
    /// flushed once, after the delivery, not once each.
    private func writeAnsweredWrites(context: ChannelHandlerContext) {
        if !inBurst {
            inBurst = true
            context.eventLoop.assumeIsolated().execute {
                self.inBurst = false
                if context.channel.isActive { self.flushIfNeeded(context: context) }
            }
        }
        while let head = queuedWrites.first, head.done {
            queuedWrites.removeFirst()
            if let bytes = head.bytes, context.channel.isActive, !closing { write(bytes, context: context) }
        }
        if queuedWrites.isEmpty {
            nextWaitsForWrites = false
            writeHeldPushes(context: context)
        }
        if !inBurst { flushIfNeeded(context: context) }
        processQueue(context: context)
    }

    private func write(_ bytes: [UInt8], context: ChannelHandlerContext) {
        stats.addBytes(out: bytes.count)
        lastActivityAt = .now()
        if answers == nil { answers = context.channel.allocator.buffer(capacity: max(bytes.count, 1024)) }
        answers!.writeBytes(bytes)
        unflushed = true
        if answers!.readableBytes >= Self.answersPassedOnAt { passAnswersOn(context: context) }
    }

    /// Every write to the pipeline goes after the answers written before it: order is kept.
    private func passAnswersOn(context: ChannelHandlerContext) {
        guard let answers else { return }
        self.answers = nil
        context.write(wrapOutboundOut(answers), promise: nil)
    }

    private func flushIfNeeded(context: ChannelHandlerContext) {
        if unflushed {
            unflushed = false
            passAnswersOn(context: context)
            context.flush()
        }
    }

    /// After a half-close the client still has until the stuck-output timeout to read its answers.
    private func closeIfDone(context: ChannelHandlerContext) {
        guard !answering, queue.isEmpty, inputClosed else { return }
        closeAfterWrites(context: context, grace: .seconds(limits.stuckOutputTimeoutSeconds))
    }

    /// Closes once every answer written so far has reached the socket (writes complete in order,
    /// so an empty write's promise marks the end), or after `grace` if the client does not read
    /// them: a plain close would discard answers still waiting in the channel.
    private func closeAfterWrites(context: ChannelHandlerContext, grace: TimeAmount) {
        guard !closing, context.channel.isActive else { return }
        closing = true
        unflushed = false
        passAnswersOn(context: context)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: written)
        let timeout = context.eventLoop.assumeIsolated().scheduleTask(in: grace) {
            context.close(promise: nil)
        }
        written.futureResult.assumeIsolated().whenComplete { _ in
            timeout.cancel()
            context.close(promise: nil)
        }
    }

    /// Closes once every request read has been answered and either the client has been quiet or
    /// reading has stopped, so a client that never stops writing cannot hold shutdown up. A
    /// client that does not read its answers is not waited for past `drainStuckOutput`.
    private func closeWhenQuiet(context: ChannelHandlerContext) {
        guard context.channel.isActive, !closing else { return }
        let now = NIODeadline.now()
        if drainStartedAt == nil { drainStartedAt = now }
        if let blocked = outputBlockedSince, now - max(blocked, drainStartedAt!) >= Self.drainStuckOutput {
            queue.removeAll()
            context.close(promise: nil)
            return
        }
        if !answering, queue.isEmpty, readingStopped || now - lastActivityAt >= Self.drainQuietPeriod {
            closeAfterWrites(context: context, grace: Self.drainStuckOutput)
            return
        }
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.drainQuietPeriod) {
            self.closeWhenQuiet(context: context)
        }
    }
}
