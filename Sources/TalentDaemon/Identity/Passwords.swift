import CArgon2
import TalentProtocol

/// Argon2id password hashing through the system libargon2. Hashes are PHC strings
/// (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) that carry their parameters, so the parameters
/// can be raised later: a hash made with weaker ones is redone at the next successful login.
struct Passwords: Sendable {
    /// Memory in KiB, iterations, lanes. The floor is OWASP's minimum for Argon2id.
    var memoryKiB: UInt32 = 19456
    var iterations: UInt32 = 2
    var parallelism: UInt32 = 1
    static let saltBytes = 16
    static let hashBytes = 32

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func hash(_ password: String) throws -> String {
        let salt = Secrets.randomBytes(Self.saltBytes)
        let length = argon2_encodedlen(iterations, memoryKiB, parallelism, UInt32(Self.saltBytes), UInt32(Self.hashBytes), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let bytes = Array(password.utf8)
        let status = bytes.withUnsafeBytes { pwd in
            salt.withUnsafeBytes { saltPointer in
                argon2id_hash_encoded(iterations, memoryKiB, parallelism, pwd.baseAddress, pwd.count,
                                      saltPointer.baseAddress, saltPointer.count, Self.hashBytes, &encoded, length)
            }
        }
        guard status == ARGON2_OK.rawValue else {
            throw Failure(description: "argon2 hashing failed: \(String(cString: argon2_error_message(status)))")
        }
        // argon2 writes a NUL-terminated ASCII string into the buffer.
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `password` matches `encoded`. Malformed hashes never match.
    func verify(_ password: String, against encoded: String) -> Bool {
        let bytes = Array(password.utf8)
        return bytes.withUnsafeBytes { pwd in
            argon2id_verify(encoded, pwd.baseAddress, pwd.count) == ARGON2_OK.rawValue
        }
    }

    /// Verifies against a fixed hash, so a login for an unknown principal costs the same time
    /// as one for a real principal and does not reveal which names exist.
    func burn(_ password: String) {
        _ = verify(password, against: Self.decoy)
    }
    private static let decoy = (try? Passwords().hash(Secrets.newPassword())) ?? ""

    /// Whether `encoded` was made with weaker parameters than the current ones.
    func needsRehash(_ encoded: String) -> Bool {
        // $argon2id$v=19$m=19456,t=2,p=1$...
        let parts = encoded.split(separator: "$")
        guard parts.count >= 4, parts[0] == "argon2id" else { return true }
        var values: [String: UInt32] = [:]
        for pair in parts[2].split(separator: ",") {
            let kv = pair.split(separator: "=")
            if kv.count == 2, let n = UInt32(kv[1]) { values[String(kv[0])] = n }
        }
        return (values["m"] ?? 0) < memoryKiB || (values["t"] ?? 0) < iterations || (values["p"] ?? 0) < parallelism
    }
}
