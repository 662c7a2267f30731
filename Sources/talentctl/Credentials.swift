import Foundation
import TalentClient
import TalentProtocol

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

    /// An environment variable, an empty one counting as unset (`TALENT_SECRET= cmd` is a slip, not a password).
    static func environment(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Who to be, from the flag, the environment, then the current context.
    static func principal(flag: String?) -> String? {
        flag ?? environment("TALENT_PRINCIPAL") ?? Contexts.current()?.principal
    }

    /// Logs `client` in, first found wins: --principal with --secret-file; the environment's secret
    /// or token; the login `talentctl login` saved for this socket; a prompt on a terminal. With
    /// none of these, the connection stays anonymous (the daemon may log it in by its Unix uid).
    static func logIn(_ client: RPCClient, principal flag: String?, secretFile: String?) throws {
        let explicit = flag ?? environment("TALENT_PRINCIPAL")
        let hasSecret = secretFile != nil || environment("TALENT_SECRET") != nil || environment("TALENT_TOKEN") != nil
        if !hasSecret, let saved = SavedLogins.find(socket: client.socketPath, principal: principal(flag: flag)) {
            do {
                _ = try client.call("session.login", params: ["principal": .string(saved.principal), "secret": .string(saved.token)])
                return
            } catch let error as RPCError where error.reason == "unauthenticated" {
                _ = try? SavedLogins.remove(socket: client.socketPath, principal: saved.principal)
                throw Failure(description: L10n.text("login.saved_refused", saved.principal))
            }
        }
        guard let credentials = try resolve(principal: explicit ?? Contexts.current()?.principal, secretFile: secretFile) else { return }
        _ = try client.call("session.login", params: ["principal": .string(credentials.principal), "secret": .string(credentials.secret)])
    }

    /// Nil when nothing says who to be: the daemon may still log the connection in by its Unix uid.
    static func resolve(principal: String?, secretFile: String?) throws -> Credentials? {
        guard let principal else {
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
        if let secret = environment("TALENT_SECRET") ?? environment("TALENT_TOKEN") {
            return Credentials(principal: principal, secret: secret)
        }
        guard isatty(STDIN_FILENO) == 1 else {
            throw Failure(description: L10n.text("login.no_secret", principal))
        }
        return Credentials(principal: principal, secret: try prompt(L10n.text("login.prompt", principal)))
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
