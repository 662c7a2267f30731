import NIOCore

/// What the framing layer hands up: a request line, or word that a line was too long.
enum Frame {
    case line(ByteBuffer)
    case tooLarge
}

/// Splits the byte stream into lines. `\n` ends a line, a `\r` before it is dropped, blank lines
/// are skipped. A line longer than the limit is reported once and discarded up to its newline,
/// without buffering it, so the connection stays usable for the next line.
final class LineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = Frame

    private let maxLineBytes: Int
    private let stats: ServerStats
    private var discarding = false
    /// Bytes already searched for a newline, so a long line arriving in pieces is scanned once.
    private var scanned = 0
    /// At EOF the last line's newline is added here, not received: it is not counted in bytes in.
    private var syntheticNewline = false

    init(maxLineBytes: Int, stats: ServerStats) {
        self.maxLineBytes = maxLineBytes
        self.stats = stats
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let newline: Int? = buffer.withUnsafeReadableBytes { bytes in
            guard scanned < bytes.count else { return nil }
            let rest = UnsafeRawBufferPointer(rebasing: bytes[scanned...])
            return rest.firstIndex(of: 0x0A).map { $0 + scanned }
        }
        guard let newline else {
            scanned = buffer.readableBytes
            if discarding || buffer.readableBytes > maxLineBytes + 1 {
                if !discarding {
                    discarding = true
                    context.fireChannelRead(wrapInboundOut(.tooLarge))
                }
                stats.addBytes(in: buffer.readableBytes)
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                scanned = 0
            }
            return .needMoreData
        }
        scanned = 0
        stats.addBytes(in: newline + (syntheticNewline ? 0 : 1))
        var line = buffer.readSlice(length: newline)!
        buffer.moveReaderIndex(forwardBy: 1)
        if discarding {
            discarding = false
            return .continue
        }
        if line.readableBytes > 0, line.getInteger(at: line.writerIndex - 1, as: UInt8.self) == 0x0D {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        if line.readableBytes > maxLineBytes {
            context.fireChannelRead(wrapInboundOut(.tooLarge))
            return .continue
        }
        let blank = line.withUnsafeReadableBytes { $0.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } }
        if !blank { context.fireChannelRead(wrapInboundOut(.line(line))) }
        return .continue
    }

    /// At end of input a last line without a newline still counts (as `printf '{...}' | nc -U` sends).
    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            if !discarding {
                buffer.writeInteger(UInt8(0x0A))
                scanned = 0
                syntheticNewline = true
                _ = try decode(context: context, buffer: &buffer)
                syntheticNewline = false
            }
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        }
        return .needMoreData
    }
}
