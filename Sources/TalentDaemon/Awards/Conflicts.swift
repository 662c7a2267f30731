import TalentProtocol

/// Every conflict between reviewers and a round's nominations: derived from the register (the
/// reviewer's own org nominated it; the reviewer's linked person) and declared by reviewers.
struct ConflictBook: Sendable {
    let all: [ReviewConflict]
    private struct Pair: Hashable { let nominationID: Int64; let reviewer: String }
    private let byPair: [Pair: [ReviewConflict]]
    private let byNomination: [Int64: [ReviewConflict]]

    init(_ all: [ReviewConflict]) {
        self.all = all
        byPair = Dictionary(grouping: all, by: { Pair(nominationID: $0.nominationID, reviewer: $0.reviewer) })
        byNomination = Dictionary(grouping: all, by: \.nominationID)
    }

    static func load(_ store: AwardStore, round: AwardRound, nominations: [Nomination], reviewers: [Reviewer]) throws -> ConflictBook {
        var found: [ReviewConflict] = []
        let reviewersByOrg = Dictionary(grouping: reviewers.filter { $0.org != nil }, by: { $0.org! })
        for nomination in nominations {
            for reviewer in reviewersByOrg[nomination.org] ?? [] {
                found.append(ReviewConflict(nominationID: nomination.id, reviewer: reviewer.name, kind: "own_org",
                                            note: "\(reviewer.name) belongs to \(nomination.org), which nominated it", declared: false))
            }
        }
        let ids = Set(nominations.map(\.id))
        found += try store.declaredConflicts(round: round).filter { ids.contains($0.nominationID) }
        found += try store.linkedPersonConflicts(reviewers: reviewers, nominations: nominations)
        return ConflictBook(found)
    }

    func of(_ nominationID: Int64, _ reviewer: String) -> [ReviewConflict] { byPair[Pair(nominationID: nominationID, reviewer: reviewer)] ?? [] }
    func of(nomination id: Int64) -> [ReviewConflict] { byNomination[id] ?? [] }
    func isConflicted(_ nominationID: Int64, _ reviewer: String) -> Bool { !of(nominationID, reviewer).isEmpty }

    /// "own_org (… belongs to MOF, which nominated it); family (…)".
    func reasons(_ nominationID: Int64, _ reviewer: String) -> String {
        of(nominationID, reviewer).map { "\($0.kind) (\($0.note))" }.joined(separator: "; ")
    }
}
