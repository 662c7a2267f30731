import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Who talentctl logs in as, and with what secret. Secrets come from a file, the environment or
/// a prompt without echo; never from the command line, where other users could read them in ps.
struct Credentials {
    let principal: String
    let secret: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Nil when nothing says who to be: the daemon may still log the connection in by its Unix uid.
    static func resolve(principal flag: String?, secretFile: String?) throws -> Credentials? {
        let environment = ProcessInfo.processInfo.environment
        guard let principal = flag ?? environment["TALENT_PRINCIPAL"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            if secretFile != nil { throw Failure(description: "--secret-file needs --principal (or $TALENT_PRINCIPAL)") }
            return nil
        }
        if let secretFile {
            guard let data = FileManager.default.contents(atPath: secretFile) else {
                throw Failure(description: "cannot read the secret file \(secretFile)")
            }
            var secret = String(decoding: data, as: UTF8.self)
            while secret.hasSuffix("\n") || secret.hasSuffix("\r") { secret.removeLast() }
            return Credentials(principal: principal, secret: secret)
        }
        if let secret = environment["TALENT_SECRET"] ?? environment["TALENT_TOKEN"], !secret.isEmpty {
            return Credentials(principal: principal, secret: secret)
        }
        guard isatty(STDIN_FILENO) == 1 else {
            throw Failure(description: "no secret for \(principal): use --secret-file, $TALENT_SECRET or $TALENT_TOKEN, or run on a terminal to be asked")
        }
        return Credentials(principal: principal, secret: try prompt("Password for \(principal): "))
    }

    /// Reads a line from the terminal with echo off.
    private static func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw Failure(description: "no password given")
        }
        return line
    }
}
