import GRDB
import TalentProtocol

/// The program starts counting chief-engineer vacancies on the day the 2025 reorganization
/// took effect and the steering committee's duty began.
let kpiProgramStart = "2025-07-01"

/// One org's two chief-engineer posts over its vacancy window: from the later of
/// `kpiProgramStart` and the org's creation (its Vietnam date), to `at`, both inclusive.
struct ChiefEngineerPosts: FetchableRecord, Sendable {
    struct Post: Sendable {
        /// A running term (approved, in office) on `at`.
        let filled: Bool
        /// Days of the window on which the post had no running term.
        let daysVacant: Int64

        var json: JSONValue { ["filled": .bool(filled), "days_vacant": .int(daysVacant)] }
    }

    let code: String
    let kind: OrgKind
    let name: String
    let windowStart: String
    /// 0 when the org was created after `at`.
    let windowDays: Int64
    let sti: Post
    let ops: Post

    init(row: Row) {
        code = row["code"]; name = row["name"]; windowStart = row["window_start"]
        kind = OrgKind(rawValue: row["kind"]) ?? .other
        let days: Int64 = row["window_days"]
        windowDays = days
        sti = Post(filled: row["sti_filled"], daysVacant: days - (row["sti_covered"] as Int64))
        ops = Post(filled: row["ops_filled"], daysVacant: days - (row["ops_covered"] as Int64))
    }

    var filled: Int64 { (sti.filled ? 1 : 0) + (ops.filled ? 1 : 0) }

    var json: JSONValue {
        ["filled": .int(filled), "posts": 2, "window_start": .string(windowStart), "window_days": .int(windowDays),
         "sti": sti.json, "ops": ops.json]
    }
}

struct ExpertCounts: Sendable {
    var inPost: Int64 = 0
    var leadingInPost: Int64 = 0
    /// Applications to the org's campaigns in an open stage (applied to offer) on `at`.
    var candidates: Int64 = 0

    static func + (a: Self, b: Self) -> Self {
        Self(inPost: a.inPost + b.inPost, leadingInPost: a.leadingInPost + b.leadingInPost, candidates: a.candidates + b.candidates)
    }

    var json: JSONValue {
        ["in_post": .int(inPost), "leading_in_post": .int(leadingInPost), "candidates": .int(candidates)]
    }
}

struct NominationCounts: Sendable {
    /// Submitted by `at` and not withdrawn by then.
    var submitted: Int64 = 0
    /// Of those, passed by all three screening agencies by `at`.
    var passed: Int64 = 0
    /// Of those, awarded by a round decided by `at`.
    var awarded: Int64 = 0

    static func + (a: Self, b: Self) -> Self {
        Self(submitted: a.submitted + b.submitted, passed: a.passed + b.passed, awarded: a.awarded + b.awarded)
    }

    var json: JSONValue { ["submitted": .int(submitted), "passed": .int(passed), "awarded": .int(awarded)] }
}

/// Duties by status (`DutyStore.statusCounts`), as the KPIs rate them.
extension DutyCounts {
    /// The duties an on-time rate is computed over: every one done or past its due date.
    var rated: Int64 { onTime + late + doneLate }

    /// on_time / rated, in ten-thousandths rounded down; nil without a rated duty.
    var onTimeRate: Double? { rated == 0 ? nil : Double(onTime * 10_000 / rated) / 10_000 }

    static func + (a: Self, b: Self) -> Self {
        Self(onTime: a.onTime + b.onTime, late: a.late + b.late, doneLate: a.doneLate + b.doneLate, open: a.open + b.open)
    }

    var json: JSONValue {
        ["on_time": .int(onTime), "late": .int(late), "done_late": .int(doneLate), "open": .int(open),
         "rated": .int(rated), "on_time_rate": onTimeRate.map(JSONValue.double) ?? .null]
    }
}

/// The registry's completeness, nationally (persons belong to no org).
struct DataQuality: Sendable {
    let persons: Int64
    let missingBirthDate: Int64
    let missingNationalID: Int64
    let missingEmployer: Int64
    /// Persons with at least one possible duplicate by person.create's rule (same folded name and
    /// birth date, or same email), and the distinct pairs of such persons.
    let duplicatePersons: Int64
    let duplicatePairs: Int64

    var json: JSONValue {
        ["persons": .int(persons), "missing_birth_date": .int(missingBirthDate),
         "missing_national_id": .int(missingNationalID), "missing_employer": .int(missingEmployer),
         "possible_duplicates": ["persons": .int(duplicatePersons), "pairs": .int(duplicatePairs)]]
    }
}

/// Everything the report says about one org.
struct OrgKpi: Sendable {
    let posts: ChiefEngineerPosts
    let experts: ExpertCounts
    let nominations: NominationCounts
    let duties: DutyCounts

    var json: JSONValue {
        ["code": .string(posts.code), "kind": .string(posts.kind.rawValue), "name": .string(posts.name),
         "chief_engineers": posts.json, "experts": experts.json, "nominations": nominations.json, "duties": duties.json]
    }
}
