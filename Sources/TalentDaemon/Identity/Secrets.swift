import Crypto

/// Random secrets: generated passwords and API tokens, from the system's CSPRNG.
enum Secrets {
    static let tokenPrefix = "tal_"

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// A new API token: 256 random bits, base64url, with a prefix that says what it is.
    static func newToken() -> String { tokenPrefix + base64url(randomBytes(32)) }

    /// A generated password: 144 random bits as 24 base64url characters.
    static func newPassword() -> String { base64url(randomBytes(18)) }

    /// What is stored of a token: its SHA-256, hex.
    static func digest(_ token: String) -> String { sha256Hex(Array(token.utf8)) }

    static func sha256Hex(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    static func hex(_ digest: SHA256Digest) -> String {
        // Every audit entry is hashed inside the shared commit: no string per byte.
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: SHA256.byteCount * 2) { out in
            var index = 0
            for byte in digest {
                out[index] = digits[Int(byte >> 4)]
                out[index + 1] = digits[Int(byte & 15)]
                index += 2
            }
            return index
        }
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var out = ""
        var i = 0
        while i + 2 < bytes.count {
            let n = (Int(bytes[i]) << 16) | (Int(bytes[i + 1]) << 8) | Int(bytes[i + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[(n >> shift) & 63]) }
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            var n = Int(bytes[i]) << 16
            if rest == 2 { n |= Int(bytes[i + 1]) << 8 }
            let chars = rest == 1 ? 2 : 3
            for shift in [18, 12, 6, 0].prefix(chars) { out.append(alphabet[(n >> shift) & 63]) }
        }
        return out
    }
}
