import ArgumentParser
import Foundation
import TalentClient
import TalentProtocol

#if canImport(Glibc)
import Glibc
#endif

// `talentctl principal ...`. Secrets for new principals come from files (--new-secret-file, or
// --generate-secret-file which writes a strong one with mode 0600); --secret-file stays the caller's
// own login secret, as everywhere else.

struct PrincipalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "principal",
        abstract: "Manage principals: people and scripts, their roles, org, status, password and Unix uid.",
        discussion: """
        Examples:
          talentctl principal create lan.hr --kind human --role hr_official \\
              --org MOHA --generate-secret-file ./lan.secret
          talentctl principal list --role admin
          talentctl principal disable lan.hr
        """,
        subcommands: [PrincipalCreate.self, PrincipalList.self, PrincipalShow.self, PrincipalUpdate.self,
                      PrincipalDisable.self, PrincipalEnable.self, PrincipalSetSecret.self,
                      PrincipalBindUID.self, PrincipalUnbindUID.self])
}

/// Where a principal's new password comes from: an existing file, or a generated one written to a
/// new file (mode 0600) before it is sent, so it is never lost and never on the command line.
struct NewSecretOptions: ParsableArguments {
    @Option(name: .long, help: "File holding the principal's new password (at least 12 characters).")
    var newSecretFile: String?

    @Option(name: .long, help: "Generate a strong password and write it to this new file (mode 0600).")
    var generateSecretFile: String?

    func validate() throws {
        if newSecretFile != nil, generateSecretFile != nil {
            throw ValidationError("give --new-secret-file or --generate-secret-file, not both")
        }
    }

    /// The secret, and the file written for it (to remove if the daemon refuses the request).
    func secret() throws -> (secret: String, written: String?)? {
        if let newSecretFile {
            guard let data = FileManager.default.contents(atPath: newSecretFile) else {
                throw ValidationError("cannot read the secret file \(newSecretFile)")
            }
            var secret = String(decoding: data, as: UTF8.self)
            while secret.hasSuffix("\n") || secret.hasSuffix("\r") { secret.removeLast() }
            return (secret, nil)
        }
        guard let generateSecretFile else { return nil }
        let secret = generatedPassword()
        let fd = open(generateSecretFile, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw ValidationError("cannot create \(generateSecretFile): \(String(cString: strerror(errno))) (it must not exist yet)")
        }
        defer { close(fd) }
        let bytes = Array((secret + "\n").utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count, fsync(fd) == 0 else {
            unlink(generateSecretFile)
            throw ValidationError("cannot write \(generateSecretFile): \(String(cString: strerror(errno)))")
        }
        return (secret, generateSecretFile)
    }

    /// 144 random bits from the system CSPRNG, as 24 URL-safe characters.
    private func generatedPassword() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var generator = SystemRandomNumberGenerator()
        return String((0..<24).map { _ in alphabet[Int.random(in: 0..<64, using: &generator)] })
    }
}

/// Sends a request carrying a new secret; a generated secret file is removed if it was refused.
private func sendingSecret(_ written: String?, _ body: () throws -> JSONValue) throws -> JSONValue {
    do {
        return try body()
    } catch {
        if let written { unlink(written) }
        throw error
    }
}

enum PrincipalKind: String, ExpressibleByArgument, CaseIterable {
    case human, agent
}

struct PrincipalCreate: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a principal (admin).",
        discussion: """
        Without a secret option the principal has no password: it logs in with an API token (talentctl token create) or by its Unix uid (principal bind-uid).

        Examples:
          talentctl principal create lan.hr --kind human --role hr_official \\
              --org MOHA --generate-secret-file ./lan.secret
          talentctl principal create moha-sync --kind agent \\
              --role ministry_agent --org MOHA
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @OptionGroup var newSecret: NewSecretOptions

    @Argument(help: "Name: lowercase letters, digits, '.', '_' or '-', e.g. lan.hr.")
    var name: String

    @Option(help: "human or agent (a script).")
    var kind: PrincipalKind

    @Option(name: .customLong("role"), help: "A role (repeat for several): admin, hr_official, ministry_agent, reviewer, ops, auditor.")
    var roles: [String] = []

    @Option(help: "The org code it belongs to, e.g. MOHA (none: national scope).", transform: orgCode) var org: String?

    func validate() throws {
        if roles.isEmpty { throw ValidationError("give at least one --role") }
    }

    func run() throws {
        let secret = try newSecret.secret()
        var params: [String: JSONValue] = ["name": .string(name), "kind": .string(kind.rawValue),
                                           "roles": .array(roles.map(JSONValue.string))]
        if let org { params["org"] = .string(org) }
        if let secret { params["secret"] = .string(secret.secret) }
        let result = try sendingSecret(secret?.written) {
            try global.withClient { try $0.call("principal.create", params: params) }
        }
        if let written = secret?.written { printError("password written to \(written) (mode 0600)") }
        global.emit(json: result) { principalTable(result) }
    }
}

struct PrincipalList: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List principals (admin, auditor).",
        discussion: """
        In name order; one page (--limit, 1 to 500, default 100), the cursor of the next on stderr; with --all, every page.

        Examples:
          talentctl principal list --all
          talentctl principal list --org MOHA --role hr_official --status active
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @OptionGroup var page: PageOptions

    @Option(help: "Only those of this org.", transform: orgCode) var org: String?
    @Option(help: "Only those holding this role.") var role: String?
    @Option(help: "active or disabled.") var status: String?

    func run() throws {
        var params: [String: JSONValue] = [:]
        if let org { params["org"] = .string(org) }
        if let role { params["role"] = .string(role) }
        if let status { params["status"] = .string(status) }
        let (principals, next) = try global.withClient { try global.readPages($0, "principal.list", params, items: "principals", page) }
        global.emit(json: global.pageJSON(principals, named: "principals", next: next), rows: { () -> Table in
            var table = Table(headers: ["name", "kind", "roles", "org", "status", "password", "created"])
            for p in principals {
                table.add([text(p["name"]), text(p["kind"]), roleList(p["roles"]), text(p["org"]), text(p["status"]),
                           p["has_password"] == .bool(true) ? "yes" : "no", text(p["created_at"])])
            }
            return table
        })
        global.hintNextPage(next)
    }
}

