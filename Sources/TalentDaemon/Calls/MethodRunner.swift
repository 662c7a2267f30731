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
        var enqueue: RPCMethod.Enqueue?
        if case .write(let handler) = spec.body, !flags.contains(.heavy) {
            enqueue = { context, answer in self.enqueue(spec, handler, context, answer) }
        }
        return RPCMethod(spec.name, { context in try self.run(spec, context) }, flags: flags, isHeavy: spec.isHeavy,
                         enqueue: enqueue)
    }

    private func run(_ spec: MethodSpec, _ context: RequestContext) throws -> JSONValue {
        do {
            return try authorizeAndRun(spec, context, now: clock.read())
        } catch let error as DatabaseError {
            throw Self.translated(error)
        }
    }

    /// What a store did not translate still reaches the client as a reason, never `internal`:
    /// a full disk (any read or write of any method) and any constraint failure.
    private static func translated(_ error: DatabaseError) -> any Error {
        if StorageErrors.isFullDisk(error) { return RPCError.storageFull() }
        return ConstraintErrors.translate(error) ?? error
    }

    /// A write from its event loop, queued into the shared commit without waiting for it. The
    /// checks are the ones `run` makes; when one of them would block (a session to reload, a
    /// denial to audit) or fails, nothing is queued and the request runs on the workers, which
    /// make them again and answer.
    private func enqueue(_ spec: MethodSpec, _ handler: @escaping @Sendable (Call, Database) throws -> Change,
                         _ context: RequestContext, _ answer: @escaping @Sendable (Result<JSONValue, Error>) -> Void) -> Bool {
        guard let (call, limitedToOrg) = try? authorized(spec, context, now: clock.read()),
              let job = try? writeJob(spec, call, limitedToOrg, handler) else { return false }
        store.writes.submit(job) { result in
            switch result {
            case .success(let value):
                answer(.success(value))
            case .failure(let error as OutOfScope):
                // Recorded like any denial, in a commit of its own behind this one.
                store.writes.submit({ db in try recordDenial(call, db) }) { recorded in
                    if case .failure(let failure) = recorded {
                        call.logger.error("could not record a denial in the audit trail", metadata: ["error": "\(failure)"])
                    }
                    answer(.failure(RPCError.forbidden(error.message)))
                }
            case .failure(let error as DatabaseError):
                answer(.failure(Self.translated(error)))
            case .failure(let error):
                answer(.failure(error))
            }
        }
        return true
    }

    private func authorizeAndRun(_ spec: MethodSpec, _ context: RequestContext, now: Instant) throws -> JSONValue {
        let (call, limitedToOrg) = try authorized(spec, context, now: now)
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
                // Shared with the writes queued beside it (group commit), each in its own savepoint.
                try store.writes.write(try writeJob(spec, call, limitedToOrg, handler))
            }
        }
    }

    /// Login, roles and the org param's scope: the call to run, and the org it is limited to.
    private func authorized(_ spec: MethodSpec, _ context: RequestContext, now: Instant) throws -> (Call, String?) {
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
        return (call, limitedToOrg)
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

    /// A write's whole work inside the shared commit: idempotency, scope, the change, its audit
    /// entry and its idempotency record.
    private func writeJob(_ spec: MethodSpec, _ authorizedCall: Call, _ limitedToOrg: String?,
                          _ handler: @escaping @Sendable (Call, Database) throws -> Change) throws -> (Database) throws -> JSONValue {
        guard let principal = authorizedCall.principal else { throw RPCError.unauthenticated() }
        var call = authorizedCall.scoped(to: authorizedCall.scopeOrg ?? limitedToOrg)
        // What needs no database is done here, not in the shared commit, where writes run one
        // after another.
        if let prepare = spec.prepare { call.prepared = try prepare(call) }
        let key = call.string(IdempotencyStore.paramName)
        let digest = key.map { _ in IdempotencyStore.digest(method: spec.name, params: call.params) }
        let auditParams = redacted(call)
        let audit = AuditPreamble(at: call.timestamp, method: spec.name, outcome: "ok", paramsText: JSONWriter.string(auditParams))
        return { db in
            if let key, let digest {
                let notBefore = UTCTime.format(Instant(seconds: call.now.seconds - Int(idempotencyRetentionSeconds), milliseconds: call.now.milliseconds))
                if case .replay(let result) = try IdempotencyStore(db).lookup(
                    principalID: principal.id, key: key, digest: digest, notBefore: notBefore) {
                    return result
                }
            }
            try checkRecordScope(spec, call, limitedToOrg, db)
            let change = try handler(call, db)
            try AuditStore(db).append(principal: principal.name, audit, target: change.target, params: auditParams,
                                      result: change.result, actorOrg: principal.org)
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
            try store.pool.write { db in try recordDenial(call, db) }
        } catch {
            call.logger.error("could not record a denial in the audit trail", metadata: ["error": "\(error)"])
        }
        return RPCError.forbidden(message)
    }

    private func recordDenial(_ call: Call, _ db: Database) throws {
        try AuditStore(db).append(principal: call.principalName, method: call.method, target: nil,
                                  params: redacted(call), outcome: "denied", at: call.timestamp)
    }

    private func withoutSecrets(_ method: String, _ result: JSONValue) -> JSONValue {
        guard let secrets = secretResults[method], case .object(var members) = result else { return result }
        for name in secrets where members[name] != nil { members[name] = "***" }
        return .object(members)
    }

    func redacted(_ call: Call) -> JSONValue {
        // Most methods take no secret: their params go to the audit trail as they are, not copied
        // member by member (on the event loop, for every write).
        guard let secrets = secretParams[call.method], !secrets.isEmpty else { return .object(call.params) }
        return .object(call.params.reduce(into: [:]) { out, member in
            out[member.key] = secrets.contains(member.key) ? "***" : member.value
        })
    }
}

extension Call {
    func scoped(to org: String?) -> Call {
        Call(method: method, params: params, principal: principal, connection: connection, logger: logger,
             scopeOrg: org, now: now, prepared: prepared)
    }
}
