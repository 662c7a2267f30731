import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A secret kept in a file, never on a command line: read it if the file exists, otherwise
/// generate a strong one and write it there, readable by its owner only (mode 0600).
enum SecretFile {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let minimumLength = 12

    static func readOrCreate(_ path: String) throws -> (secret: String, generated: Bool) {
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Failure(description: "cannot read secret file \(path)")
            }
            var secret = String(decoding: data, as: UTF8.self)
            while secret.hasSuffix("\n") || secret.hasSuffix("\r") { secret.removeLast() }
            guard secret.unicodeScalars.count >= minimumLength else {
                throw Failure(description: "the secret in \(path) is shorter than \(minimumLength) characters")
            }
            return (secret, false)
        }
        let secret = Secrets.newPassword()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create secret file \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array((secret + "\n").utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count, fsync(fd) == 0 else {
            throw Failure(description: "cannot write secret file \(path): \(String(cString: strerror(errno)))")
        }
        return (secret, true)
    }
}
