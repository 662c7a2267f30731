import GRDB
import Logging
import TalentProtocol
import TalentStorage

/// Turns the method table into methods the dispatcher can run, and enforces, in this one place
/// and before any handler runs: login, roles, org scoping; then runs reads in one snapshot and
/// writes in one transaction together with their audit entry and idempotency record.
struct MethodRunner: Sendable {
    let store: Store
    let sessions: SessionResolver
    /// Params the contract marks `x-secret`, per method: replaced by "***" in the audit trail.
    let secretParams: [String: Set<String>]
    /// Result members the contract marks `x-secret`: left out of stored idempotency results.
    let secretResults: [String: Set<String>]
    let idempotencyRetentionSeconds: Int64
    /// Where every call's `now` comes from.
    var clock: Clock = .system

    func compile(_ spec: MethodSpec) -> RPCMethod {
        var flags = spec.flags
        if case .anyone = spec.access { flags.insert(.public) } else {
            // Checking a session may read the database: never on the event loop.
            flags.remove(.fast)
        }
        if spec.isMutating { flags.insert(.mutating) }
        if case .read = spec.body {} else {
            precondition(!flags.contains(.quick), "\(spec.name): only a read can be quick (on the event loop)")
        }
        return RPCMethod(spec.name, { context in try self.run(spec, context) }, flags: flags, isHeavy: spec.isHeavy)
    }

    private func run(_ spec: MethodSpec, _ context: RequestContext) throws -> JSONValue {
        do {
            return try authorizeAndRun(spec, context, now: clock.read())
        } catch let error as DatabaseError {
            // What a store did not translate still reaches the client as a reason, never `internal`:
            // a full disk (any read or write of any method) and any constraint failure.
            if StorageErrors.isFullDisk(error) { throw RPCError.storageFull() }
            guard let translated = ConstraintErrors.translate(error) else { throw error }
            throw translated
        }
    }

    private func authorizeAndRun(_ spec: MethodSpec, _ context: RequestContext, now: Instant) throws -> JSONValue {
        let principal: SessionPrincipal?
        if case .anyone = spec.access {
            principal = context.connection.principal
        } else {
            // On the event loop only a session already loaded will do: loading one reads the database.
            principal = try context.onEventLoop ? sessions.loaded(context.connection) : sessions.current(context.connection)
            guard let principal else { throw RPCError.unauthenticated() }
            try authorize(spec, principal, context, now: now)
        }
        let limitedToOrg: String? = principal.flatMap { p in
            Role.national.union(spec.unscopedRoles).contains(where: { p.roles.contains($0.rawValue) }) ? nil : p.org
        }
        var call = Call(method: spec.name, params: context.params, principal: principal,
                        connection: context.connection, logger: context.logger, scopeOrg: nil, now: now)
        if let limitedToOrg, case .orgParam = spec.scope {
            if let asked = call.string("org"), asked != limitedToOrg {
                throw deny(call, context, "\(call.principalName) belongs to \(limitedToOrg) and cannot act for \(asked)")
            }
            call = call.scoped(to: limitedToOrg)
        }
        switch spec.body {
        case .plain(let handler):
            return try handler(call)
        case .read(let handler):
            let body = { (db: Database) throws -> JSONValue in
                try checkRecordScope(spec, call, limitedToOrg, db)
                return try handler(call.scoped(to: call.scopeOrg ?? limitedToOrg), db)
            }
            return try recordingDenial(call, context) {
                // A quick read on the event loop reads from that loop's own connection (no hop).
                try context.onEventLoop ? store.threadReaders.read(body) : store.pool.read(body)
            }
        case .write(let handler):
            return try recordingDenial(call, context) {
                try write(spec, call.scoped(to: call.scopeOrg ?? limitedToOrg), limitedToOrg, handler)
            }
        }
    }

    /// A record found out of scope inside a transaction: the denial is recorded after it ends
    /// (GRDB transactions do not nest).
    private struct OutOfScope: Error { let message: String }

    private func recordingDenial(_ call: Call, _ context: RequestContext, _ body: () throws -> JSONValue) throws -> JSONValue {
        do {
            return try body()
        } catch let error as OutOfScope {
            throw deny(call, context, error.message)
        }
    }

