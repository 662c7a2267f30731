import GRDB
import TalentProtocol

/// One row of the method table: who may call a method, how it is scoped to organizations, and
/// its handler. `MethodRunner` turns rows into runnable methods and enforces all of it before a
/// handler runs, so no handler checks roles itself.
struct MethodSpec: Sendable {
    enum Access: Sendable {
        /// Anyone, before login too.
        case anyone
        /// Any logged-in principal.
        case loggedIn
        /// Principals holding one of these roles.
        case roles(Set<Role>)
        /// Principals holding one of these roles, or the principal named by the `selfParam` param itself.
        case rolesOrSelf(Set<Role>, selfParam: String = "name")
        /// Principals holding one of these roles and no org (national scope); admins always.
        case national(Set<Role>)
    }

    /// How a principal with an org is limited to it (admins and auditors never are).
    enum Scope: Sendable {
        /// Not limited by org.
        case none
        /// The `org` param: another org is forbidden; when absent, the caller's org is implied.
        case orgParam
        /// The org of the record the request names, found by this lookup (nil: no such record,
        /// left to the handler to answer `not_found`). Built with `.record(of:)`.
        case recordOrg(@Sendable (Database, Call) throws -> String?)

        /// The record's org, found by the domain's store (`.record(AppointmentMethods.org)`).
        static func record<S: DomainStore>(_ lookup: @escaping @Sendable (S, Call) throws -> String?) -> Scope {
            .recordOrg { db, call in try lookup(S(db), call) }
        }
    }

    enum Body: Sendable {
        /// Manages its own storage access (or needs none).
        case plain(@Sendable (Call) throws -> JSONValue)
        /// Reads in one snapshot.
        case read(@Sendable (Call, Database) throws -> JSONValue)
        /// Changes state in one transaction, together with its audit entry and idempotency record.
        case write(@Sendable (Call, Database) throws -> Change)
    }

    let name: String
    let access: Access
    let scope: Scope
    let body: Body
    /// `.fast` (event loop, no I/O), `.quick` (reads a few rows by index on the event loop) and
    /// `.heavy` (bounded CPU pool); `.public` and `.mutating` follow from `access` and `body`.
    let flags: RPCMethod.Flags
    /// With `.heavy`: which requests are heavy (default: all).
    var isHeavy: (@Sendable ([String: JSONValue]) -> Bool)? = nil
    /// Roles that see every org in this method although their principal has one (the award
    /// secretariat and council read every ministry's nominations); contract: `x-org-scope-exempt`.
    var unscopedRoles: Set<Role> = []
    /// For a write: work on the params that needs no database (normalizing, folding), run before
    /// the shared commit; the handler finds its result in `call.prepared`.
    var prepare: (@Sendable (Call) throws -> any Sendable)? = nil

    var isMutating: Bool { if case .write = body { true } else { false } }
}

/// What a write handler did: its result, and the record it changed (for the audit trail).
struct Change: Sendable {
    let result: JSONValue
    let target: AuditTarget
}

/// A write's answer worked out in `prepare`, but for the members only the commit knows (the new
/// id, what it reads). Built inside the shared commit, where writes run one after another, it cost
/// the committer 9,000-16,000 instructions per write.
struct PreparedAnswer: Sendable {
    private let members: [String: JSONValue]

    /// `record`: the record as the write will store it, with placeholders where the commit decides.
    init(_ record: JSONValue) {
        guard case .object(let members) = record else { preconditionFailure("a record is a JSON object") }
        self.members = members
    }

    func with(_ decided: KeyValuePairs<String, JSONValue>) -> JSONValue {
        var members = self.members
        for (name, value) in decided { members[name] = value }
        return .object(members)
    }
}

struct AuditTarget: Sendable, Equatable {
    let type: String
    let id: String
}

// The table's vocabulary: `read("org.list", .loggedIn, handler)` and so on. A read or write
// handler takes its domain's store, bound here to the request's snapshot or transaction.
func plain(_ name: String, _ access: MethodSpec.Access, _ handler: @escaping @Sendable (Call) throws -> JSONValue,
           scope: MethodSpec.Scope = .none, flags: RPCMethod.Flags = [],
           heavyWhen: (@Sendable ([String: JSONValue]) -> Bool)? = nil) -> MethodSpec {
    MethodSpec(name: name, access: access, scope: scope, body: .plain(handler), flags: flags, isHeavy: heavyWhen)
}

func read<S: DomainStore>(_ name: String, _ access: MethodSpec.Access,
                          _ handler: @escaping @Sendable (Call, S) throws -> JSONValue,
                          scope: MethodSpec.Scope = .none, unscoped: Set<Role> = [],
                          flags: RPCMethod.Flags = []) -> MethodSpec {
    MethodSpec(name: name, access: access, scope: scope, body: .read { call, db in try handler(call, S(db)) }, flags: flags,
               unscopedRoles: unscoped)
}

func write<S: DomainStore>(_ name: String, _ access: MethodSpec.Access,
                           _ handler: @escaping @Sendable (Call, S) throws -> Change,
                           scope: MethodSpec.Scope = .none, flags: RPCMethod.Flags = [],
                           prepare: (@Sendable (Call) throws -> any Sendable)? = nil) -> MethodSpec {
    MethodSpec(name: name, access: access, scope: scope, body: .write { call, db in try handler(call, S(db)) }, flags: flags,
               prepare: prepare)
}

