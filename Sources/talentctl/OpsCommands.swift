import ArgumentParser
import TalentClient
import TalentProtocol

/// `talentctl backup`: an online copy of the database, verified by the daemon.
struct Backup: TalentctlCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the live database to a new file on the daemon's machine and verify it (admin).",
        discussion: """
        Writers go on during the copy; it holds every write acknowledged before it started. The daemon checks the copy (integrity, audit chain) before answering, and reports its audit head: publish it as an anchor. PATH must be absolute and must not exist; the daemon's user must be able to create it.

        Examples:
          talentctl backup --to /var/backups/talentd/talent-$(date -u +%F).db
          talentd verify --db /var/backups/talentd/talent-2026-11-25.db
          talentd restore --from /var/backups/talentd/talent-2026-11-25.db --db /var/lib/talentd/talent.db   (daemon stopped)
        """)
    @OptionGroup var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "Absolute file name for the copy, on the daemon's machine.") var to: String

    func run() throws {
        let result = try global.withClient { try $0.call("system.backup", params: ["path": .string(to)]) }
        global.emit(json: result) {
            let head = result["audit_head"]
            return "backed up \(text(result["pages"])) pages (\(text(result["bytes"])) bytes) in \(text(result["seconds"])) s to \(text(result["path"])), verified; audit head \(text(head?["seq"])):\(text(head?["hash"]))"
        }
    }
}
