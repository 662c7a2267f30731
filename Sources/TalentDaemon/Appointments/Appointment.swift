import Foundation
import GRDB
import TalentStorage
import TalentProtocol

enum AppointmentPost: String, ContractEnum, DatabaseValueConvertible {
    static let contractSchema = "AppointmentPost"
    case chiefEngineerSTI = "chief_engineer_sti", chiefEngineerOps = "chief_engineer_ops", chiefArchitect = "chief_architect"

    /// The two posts every ministry, sector and province fills; a person holds at most one at a time.
    var isChiefEngineer: Bool { self != .chiefArchitect }
}

/// What a client reads: derived from the stored state and a date (see `Term`).
enum AppointmentStatus: String, ContractEnum {
    static let contractSchema = "AppointmentStatus"
    case proposed, rejected, approved, active, ended
}

/// What is stored: `ended` means ended early by appointment.end.
enum AppointmentState: String, DatabaseValueConvertible {
    case proposed, approved, rejected, ended
}

/// When an appointment is in office, written once for Swift (`status`) and once for SQL
/// (`sqlCondition`), side by side; TalentDaemonTests checks that the two agree.
/// Proposed and rejected are as stored; an approved (or early-ended) one is `approved` before its
/// term starts, `active` from term_start to its effective end inclusive, `ended` after.
enum Term {
    /// The open end of a term without term_end or end_date (the `effective_end` column).
    static let openEnd = "9999-12-31"

    static func status(state: AppointmentState, termStart: String, effectiveEnd: String, on day: String) -> AppointmentStatus {
        switch state {
        case .proposed: return .proposed
        case .rejected: return .rejected
        case .approved, .ended: return day < termStart ? .approved : day <= effectiveEnd ? .active : .ended
        }
    }

    /// The SQL condition selecting appointments (table alias `a`) whose status on the date given
    /// by the SQL expression `day` is `status`.
    static func sqlCondition(_ status: AppointmentStatus, alias a: String = "a", day: String) -> String {
        switch status {
        case .proposed, .rejected: return "\(a).state = '\(status.rawValue)'"
        case .approved: return "\(a).state IN ('approved', 'ended') AND \(a).term_start > \(day)"
        case .active: return "\(a).state IN ('approved', 'ended') AND \(a).term_start <= \(day) AND \(a).effective_end >= \(day)"
        case .ended: return "\(a).state IN ('approved', 'ended') AND \(a).effective_end < \(day)"
        }
    }
}

/// An appointment as stored, with its holder's name.
struct Appointment: Sendable {
    let id: Int64
    let org: String
    let post: AppointmentPost
    let program: String?
    let personID: Int64
    let personName: String
    let termStart: String
    let termEnd: String?
    let equivalentRank: String
    let decisionRef: String?
    /// The appointee's own salary coefficient, when the appointment records one (remuneration reads it).
    let salaryCoefficient: Coefficient?
    let state: AppointmentState
    let proposedBy: String, proposedAt: String
    let approvedBy: String?, approvedAt: String?
    let rejectedBy: String?, rejectedAt: String?, rejectionReason: String?
    let endDate: String?, endReason: String?
    let updatedAt: String

    /// What `init` reads, in its order: the appointment (alias `a`), then its holder's name (`p`).
    static let columns = ["id", "org", "post", "program", "person_id", "term_start", "term_end", "equivalent_rank",
                          "decision_ref", "state", "salary_coefficient", "proposed_by", "proposed_at", "approved_by",
                          "approved_at", "rejected_by", "rejected_at", "rejection_reason", "end_date", "end_reason",
                          "updated_at"].map { "a.\($0)" }.joined(separator: ", ") + ", p.full_name"

    /// A proposal as `AppointmentStore.insert` stores it.
    init(id: Int64, proposal p: AppointmentStore.Proposal, personName: String, by principal: String, at timestamp: String) {
        self.id = id; org = p.org; post = p.post; program = p.program; personID = p.personID; self.personName = personName
        termStart = p.termStart; termEnd = p.termEnd; equivalentRank = p.equivalentRank.rawValue; decisionRef = p.decisionRef
        salaryCoefficient = p.salaryCoefficient; state = .proposed; proposedBy = principal; proposedAt = timestamp
        approvedBy = nil; approvedAt = nil; rejectedBy = nil; rejectedAt = nil; rejectionReason = nil
        endDate = nil; endReason = nil; updatedAt = timestamp
    }

