import ArgumentParser
import Foundation
import TalentClient
import TalentProtocol

struct PersonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "person",
        abstract: "The registry of persons: experts, candidates, appointees.",
        subcommands: [PersonAdd.self, PersonShow.self, PersonList.self, PersonSearch.self, PersonEdit.self])
}

/// Every member of a person, in display order (personal data is absent unless the caller may see it).
private let personFields = ["id", "version", "full_name", "birth_date", "gender", "nationality", "overseas_vietnamese",
                            "residence_country", "email", "phone", "national_id", "fields", "highest_degree", "employer",
                            "created_at", "updated_at"]

/// The fields `person add` and `person edit` set, as options.
struct PersonFieldOptions: ParsableArguments {
    @Option(help: "Full name as written, e.g. \"Nguyễn Thị Hương\".") var fullName: String?
    @Option(help: "Date of birth, YYYY-MM-DD or dd/mm/yyyy.", transform: isoDate) var birthDate: String?
    @Option(help: "Gender.") var gender: GenderValue?
    @Option(help: "ISO 3166-1 alpha-2 code, e.g. VN.") var nationality: String?
    @Option(help: "true when the person lives abroad (Việt kiều).") var overseasVietnamese: Bool?
    @Option(help: "ISO 3166-1 alpha-2 code of the country of residence.") var residenceCountry: String?
    @Option(help: "Email address (personal data).") var email: String?
    @Option(help: "Phone: digits, spaces, optional leading + (personal data).") var phone: String?
    @Option(help: "CCCD: 12 digits (personal data).") var nationalId: String?
    @Option(name: .customLong("field"), help: "A field of expertise; repeat for several.") var fields: [String] = []
    @Option(help: "Highest degree, e.g. PhD.") var highestDegree: String?
    @Option(help: "Employer.") var employer: String?

    var params: [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        let texts: [(String, String?)] = [
            ("full_name", fullName), ("birth_date", birthDate), ("gender", gender?.rawValue), ("nationality", nationality),
            ("residence_country", residenceCountry), ("email", email), ("phone", phone), ("national_id", nationalId),
            ("highest_degree", highestDegree), ("employer", employer),
        ]
        for (name, value) in texts { if let value { out[name] = .string(value) } }
        if let overseasVietnamese { out["overseas_vietnamese"] = .bool(overseasVietnamese) }
        if !fields.isEmpty { out["fields"] = .array(fields.map(JSONValue.string)) }
        return out
    }
}

struct PersonAdd: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Register a person; warns (on stderr) about possible duplicates.",
        discussion: """
        Example:
          talentctl person add --full-name "Nguyễn Thị Hương" \\
              --birth-date 08/03/1985 --gender female --nationality VN \\
              --email huong@example.vn --field "bán dẫn" --field AI
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @OptionGroup var person: PersonFieldOptions

    @Option(help: "When the person may already be registered: warn (create anyway), refuse, or return_existing.")
    var ifDuplicate: IfDuplicateValue?

    func validate() throws {
        if person.fullName == nil { throw ValidationError("--full-name is required") }
    }

    func run() throws {
        var params = person.params
        if let ifDuplicate { params["if_duplicate"] = .string(ifDuplicate.rawValue) }
        let result = try global.withClient { try $0.call("person.create", params: params) }
        printWarnings(result)
        if result["created"]?.boolValue == false {
            printError(L10n.text("person.exists", text(result["person"]?["id"])))
        }
        global.emit(json: result) { fieldTable(result["person"] ?? .null, global.missing, personFields) }
    }
}

struct PersonShow: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one person.",
        discussion: "Example: talentctl person show 42")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    @Argument(help: "The person's id.") var id: Int64

    func run() throws {
        let result = try global.withClient { try $0.call("person.get", params: ["id": .int(id)]) }
        global.emit(json: result) { fieldTable(result, global.missing, personFields) }
    }
}

struct PersonSearch: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find persons by name: case and diacritics ignored, every word a prefix of a name word.",
        discussion: """
        Results come in registration order. Without --all, prints one page (--limit, 1 to 500, default 50) and, when there is more, the cursor on stderr. An empty name with --employer or --missing browses as person list does.

        Examples:
          talentctl person search "nguyen thi huong"
          talentctl person search dang -o csv > dang.csv
          talentctl person search "" --missing national_id
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    @Argument(help: "Name words, e.g. \"nguyen huong\" or \"Đặng\".") var query: String = ""
    @OptionGroup var filters: PersonFilterOptions
    @OptionGroup var page: PageOptions

    func validate() throws {
        if query.trimmingCharacters(in: .whitespaces).isEmpty, filters.isEmpty {
            throw ValidationError(L10n.text("person.search_empty"))
        }
    }

    func run() throws {
        let browse = query.trimmingCharacters(in: .whitespaces).isEmpty
        try listPersons(global, browse ? "person.list" : "person.search", browse ? filters.params : ["q": .string(query)], page)
    }
}

