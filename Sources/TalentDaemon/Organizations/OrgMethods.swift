import Foundation
import GRDB
import TalentProtocol

/// `org.*`: the ministries, agencies, provinces and other bodies of the program. Seeded by
/// `OrganizationsMigration`; admins add and correct them.
struct OrgMethods: Sendable {
    private func target(_ code: String) -> AuditTarget { AuditTarget(type: "org", id: code) }

    func list(_ call: Call, _ db: Database) throws -> JSONValue {
        let page = Page(call, defaultLimit: 500)
        if let cursor = page.cursor, try Org.find(db, code: cursor) == nil { throw Page.badCursor }
        let orgs = try Org.list(db, kind: call.string("kind"), after: page.cursor, limit: page.fetchLimit)
        return page.result(orgs, "orgs", cursor: \.code, json: \.json)
    }

    func get(_ call: Call, _ db: Database) throws -> JSONValue {
        try Org.require(db, code: try call.requiredString("code")).json
    }

    func create(_ call: Call, _ db: Database) throws -> Change {
        let code = try call.requiredString("code")
        let parent = call.string("parent")
        if let parent { try requireParent(db, parent, for: code) }
        try Org.insert(db, code: code, kind: try call.requiredString("kind"), name: try name(call, "name") ?? "",
                       nameEn: try name(call, "name_en"), parent: parent)
        return Change(result: try Org.require(db, code: code).json, target: target(code))
    }

    func update(_ call: Call, _ db: Database) throws -> Change {
        let code = try call.requiredString("code")
        _ = try Org.require(db, code: code)
        var values: [String: DatabaseValueConvertible?] = [:]
        if let kind = call.string("kind") { values["kind"] = kind }
        if let name = try name(call, "name") { values["name"] = name }
        switch call.params["name_en"] {
        case .null?: values["name_en"] = .some(nil)
        case .string?: values["name_en"] = try name(call, "name_en")
        default: break
        }
        switch call.params["parent"] {
        case .null?:
            values["parent"] = .some(nil)
        case .string(let parent)?:
            try requireParent(db, parent, for: code)
            values["parent"] = parent
        default:
            break
        }
        try Org.set(db, code: code, values)
        return Change(result: try Org.require(db, code: code).json, target: target(code))
    }

    /// A parent must exist, and `code` must not be among its ancestors (nor be it).
    private func requireParent(_ db: Database, _ parent: String, for code: String) throws {
        guard try Org.find(db, code: parent) != nil else {
            throw RPCError.invalidParams(field: "parent", "no org with code \(parent); org.list shows the codes")
        }
        let chain = try Org.ancestry(db, of: parent)
        if chain.contains(code) {
            let path = ([code] + chain.prefix { $0 != code } + [code]).joined(separator: " -> ")
            throw RPCError.invalidParams(field: "parent", "parent \(parent) would make a cycle: \(path)")
        }
    }

    /// A name param trimmed and in NFC; blank is refused.
    private func name(_ call: Call, _ field: String) throws -> String? {
        guard let raw = call.string(field) else { return nil }
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
        if value.isEmpty { throw RPCError.invalidParams(field: field, "\(field) must not be blank") }
        return value
    }
}
