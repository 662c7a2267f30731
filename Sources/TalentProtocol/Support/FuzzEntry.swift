import NIOCore
import NIOEmbedded

/// One fuzz input through everything a client's bytes meet before a handler: the line framer,
/// the JSON parser, the envelope and the response writer. Used by the libFuzzer harness
/// (Tests/fuzz) and by the unit tests that replay its corpus. Traps on a broken invariant.
public enum FuzzEntry {
    public static func run(_ bytes: [UInt8]) {
        // Framing: the input split at a point it chooses itself, as two reads.
        let stats = ServerStats()
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LineFrameDecoder(maxLineBytes: 256, stats: stats)))
        let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
        var lines: [[UInt8]] = []
        for part in [bytes[..<cut], bytes[cut...]] where !part.isEmpty {
            _ = try? channel.writeInbound(channel.allocator.buffer(bytes: part))
        }
        _ = try? channel.finish()
        while let frame = try? channel.readInbound(as: Frame.self) {
            if case .line(let buffer) = frame {
                let line = Array(buffer.readableBytesView)
                precondition(line.count <= 256 && !line.contains(0x0A), "a frame longer than the limit or holding a newline")
                lines.append(line)
            }
        }
        // Parsing and the envelope: the whole input as one line, and every framed line.
        for line in [bytes] + lines { parseAndAnswer(line) }
    }

    private static func parseAndAnswer(_ line: [UInt8]) {
        let fast = line.withUnsafeBytes { JSONParser.parseEnvelope($0, maxDepth: 16).flatMap(Request.valid) }
        guard let value = try? JSONParser.parse(line, maxDepth: 16) else {
            precondition(fast == nil, "the envelope fast path accepted a line the parser refuses")
            return
        }
        // The fast path finds exactly the request the general way finds, or leaves the line to it.
        if let fast {
            guard case .success(let general) = Request.validate(value) else {
                preconditionFailure("the envelope fast path accepted a request the general way refuses")
            }
            precondition(fast.id == general.id && fast.method == general.method && fast.params == general.params,
                         "the envelope fast path read a request differently")
        }
        // What the writer makes of a parsed value parses again to the same text.
        let written = JSONWriter.string(value)
        guard let again = try? JSONParser.parse(written, maxDepth: 17) else {
            preconditionFailure("the writer produced JSON the parser refuses: \(written)")
        }
        precondition(JSONWriter.string(again) == written, "writing is not stable: \(written)")
        let requests: [JSONValue] = if case .array(let batch) = value { batch } else { [value] }
        for request in requests {
            var out: [UInt8] = []
            switch Request.validate(request) {
            case .success(let valid):
                Response.success(id: valid.id ?? .null, result: .object(valid.params), into: &out)
            case .failure(let failure):
                Response.failure(id: failure.id, error: failure.error, into: &out)
            }
            guard (try? JSONParser.parse(out, maxDepth: 18)) != nil else {
                preconditionFailure("an answer is not valid JSON: \(String(decoding: out, as: UTF8.self))")
            }
        }
    }
}
