import TalentProtocol

/// `principal.*`: who may use the daemon, with which roles, for which org.
struct PrincipalMethods: Sendable {
    let sessions: SessionResolver
    let passwords: Passwords

    private func target(_ name: String) -> AuditTarget { AuditTarget(type: "principal", id: name) }

    func create(_ call: Call, _ store: PrincipalStore) throws -> Change {
        let name = try call.requiredString("name")
        let hash = try call.string("secret").map(passwords.hash)
        let principal = try store.insert(name: name, kind: try call.requiredString("kind"), roles: call.strings("roles") ?? [],
                                         org: call.string("org"), passwordHash: hash, at: call.timestamp)
        return Change(result: principal.json, target: target(name))
    }

    func get(_ call: Call, _ store: PrincipalStore) throws -> JSONValue {
        try store.require(name: try call.requiredString("name")).json
    }

    func list(_ call: Call, _ store: PrincipalStore) throws -> JSONValue {
        let request = try call.page(defaultLimit: 100, keyedBy: .text)
        let principals = try store.list(org: call.string("org"), role: call.string("role"), status: call.string("status"), request)
        return Page(principals, request, cursor: \.name).json("principals", \.json)
    }

    func update(_ call: Call, _ store: PrincipalStore) throws -> Change {
        let principal = try store.require(name: try call.requiredString("name"))
        if let roles = call.strings("roles") {
            if principal.isAdmin, !roles.contains(Role.admin.rawValue) {
                try requireAnotherActiveAdmin(store, than: principal)
            }
            try store.setRoles(id: principal.id, roles: roles)
        }
        switch call.params["org"] {
        case .string(let org)?: try store.setOrg(id: principal.id, org: org, at: call.timestamp)
        case .null?: try store.setOrg(id: principal.id, org: nil, at: call.timestamp)
        default: try store.touch(id: principal.id, at: call.timestamp)
        }
        store.afterCommit(sessions.invalidate)
        return Change(result: try store.require(id: principal.id).json, target: target(principal.name))
    }

    func disable(_ call: Call, _ store: PrincipalStore) throws -> Change {
        try setStatus(call, store, .disabled)
    }

    func enable(_ call: Call, _ store: PrincipalStore) throws -> Change {
        try setStatus(call, store, .active)
    }

    private func setStatus(_ call: Call, _ store: PrincipalStore, _ status: PrincipalStatus) throws -> Change {
        let principal = try store.require(name: try call.requiredString("name"))
        guard principal.status != status.rawValue else {
            throw RPCError.invalidState("principal \"\(principal.name)\" is already \(status.rawValue)", details: ["status": .string(status.rawValue)])
        }
        if status == .disabled, principal.isAdmin {
            try requireAnotherActiveAdmin(store, than: principal)
        }
        try store.setStatus(id: principal.id, status, at: call.timestamp)
        store.afterCommit(sessions.invalidate)
        return Change(result: try store.require(id: principal.id).json, target: target(principal.name))
    }

    /// Nobody may lock every administrator out.
    private func requireAnotherActiveAdmin(_ store: PrincipalStore, than principal: Principal) throws {
        if try store.activeAdminCount(excluding: principal.id) == 0 {
            throw RPCError.invalidState("\"\(principal.name)\" is the last active admin; make another admin first")
        }
    }

    /// The registry person a principal is: conflict-of-interest checks compare it with candidates.
    func linkPerson(_ call: Call, _ store: PrincipalStore) throws -> Change {
        let principal = try store.require(name: try call.requiredString("name"))
        try store.setPerson(id: principal.id, personID: call.int("person_id"), at: call.timestamp)
        return Change(result: try store.require(id: principal.id).json, target: target(principal.name))
    }

    func setSecret(_ call: Call, _ store: PrincipalStore) throws -> Change {
        let principal = try store.require(name: try call.requiredString("name"))
        let hash = try passwords.hash(try call.requiredString("secret"))
        try store.setPasswordHash(id: principal.id, hash, at: call.timestamp)
        return Change(result: try store.require(id: principal.id).json, target: target(principal.name))
    }

    func bindUID(_ call: Call, _ store: PrincipalStore) throws -> Change {
        let principal = try store.require(name: try call.requiredString("name"))
        let uid = try call.requiredInt("uid")
        if let holder = try store.holder(uid: uid), holder != principal.name {
            throw RPCError.conflict("uid \(uid) is already bound to \"\(holder)\"; unbind it first",
                                    details: ["field": "uid", "principal": .string(holder)])
        }
        try store.bind(uid: uid, to: principal.id, at: call.timestamp)
        return Change(result: ["name": .string(principal.name), "uid": .int(uid)], target: target(principal.name))
    }

    func unbindUID(_ call: Call, _ store: PrincipalStore) throws -> Change {
        let uid = try call.requiredInt("uid")
        guard let holder = try store.holder(uid: uid) else {
            throw RPCError.notFound("uid \(uid) is not bound to any principal", details: ["field": "uid"])
        }
        try store.unbind(uid: uid)
        return Change(result: ["name": .string(holder), "uid": .int(uid)], target: target(holder))
    }
}
