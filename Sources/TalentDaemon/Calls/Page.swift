import TalentProtocol

/// The one page convention of every list method: `limit` and `cursor` in, `next_cursor` out.
/// A cursor is opaque to clients; here it is the position (id or seq) of the last item shown.
struct PageRequest: Sendable {
    let limit: Int
    /// Items after this position (0: from the start).
    let after: Int64

    /// One more than the page holds, so a store's answer tells whether a next page exists.
    var fetchLimit: Int { limit + 1 }
}

extension Call {
    /// The page asked for; the contract bounds `limit`, a malformed cursor answers `invalid_params`.
    func page(defaultLimit: Int) throws -> PageRequest {
        let limit = Int(int("limit") ?? Int64(defaultLimit))
        guard let cursor = string("cursor") else { return PageRequest(limit: limit, after: 0) }
        guard let after = Int64(cursor), after >= 0 else {
            throw RPCError.invalidParams(field: "cursor", "cursor: pass next_cursor from the previous page unchanged")
        }
        return PageRequest(limit: limit, after: after)
    }
}

/// One page of a list, built from what a store fetched with `PageRequest.fetchLimit`.
struct Page<Item> {
    let items: [Item]
    let nextCursor: String?

    init(_ fetched: [Item], _ request: PageRequest, position: (Item) -> Int64) {
        if fetched.count > request.limit {
            items = Array(fetched.prefix(request.limit))
            nextCursor = items.last.map { String(position($0)) }
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