    private func authorize(_ spec: MethodSpec, _ principal: SessionPrincipal, _ context: RequestContext, now: Instant) throws {
        let allowed: Bool
        switch spec.access {
        case .anyone, .loggedIn: allowed = true
        case .roles(let roles): allowed = roles.contains { principal.roles.contains($0.rawValue) }
        case .rolesOrSelf(let roles, let selfParam):
            allowed = roles.contains { principal.roles.contains($0.rawValue) }
                || context.params[selfParam]?.stringValue == principal.name
        case .national(let roles):
            allowed = principal.roles.contains(Role.admin.rawValue)
                || (principal.org == nil && roles.contains { principal.roles.contains($0.rawValue) })
        }
        if !allowed {
            let call = Call(method: spec.name, params: context.params, principal: principal,
                            connection: context.connection, logger: context.logger, scopeOrg: nil, now: now)
            let scope = principal.org.map { ", org \($0)" } ?? ""
            throw deny(call, context, "\(principal.name) (roles: \(principal.roles.sorted().joined(separator: ", "))\(scope)) may not call \(spec.name)")
        }
    }

    private func checkRecordScope(_ spec: MethodSpec, _ call: Call, _ limitedToOrg: String?, _ db: Database) throws {
        guard let limitedToOrg, case .recordOrg(let orgOf) = spec.scope, let org = try orgOf(db, call) else { return }
        if org != limitedToOrg {
            throw OutOfScope(message: "\(call.principalName) belongs to \(limitedToOrg); this record belongs to \(org)")
        }
    }

    private func write(_ spec: MethodSpec, _ call: Call, _ limitedToOrg: String?,
                       _ handler: @escaping @Sendable (Call, Database) throws -> Change) throws -> JSONValue {
        guard let principal = call.principal else { throw RPCError.unauthenticated() }
        let key = call.string(IdempotencyStore.paramName)
        let digest = key.map { _ in IdempotencyStore.digest(method: spec.name, params: call.params) }
        // Shared with the writes queued beside it (group commit), each in its own savepoint.
        return try store.writes.write { db in
            if let key, let digest {
                let notBefore = UTCTime.format(Instant(seconds: call.now.seconds - Int(idempotencyRetentionSeconds), milliseconds: call.now.milliseconds))
                if case .replay(let result) = try IdempotencyStore(db).lookup(
                    principalID: principal.id, key: key, digest: digest, notBefore: notBefore) {
                    return result
                }
            }
            try checkRecordScope(spec, call, limitedToOrg, db)
            let change = try handler(call, db)
            try AuditStore(db).append(principal: principal.name, method: spec.name, target: change.target,
                                      params: redacted(call), at: call.timestamp, result: change.result, actorOrg: principal.org)
            if let key, let digest {
                try IdempotencyStore(db).store(principalID: principal.id, key: key, method: spec.name,
                                               digest: digest, result: withoutSecrets(spec.name, change.result), at: call.timestamp)
            }
            return change.result
        }
    }

    /// Records a denial in the audit trail (in its own transaction) and returns the error to throw.
    /// A write must not block the event loop: there the request is handed to the workers instead.
    private func deny(_ call: Call, _ context: RequestContext, _ message: String) -> any Error {
        if context.onEventLoop { return RPCMethod.RunOnWorkers() }
        do {
            try store.pool.write { db in
                try AuditStore(db).append(principal: call.principalName, method: call.method, target: nil,
                                          params: redacted(call), outcome: "denied", at: call.timestamp)
            }
        } catch {
            call.logger.error("could not record a denial in the audit trail", metadata: ["error": "\(error)"])
        }
        return RPCError.forbidden(message)
    }

    private func withoutSecrets(_ method: String, _ result: JSONValue) -> JSONValue {
        guard let secrets = secretResults[method], case .object(var members) = result else { return result }
        for name in secrets where members[name] != nil { members[name] = "***" }
        return .object(members)
    }

    func redacted(_ call: Call) -> JSONValue {
        let secrets = secretParams[call.method] ?? []
        return .object(call.params.reduce(into: [:]) { out, member in
            out[member.key] = secrets.contains(member.key) ? "***" : member.value
        })
    }
}

extension Call {
    func scoped(to org: String?) -> Call {
        Call(method: method, params: params, principal: principal, connection: connection, logger: logger,
             scopeOrg: org, now: now)
    }
}