    /// Read by column index (see `IndexedColumns`): every transition reads its appointment inside
    /// the shared commit, and lists read pages of them.
    init(_ row: IndexedColumns) throws {
        id = try row.int64(0); org = try row.string(1); post = try row.raw(2); program = row.nullableString(3)
        personID = try row.int64(4)
        termStart = try row.string(5); termEnd = row.nullableString(6)
        equivalentRank = try row.string(7); decisionRef = row.nullableString(8); state = try row.raw(9)
        salaryCoefficient = row.nullableInt64(10).map(Coefficient.init(thousandths:))
        proposedBy = try row.string(11); proposedAt = try row.string(12)
        approvedBy = row.nullableString(13); approvedAt = row.nullableString(14)
        rejectedBy = row.nullableString(15); rejectedAt = row.nullableString(16); rejectionReason = row.nullableString(17)
        endDate = row.nullableString(18); endReason = row.nullableString(19); updatedAt = try row.string(20)
        personName = try row.string(21)
    }

    /// The last day in office, inclusive (open: `Term.openEnd`).
    var effectiveEnd: String { endDate ?? termEnd ?? Term.openEnd }

    /// "2025-01-01 to 2027-12-31", or "... to open end".
    var termDescription: String { "\(termStart) to \(effectiveEnd == Term.openEnd ? "open end" : effectiveEnd)" }

    func status(on day: String) -> AppointmentStatus {
        Term.status(state: state, termStart: termStart, effectiveEnd: effectiveEnd, on: day)
    }

    /// The appointment as a client reads it, with its status on `day`.
    func json(on day: String) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .int(id), "org": .string(org), "post": .string(post.rawValue), "person_id": .int(personID),
            "person_name": .string(personName), "term_start": .string(termStart),
            "equivalent_rank": .string(equivalentRank), "status": .string(status(on: day).rawValue),
            "proposed_by": .string(proposedBy), "proposed_at": .string(proposedAt), "updated_at": .string(updatedAt),
        ]
        let optional: [(String, String?)] = [
            ("program", program), ("term_end", termEnd), ("decision_ref", decisionRef),
            ("approved_by", approvedBy), ("approved_at", approvedAt), ("rejected_by", rejectedBy),
            ("rejected_at", rejectedAt), ("rejection_reason", rejectionReason), ("end_date", endDate), ("end_reason", endReason),
        ]
        for (name, value) in optional { if let value { object[name] = .string(value) } }
        if let salaryCoefficient { object["salary_coefficient"] = .string(salaryCoefficient.description) }
        return .object(object)
    }
}

/// The management rank whose regime applies to an appointee. Central ranks go with central
/// bodies, provincial ranks with provincial-level units; an org of kind `other` may use either.
enum EquivalentRank: String, ContractEnum {
    static let contractSchema = "EquivalentRank"
    case deputyMinister = "deputy_minister", directorGeneral = "director_general"
    case deputyDirectorGeneral = "deputy_director_general", departmentDirector = "department_director"
    case deputyDepartmentDirector = "deputy_department_director"
    case provincialViceChairman = "provincial_vice_chairman", provincialDepartmentDirector = "provincial_department_director"
    case provincialDeputyDepartmentDirector = "provincial_deputy_department_director"

    static let central: [EquivalentRank] = [.deputyMinister, .directorGeneral, .deputyDirectorGeneral,
                                            .departmentDirector, .deputyDepartmentDirector]
    static let provincial: [EquivalentRank] = [.provincialViceChairman, .provincialDepartmentDirector,
                                               .provincialDeputyDepartmentDirector]
    static let centralKinds: Set<OrgKind> = [.ministry, .ministerialAgency, .governmentAgency]
    static let provincialKinds: Set<OrgKind> = [.centralCity, .province]

    /// Nil when the rank suits an org of this kind, else why not.
    func mismatch(orgKind: OrgKind) -> String? {
        // Worded only for a mismatch: every proposal runs this inside the shared commit.
        var kindName: String { orgKind.rawValue.replacingOccurrences(of: "_", with: " ") }
        if Self.centralKinds.contains(orgKind), !Self.central.contains(self) {
            return "a \(kindName), which takes a central rank (\(Self.central.map(\.rawValue).joined(separator: ", "))), not \(rawValue)"
        }
        if Self.provincialKinds.contains(orgKind), !Self.provincial.contains(self) {
            return "a \(kindName), which takes a provincial rank (\(Self.provincial.map(\.rawValue).joined(separator: ", "))), not \(rawValue)"
        }
        return nil
    }
}
