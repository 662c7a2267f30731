import ArgumentParser
import TalentClient
import TalentProtocol

/// `talentctl whoami`.
struct Whoami: TalentctlCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show who this connection is logged in as, with which roles and org, and how (password, token or peer).",
        discussion: "Example: talentctl --principal lan.hr --secret-file ~/.talent/secret whoami")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    func run() throws {
        let result = try global.withClient { try $0.call("session.whoami") }
        global.emit(json: result) { keyValues(result, ["principal", "kind", "roles", "org", "via"]) }
    }
}

private func keyValues(_ object: JSONValue, _ keys: [String]) -> String {
    var table = Table(headers: [])
    for key in keys {
        let value = object[key]
        table.add([key, value?.arrayValue != nil ? roleList(value) : text(value)])
    }
    return table.render()
}
