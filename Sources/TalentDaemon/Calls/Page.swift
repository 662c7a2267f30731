import TalentProtocol

/// The one page convention of every list method: `limit` and `cursor` in, `next_cursor` out,
/// present only when more items follow. The cursor is opaque to clients; here it is the key of
/// the last item of the previous page (an id, an audit seq, a name or an org code). A store is
/// asked for `fetchLimit` (limit + 1) items after it: the extra one only says whether another
/// page exists.
struct PageRequest: Sendable {
    /// How a list's cursor is keyed.
    enum Key { case id, text }

    let limit: Int
    let cursor: String?
    /// With `Key.id`: the id (or seq) to continue after, 0 from the start.
    let after: Int64

    var fetchLimit: Int { limit + 1 }

    static let badCursor = RPCError.invalidParams(field: "cursor", "cursor: pass next_cursor from the previous page unchanged")
}

extension Call {
    /// The page asked for; the contract bounds `limit`, a malformed id cursor answers `invalid_params`.
    func page(defaultLimit: Int, keyedBy key: PageRequest.Key = .id) throws -> PageRequest {
        let limit = Int(int("limit") ?? Int64(defaultLimit))
        guard let cursor = string("cursor") else { return PageRequest(limit: limit, cursor: nil, after: 0) }
        guard key == .id else { return PageRequest(limit: limit, cursor: cursor, after: 0) }
        guard let after = Int64(cursor), after >= 0 else { throw PageRequest.badCursor }
        return PageRequest(limit: limit, cursor: cursor, after: after)
    }
}

/// One page of a list, built from what a store fetched with `PageRequest.fetchLimit`.
struct Page<Item> {
    let items: [Item]
    let nextCursor: String?

    init(_ fetched: [Item], _ request: PageRequest, cursor: (Item) -> String) {
        if fetched.count > request.limit {
            items = Array(fetched.prefix(request.limit))
            nextCursor = items.last.map(cursor)
        } else {
            items = fetched
            nextCursor = nil
        }
    }

    /// `{<key>: [...], next_cursor?}`, plus any other members of the answer.
    func json(_ key: String, extra: [String: JSONValue] = [:], _ encode: (Item) throws -> JSONValue) rethrows -> JSONValue {
        var object = extra
        object[key] = .array(try items.map(encode))
        if let nextCursor { object["next_cursor"] = .string(nextCursor) }
        return .object(object)
    }
}
