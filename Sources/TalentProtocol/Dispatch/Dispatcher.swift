import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Turns one request line into its response bytes: parse, validate the envelope, find the method,
/// validate params against the contract, run the handler, record stats. Knows no domain.
public final class Dispatcher: Sendable {
    public enum Outcome {
        /// Nothing to send (a notification, or a batch of only notifications).
        case none
        /// The response line, newline included.
        case ready([UInt8])
        /// The response line once a handler on the worker pool has finished.
        case pending(EventLoopFuture<[UInt8]?>)
        /// The response line once a write queued into the shared commit has been committed. The
        /// connection may read on: a write that follows can queue behind this one in order.
        case queued(EventLoopFuture<[UInt8]?>)
        /// Asked with `onlyQueuedWrite`: this line is not such a write; nothing was done with it.
        case notNow
    }

    /// Each method with its params' schema: one lookup per request finds both.
    private let methods: [String: (method: RPCMethod, params: Schema)]
    private let limits: Limits
    private let stats: ServerStats
    private let workers: NIOThreadPool
    private let heavyWorkers: NIOThreadPool
    private let logger: Logger
    /// Requests handed to a worker pool or queued into the shared commit whose answer has not yet
    /// been made on its event loop.
    /// Shutdown waits for none before stopping the event loops the answers are delivered on.
    private let onWorkers = NIOLockedValueBox(0)
    /// Where the commit thread leaves queued writes' answers for their event loops.
    private let answerMailboxes = LoopMailboxes()
    public var requestsOnWorkers: Int { onWorkers.withLockedValue { $0 } }

    /// `workers` run handlers that touch the database; `heavyWorkers` (at most one thread per
    /// core) run `.heavy` ones, so CPU-bound work queues there instead of starving the rest.
    public init(methods: [RPCMethod], contract: Contract, limits: Limits, stats: ServerStats,
                workers: NIOThreadPool, heavyWorkers: NIOThreadPool, logger: Logger) throws {
        try contract.check(against: methods)
        self.methods = Dictionary(uniqueKeysWithValues: methods.map { ($0.name, ($0, contract.paramsSchemas[$0.name]!)) })
        self.limits = limits
        self.stats = stats
        self.workers = workers
        self.heavyWorkers = heavyWorkers
        self.logger = logger
    }

    /// With `onlyQueuedWrite` (the connection still waits for answers of queued writes), the line
    /// is taken only if it is a write that can queue behind them; anything else is `.notNow`.
    public func process(line: ByteBuffer, connection: ConnectionInfo, on eventLoop: EventLoop,
                        onlyQueuedWrite: Bool = false) -> Outcome {
        // Most lines are one valid request: its envelope is read without a tree for the object.
        let plain = line.withUnsafeReadableBytes { bytes in
            JSONParser.parseEnvelope(bytes, maxDepth: limits.maxDepth).flatMap(Request.valid)
        }
        if onlyQueuedWrite {
            guard let plain, plain.id != nil, let (method, params) = methods[plain.method], method.enqueue != nil,
                  (try? params.validateMembers(plain.params, prefix: "")) != nil,
                  let queued = enqueue(plain, method, connection: connection, on: eventLoop, started: .now()) else { return .notNow }
            return asLine(queued)
        }
        if let plain {
            return asLine(processRequest(plain, connection: connection, on: eventLoop, started: .now()))
        }
        let parsed: Result<JSONValue, JSONParser.Failure> = line.withUnsafeReadableBytes { bytes in
            do throws(JSONParser.Failure) { return .success(try JSONParser.parse(bytes, maxDepth: limits.maxDepth)) } catch { return .failure(error) }
        }
        let value: JSONValue
        switch parsed {
        case .success(let v): value = v
        case .failure(let failure):
            stats.recordProtocolError()
            return .ready(Response.failureLine(id: .null, error: .parseError(failure.message)))
        }
        guard case .array(let entries) = value else {
            return asLine(processOne(value, connection: connection, on: eventLoop))
        }
        if entries.isEmpty {
            stats.recordProtocolError()
            return .ready(Response.failureLine(id: .null, error: .invalidRequest("a batch must not be empty")))
        }
        if entries.count > limits.maxBatch {
            stats.recordProtocolError()
            return .ready(Response.failureLine(id: .null, error: .tooLarge(
                "a batch may hold at most \(limits.maxBatch) requests; this one has \(entries.count)")))
        }
        // Entries run concurrently; their responses are assembled in request order.
        let outcomes = entries.map { processOne($0, connection: connection, on: eventLoop) }
        var futures: [EventLoopFuture<[UInt8]?>] = []
        var allReady = true
        for outcome in outcomes {
            switch outcome {
            case .none: futures.append(eventLoop.makeSucceededFuture(nil))
            case .ready(let bytes): futures.append(eventLoop.makeSucceededFuture(bytes))
            case .pending(let future), .queued(let future): futures.append(future); allReady = false
            case .notNow: preconditionFailure("only asked of single requests")
            }
        }
        if allReady {
            let parts = outcomes.compactMap { if case .ready(let b) = $0 { b } else { nil } }
            return parts.isEmpty ? .none : .ready(Self.batchLine(parts))
        }
        return .pending(EventLoopFuture.whenAllSucceed(futures, on: eventLoop).map { results in
            let parts = results.compactMap { $0 }
            return parts.isEmpty ? nil : Self.batchLine(parts)
        })
    }

