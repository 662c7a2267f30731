import ArgumentParser
import Foundation
import TalentClient
import TalentProtocol

/// `talentctl login`: the secret once, then a short-lived API token for the commands that follow,
/// as `gh auth login` does. Each command then logs in with the token (no Argon2, and no password
/// login in the audit trail for every command).
struct Login: TalentctlCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log in once: asks for your password, saves a short-lived API token for this socket (mode 0600).",
        discussion: """
        The token is saved under $XDG_CONFIG_HOME/talentctl (else ~/.config/talentctl) and used by every command on the same socket until it expires (--hours, default 12, at most 720) or `talentctl logout`. --secret-file, $TALENT_SECRET and $TALENT_TOKEN still win.

        Examples:
          talentctl login --principal moha-hr-huong
          talentctl context use moha --socket /run/talentd/talentd.sock \\
              --principal moha-hr-huong
          talentctl login
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    @Option(help: "How long the login lasts, in hours (1 to 720).") var hours: Int = 12

    func validate() throws {
        guard (1...720).contains(hours) else { throw ValidationError("--hours must be between 1 and 720") }
    }

    func run() throws {
        let options = global
        guard let principal = Credentials.principal(flag: options.principal) else {
            throw ValidationError(L10n.text("login.who"))
        }
        let login = try options.withClient(login: false) { client -> SavedLogins.Login in
            guard let credentials = try Credentials.resolve(principal: principal, secretFile: options.secretFile) else {
                throw Credentials.Failure(description: L10n.text("login.who"))
            }
            _ = try client.call("session.login", params: ["principal": .string(credentials.principal), "secret": .string(credentials.secret)])
            let host = ProcessInfo.processInfo.hostName
            let token = try client.call("token.create", params: [
                "principal": .string(principal), "label": .string("talentctl login on \(host)"),
                "expires_at": .string(UTCNow.after(seconds: hours * 3600)),
            ])
            return SavedLogins.Login(principal: principal, token: text(token["token"]), expiresAt: text(token["expires_at"]),
                                     id: token["id"]?.intValue)
        }
        try SavedLogins.save(socket: options.socketPath, login)
        printError(L10n.text("login.done", principal, options.socketPath, login.expiresAt))
    }
}

struct Logout: TalentctlCommand {
    static let configuration = CommandConfiguration(
        abstract: "End the login saved for this socket (yours, or --principal's): its token is revoked and forgotten.",
        discussion: "Example: talentctl logout")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    func run() throws {
        let options = global
        if let saved = SavedLogins.find(socket: options.socketPath, principal: options.principal), let id = saved.id {
            // Revoked with itself, so that a copy of the file is worthless too; if the daemon
            // cannot be reached the token is still forgotten here and expires on its own.
            do {
                let client = try RPCClient(socketPath: options.socketPath)
                _ = try client.call("session.login", params: ["principal": .string(saved.principal), "secret": .string(saved.token)])
                _ = try client.call("token.revoke", params: ["id": .int(id), "principal": .string(saved.principal)])
            } catch {
                printError(L10n.text("logout.not_revoked", saved.expiresAt))
            }
        }
        let gone = try SavedLogins.remove(socket: options.socketPath, principal: options.principal)
        printError(gone.isEmpty ? L10n.text("logout.none", options.socketPath)
                                : L10n.text("logout.done", gone.sorted().joined(separator: ", "), options.socketPath))
    }
}

/// `talentctl context ...`: named pairs of a socket and a principal, as kubectl's contexts.
struct ContextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "context",
        abstract: "Name a socket and a principal, and switch between them (as kubectl contexts).",
        discussion: """
        Examples:
          talentctl context use moha --socket /run/talentd/talentd.sock \\
              --principal moha-hr-huong
          talentctl context list
          talentctl context use local
        """,
        subcommands: [ContextUse.self, ContextList.self, ContextShow.self])
}

struct ContextUse: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "use",
        abstract: "Make NAME the current context; --socket and --principal create or change it.",
        discussion: """
        The global --socket and --principal given here are saved in the context rather than used.

        Example:
          talentctl context use moha --socket /run/talentd/talentd.sock \\
              --principal moha-hr-huong
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The context's name.") var name: String

    func run() throws {
        let socket = global.socket, principal = global.principal
        var (_, contexts) = Contexts.all()
        var context = contexts.first { $0.name == name } ?? Context(name: name)
        if context.socket == nil, socket == nil, principal == nil, !contexts.contains(where: { $0.name == name }) {
            throw ValidationError(L10n.text("context.unknown", name))
        }
        if let socket { context.socket = socket }
        if let principal { context.principal = principal }
        contexts.removeAll { $0.name == name }
        contexts.append(context)
        try Contexts.save(contexts, current: name)
        printError(L10n.text("context.switched", name))
    }
}

struct ContextList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the contexts; * marks the current one.")

    func run() throws {
        let (current, contexts) = Contexts.all()
        var table = Table(headers: [L10n.word("current"), L10n.word("name"), "socket", "principal"])
        for c in contexts { table.add([c.name == current ? "*" : "", c.name, c.socket ?? "-", c.principal ?? "-"]) }
        print(table.render())
    }
}

struct ContextShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show the current context (or NAME) and whether a login is saved for it.")
    @Argument(help: "A context's name (default: the current one).") var name: String?

    func run() throws {
        let (current, contexts) = Contexts.all()
        guard let wanted = name ?? current, let context = contexts.first(where: { $0.name == wanted }) else {
            throw ValidationError(L10n.text("context.none"))
        }
        let socket = DefaultPaths.socket(flag: nil, configured: context.socket)
        let saved = SavedLogins.find(socket: socket, principal: context.principal)
        var table = Table(headers: [])
        table.add(["context", context.name])
        table.add(["socket", socket])
        table.add(["principal", context.principal ?? "-"])
        table.add(["login", saved.map { L10n.text("context.login_until", $0.principal, $0.expiresAt) } ?? "-"])
        print(table.render())
    }
}
