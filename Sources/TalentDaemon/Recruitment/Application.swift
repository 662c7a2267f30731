import Foundation
import GRDB
import TalentProtocol

/// `applied` -> `screening` -> `evaluation` -> `interview` -> `offer` -> `recruited`, or
/// `rejected` / `withdrawn` from any open stage.
enum ApplicationStage: String, ContractEnum, DatabaseValueConvertible {
    static let contractSchema = "ApplicationStage"
    case applied, screening, evaluation, interview, offer, recruited, rejected, withdrawn

    /// The stages in which an application is still in the running, in order.
    static let open: [ApplicationStage] = [.applied, .screening, .evaluation, .interview, .offer]
    /// Where `application.advance` may move an application (offer and recruited have their own methods).
    static let advanceable: [ApplicationStage] = [.screening, .evaluation, .interview]

    var isOpen: Bool { Self.open.contains(self) }
    var order: Int { Self.open.firstIndex(of: self) ?? Self.open.count }
}

enum ApplicationSource: String, ContractEnum, DatabaseValueConvertible {
    static let contractSchema = "ApplicationSource"
    case domestic, overseas, referral
}

/// Why an application was rejected (PROTOCOL.md "Recruitment" explains each).
enum RejectReason: String, ContractEnum {
    static let contractSchema = "RejectReason"
    case notEligible = "not_eligible", belowMinScore = "below_min_score", insufficientEvaluations = "insufficient_evaluations"
    case failedInterview = "failed_interview", offerDeclined = "offer_declined", positionFilled = "position_filled"
    case duplicateCandidate = "duplicate_candidate", other
}

/// One entry of an application's stage history.
struct StageChange: FetchableRecord, Sendable {
    let from: ApplicationStage?
    let to: ApplicationStage
    let at: String
    let by: String
    let note: String?

    init(row: Row) {
        from = (row["from_stage"] as String?).flatMap(ApplicationStage.init); to = row["to_stage"]
        at = row["at"]; by = row["by"]; note = row["note"]
    }

    var json: JSONValue {
        var object: [String: JSONValue] = ["to": .string(to.rawValue), "at": .string(at), "by": .string(by)]
        if let from { object["from"] = .string(from.rawValue) }
        if let note { object["note"] = .string(note) }
        return .object(object)
    }
}

/// An application as stored, with its campaign's code and org and the candidate's name.
struct Application: FetchableRecord, Sendable {
    let id: Int64
    let campaignID: Int64
    let campaign: String
    let campaignState: CampaignState
    let org: String
    let tier: CampaignTier
    let personID: Int64
    let personName: String
    let overseasVietnamese: Bool
    let source: ApplicationSource
    let referredBy: String?
    let note: String?
    let stage: ApplicationStage
    let reasonCode: String?
    let offerStartOn: String?, remunerationNote: String?
    let offeredBy: String?, offeredAt: String?
    let offerApprovedBy: String?, offerApprovedAt: String?
    let submittedBy: String, submittedAt: String
    let updatedAt: String
    /// The expert record once recruited.
    let expertID: Int64?

    init(row: Row) {
        id = row["id"]; campaignID = row["campaign_id"]; campaign = row["campaign_code"]; campaignState = row["campaign_state"]; org = row["campaign_org"]
        tier = row["campaign_tier"]; personID = row["person_id"]; personName = row["person_name"]
        overseasVietnamese = row["overseas_vietnamese"]
        source = row["source"]
        referredBy = row["referred_by"]; note = row["note"]; stage = row["stage"]; reasonCode = row["reason_code"]
        offerStartOn = row["offer_start_on"]; remunerationNote = row["remuneration_note"]
        offeredBy = row["offered_by"]; offeredAt = row["offered_at"]
        offerApprovedBy = row["offer_approved_by"]; offerApprovedAt = row["offer_approved_at"]
        submittedBy = row["submitted_by"]; submittedAt = row["submitted_at"]; updatedAt = row["updated_at"]
        expertID = row["expert_id"]
    }

    /// Overseas when the candidate applied as overseas or is registered as an overseas Vietnamese.
    var isOverseas: Bool { source == .overseas || overseasVietnamese }

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "id": .int(id), "campaign": .string(campaign), "org": .string(org), "person_id": .int(personID),
            "person_name": .string(personName), "source": .string(source.rawValue), "stage": .string(stage.rawValue),
            "submitted_by": .string(submittedBy), "submitted_at": .string(submittedAt), "updated_at": .string(updatedAt),
        ]
        let optional: [(String, String?)] = [
            ("referred_by", referredBy), ("note", note), ("reason_code", reasonCode), ("offer_start_on", offerStartOn),
            ("remuneration_note", remunerationNote), ("offered_by", offeredBy), ("offered_at", offeredAt),
            ("offer_approved_by", offerApprovedBy), ("offer_approved_at", offerApprovedAt),
        ]
        for (name, value) in optional { if let value { object[name] = .string(value) } }
        if let expertID { object["expert_id"] = .int(expertID) }
        return .object(object)
    }
}

/// Time spent in each stage, from the history: a stage lasts until the next change, the
/// current one until `now`.
enum StageTimes {
    static func json(_ history: [StageChange], now: Instant) -> JSONValue {
        .array(history.enumerated().map { index, change in
            let next = index + 1 < history.count ? history[index + 1].at : nil
            let end = next.flatMap(UTCTime.seconds) ?? now.seconds
            let seconds = max(0, end - (UTCTime.seconds(change.at) ?? end))
            var object: [String: JSONValue] = ["stage": .string(change.to.rawValue), "entered_at": .string(change.at),
                                               "seconds": .int(Int64(seconds)), "days": .int(Int64(seconds / 86_400))]
            if let next { object["left_at"] = .string(next) }
            return .object(object)
        })
    }
}

/// An expert recruited through a campaign.
struct Expert: FetchableRecord, Sendable {
    let id: Int64
    let applicationID: Int64
    let personID: Int64
    let personName: String
    let org: String
    let tier: CampaignTier
    let campaign: String
    let startOn: String
    let overseas: Bool
    let endOn: String?
    let endReason: String?
    let createdAt: String
    let updatedAt: String

    init(row: Row) {
        id = row["id"]; applicationID = row["application_id"]; personID = row["person_id"]; personName = row["person_name"]
        org = row["org"]; tier = row["tier"]; campaign = row["campaign_code"]; startOn = row["start_on"]
        overseas = row["overseas"]; endOn = row["end_on"]; endReason = row["end_reason"]
        createdAt = row["created_at"]; updatedAt = row["updated_at"]
    }

    /// In post on `day`: started on or before it, not ended before it (end_on is the last day).
    func inPost(on day: String) -> Bool { startOn <= day && (endOn.map { day <= $0 } ?? true) }

    func json(on day: String) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .int(id), "application_id": .int(applicationID), "person_id": .int(personID), "person_name": .string(personName),
            "org": .string(org), "tier": .string(tier.rawValue), "campaign": .string(campaign), "start_on": .string(startOn),
            "overseas": .bool(overseas), "in_post": .bool(inPost(on: day)),
            "created_at": .string(createdAt), "updated_at": .string(updatedAt),
        ]
        if let endOn { object["end_on"] = .string(endOn) }
        if let endReason { object["end_reason"] = .string(endReason) }
        return .object(object)
    }
}
