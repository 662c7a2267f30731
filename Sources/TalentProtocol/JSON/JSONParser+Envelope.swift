extension JSONParser {
    /// The members of a request object found by `parseEnvelope`.
    public struct EnvelopeMembers: Sendable {
        public var jsonrpc: JSONValue?
        public var id: JSONValue?
        public var method: JSONValue?
        public var params: JSONValue?
    }

    /// The request fast path: one JSON object whose members are only `jsonrpc`, `id`, `method`
    /// and `params`, each at most once and named without escapes, read without building a
    /// dictionary for the object (only the values are parsed, `params` as usual). Nil for
    /// anything else (another top-level value, another or a repeated member, any syntax error):
    /// the caller then parses the line the general way, so every error stays exactly the same.
    public static func parseEnvelope(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) -> EnvelopeMembers? {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        do { return try parser.envelope() } catch { return nil }
    }

    private static let envelopeNames: [[UInt8]] = ["jsonrpc", "id", "method", "params"].map { Array($0.utf8) }

    private mutating func envelope() throws(Failure) -> EnvelopeMembers? {
        skipWhitespace()
        guard maxDepth >= 1, index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var members = EnvelopeMembers()
        while true {
            skipWhitespace()
            guard let name = envelopeMemberName() else { return nil }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipWhitespace()
            // The depth a member of a top-level object has in `parseObject`.
            let value = try parseValue(depth: 2)
            switch name {
            case 0: guard members.jsonrpc == nil else { return nil }; members.jsonrpc = value
            case 1: guard members.id == nil else { return nil }; members.id = value
            case 2: guard members.method == nil else { return nil }; members.method = value
            default: guard members.params == nil else { return nil }; members.params = value
            }
            skipWhitespace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "}") else { return nil }
            index += 1
            skipWhitespace()
            return index == bytes.count ? members : nil
        }
    }

    /// At a member name: which of `envelopeNames` it is (and past its closing quote), or nil.
    private mutating func envelopeMemberName() -> Int? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        for (number, name) in Self.envelopeNames.enumerated() {
            let end = index + 1 + name.count
            guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { continue }
            if (0..<name.count).allSatisfy({ bytes[index + 1 + $0] == name[$0] }) {
                index = end + 1
                return number
            }
        }
        return nil
    }
}
