import ArgumentParser
import Foundation
import TalentClient
import TalentProtocol

// Every list method pages the same way: `limit` and `cursor` in, `next_cursor` out (absent on the
// last page). List commands take the same three options and read pages through `readPages`.

struct PageOptions: ParsableArguments {
    @Option(help: "Page size (the method's default when left out).") var limit: Int64?
    @Option(help: "Continue after this cursor (the next_cursor of a previous page).") var cursor: String?
    @Flag(help: "Follow next_cursor to the last page.") var all = false
}

/// The items (the member named `items`) of one page, or of every page from `cursor` on with
/// `all`, and the cursor of the page after the last one read (nil when it was the last).
func fetchPages(_ client: RPCClient, _ method: String, _ params: [String: JSONValue], items: String,
               limit: Int64? = nil, cursor: String? = nil, all: Bool) throws -> (items: [JSONValue], next: String?) {
    var params = params
    if let limit { params["limit"] = .int(limit) }
    var cursor = cursor
    var collected: [JSONValue] = []
    repeat {
        if let cursor { params["cursor"] = .string(cursor) }
        let answer = try client.call(method, params: params)
        collected += answer[items]?.arrayValue ?? []
        cursor = answer["next_cursor"]?.stringValue
    } while all && cursor != nil
    return (collected, cursor)
}

extension GlobalOptions {
    /// One page for a person reading a table; for -o json and -o csv (a file, a script) every
    /// page unless --limit or --cursor asks for one: `appointment list -o csv > all.csv` is all.
    func readPages(_ client: RPCClient, _ method: String, _ params: [String: JSONValue], items: String,
                   _ page: PageOptions) throws -> (items: [JSONValue], next: String?) {
        let every = page.all || (format != .table && page.limit == nil && page.cursor == nil)
        return try fetchPages(client, method, params, items: items, limit: page.limit, cursor: page.cursor, all: every)
    }

    /// The page as JSON (`items` and `next_cursor`, as the method answers) for scripts.
    func pageJSON(_ items: [JSONValue], named name: String, next: String?) -> JSONValue {
        var json: [String: JSONValue] = [name: .array(items)]
        if let next { json["next_cursor"] = .string(next) }
        return .object(json)
    }

    /// On standard error, so that table and CSV output stay only records: the command that reads
    /// the next page (this one, with its filters, and --cursor).
    func hintNextPage(_ next: String?) {
        guard let next else { return }
        printError(L10n.text("more.pages", commandLine(continuingAt: next)))
    }
}

/// This invocation as a shell command, with `--cursor next` in place of any cursor it had.
/// Arguments are never secrets (talentctl takes secrets only from files or the environment).
func commandLine(continuingAt next: String) -> String {
    var words: [String] = ["talentctl"]
    var arguments = CommandLine.arguments.dropFirst()
    while let argument = arguments.popFirst() {
        if argument == "--cursor" { _ = arguments.popFirst(); continue }
        if argument.hasPrefix("--cursor=") { continue }
        words.append(shellQuoted(argument))
    }
    return (words + ["--cursor", shellQuoted(next)]).joined(separator: " ")
}

/// `word` as one shell word: as it is when it holds only safe characters, else in single quotes.
func shellQuoted(_ word: String) -> String {
    let safe = word.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil || "-_./:=@,+".unicodeScalars.contains($0) }
    if safe, !word.isEmpty { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
