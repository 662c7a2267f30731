import GRDB
import TalentProtocol

/// What makes a duty done: three kinds are derived from other domains' records, `manual` is
/// completed by the org itself (`duty.complete`).
enum DutyKind: String, ContractEnum, DatabaseValueConvertible {
    static let contractSchema = "DutyKind"
    case chiefEngineers = "chief_engineers", nominations, recruitment, manual

    /// Kinds that take a `target` count.
    var takesTarget: Bool { self == .nominations || self == .recruitment }
}

/// A duty's status on a date: derived, never stored.
enum DutyStatus: String, ContractEnum {
    static let contractSchema = "DutyStatus"
    case open, done, late, doneLate = "done_late", cancelled
}

/// The status rule, written once for Swift (`status`) and once for SQL (`sqlStatus`), side by
/// side; TalentDaemonTests holds the two to the same answers. `doneOn` is already limited to
/// dates on or before `at` (the store derives it that way).
/// Cancelled from its cancellation date on; done when done by `due_on`, done_late when done after
/// it; late when not done and `at` is past `due_on`; open otherwise.
enum DutyRule {
    static func status(dueOn: String, doneOn: String?, cancelledOn: String?, at: String) -> DutyStatus {
        if let cancelledOn, cancelledOn <= at { return .cancelled }
        if let doneOn { return doneOn <= dueOn ? .done : .doneLate }
        return at > dueOn ? .late : .open
    }

    /// The status as an SQL expression over the SQL expressions given for each input.
    static func sqlStatus(dueOn: String, doneOn: String, cancelledOn: String, at: String) -> String {
        """
        CASE WHEN \(cancelledOn) <= \(at) THEN 'cancelled'
             WHEN \(doneOn) IS NOT NULL THEN CASE WHEN \(doneOn) <= \(dueOn) THEN 'done' ELSE 'done_late' END
             WHEN \(at) > \(dueOn) THEN 'late' ELSE 'open' END
        """
    }

    /// Days late: for late, from `due_on` to `at`; for done_late, from `due_on` to `done_on`; else 0.
    static func daysLate(_ status: DutyStatus, dueOn: String, doneOn: String?, at: String) -> Int64 {
        switch status {
        case .late: return days(from: dueOn, to: at)
        case .doneLate: return days(from: dueOn, to: doneOn ?? at)
        case .open, .done, .cancelled: return 0
        }
    }

    /// Whole days from one ISO date to another (negative when `to` is earlier).
    static func days(from: String, to: String) -> Int64 {
        guard let a = CalendarDate(from), let b = CalendarDate(to) else { return 0 }
        return dayNumber(b) - dayNumber(a)
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
    private static func dayNumber(_ d: CalendarDate) -> Int64 {
        let y = Int64(d.month <= 2 ? d.year - 1 : d.year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let month = Int64(d.month)
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + Int64(d.day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// A duty as stored, with the date it was done as derived on the date asked (`DutyStore`).
struct Duty: FetchableRecord, Sendable {
    let id: Int64
    let title: String
    let org: String
    let kind: DutyKind
    let dueOn: String
    let responsible: String?
    let target: Int64?
    let targetRound: String?
    let note: String?
    let createdBy: String, createdAt: String
    let completedOn: String?, completedBy: String?, completedAt: String?
    let result: String?, evidenceRef: String?
    let cancelledOn: String?, cancelledBy: String?, cancelledAt: String?, cancelReason: String?
    /// The audit seq of the `duty.late` entry that published its lateness, once published.
    let lateRecordedSeq: Int64?
    let updatedAt: String
    /// The day it was done, on or before the date the duty was read at; nil: not done by then.
    let doneOn: String?
    /// The date the duty was read at.
    let at: String

    init(row: Row) {
        id = row["id"]; title = row["title"]; org = row["org"]; kind = row["kind"]; dueOn = row["due_on"]
        responsible = row["responsible"]; target = row["target"]; targetRound = row["target_round"]; note = row["note"]
        createdBy = row["created_by"]; createdAt = row["created_at"]
        completedOn = row["completed_on"]; completedBy = row["completed_by"]; completedAt = row["completed_at"]
        result = row["result"]; evidenceRef = row["evidence_ref"]
        cancelledOn = row["cancelled_on"]; cancelledBy = row["cancelled_by"]; cancelledAt = row["cancelled_at"]
        cancelReason = row["cancel_reason"]; lateRecordedSeq = row["late_recorded_seq"]; updatedAt = row["updated_at"]
        doneOn = row["done_on"]; at = row["at"]
    }

    var status: DutyStatus { DutyRule.status(dueOn: dueOn, doneOn: doneOn, cancelledOn: cancelledOn, at: at) }

    var json: JSONValue {
        let status = status
        var object: [String: JSONValue] = [
            "id": .int(id), "title": .string(title), "org": .string(org), "kind": .string(kind.rawValue),
            "due_on": .string(dueOn), "status": .string(status.rawValue), "at": .string(at),
            "done_on": doneOn.map(JSONValue.string) ?? .null,
            "days_late": .int(DutyRule.daysLate(status, dueOn: dueOn, doneOn: doneOn, at: at)),
            "created_by": .string(createdBy), "created_at": .string(createdAt), "updated_at": .string(updatedAt),
        ]
        if let target { object["target"] = .int(target) }
        if let lateRecordedSeq { object["late_recorded_seq"] = .int(lateRecordedSeq) }
        let optional: [(String, String?)] = [
            ("responsible", responsible), ("target_round", targetRound), ("note", note),
            ("completed_on", completedOn), ("completed_by", completedBy), ("completed_at", completedAt),
            ("result", result), ("evidence_ref", evidenceRef), ("cancelled_on", cancelledOn),
            ("cancelled_by", cancelledBy), ("cancelled_at", cancelledAt), ("cancel_reason", cancelReason),
        ]
        for (name, value) in optional { if let value { object[name] = .string(value) } }
        return .object(object)
    }
}

/// One org's duties by status on a date, cancelled ones left out (`DutyStore.statusCounts`).
struct DutyCounts: Sendable, Equatable {
    /// Done by their due date.
    var onTime: Int64 = 0
    /// Past due and not done.
    var late: Int64 = 0
    /// Done after their due date.
    var doneLate: Int64 = 0
    /// Not yet due and not done.
    var open: Int64 = 0

    var total: Int64 { onTime + late + doneLate + open }
}
