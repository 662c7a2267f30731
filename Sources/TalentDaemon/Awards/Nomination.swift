import GRDB
import TalentProtocol

/// A nomination as stored, with its round's code and the names of the persons it names.
struct Nomination: FetchableRecord, Sendable {
    let id: Int64
    let roundCode: String
    let category: String
    let kind: CategoryKind
    let org: String
    let personID: Int64?
    let collectiveName: String?
    let citation: String
    let achievements: JSONValue
    let status: NominationStatus
    let submittedBy: String, submittedAt: String
    let withdrawnBy: String?, withdrawnAt: String?, withdrawReason: String?
    let outcome: AwardOutcome?
    let decisionRef: String?
    let updatedAt: String
    /// The nominee (individual) or the members (collective), in id order, with their names.
    var persons: [(id: Int64, name: String)] = []

    init(row: Row) {
        id = row["id"]; roundCode = row["round_code"]; category = row["category"]
        kind = row["kind"]; org = row["org"]; personID = row["person_id"]; collectiveName = row["collective_name"]
        citation = row["citation"]
        achievements = (try? JSONParser.parse(Array((row["achievements"] as String).utf8))) ?? .array([])
        status = row["status"]; submittedBy = row["submitted_by"]; submittedAt = row["submitted_at"]
        withdrawnBy = row["withdrawn_by"]; withdrawnAt = row["withdrawn_at"]; withdrawReason = row["withdraw_reason"]
        outcome = row["outcome"]; decisionRef = row["decision_ref"]; updatedAt = row["updated_at"]
    }

    /// The name an award is published under: the person's or the collective's.
    var displayName: String {
        collectiveName ?? persons.first?.name ?? ""
    }

    var nomineeJSON: JSONValue {
        switch kind {
        case .individual:
            return .object(["person_id": .int(personID ?? 0), "name": .string(displayName)])
        case .collective:
            return .object(["name": .string(collectiveName ?? ""), "members": .array(persons.map {
                .object(["person_id": .int($0.id), "name": .string($0.name)])
            })])
        }
    }

    func json(gates: Gates) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .int(id), "round": .string(roundCode), "category": .string(category), "kind": .string(kind.rawValue),
            "org": .string(org), "nominee": nomineeJSON, "citation": .string(citation), "achievements": achievements,
            "status": .string(status.rawValue), "submitted_by": .string(submittedBy), "submitted_at": .string(submittedAt),
            "updated_at": .string(updatedAt), "gates": gates.json, "screens": .array(gates.screens.map(\.json)),
        ]
        let optional: [(String, String?)] = [("withdrawn_by", withdrawnBy), ("withdrawn_at", withdrawnAt),
                                             ("withdraw_reason", withdrawReason), ("outcome", outcome?.rawValue),
                                             ("decision_ref", decisionRef)]
        for (name, value) in optional { if let value { object[name] = .string(value) } }
        return .object(object)
    }
}

/// One version of one reviewer's review.
struct Review: FetchableRecord, Sendable {
    let id: Int64
    let nominationID: Int64
    let reviewer: String
    let version: Int64
    let scores: [String: Int64]
    let recommendation: Recommendation
    let confidence: Int64
    let comment: String?
    let submittedAt: String

    init(row: Row) {
        id = row["id"]; nominationID = row["nomination_id"]; reviewer = row["reviewer"]; version = row["version"]
        let parsed = (try? JSONParser.parse(Array((row["scores"] as String).utf8)))?.objectValue ?? [:]
        scores = parsed.compactMapValues(\.intValue)
        recommendation = row["recommendation"]; confidence = row["confidence"]; comment = row["comment"]
        submittedAt = row["submitted_at"]
    }

    /// Σ weight × score over the round's criteria.
    func weighted(_ criteria: [AwardCriterion]) -> Int64 {
        criteria.reduce(0) { $0 + $1.weight * (scores[$1.key] ?? 0) }
    }

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "id": .int(id), "nomination_id": .int(nominationID), "reviewer": .string(reviewer), "version": .int(version),
            "scores": .object(scores.mapValues { .int($0) }), "recommendation": .string(recommendation.rawValue),
            "confidence": .int(confidence), "submitted_at": .string(submittedAt),
        ]
        if let comment { object["comment"] = .string(comment) }
        return .object(object)
    }
}

/// A conflict between a reviewer and a nomination: derived from the register or declared.
struct ReviewConflict: Sendable {
    let nominationID: Int64
    let reviewer: String
    /// `own_org`, `linked_person`, or a declared kind.
    let kind: String
    let note: String
    let declared: Bool

    var json: JSONValue {
        .object(["nomination_id": .int(nominationID), "reviewer": .string(reviewer), "kind": .string(kind),
                 "note": .string(note), "declared": .bool(declared)])
    }
}

/// A principal holding the reviewer role, with its org (its agency when MOST, MPS or MOHA).
struct Reviewer: Sendable {
    let name: String
    let org: String?

    var agency: ScreeningAgency? { org.flatMap(ScreeningAgency.init) }
}
