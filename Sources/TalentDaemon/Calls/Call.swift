import Foundation
import Logging
import TalentProtocol

/// What a domain handler sees: params already validated against the contract, who is calling,
/// and the org the caller is limited to. Typed accessors answer `invalid_params` naming the field.
struct Call: Sendable {
    let method: String
    let params: [String: JSONValue]
    /// Nil only in methods anyone may call before login.
    let principal: SessionPrincipal?
    let connection: ConnectionInfo
    let logger: Logger
    /// The org this caller is limited to, or nil for national scope.
    let scopeOrg: String?
    /// When the call started, read once from the daemon's clock: every "now" and "today" a
    /// handler uses comes from here, so one call sees one date and tests can fix it.
    let now: Instant
    /// What the method's `prepare` made of the params before the shared commit (see MethodSpec).
    var prepared: (any Sendable)? = nil

    /// `now` as an ISO 8601 UTC timestamp, for recorded_at/updated_at columns.
    var timestamp: String { now.timestamp }
    /// The calendar date in Vietnam at `now`: what "today" means for statuses and deadlines.
    var today: String { now.vietnamDate }

    var principalName: String { principal?.name ?? "(anonymous)" }

    func has(_ role: Role) -> Bool { principal?.roles.contains(role.rawValue) ?? false }
    func hasAny(_ roles: Set<Role>) -> Bool { roles.contains { has($0) } }
    var seesPersonalData: Bool { hasAny(Role.seePersonalData) }

    /// The `org` param, or for a caller limited to its org and giving none, that org.
    var org: String? { string("org") ?? scopeOrg }

    func string(_ name: String) -> String? { params[name]?.stringValue }
    func int(_ name: String) -> Int64? { params[name]?.intValue ?? params[name].flatMap(Self.integral) }
    func bool(_ name: String) -> Bool? { params[name]?.boolValue }
    func strings(_ name: String) -> [String]? { params[name]?.arrayValue?.compactMap(\.stringValue) }
    func date(_ name: String) -> CalendarDate? { string(name).flatMap(CalendarDate.init) }

    func requiredString(_ name: String) throws -> String {
        guard let value = string(name) else { throw RPCError.invalidParams(field: name, "\(name) is required") }
        return value
    }

    func requiredInt(_ name: String) throws -> Int64 {
        guard let value = int(name) else { throw RPCError.invalidParams(field: name, "\(name) is required") }
        return value
    }

    func requiredDate(_ name: String) throws -> CalendarDate {
        guard let value = date(name) else { throw RPCError.invalidParams(field: name, "\(name) must be a date YYYY-MM-DD") }
        return value
    }

    /// A text param as stored: Unicode NFC, so the same name typed two ways compares equal.
    func text(_ name: String) -> String? { string(name).map(NFC.of) }

    func requiredText(_ name: String) throws -> String {
        guard let value = text(name) else { throw RPCError.invalidParams(field: name, "\(name) is required") }
        return value
    }

    /// A param naming one value of a closed set (the contract lists the same values).
    func optional<E: ContractEnum>(_ type: E.Type, _ name: String) throws -> E? {
        guard let raw = string(name) else { return nil }
        guard let value = E(rawValue: raw) else {
            throw RPCError.invalidParams(field: name, "\(name) must be one of \(E.rawValues.joined(separator: ", ")), not \(raw)")
        }
        return value
    }

    func required<E: ContractEnum>(_ type: E.Type, _ name: String) throws -> E {
        guard let value = try optional(type, name) else {
            throw RPCError.invalidParams(field: name, "\(name) is required: one of \(E.rawValues.joined(separator: ", "))")
        }
        return value
    }

    /// A JSON number such as 3.0 that the contract accepted as an integer.
    private static func integral(_ value: JSONValue) -> Int64? {
        if case .double(let d) = value, d == d.rounded(), abs(d) < 9.2e18 { return Int64(d) }
        return nil
    }
}
