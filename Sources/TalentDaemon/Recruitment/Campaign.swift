import Foundation
import GRDB
import TalentProtocol

enum CampaignTier: String, ContractEnum, DatabaseValueConvertible {
    static let contractSchema = "CampaignTier"
    case leadingExpert = "leading_expert", expert, chiefArchitect = "chief_architect"
}

/// `draft` -> `open` -> `closed` -> `filled` | `cancelled`; `filled` once as many candidates
/// were recruited as the campaign has openings.
enum CampaignState: String, ContractEnum, DatabaseValueConvertible {
    static let contractSchema = "CampaignState"
    case draft, open, closed, filled, cancelled
}

/// One line of a campaign's rubric. Scores are integers 0...maxScore; below `minScore` (mean
/// over evaluators) a candidate is not eligible.
struct Criterion: FetchableRecord, Sendable, Equatable {
    let key: String
    let title: String
    let weight: Int64
    let maxScore: Int64
    let minScore: Int64?

    init(key: String, title: String, weight: Int64, maxScore: Int64, minScore: Int64?) {
        self.key = key; self.title = title; self.weight = weight; self.maxScore = maxScore; self.minScore = minScore
    }

    init(row: Row) {
        key = row["key"]; title = row["title"]; weight = row["weight"]; maxScore = row["max_score"]; minScore = row["min_score"]
    }

    var json: JSONValue {
        var object: [String: JSONValue] = ["key": .string(key), "title": .string(title), "weight": .int(weight), "max_score": .int(maxScore)]
        if let minScore { object["min_score"] = .int(minScore) }
        return .object(object)
    }
}

/// A recruitment campaign as stored, with its rubric.
struct Campaign: FetchableRecord, Sendable {
    let id: Int64
    let code: String
    let title: String
    let org: String
    let tier: CampaignTier
    let fields: [String]
    let openings: Int64
    let opensOn: String
    let closesOn: String
    let minEvaluators: Int64
    let state: CampaignState
    let cancelReason: String?
    let createdBy: String, createdAt: String
    let openedAt: String?, closedAt: String?, cancelledAt: String?
    let updatedAt: String
    var criteria: [Criterion] = []

    init(row: Row) {
        id = row["id"]; code = row["code"]; title = row["title"]; org = row["org"]; tier = row["tier"]
        let fieldsText: String = row["fields"]
        fields = (try? JSONSerialization.jsonObject(with: Data(fieldsText.utf8)) as? [String]) ?? []
        openings = row["openings"]; opensOn = row["opens_on"]; closesOn = row["closes_on"]
        minEvaluators = row["min_evaluators"]; state = row["state"]; cancelReason = row["cancel_reason"]
        createdBy = row["created_by"]; createdAt = row["created_at"]
        openedAt = row["opened_at"]; closedAt = row["closed_at"]; cancelledAt = row["cancelled_at"]
        updatedAt = row["updated_at"]
    }

    func json(recruited: Int64) -> JSONValue {
        var object: [String: JSONValue] = [
            "code": .string(code), "title": .string(title), "org": .string(org), "tier": .string(tier.rawValue),
            "fields": .array(fields.map(JSONValue.string)), "openings": .int(openings), "recruited": .int(recruited),
            "opens_on": .string(opensOn), "closes_on": .string(closesOn), "min_evaluators": .int(minEvaluators),
            "state": .string(state.rawValue), "criteria": .array(criteria.map(\.json)),
            "created_by": .string(createdBy), "created_at": .string(createdAt), "updated_at": .string(updatedAt),
        ]
        let optional: [(String, String?)] = [("cancel_reason", cancelReason), ("opened_at", openedAt),
                                             ("closed_at", closedAt), ("cancelled_at", cancelledAt)]
        for (name, value) in optional { if let value { object[name] = .string(value) } }
        return .object(object)
    }
}
