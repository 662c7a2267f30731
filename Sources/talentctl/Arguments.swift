import ArgumentParser
import Foundation
import TalentClient
import TalentProtocol

// What options accept, in the words of the people who type them: dates as Vietnamese civil
// servants write them, org codes in any case, and the contract's enums as lists that --help shows
// and shells complete (Tests/integration/test_talentctl_hr.py checks them against the contract).

/// A date as the daemon wants it (YYYY-MM-DD) from YYYY-MM-DD or the Vietnamese dd/mm/yyyy
/// (08/03/1985 is 8 March 1985). Anything else, or a day not in the calendar, is a usage error.
func isoDate(_ text: String) throws -> String {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    var candidate = trimmed
    let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
    if parts.count == 3, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count), parts[2].count == 4 {
        func pad(_ part: Substring) -> String { part.count == 1 ? "0" + part : String(part) }
        candidate = "\(parts[2])-\(pad(parts[1]))-\(pad(parts[0]))"
    }
    guard let date = CalendarDate(candidate) else {
        throw ValidationError(L10n.text("date.invalid", trimmed))
    }
    return date.description
}

/// Org codes are capitals in the registry (MOHA, HA-NOI); people type them in any case.
func orgCode(_ text: String) -> String { text.uppercased() }

/// The contract's enums (Protocol/openrpc.json, components/schemas).
enum OrgKindValue: String, CaseIterable, ExpressibleByArgument {
    case ministry, ministerial_agency, central_city, province, government_agency, other
}

enum AppointmentPostValue: String, CaseIterable, ExpressibleByArgument {
    case chief_engineer_sti, chief_engineer_ops, chief_architect
}

enum AppointmentStatusValue: String, CaseIterable, ExpressibleByArgument {
    case proposed, rejected, approved, active, ended
}

enum EquivalentRankValue: String, CaseIterable, ExpressibleByArgument {
    case deputy_minister, director_general, deputy_director_general, department_director, deputy_department_director
    case provincial_vice_chairman, provincial_department_director, provincial_deputy_department_director
}

enum GenderValue: String, CaseIterable, ExpressibleByArgument {
    case female, male, other
}

enum IfDuplicateValue: String, CaseIterable, ExpressibleByArgument {
    case warn, refuse, return_existing
}

/// The person fields `person list --missing` can look for.
enum PersonFieldValue: String, CaseIterable, ExpressibleByArgument {
    case birth_date, gender, nationality, residence_country, email, phone, national_id, highest_degree, employer
}

/// Org codes for shell completion, from the daemon (quietly, as the saved login or the
/// environment allows: never a prompt), or none when it cannot answer.
func completeOrgCodes(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    let socket = DefaultPaths.socket(flag: nil, configured: Contexts.current()?.socket)
    guard let client = try? RPCClient(socketPath: socket) else { return [] }
    if let saved = SavedLogins.find(socket: socket, principal: Credentials.principal(flag: nil)) {
        _ = try? client.call("session.login", params: ["principal": .string(saved.principal), "secret": .string(saved.token)])
    } else if let principal = Credentials.principal(flag: nil),
              let secret = Credentials.environment("TALENT_SECRET") ?? Credentials.environment("TALENT_TOKEN") {
        _ = try? client.call("session.login", params: ["principal": .string(principal), "secret": .string(secret)])
    }
    guard let orgs = try? fetchPages(client, "org.list", [:], items: "orgs", all: true) else { return [] }
    return orgs.items.compactMap { $0["code"]?.stringValue }.filter { $0.hasPrefix(prefix.uppercased()) }
}
