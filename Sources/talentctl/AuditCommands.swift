import ArgumentParser
import TalentClient
import TalentProtocol

/// `talentctl audit ...`.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read and check the audit trail (admin, auditor).",
        discussion: """
        Examples:
          talentctl audit list --actor lan.hr --limit 20
          talentctl audit list --all --method principal.update -o json
          talentctl audit verify || page-the-security-officer
          talentctl audit head -o json >> /srv/anchors/talentd.jsonl
        """,
        subcommands: [AuditList.self, AuditHead.self, AuditVerify.self])
}

struct AuditList: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List audit entries in order: who did what, to which record, with which params (secrets shown as ***).",
        discussion: """
        Without --all, one page (--limit entries, 1 to 1000, default 100, after --cursor); when there are more, standard error says how to get the next page (JSON output has next_cursor). With --all, every matching entry.

        Examples:
          talentctl audit list --limit 20
          talentctl audit list --cursor 120 --actor lan.hr
          talentctl audit list --all --method session.login
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @OptionGroup var page: PageOptions
    // Not --principal: that is who talentctl logs in as.
    @Option(help: "Only entries by this principal.") var actor: String?
    @Option(help: "Only entries of this method.") var method: String?

    func run() throws {
        var params: [String: JSONValue] = [:]
        if let actor { params["principal"] = .string(actor) }
        if let method { params["method"] = .string(method) }
        let (entries, next) = try global.withClient { try global.readPages($0, "audit.list", params, items: "entries", page) }
        global.emit(json: global.pageJSON(entries, named: "entries", next: next), rows: { () -> Table in
            var table = Table(headers: ["seq", "at", "principal", "method", "target", "outcome", "params"])
            for e in entries {
                let target = e["target"].map { "\(text($0["type"])) \(text($0["id"]))" } ?? "-"
                table.add([text(e["seq"]), text(e["at"]), text(e["principal"]), text(e["method"]), target,
                           text(e["outcome"]), JSONWriter.string(e["params"] ?? .null)])
            }
            return table
        })
        global.hintNextPage(next)
    }
}

struct AuditVerify: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the audit hash chain; exit 0 when intact, 1 when an entry was edited, deleted or reordered.",
        discussion: "Example: talentctl audit verify   ->   ok: 1204 entries, chain intact")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    func run() throws {
        let result = try global.withClient { try $0.call("audit.verify") }
        let ok = result["ok"] == .bool(true)
        global.emit(json: result) {
            ok ? "ok: \(text(result["entries"])) entries, chain intact"
               : "TAMPERED: the chain breaks at seq \(text(result["first_bad_seq"])) (\(text(result["entries"])) entries read)"
        }
        if !ok { throw ExitCode(1) }
    }
}

struct AuditHead: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "head",
        abstract: "Print the newest audit entry as SEQ:HASH, to publish outside the database as an anchor (admin, auditor, ops).",
        discussion: """
        Someone who can write the database file can rebuild a whole consistent chain; a head published elsewhere (a file on another machine, a ticket, a newspaper) catches it: `talentd audit verify --db DB --anchor SEQ:HASH` fails when the entry SEQ no longer carries HASH.

        Example: talentctl audit head   ->   1204:9f2c…  (at 2026-11-25T02:00:01.207Z)
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    func run() throws {
        let head = try global.withClient { try $0.call("audit.head") }
        global.emit(json: head) { "\(text(head["seq"])):\(text(head["hash"]))  (at \(text(head["at"])))" }
    }
}
