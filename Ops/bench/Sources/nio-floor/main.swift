// nio-floor: the least a SwiftNIO server can do per JSON-RPC request, as a ceiling for talentd.
//
//     nio-floor SOCKET [EVENT_LOOPS]
//
// It frames lines as talentd does (ByteToMessageHandler, one event loop per core by default, 16
// reads per wake-up), copies the request's "id" into a fixed `system.ping`-like answer and writes
// the answers of one read in one buffer. No parse, no validation, no login, no clock, no stats:
// whatever talentd does per request costs on top of this. `make bench` (compare-redis.py) runs
// it beside talentd and Redis, so the machine's SwiftNIO ceiling is printed in the same run.
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

final class Lines: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: 0x0A) else { return .needMoreData }
        let line = buffer.readSlice(length: newline - buffer.readerIndex)!
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }
}

final class Pong: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let idKey = Array(#""id":"#.utf8)
    static let head = Array(#"{"jsonrpc":"2.0","id":"#.utf8)
    static let tail = Array(#","result":{"pong":true}}"#.utf8) + [0x0A]
    private var answers: ByteBuffer?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        // The id's bytes as sent (talent-bench sends a number right after "id":); a line without
        // an id is a notification and gets no answer.
        line.withUnsafeReadableBytes { bytes in
            let key = Self.idKey
            guard let keyAt = (0...max(0, bytes.count - key.count)).first(where: { at in
                at + key.count <= bytes.count && key.indices.allSatisfy { bytes[at + $0] == key[$0] }
            }) else { return }
            let start = keyAt + key.count
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: ","), bytes[end] != UInt8(ascii: "}") { end += 1 }
            if answers == nil { answers = context.channel.allocator.buffer(capacity: 4096) }
            answers!.writeBytes(Self.head)
            answers!.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            answers!.writeBytes(Self.tail)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard let answers else { return }
        self.answers = nil
        context.writeAndFlush(wrapOutboundOut(answers), promise: nil)
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: nio-floor SOCKET [EVENT_LOOPS]")
    exit(2)
}
let path = arguments[1]
let eventLoops = arguments.count > 2 ? Int(arguments[2]) ?? System.coreCount : System.coreCount
unlink(path)
let group = MultiThreadedEventLoopGroup(numberOfThreads: eventLoops)
let server = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 512)
    .childChannelOption(.maxMessagesPerRead, value: 16)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(Lines()))
            try channel.pipeline.syncOperations.addHandler(Pong())
        }
    }
    .bind(unixDomainSocketPath: path).wait()
try server.closeFuture.wait()
