import Foundation
import GRDB
import TalentProtocol

enum AwardRoundState: String, ContractEnum, DatabaseValueConvertible {
    static let contractSchema = "AwardRoundState"
    case draft, open, closed, reviewed, submitted, decided
}

enum CategoryKind: String, ContractEnum, DatabaseValueConvertible {
    static let contractSchema = "AwardCategoryKind"
    case individual, collective
}

enum NominationStatus: String, ContractEnum, DatabaseValueConvertible {
    static let contractSchema = "NominationStatus"
    case submitted, withdrawn
}

/// The three agencies that screen every nomination, each for its own gate.
enum ScreeningAgency: String, ContractEnum, DatabaseValueConvertible {
    static let contractSchema = "ScreeningAgency"
    /// Merit (MOST), security (MPS), personnel (MOHA).
    case most = "MOST", mps = "MPS", moha = "MOHA"

    var gate: String {
        switch self {
        case .most: "merit"
        case .mps: "security"
        case .moha: "personnel"
        }
    }
}

enum ScreenOutcome: String, ContractEnum, DatabaseValueConvertible {
    static let contractSchema = "ScreenOutcome"
    case pass, fail
}

enum Recommendation: String, ContractEnum, DatabaseValueConvertible {
    static let contractSchema = "Recommendation"
    case award, maybe, no
}

enum Normalization: String, ContractEnum {
    static let contractSchema = "Normalization"
    case none, zscore
}

enum AwardOutcome: String, ContractEnum, DatabaseValueConvertible {
    static let contractSchema = "AwardOutcome"
    case awarded
    case notAwarded = "not_awarded"
}

/// Conflicts a reviewer declares; the register adds `own_org` and `linked_person`.
enum DeclaredConflictKind: String, ContractEnum {
    static let contractSchema = "DeclaredConflictKind"
    case employment, collaboration, family, financial, personal, other
}

struct AwardCategory: Sendable, Equatable {
    let key: String
    let title: String
    let kind: CategoryKind
    let quotaPerOrg: Int64?

    var json: JSONValue {
        var object: [String: JSONValue] = ["key": .string(key), "title": .string(title), "kind": .string(kind.rawValue)]
        if let quotaPerOrg { object["quota_per_org"] = .int(quotaPerOrg) }
        return .object(object)
    }

    init(key: String, title: String, kind: CategoryKind, quotaPerOrg: Int64?) {
        self.key = key; self.title = title; self.kind = kind; self.quotaPerOrg = quotaPerOrg
    }

    init?(_ value: JSONValue) {
        guard let key = value["key"]?.stringValue, let title = value["title"]?.stringValue,
              let kind = value["kind"]?.stringValue.flatMap(CategoryKind.init) else { return nil }
        self.init(key: key, title: title, kind: kind, quotaPerOrg: value["quota_per_org"]?.intValue)
    }
}

struct AwardCriterion: Sendable, Equatable {
    let key: String
    let title: String
    let weight: Int64
    let maxScore: Int64

    var json: JSONValue {
        .object(["key": .string(key), "title": .string(title), "weight": .int(weight), "max_score": .int(maxScore)])
    }

    init(key: String, title: String, weight: Int64, maxScore: Int64) {
        self.key = key; self.title = title; self.weight = weight; self.maxScore = maxScore
    }

    init?(_ value: JSONValue) {
        guard let key = value["key"]?.stringValue, let title = value["title"]?.stringValue,
              let weight = value["weight"]?.intValue, let maxScore = value["max_score"]?.intValue else { return nil }
        self.init(key: key, title: title, weight: weight, maxScore: maxScore)
    }
}

struct AwardRound: FetchableRecord, Sendable {
    let id: Int64
    let code: String
    let title: String
    let year: Int64
    let opensOn: String, closesOn: String, reviewClosesOn: String
    let categories: [AwardCategory]
    let criteria: [AwardCriterion]
    let state: AwardRoundState
    let createdBy: String, createdAt: String, updatedAt: String
    let sealedList: String?, sealedSHA256: String?
    let submittedBy: String?, submittedAt: String?, decidedBy: String?, decidedAt: String?

