import ArgumentParser
import TalentClient
import TalentProtocol

// Every list method pages the same way: `limit` and `cursor` in, `next_cursor` out (absent on the
// last page). List commands take the same three options and read pages through `readPages`.

struct PageOptions: ParsableArguments {
    @Option(help: "Page size (the method's default when left out).") var limit: Int64?
    @Option(help: "Continue after this cursor (the next_cursor of a previous page).") var cursor: String?
    @Flag(help: "Follow next_cursor to the last page.") var all = false
}

/// The items (the member named `items`) of one page, or of every page from `page.cursor` on with
/// --all, and the cursor of the page after the last one read (nil when it was the last).
func readPages(_ client: RPCClient, _ method: String, _ params: [String: JSONValue], items: String,
               _ page: PageOptions) throws -> (items: [JSONValue], next: String?) {
    var params = params
    if let limit = page.limit { params["limit"] = .int(limit) }
    var cursor = page.cursor
    var collected: [JSONValue] = []
    repeat {
        if let cursor { params["cursor"] = .string(cursor) }
        let answer = try client.call(method, params: params)
        collected += answer[items]?.arrayValue ?? []
        cursor = answer["next_cursor"]?.stringValue
    } while page.all && cursor != nil
    return (collected, cursor)
}

extension GlobalOptions {
    /// The page as JSON (`items` and `next_cursor`, as the method answers) for scripts.
    func pageJSON(_ items: [JSONValue], named name: String, next: String?) -> JSONValue {
        var json: [String: JSONValue] = [name: .array(items)]
        if let next { json["next_cursor"] = .string(next) }
        return .object(json)
    }

    /// On standard error, so that table and CSV output stay only records: how to read on.
    func hintNextPage(_ next: String?) {
        if let next, format != .json { printError("more: run the same command with --cursor \(next) (or --all)") }
    }
}
