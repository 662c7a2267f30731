import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The Unix-socket JSON-RPC server: accepts connections, frames lines, hands them to the
/// dispatcher, and on shutdown drains in-flight work before it closes.
public final class RPCServer: Sendable {
    public struct Configuration: Sendable {
        public var socketPath: String
        public var limits = Limits()
        public var eventLoopThreads = System.coreCount
        /// How long shutdown waits for in-flight requests before it closes connections anyway.
        public var drainTimeout = TimeAmount.seconds(10)
        /// A socket already bound and listening (systemd socket activation): served as it is;
        /// its file belongs to whoever made it, so it is neither checked, chmod-ed nor removed.
        public var listeningDescriptor: Int32?

        public init(socketPath: String) { self.socketPath = socketPath }
    }

    public enum StartError: Error, CustomStringConvertible {
        case alreadyRunning(String)
        case notASocket(String)
        case pathTooLong(String)

        public var description: String {
            switch self {
            case .alreadyRunning(let path): return "another daemon is already listening on \(path); stop it first or choose another --socket"
            case .notASocket(let path): return "\(path) exists and is not a socket; refusing to replace it"
            case .pathTooLong(let path): return "socket path \(path) is longer than the 107 bytes a Unix socket address allows"
            }
        }
    }

    public let configuration: Configuration
    public let stats: ServerStats
    private let group: MultiThreadedEventLoopGroup
    private let serverChannel: Channel
    private let channels: NIOLockedValueBox<[ObjectIdentifier: Channel]>
    private let logger: Logger
    private let dispatcher: Dispatcher

    /// Binds the socket (mode 0660) and starts serving. A stale socket file, one nobody listens
    /// on, is replaced; a live one makes start-up fail.
    public init(configuration: Configuration, dispatcher: Dispatcher, stats: ServerStats, logger: Logger) throws {
        let path = configuration.socketPath
        if configuration.listeningDescriptor == nil {
            guard path.utf8.count < 108 else { throw StartError.pathTooLong(path) }
            try Self.clearStaleSocket(at: path)
        }

        self.configuration = configuration
        self.logger = logger
        self.stats = stats
        self.dispatcher = dispatcher
        let channels = NIOLockedValueBox<[ObjectIdentifier: Channel]>([:])
        self.channels = channels
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.eventLoopThreads)
        self.group = group
        let limits = configuration.limits
        let nextConnectionID = NIOLockedValueBox(0)

        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            // The bound on unsent answers: over `high` the channel turns unwritable and the
            // connection handler stops answering and reading until the client has read down to `low`.
            .childChannelOption(.writeBufferWaterMark, value: ChannelOptions.Types.WriteBufferWaterMark(
                low: limits.maxUnsentBytesPerConnection / 2, high: limits.maxUnsentBytesPerConnection))
            .childChannelInitializer { channel in
                guard stats.admitConnection(limit: limits.maxConnections) else {
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(RejectConnectionHandler(limit: limits.maxConnections))
                    }
                }
                let key = ObjectIdentifier(channel)
                channels.withLockedValue { $0[key] = channel }
                channel.closeFuture.whenComplete { _ in
                    channels.withLockedValue { $0[key] = nil }
                    stats.connectionClosed()
                }
                let id = nextConnectionID.withLockedValue { $0 += 1; return $0 }
                return peerCredentials(of: channel).flatMapThrowing { peer in
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(LineFrameDecoder(maxLineBytes: limits.maxLineBytes, stats: stats)))
                    try channel.pipeline.syncOperations.addHandler(
                        RPCConnectionHandler(dispatcher: dispatcher, connection: ConnectionInfo(id: id, peer: peer),
                                             stats: stats, limits: limits))
                }
            }

        if let descriptor = configuration.listeningDescriptor {
            do {
                serverChannel = try bootstrap.withBoundSocket(descriptor).wait()
            } catch {
                try? group.syncShutdownGracefully()
                throw error
            }
            return
        }
        // The socket must never be world-accessible, not even for the instant between bind and chmod.
        let oldMask = umask(0o117)
        defer { umask(oldMask) }
        do {
            serverChannel = try bootstrap.bind(unixDomainSocketPath: path).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        chmod(path, 0o660)
    }

    /// Stops accepting, lets in-flight requests finish (up to the drain timeout), closes every
    /// connection and removes the socket file.
    public func shutdown() {
        try? serverChannel.close().wait()
        let open = channels.withLockedValue { Array($0.values) }
        logger.info("draining", metadata: ["connections": .stringConvertible(open.count)])
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(DrainEvent())
        }
        let deadline = NIODeadline.now() + configuration.drainTimeout
        while NIODeadline.now() < deadline, !channels.withLockedValue({ $0.isEmpty }) {
            usleep(10_000)
        }
        let left = channels.withLockedValue { Array($0.values) }
        if !left.isEmpty {
            logger.warning("drain timeout: closing connections with requests still running",
                           metadata: ["connections": .stringConvertible(left.count)])
            for channel in left { channel.close(promise: nil) }
        }
        // Every connection must be closed, its handlers done, before the event loops stop: a task
        // scheduled on a stopped loop is an error.
        for channel in left { try? channel.closeFuture.wait() }
        let settled = NIODeadline.now() + .seconds(5)
        while dispatcher.requestsOnWorkers > 0, NIODeadline.now() < settled { usleep(10_000) }
        try? group.syncShutdownGracefully()
        if configuration.listeningDescriptor == nil { unlink(configuration.socketPath) }
    }

    private static func clearStaleSocket(at path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else { throw StartError.notASocket(path) }
        if UnixSocket.isListening(path) { throw StartError.alreadyRunning(path) }
        unlink(path)
    }
}

/// Answers a connection over the limit with one `overloaded` line, then closes it.
final class RejectConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func channelActive(context: ChannelHandlerContext) {
        let line = Response.failureLine(id: .null, error: .overloaded(
            "the daemon already serves \(limit) connections; retry later"))
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: line))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}  // whatever it sent is not read
}

/// The Unix credentials of the connecting process (SO_PEERCRED), or nil if the kernel does not
/// say. Kept out of line: NIO asks that unsafe socket-option reads not be public or inlinable.
private func peerCredentials(of channel: Channel) -> EventLoopFuture<PeerCredentials?> {
    guard let provider = channel as? SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
    let future: EventLoopFuture<UCred> = provider.unsafeGetSocketOption(
        level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
    return future.map { Optional(PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid)) }
        .recover { _ in nil }
}

/// Linux's `struct ucred` (pid, uid, gid: three 32-bit fields), which Glibc's Swift module
/// hides behind _GNU_SOURCE.
private struct UCred: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// Minimal blocking socket helpers for start-up checks.
enum UnixSocket {
    static func isListening(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }
}