    init(row: Row) {
        id = row["id"]; code = row["code"]; title = row["title"]; year = row["year"]
        opensOn = row["opens_on"]; closesOn = row["closes_on"]; reviewClosesOn = row["review_closes_on"]
        categories = Self.decode(row["categories"]).compactMap(AwardCategory.init)
        criteria = Self.decode(row["criteria"]).compactMap(AwardCriterion.init)
        state = row["state"]; createdBy = row["created_by"]; createdAt = row["created_at"]; updatedAt = row["updated_at"]
        sealedList = row["sealed_list"]; sealedSHA256 = row["sealed_sha256"]
        submittedBy = row["submitted_by"]; submittedAt = row["submitted_at"]
        decidedBy = row["decided_by"]; decidedAt = row["decided_at"]
    }

    private static func decode(_ text: String) -> [JSONValue] {
        (try? JSONParser.parse(Array(text.utf8)))?.arrayValue ?? []
    }

    func category(_ key: String) -> AwardCategory? { categories.first { $0.key == key } }

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "code": .string(code), "title": .string(title), "year": .int(year), "opens_on": .string(opensOn),
            "closes_on": .string(closesOn), "review_closes_on": .string(reviewClosesOn),
            "categories": .array(categories.map(\.json)), "criteria": .array(criteria.map(\.json)),
            "state": .string(state.rawValue), "created_by": .string(createdBy), "created_at": .string(createdAt),
            "updated_at": .string(updatedAt),
        ]
        let optional: [(String, String?)] = [("list_sha256", sealedSHA256), ("submitted_by", submittedBy),
                                             ("submitted_at", submittedAt), ("decided_by", decidedBy), ("decided_at", decidedAt)]
        for (name, value) in optional { if let value { object[name] = .string(value) } }
        return .object(object)
    }
}

/// One screening gate as recorded.
struct Screen: FetchableRecord, Sendable {
    let nominationID: Int64
    let agency: ScreeningAgency
    let outcome: ScreenOutcome
    let note: String
    let screenedBy: String, screenedAt: String

    init(row: Row) {
        nominationID = row["nomination_id"]; agency = row["agency"]; outcome = row["outcome"]; note = row["note"]
        screenedBy = row["screened_by"]; screenedAt = row["screened_at"]
    }

    var json: JSONValue {
        .object(["agency": .string(agency.rawValue), "gate": .string(agency.gate), "outcome": .string(outcome.rawValue),
                 "note": .string(note), "screened_by": .string(screenedBy), "screened_at": .string(screenedAt)])
    }
}

/// The three gates of a nomination: `pass` only when all three agencies passed it.
struct Gates: Sendable {
    let screens: [Screen]

    func outcome(_ agency: ScreeningAgency) -> ScreenOutcome? { screens.first { $0.agency == agency }?.outcome }
    var passedAll: Bool { ScreeningAgency.allCases.allSatisfy { outcome($0) == .pass } }
    /// Why the nomination cannot be listed, or nil.
    var failure: String? {
        if let failed = screens.first(where: { $0.outcome == .fail }) {
            return "failed the \(failed.agency.gate) check by \(failed.agency.rawValue): \(failed.note)"
        }
        let pending = ScreeningAgency.allCases.filter { outcome($0) == nil }.map(\.rawValue)
        return pending.isEmpty ? nil : "not yet screened by \(pending.joined(separator: ", "))"
    }

    var json: JSONValue {
        .object(Dictionary(uniqueKeysWithValues: ScreeningAgency.allCases.map { agency in
            (agency.gate, JSONValue.string(outcome(agency)?.rawValue ?? "pending"))
        }))
    }
}
