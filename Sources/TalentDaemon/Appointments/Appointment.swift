import Foundation
import GRDB
import TalentProtocol

/// An appointment as stored, with its holder's name. Its reported `status` is derived from the
/// stored `state` and the date (see `status(on:)` and PROTOCOL.md "Appointments").
struct Appointment: FetchableRecord, Sendable {
    static let posts = ["chief_engineer_sti", "chief_engineer_ops", "chief_architect"]
    static let chiefEngineerPosts: Set<String> = ["chief_engineer_sti", "chief_engineer_ops"]
    static let statuses = ["proposed", "rejected", "approved", "active", "ended"]
    /// The open end of a term without term_end or end_date (the `effective_end` column).
    static let openEnd = "9999-12-31"

    let id: Int64
    let org: String
    let post: String
    let program: String?
    let personID: Int64
    let personName: String
    let termStart: String
    let termEnd: String?
    let equivalentRank: String
    let decisionRef: String?
    /// proposed, approved, rejected or ended (ended early by appointment.end).
    let state: String
    let proposedBy: String, proposedAt: String
    let approvedBy: String?, approvedAt: String?
    let rejectedBy: String?, rejectedAt: String?, rejectionReason: String?
    let endDate: String?, endReason: String?
    let updatedAt: String

    init(row: Row) {
        id = row["id"]; org = row["org"]; post = row["post"]; program = row["program"]
        personID = row["person_id"]; personName = row["person_name"]
        termStart = row["term_start"]; termEnd = row["term_end"]
        equivalentRank = row["equivalent_rank"]; decisionRef = row["decision_ref"]; state = row["state"]
        proposedBy = row["proposed_by"]; proposedAt = row["proposed_at"]
        approvedBy = row["approved_by"]; approvedAt = row["approved_at"]
        rejectedBy = row["rejected_by"]; rejectedAt = row["rejected_at"]; rejectionReason = row["rejection_reason"]
        endDate = row["end_date"]; endReason = row["end_reason"]; updatedAt = row["updated_at"]
    }

    /// The last day in office, inclusive (open: `openEnd`).
    var effectiveEnd: String { endDate ?? termEnd ?? Self.openEnd }

    /// proposed and rejected as stored; an approved (or early-ended) one is `approved` before
    /// its term starts, `active` from term_start to its effective end inclusive, `ended` after.
    func status(on day: String) -> String {
        switch state {
        case "proposed", "rejected": return state
        default: return day < termStart ? "approved" : day <= effectiveEnd ? "active" : "ended"
        }
    }

    /// The SQL condition selecting appointments (alias `a`) whose status on the date bound to
    /// `:day` is `status`: the same rule as `status(on:)`.
    static func statusCondition(_ status: String) -> String {
        switch status {
        case "proposed", "rejected": return "a.state = '\(status)'"
        case "approved": return "a.state IN ('approved', 'ended') AND a.term_start > :day"
        case "active": return "a.state IN ('approved', 'ended') AND a.term_start <= :day AND a.effective_end >= :day"
        default: return "a.state IN ('approved', 'ended') AND a.effective_end < :day"
        }
    }

    func json(today: String) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .int(id), "org": .string(org), "post": .string(post), "person_id": .int(personID),
            "person_name": .string(personName), "term_start": .string(termStart),
            "equivalent_rank": .string(equivalentRank), "status": .string(status(on: today)),
            "proposed_by": .string(proposedBy), "proposed_at": .string(proposedAt), "updated_at": .string(updatedAt),
        ]
        let optional: [(String, String?)] = [
            ("program", program), ("term_end", termEnd), ("decision_ref", decisionRef),
            ("approved_by", approvedBy), ("approved_at", approvedAt), ("rejected_by", rejectedBy),
            ("rejected_at", rejectedAt), ("rejection_reason", rejectionReason), ("end_date", endDate), ("end_reason", endReason),
        ]
        for (name, value) in optional { if let value { object[name] = .string(value) } }
        return .object(object)
    }
}

/// The management rank whose regime applies to an appointee. Central ranks go with central
/// bodies, provincial ranks with provincial-level units; an org of kind `other` may use either.
enum EquivalentRank {
    static let central = ["deputy_minister", "director_general", "deputy_director_general",
                          "department_director", "deputy_department_director"]
    static let provincial = ["provincial_vice_chairman", "provincial_department_director",
                             "provincial_deputy_department_director"]
    static let centralKinds: Set<String> = ["ministry", "ministerial_agency", "government_agency"]
    static let provincialKinds: Set<String> = ["central_city", "province"]

    /// Nil when the rank suits an org of this kind, else why not.
    static func mismatch(rank: String, orgKind: String) -> String? {
        if centralKinds.contains(orgKind), !central.contains(rank) {
            return "a \(orgKind.replacingOccurrences(of: "_", with: " ")), which takes a central rank (\(central.joined(separator: ", "))), not \(rank)"
        }
        if provincialKinds.contains(orgKind), !provincial.contains(rank) {
            return "a \(orgKind.replacingOccurrences(of: "_", with: " ")), which takes a provincial rank (\(provincial.joined(separator: ", "))), not \(rank)"
        }
        return nil
    }
}
