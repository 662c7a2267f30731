/// The roles a principal can hold. What each may call is declared in `MethodTable.swift` only.
enum Role: String, ContractEnum {
    static let contractSchema = "Role"

    /// Everything, including principals.
    case admin
    /// People, recruitment and appointments within its org, or nationally without an org.
    case hrOfficial = "hr_official"
    /// Ministries' scripts: read its own org, submit proposals and nominations for it.
    case ministryAgent = "ministry_agent"
    /// Award council: read and score nominations under review.
    case reviewer
    /// Health, info and stats: no personal data at all.
    case ops
    /// Read-only everything, including the audit trail.
    case auditor
    /// Recruitment council member: scores the candidates of the campaigns it is assigned to, blind.
    case evaluator
    /// MOST staff running award rounds: rounds, reviewer assignment, the list to the Prime Minister.
    case awardSecretariat = "award_secretariat"

    /// Roles that see personal data (national id, phone, email).
    static let seePersonalData: Set<Role> = [.admin, .hrOfficial, .auditor]
    /// Roles never limited to their org, whatever org their principal has.
    static let national: Set<Role> = [.admin, .auditor]
}
