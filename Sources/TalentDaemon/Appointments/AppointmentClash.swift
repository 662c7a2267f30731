/// The three ways two appointments may clash. SQLite 3.40 accepts only a literal message in
/// RAISE, so a trigger names the invariant ("appointment_clash:post") and the store finds the
/// clashing appointment with the very same condition, in the same transaction. The triggers of
/// migration 0007_appointments spell `condition(new: "NEW")` out literally: changing it here
/// needs a new migration that recreates them.
enum AppointmentClash: String, CaseIterable {
    /// Two holders of one chief-engineer post of one org.
    case post
    /// Two chief architects of one program of one org.
    case program
    /// One person in two chief-engineer posts.
    case person

    var abortMessage: String { "appointment_clash:\(rawValue)" }

    /// Rows `a` clashing with the row whose columns are `new.<column>` (NEW in a trigger, or a
    /// parameter table in the lookup): same slot, not rejected, overlapping inclusive intervals.
    func condition(new: String) -> String {
        let slot = switch self {
        case .post: "a.org = \(new).org AND a.post = \(new).post"
        case .program: "a.org = \(new).org AND a.program = \(new).program"
        case .person: "a.person_id = \(new).person_id AND a.post IN ('chief_engineer_sti', 'chief_engineer_ops')"
        }
        return """
            \(slot) AND a.id IS NOT \(new).id AND a.state != 'rejected'
            AND a.term_start <= coalesce(\(new).end_date, \(new).term_end, '9999-12-31')
            AND \(new).term_start <= a.effective_end
            """
    }
}
