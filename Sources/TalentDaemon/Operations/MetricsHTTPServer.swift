import NIOCore
import NIOHTTP1
import NIOPosix

/// `--metrics-listen HOST:PORT`: answers `GET /metrics` with the same text as `system.metrics`,
/// for a Prometheus scrape. Nothing else is served; the exposition holds no personal data.
final class MetricsHTTPServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel

    struct BadAddress: Error, CustomStringConvertible {
        let address: String
        var description: String { "--metrics-listen \(address): expected HOST:PORT, e.g. 127.0.0.1:9464" }
    }

    init(listen address: String, metrics: DaemonMetrics) throws {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (0...65535).contains(port), colon > address.startIndex else { throw BadAddress(address: address) }
        let host = String(address[..<colon]).trimmingCharacters(in: ["[", "]"])
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            channel = try ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    // On the channel's loop, where the handler (not Sendable) is made and added.
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(metrics: metrics))
                    }
                }
                .bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    /// The port bound (useful with port 0).
    var port: Int? { channel.localAddress?.port }

    func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

private final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let metrics: DaemonMetrics
    private var head: HTTPRequestHead?

    init(metrics: DaemonMetrics) { self.metrics = metrics }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request): head = request
        case .body: break
        case .end:
            guard let request = head else { return }
            head = nil
            let (status, type, body): (HTTPResponseStatus, String, String)
            if request.uri.split(separator: "?").first != "/metrics" {
                (status, type, body) = (.notFound, "text/plain; charset=utf-8", "only /metrics is served here\n")
            } else if request.method != .GET && request.method != .HEAD {
                (status, type, body) = (.methodNotAllowed, "text/plain; charset=utf-8", "use GET\n")
            } else {
                // A scrape reads file sizes and one row: brief enough for the event loop.
                (status, type, body) = (.ok, DaemonMetrics.contentType, metrics.exposition())
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: type)
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            headers.add(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
            if request.method != .HEAD {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in
                channel.close(promise: nil)
            }
        }
    }
}
