import Foundation
import TalentProtocol

/// `org.*`: the ministries, agencies, provinces and other bodies of the program. Seeded by
/// `OrganizationsMigration`; admins add and correct them.
struct OrgMethods: Sendable {
    private func target(_ code: String) -> AuditTarget { AuditTarget(type: "org", id: code) }

    func list(_ call: Call, _ store: OrgStore) throws -> JSONValue {
        let request = try call.page(defaultLimit: 500, keyedBy: .text)
        if let cursor = request.cursor, try store.find(code: cursor) == nil { throw PageRequest.badCursor }
        return Page(try store.list(kind: try call.optional(OrgKind.self, "kind"), request), request, cursor: \.code).json("orgs", \.json)
    }

    func get(_ call: Call, _ store: OrgStore) throws -> JSONValue {
        try store.require(code: try call.requiredString("code")).json
    }

    func create(_ call: Call, _ store: OrgStore) throws -> Change {
        let code = try call.requiredString("code")
        let parent = call.string("parent")
        if let parent { try requireParent(store, parent, for: code) }
        try store.insert(code: code, kind: try call.required(OrgKind.self, "kind"), name: try name(call, "name") ?? "",
                         nameEn: try name(call, "name_en"), parent: parent, at: call.timestamp)
        return Change(result: try store.require(code: code).json, target: target(code))
    }

    func update(_ call: Call, _ store: OrgStore) throws -> Change {
        let code = try call.requiredString("code")
        _ = try store.require(code: code)
        var changes = OrgStore.Changes(kind: try call.optional(OrgKind.self, "kind"), name: try name(call, "name"))
        switch call.params["name_en"] {
        case .null?: changes.nameEn = .some(nil)
        case .string?: changes.nameEn = try name(call, "name_en")
        default: break
        }
        switch call.params["parent"] {
        case .null?:
            changes.parent = .some(nil)
        case .string(let parent)?:
            try requireParent(store, parent, for: code)
            changes.parent = parent
        default:
            break
        }
        try store.update(code: code, changes, at: call.timestamp)
        return Change(result: try store.require(code: code).json, target: target(code))
    }

    /// A parent must exist, and `code` must not be among its ancestors (nor be it).
    private func requireParent(_ store: OrgStore, _ parent: String, for code: String) throws {
        guard try store.find(code: parent) != nil else {
            throw RPCError.invalidParams(field: "parent", "no org with code \(parent); org.list shows the codes")
        }
        let chain = try store.ancestry(of: parent)
        if chain.contains(code) {
            let path = ([code] + chain.prefix { $0 != code } + [code]).joined(separator: " -> ")
            throw RPCError.invalidParams(field: "parent", "parent \(parent) would make a cycle: \(path)")
        }
    }

    /// A name param trimmed and in NFC; blank is refused.
    private func name(_ call: Call, _ field: String) throws -> String? {
        guard let raw = call.string(field) else { return nil }
        let value = NFC.trimmed(raw)
        if value.isEmpty { throw RPCError.invalidParams(field: field, "\(field) must not be blank") }
        return value
    }
}