    /// A single request's answer as a line.
    private func asLine(_ outcome: Outcome) -> Outcome {
        switch outcome {
        case .none: return .none
        case .ready(var bytes): bytes.append(0x0A); return .ready(bytes)
        case .pending(let future): return .pending(future.map { $0.map { $0 + [0x0A] } })
        case .queued(let future): return .queued(future.map { $0.map { $0 + [0x0A] } })
        case .notNow: return .notNow
        }
    }

    private static func batchLine(_ parts: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (i, part) in parts.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: part)
        }
        out.append(contentsOf: [UInt8(ascii: "]"), 0x0A])
        return out
    }

    /// One request object: the response without a newline, or nothing for a notification.
    private func processOne(_ value: JSONValue, connection: ConnectionInfo, on eventLoop: EventLoop) -> Outcome {
        let started = NIODeadline.now()
        let request: Request
        switch Request.validate(value) {
        case .success(let r): request = r
        case .failure(let failure):
            stats.recordProtocolError()
            if failure.isNotification { return .none }
            var out: [UInt8] = []
            Response.failure(id: failure.id, error: failure.error, into: &out)
            return .ready(out)
        }
        return processRequest(request, connection: connection, on: eventLoop, started: started)
    }

    private func processRequest(_ request: Request, connection: ConnectionInfo, on eventLoop: EventLoop,
                                started: NIODeadline) -> Outcome {
        guard let (method, params) = methods[request.method] else {
            return finish(request, connection: connection, statsKey: nil, started: started, .failure(.methodNotFound(request.method)))
        }
        do {
            try params.validateMembers(request.params, prefix: "")
        } catch {
            return finish(request, connection: connection, statsKey: method.name, started: started, .failure(error))
        }
        if !method.flags.isDisjoint(with: [.fast, .quick]) {
            let context = RequestContext(method: method.name, params: request.params, connection: connection,
                                         logger: logger, onEventLoop: true)
            if let result = run(method, context) {
                return finish(request, connection: connection, statsKey: method.name, started: started, result)
            }
        }
        if let queued = enqueue(request, method, connection: connection, on: eventLoop, started: started) {
            return queued
        }
        let context = RequestContext(method: method.name, params: request.params, connection: connection,
                                     logger: logger, onEventLoop: false)
        let heavy = method.flags.contains(.heavy) && (method.isHeavy?(request.params) ?? true)
        let pool = heavy ? heavyWorkers : workers
        onWorkers.withLockedValue { $0 += 1 }
        let future = pool.runIfActive(eventLoop: eventLoop) { [self] in
            run(method, context) ?? .failure(.internalError())
        }.flatMapErrorThrowing { _ in
            Result<JSONValue, RPCError>.failure(.unavailable("the daemon is shutting down; retry shortly"))
        }.map { [self] result -> [UInt8]? in
            onWorkers.withLockedValue { $0 -= 1 }
            if case .ready(let bytes) = finish(request, connection: connection, statsKey: method.name, started: started, result) { return bytes }
            return nil
        }
        return .pending(future)
    }

    /// A write queued into the shared commit from the event loop, or nil when it must run on the
    /// worker pool instead (nothing was done with it then).
    private func enqueue(_ request: Request, _ method: RPCMethod, connection: ConnectionInfo, on eventLoop: EventLoop,
                         started: NIODeadline) -> Outcome? {
        guard let enqueue = method.enqueue else { return nil }
        let context = RequestContext(method: method.name, params: request.params, connection: connection,
                                     logger: logger, onEventLoop: true)
        let answered = eventLoop.makePromise(of: Result<JSONValue, RPCError>.self)
        // Counted like requests on the workers: shutdown waits for its answer.
        onWorkers.withLockedValue { $0 += 1 }
        let mailbox = answerMailboxes.mailbox(for: eventLoop)
        let queued = enqueue(context) { [logger] result in
            let answer = result.mapError { error -> RPCError in
                if let error = error as? RPCError { return error }
                logger.error("handler failed", metadata: ["method": .string(method.name), "error": .string("\(error)")])
                return .internalError()
            }
            mailbox.post { answered.succeed(answer) }
        }
        guard queued else {
            onWorkers.withLockedValue { $0 -= 1 }
            answered.succeed(.failure(.internalError()))  // nobody waits for it: the workers answer
            return nil
        }
        return .queued(answered.futureResult.map { [self] result in
            onWorkers.withLockedValue { $0 -= 1 }
            if case .ready(let bytes) = finish(request, connection: connection, statsKey: method.name, started: started, result) { return bytes }
            return nil
        })
    }

    /// The handler's answer, or nil when it asked to run on the worker pool instead.
    private func run(_ method: RPCMethod, _ context: RequestContext) -> Result<JSONValue, RPCError>? {
        do {
            return .success(try method.handler(context))
        } catch let error as RPCError {
            return .failure(error)
        } catch is RPCMethod.RunOnWorkers where context.onEventLoop {
            return nil
        } catch {
            // Not an error the handler meant to answer: log it for operators, answer a generic one.
            logger.error("handler failed", metadata: ["method": .string(method.name), "error": .string("\(error)")])
            return .failure(.internalError())
        }
    }

    private func finish(_ request: Request, connection: ConnectionInfo, statsKey: String?, started: NIODeadline,
                        _ result: Result<JSONValue, RPCError>) -> Outcome {
        let elapsed = NIODeadline.now() - started
        let errorReason: String? = if case .failure(let e) = result { e.reason } else { nil }
        stats.recordRequest(method: statsKey, nanoseconds: elapsed.nanoseconds, errorReason: errorReason)
        if logger.logLevel <= .debug {
            logger.debug("request", metadata: [
                "method": .string(statsKey ?? "(unknown)"),
                "duration_us": .stringConvertible(elapsed.nanoseconds / 1000),
                "outcome": .string(errorReason ?? "ok"),
                "connection": .stringConvertible(connection.id),
            ])
        }
        guard let id = request.id else { return .none }
        var out: [UInt8] = []
        switch result {
        case .success(let value): Response.success(id: id, result: value, into: &out)
        case .failure(let error): Response.failure(id: id, error: error, into: &out)
        }
        return .ready(out)
    }
}
