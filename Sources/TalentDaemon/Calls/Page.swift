import TalentProtocol

/// The one page convention of every list method: `limit` and `cursor` in, `next_cursor` out,
/// present only when more items follow. The cursor is opaque to clients; here it is the key of
/// the last item of the previous page (an id, an audit seq, a name or an org code). A store is
/// asked for `limit + 1` items after it: the extra one only says whether another page exists.
struct Page {
    let limit: Int
    let cursor: String?

    init(_ call: Call, defaultLimit: Int) {
        limit = Int(call.int("limit") ?? Int64(defaultLimit))
        cursor = call.string("cursor")
    }

    /// How many items to ask the store for.
    var fetchLimit: Int { limit + 1 }

    /// The cursor of a list in id (or seq) order: the id to continue after, 0 from the start.
    func afterID() throws -> Int64 {
        guard let cursor else { return 0 }
        guard let id = Int64(cursor), id >= 0 else { throw Self.badCursor }
        return id
    }

    static let badCursor = RPCError.invalidParams(field: "cursor", "cursor: pass next_cursor from the previous page unchanged")

    /// The page's items under `name`, and `next_cursor` when the store found more than `limit`.
    func result<Item>(_ found: [Item], _ name: String, cursor: (Item) -> String, json: (Item) -> JSONValue) -> JSONValue {
        let page = found.prefix(limit)
        var result: [String: JSONValue] = [name: .array(page.map(json))]
        if found.count > limit, let last = page.last { result["next_cursor"] = .string(cursor(last)) }
        return .object(result)
    }
}