/// `person list`'s filters, which `person search ""` also takes.
struct PersonFilterOptions: ParsableArguments {
    @Option(name: [.customLong("employer"), .customLong("org")], help: "Only persons whose employer is this (case ignored).")
    var employer: String?
    @Option(help: "Only persons lacking this field; repeat for several.") var missing: [PersonFieldValue] = []

    var isEmpty: Bool { employer == nil && missing.isEmpty }

    var params: [String: JSONValue] {
        var params: [String: JSONValue] = [:]
        if let employer { params["employer"] = .string(employer) }
        if !missing.isEmpty { params["missing"] = .array(missing.map { .string($0.rawValue) }) }
        return params
    }
}

struct PersonList: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Browse persons in registration order, filtered by employer or by fields they lack.",
        discussion: """
        One page (--limit, 1 to 500, default 50), the cursor of the next on stderr; with --all, -o csv or -o json, every page.

        Examples:
          talentctl person list
          talentctl person list --missing national_id --all
          talentctl person list --employer Viettel -o csv --excel > viettel.csv
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @OptionGroup var filters: PersonFilterOptions
    @OptionGroup var page: PageOptions

    func run() throws {
        try listPersons(global, "person.list", filters.params, page)
    }
}

/// Persons of `person list` or `person search`, one row each.
private func listPersons(_ global: GlobalOptions, _ method: String, _ params: [String: JSONValue], _ page: PageOptions) throws {
    let (persons, next) = try global.withClient { try global.readPages($0, method, params, items: "persons", page) }
    global.emit(json: global.pageJSON(persons, named: "persons", next: next)) {
        let columns = ["id", "full_name", "birth_date", "gender", "nationality", "employer"]
        var table = Table(headers: columns.map(L10n.word))
        for p in persons { table.add(columns.map { cell(p[$0], global.missing) }) }
        return table
    }
    global.hintNextPage(next)
}

struct PersonEdit: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Change a person's fields; --version is the version you read, so that no one else's change is overwritten.",
        discussion: """
        A person's version counts its changes: 1 when registered, one more for each edit; person show prints it. If the person changed since you read it, the edit is refused: read it again and redo your change. Options left out are unchanged; --clear FIELD empties a field (not full_name).

        Examples:
          talentctl person edit 42 --version 3 --employer "Viettel"
          talentctl person edit 42 --version 4 --clear email --clear phone
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @OptionGroup var person: PersonFieldOptions

    @Argument(help: "The person's id.") var id: Int64
    @Option(help: ArgumentHelp("The person's version when you read it (person show prints it).", valueName: "n")) var version: Int64
    @Option(help: "A field to clear, e.g. email; repeat for several.") var clear: [String] = []

    func run() throws {
        var params = person.params
        params["id"] = .int(id)
        params["version"] = .int(version)
        for field in clear { params[field] = .null }
        let result = try global.withClient { try $0.call("person.update", params: params) }
        printWarnings(result)
        global.emit(json: result) { fieldTable(result["person"] ?? .null, global.missing, personFields) }
    }
}

/// Possible duplicates a create or an update found, on stderr (the result itself goes to stdout).
private func printWarnings(_ result: JSONValue) {
    for warning in result["warnings"]?.arrayValue ?? [] {
        printError("\(L10n.text("warning")): \(text(warning["code"])): \(text(warning["message"]))")
    }
}
