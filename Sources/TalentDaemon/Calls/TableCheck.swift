import TalentProtocol

/// The method table and the contract must agree on more than names: who may call each method
/// (`x-roles`), whether it changes state (`x-mutating`), whether it is limited to the caller's
/// org (`x-org-scoped`), and every mutating method must accept `idempotency_key`.
enum TableCheck {
    /// `x-roles` as the contract writes it: "anyone" before login, "self" for the principal named;
    /// `x-national-only: true` adds that those roles count only for principals without an org.
    static func roles(of access: MethodSpec.Access) -> [String] {
        switch access {
        case .anyone: return ["anyone"]
        case .loggedIn: return Role.allCases.map(\.rawValue).sorted()
        case .roles(let roles): return roles.map(\.rawValue).sorted()
        case .rolesOrSelf(let roles, _): return (roles.map(\.rawValue) + ["self"]).sorted()
        case .national(let roles): return Set(roles.map(\.rawValue) + [Role.admin.rawValue]).sorted()
        }
    }

    static func check(_ table: [MethodSpec], against contract: Contract) throws {
        let documented = Dictionary(uniqueKeysWithValues: (contract.document["methods"]?.arrayValue ?? []).compactMap { method in
            method["name"]?.stringValue.map { ($0, method) }
        })
        for spec in table {
            guard let method = documented[spec.name] else { continue }  // Contract.check names it
            let declared = (method["x-roles"]?.arrayValue ?? []).compactMap(\.stringValue).sorted()
            let expected = roles(of: spec.access)
            if declared != expected {
                throw Contract.Mismatch(description: "\(spec.name): x-roles in openrpc.json is \(declared), the method table says \(expected)")
            }
            let nationalOnly: Bool = if case .national = spec.access { true } else { false }
            if (method["x-national-only"]?.boolValue ?? false) != nationalOnly {
                throw Contract.Mismatch(description: "\(spec.name): x-national-only in openrpc.json must be \(nationalOnly)")
            }
            if method["x-mutating"]?.boolValue != spec.isMutating {
                throw Contract.Mismatch(description: "\(spec.name): x-mutating in openrpc.json must be \(spec.isMutating)")
            }
            let scoped: Bool = if case .none = spec.scope { false } else { true }
            if (method["x-org-scoped"]?.boolValue ?? false) != scoped {
                throw Contract.Mismatch(description: "\(spec.name): x-org-scoped in openrpc.json must be \(scoped)")
            }
            let exempt = (method["x-org-scope-exempt"]?.arrayValue ?? []).compactMap(\.stringValue).sorted()
            if exempt != spec.unscopedRoles.map(\.rawValue).sorted() {
                throw Contract.Mismatch(description: "\(spec.name): x-org-scope-exempt in openrpc.json is \(exempt), "
                                        + "the method table says \(spec.unscopedRoles.map(\.rawValue).sorted())")
            }
            let params = (method["params"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            if spec.isMutating, !params.contains(IdempotencyStore.paramName) {
                throw Contract.Mismatch(description: "\(spec.name) is mutating but does not accept \(IdempotencyStore.paramName) in openrpc.json")
            }
        }
    }

    /// Param names marked `"x-secret": true`, per method: never written to the audit trail.
    static func secretParams(_ contract: Contract) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for method in contract.document["methods"]?.arrayValue ?? [] {
            guard let name = method["name"]?.stringValue else { continue }
            let secrets = (method["params"]?.arrayValue ?? []).filter { isSecret($0["schema"], contract) }
            out[name] = Set(secrets.compactMap { $0["name"]?.stringValue })
        }
        return out
    }

    /// Result members marked `"x-secret": true` (a new API token), per method: kept out of the
    /// stored idempotency result, so no secret is ever at rest.
    static func secretResultMembers(_ contract: Contract) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for method in contract.document["methods"]?.arrayValue ?? [] {
            guard let name = method["name"]?.stringValue,
                  let properties = method["result"]?["schema"]?["properties"]?.objectValue else { continue }
            let secrets = properties.filter { isSecret($0.value, contract) }.map(\.key)
            if !secrets.isEmpty { out[name] = Set(secrets) }
        }
        return out
    }

    /// Whether a schema, or the component its `$ref` names, is marked `"x-secret": true`.
    private static func isSecret(_ schema: JSONValue?, _ contract: Contract) -> Bool {
        guard let schema else { return false }
        if schema["x-secret"]?.boolValue == true { return true }
        let prefix = "#/components/schemas/"
        guard let ref = schema["$ref"]?.stringValue, ref.hasPrefix(prefix) else { return false }
        return contract.document["components"]?["schemas"]?[String(ref.dropFirst(prefix.count))]?["x-secret"]?.boolValue == true
    }
}
