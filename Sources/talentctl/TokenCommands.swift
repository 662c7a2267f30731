import ArgumentParser
import TalentClient
import TalentProtocol

/// `talentctl token ...`: API tokens, shown once at creation.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage API tokens: how scripts log in without a password.",
        discussion: """
        Examples:
          talentctl token create moha-sync --label nightly \\
              --expires-at 2027-01-01T00:00:00Z > moha-sync.token
          TALENT_PRINCIPAL=moha-sync TALENT_TOKEN=$(cat moha-sync.token) talentctl whoami
          talentctl token list moha-sync
          talentctl token revoke 7
        """,
        subcommands: [TokenCreate.self, TokenList.self, TokenRevoke.self])
}

struct TokenCreate: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an API token for a principal (admin); it is shown once, on standard output.",
        discussion: """
        In table output only the token is printed, so it can be redirected to a file; with -o json, the whole result. Only its SHA-256 is kept: store it now.

        Example:
          talentctl token create moha-sync --label nightly > moha-sync.token
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The principal the token logs in as.") var principal: String
    @Option(help: "What it is for, e.g. nightly-sync.") var label: String
    @Option(help: "When it stops working, UTC, e.g. 2027-01-01T00:00:00Z (default: never).") var expiresAt: String?

    func run() throws {
        var params: [String: JSONValue] = ["principal": .string(principal), "label": .string(label)]
        if let expiresAt { params["expires_at"] = .string(expiresAt) }
        let result = try global.withClient { try $0.call("token.create", params: params) }
        global.emit(json: result) { text(result["token"]) }
        printError("token \(text(result["id"])) for \(text(result["principal"])) created; it will not be shown again")
    }
}

struct TokenList: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List a principal's API tokens, without the tokens themselves (admin, auditor).",
        discussion: """
        Oldest first; one page (--limit, 1 to 500, default 100), the cursor of the next on stderr; with --all, every page.

        Example: talentctl token list moha-sync --all
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @OptionGroup var page: PageOptions
    @Argument(help: "The principal's name.") var principal: String

    func run() throws {
        let (tokens, next) = try global.withClient {
            try global.readPages($0, "token.list", ["principal": .string(principal)], items: "tokens", page)
        }
        global.emit(json: global.pageJSON(tokens, named: "tokens", next: next), rows: { () -> Table in
            var table = Table(headers: ["id", "label", "status", "created", "expires", "last used", "revoked"])
            for t in tokens {
                table.add([text(t["id"]), text(t["label"]), text(t["status"]), text(t["created_at"]),
                           text(t["expires_at"]), text(t["last_used_at"]), text(t["revoked_at"])])
            }
            return table
        })
        global.hintNextPage(next)
    }
}

struct TokenRevoke: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke an API token (admin): it cannot log in any more.",
        discussion: "Example: talentctl token revoke 7")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The token's id (token list shows it).") var id: Int64

    func run() throws {
        let result = try global.withClient { try $0.call("token.revoke", params: ["id": .int(id)]) }
        global.emit(json: result) { "token \(text(result["id"])) of \(text(result["principal"])) revoked at \(text(result["revoked_at"]))" }
    }
}