struct PrincipalShow: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one principal (admin, auditor, or the principal itself).",
        discussion: "Example: talentctl principal show lan.hr")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The principal's name.") var name: String

    func run() throws {
        let result = try global.withClient { try $0.call("principal.get", params: ["name": .string(name)]) }
        global.emit(json: result) { principalTable(result) }
    }
}

struct PrincipalUpdate: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a principal's roles or org (admin); takes effect at its next request.",
        discussion: """
        --role replaces all roles with those given. --no-org makes the principal national.

        Examples:
          talentctl principal update lan.hr --role hr_official --role reviewer
          talentctl principal update lan.hr --org MOST
          talentctl principal update lan.hr --no-org
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The principal's name.") var name: String
    @Option(name: .customLong("role"), help: "A role (repeat for several); replaces the current roles.") var roles: [String] = []
    @Option(help: "Move it to this org.", transform: orgCode) var org: String?
    @Flag(help: "Remove its org: national scope.") var noOrg = false

    func validate() throws {
        if org != nil, noOrg { throw ValidationError("give --org or --no-org, not both") }
        if roles.isEmpty, org == nil, !noOrg { throw ValidationError("nothing to change: give --role, --org or --no-org") }
    }

    func run() throws {
        var params: [String: JSONValue] = ["name": .string(name)]
        if !roles.isEmpty { params["roles"] = .array(roles.map(JSONValue.string)) }
        if let org { params["org"] = .string(org) }
        if noOrg { params["org"] = .null }
        let result = try global.withClient { try $0.call("principal.update", params: params) }
        global.emit(json: result) { principalTable(result) }
    }
}

struct PrincipalDisable: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Disable a principal (admin): it cannot log in, and its open sessions end at their next request.",
        discussion: "Example: talentctl principal disable lan.hr")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The principal's name.") var name: String

    func run() throws {
        let result = try global.withClient { try $0.call("principal.disable", params: ["name": .string(name)]) }
        global.emit(json: result) { principalTable(result) }
    }
}

struct PrincipalEnable: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Enable a disabled principal again (admin).",
        discussion: "Example: talentctl principal enable lan.hr")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The principal's name.") var name: String

    func run() throws {
        let result = try global.withClient { try $0.call("principal.enable", params: ["name": .string(name)]) }
        global.emit(json: result) { principalTable(result) }
    }
}

struct PrincipalSetSecret: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-secret",
        abstract: "Set a principal's password (admin, or the principal itself).",
        discussion: """
        Examples:
          talentctl principal set-secret lan.hr --new-secret-file ./lan.new
          talentctl --principal lan.hr --secret-file ./lan.old \\
              principal set-secret lan.hr --generate-secret-file ./lan.new
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @OptionGroup var newSecret: NewSecretOptions
    @Argument(help: "The principal's name.") var name: String

    func validate() throws {
        if newSecret.newSecretFile == nil, newSecret.generateSecretFile == nil {
            throw ValidationError("give --new-secret-file or --generate-secret-file")
        }
    }

    func run() throws {
        guard let secret = try newSecret.secret() else { return }
        let result = try sendingSecret(secret.written) {
            try global.withClient {
                try $0.call("principal.set_secret", params: ["name": .string(name), "secret": .string(secret.secret)])
            }
        }
        if let written = secret.written { printError("password written to \(written) (mode 0600)") }
        global.emit(json: result) { principalTable(result) }
    }
}

struct PrincipalBindUID: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "bind-uid",
        abstract: "Log that Unix user's connections in as this principal, without a password (admin).",
        discussion: "Example: talentctl principal bind-uid lan.hr $(id -u lan)")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The principal's name.") var name: String
    @Argument(help: "The Unix uid.") var uid: Int64

    func run() throws {
        let result = try global.withClient { try $0.call("principal.bind_uid", params: ["name": .string(name), "uid": .int(uid)]) }
        global.emit(json: result) { "uid \(text(result["uid"])) now logs in as \(text(result["name"]))" }
    }
}

struct PrincipalUnbindUID: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "unbind-uid",
        abstract: "Stop logging a Unix user's new connections in by uid (admin).",
        discussion: "Example: talentctl principal unbind-uid 1001")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The Unix uid.") var uid: Int64

    func run() throws {
        let result = try global.withClient { try $0.call("principal.unbind_uid", params: ["uid": .int(uid)]) }
        global.emit(json: result) { "uid \(text(result["uid"])) no longer logs in as \(text(result["name"]))" }
    }
}

/// Roles as one cell: admin,reviewer.
func roleList(_ value: JSONValue?) -> String {
    (value?.arrayValue ?? []).map { text($0) }.joined(separator: ",")
}

private func principalTable(_ p: JSONValue) -> String {
    var table = Table(headers: [])
    table.add(["name", text(p["name"])])
    table.add(["kind", text(p["kind"])])
    table.add(["roles", roleList(p["roles"])])
    table.add(["org", text(p["org"])])
    table.add(["status", text(p["status"])])
    table.add(["password", p["has_password"] == .bool(true) ? "yes" : "no"])
    table.add(["created_at", text(p["created_at"])])
    table.add(["updated_at", text(p["updated_at"])])
    return table.render()
}
