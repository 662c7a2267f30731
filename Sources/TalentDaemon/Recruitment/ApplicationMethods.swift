import Foundation
import TalentProtocol

/// `application.*`: candidates through the stages, the offer with its national approval
/// (four-eyes), and acceptance, which creates the expert record.
struct ApplicationMethods: Sendable {
    static let defaultLimit = 100

    private func target(_ id: Int64) -> AuditTarget { AuditTarget(type: "application", id: String(id)) }

    func submit(_ call: Call, _ store: ApplicationStore) throws -> Change {
        let campaign = try store.campaigns.require(code: try call.requiredString("campaign"), field: "campaign")
        let details: [String: JSONValue] = ["opens_on": .string(campaign.opensOn), "closes_on": .string(campaign.closesOn),
                                            "state": .string(campaign.state.rawValue)]
        guard campaign.state == .open else {
            throw RPCError.invalidState("campaign \(campaign.code) is \(campaign.state.rawValue); applications are accepted only "
                                        + "while it is open (from \(campaign.opensOn) to \(campaign.closesOn))", details: details)
        }
        // Vietnam dates: a campaign closing on the 30th takes applications until midnight in Hanoi.
        if call.today < campaign.opensOn {
            throw RPCError.invalidState("campaign \(campaign.code) takes applications from \(campaign.opensOn); today is \(call.today)",
                                        details: details)
        }
        if call.today > campaign.closesOn {
            throw RPCError.invalidState("campaign \(campaign.code) closed on \(campaign.closesOn) (Vietnam time); today is "
                                        + "\(call.today): late applications are not accepted", details: details)
        }
        let personID = try call.requiredInt("person_id")
        guard try store.personExists(id: personID) else {
            throw RPCError.invalidParams(field: "person_id", "person_id: no person with id \(personID); person.create registers one")
        }
        let source = try call.required(ApplicationSource.self, "source")
        let referredBy = call.text("referred_by")
        if source == .referral, referredBy == nil {
            throw RPCError.invalidParams(field: "referred_by", "referred_by is required when source is referral: who referred the candidate")
        }
        let id = try store.insert(.init(campaign: campaign, personID: personID, source: source, referredBy: referredBy,
                                        note: call.text("note")), by: call.principalName, at: call.timestamp)
        return try changed(store, id)
    }

    func advance(_ call: Call, _ store: ApplicationStore) throws -> Change {
        let application = try requireOpen(call, store)
        let to = try call.required(ApplicationStage.self, "to")
        guard ApplicationStage.advanceable.contains(to) else {
            let hint = switch to {
            case .offer: "application.offer makes an offer"
            case .recruited: "application.accept records an accepted offer"
            case .rejected: "application.reject {id, reason_code, note} rejects"
            case .withdrawn: "application.withdraw records a withdrawal"
            default: "an application starts at applied"
            }
            throw RPCError.invalidParams(field: "to", "to: application.advance moves to screening, evaluation or interview; \(hint)")
        }
        guard to.order > application.stage.order else {
            throw RPCError.invalidState("application \(application.id) is at \(application.stage.rawValue); it can only move forward, "
                                        + "not to \(to.rawValue)", details: ["stage": .string(application.stage.rawValue)])
        }
        try store.move(application, to: to, by: call.principalName, note: call.text("note"), at: call.timestamp)
        return try changed(store, application.id)
    }

    func reject(_ call: Call, _ store: ApplicationStore) throws -> Change {
        let application = try requireOpen(call, store)
        let reason = try call.required(RejectReason.self, "reason_code")
        try store.move(application, to: .rejected, by: call.principalName, note: try call.requiredText("note"), at: call.timestamp,
                       set: ", reason_code = :reason", ["reason": reason.rawValue])
        return try changed(store, application.id)
    }

    func withdraw(_ call: Call, _ store: ApplicationStore) throws -> Change {
        let application = try requireOpen(call, store)
        try store.move(application, to: .withdrawn, by: call.principalName, note: call.text("note"), at: call.timestamp)
        return try changed(store, application.id)
    }

    func offer(_ call: Call, _ store: ApplicationStore) throws -> Change {
        let application = try requireStage(call, store, .interview, to: "offered")
        let startOn = try call.requiredDate("start_on").description
        try store.move(application, to: .offer, by: call.principalName, note: call.text("remuneration_note"), at: call.timestamp,
                       set: ", offer_start_on = :start, remuneration_note = :remuneration, offered_by = :by, offered_at = :at",
                       ["start": startOn, "remuneration": call.text("remuneration_note"), "by": call.principalName])
        return try changed(store, application.id)
    }

    func approveOffer(_ call: Call, _ store: ApplicationStore) throws -> Change {
        let application = try requireStage(call, store, .offer, to: "approved")
        if let approver = application.offerApprovedBy {
            throw RPCError.invalidState("the offer of application \(application.id) was already approved by \(approver)",
                                        details: ["stage": .string(application.stage.rawValue)])
        }
        // Four-eyes: data-dependent, so here rather than in the method table.
        if application.offeredBy == call.principalName {
            throw RPCError.forbidden("four-eyes rule: \(call.principalName) made the offer of application \(application.id) and cannot "
                                     + "also approve it; another national hr_official or an admin must approve it")
        }
        try store.approveOffer(application, by: call.principalName, at: call.timestamp)
        return try changed(store, application.id)
    }

    /// The candidate accepted an approved offer: recruited, with an expert record from the offer's
    /// start date; the campaign is filled once its openings are.
    func accept(_ call: Call, _ store: ApplicationStore) throws -> Change {
        let application = try requireStage(call, store, .offer, to: "accepted")
        guard application.offerApprovedBy != nil else {
            throw RPCError.invalidState("the offer of application \(application.id) awaits national approval: "
                                        + "application.approve_offer by a national hr_official or an admin",
                                        details: ["stage": .string(application.stage.rawValue)])
        }
        try store.move(application, to: .recruited, by: call.principalName, note: call.text("note"), at: call.timestamp)
        _ = try store.insertExpert(application, startOn: application.offerStartOn ?? call.today, at: call.timestamp)
        let campaign = try store.campaigns.require(code: application.campaign)
        if [.open, .closed].contains(campaign.state), try store.campaigns.recruited(campaignID: campaign.id) >= campaign.openings {
            try store.campaigns.setState(campaign, .filled, by: call.principalName, at: call.timestamp)
        }
        return try changed(store, application.id)
    }

    func get(_ call: Call, _ store: ApplicationStore) throws -> JSONValue {
        let application = try store.require(id: try call.requiredInt("id"))
        let history = try store.history(id: application.id)
        guard case .object(var object) = application.json else { return .null }
        object["history"] = .array(history.map(\.json))
        object["time_in_stage"] = StageTimes.json(history, now: call.now)
        return .object(object)
    }

    func list(_ call: Call, _ store: ApplicationStore) throws -> JSONValue {
        let campaign = try store.campaigns.require(code: try call.requiredString("campaign"), field: "campaign")
        let request = try call.page(defaultLimit: Self.defaultLimit)
        let items = try store.list(campaignID: campaign.id, stage: try call.optional(ApplicationStage.self, "stage"), request)
        return Page(items, request, cursor: { String($0.id) }).json("applications", \.json)
    }

    /// The org of the application named by `id`, for `.record` scoping.
    static func org(_ store: ApplicationStore, _ call: Call) throws -> String? { try store.org(id: call.int("id")) }

    private func requireOpen(_ call: Call, _ store: ApplicationStore) throws -> Application {
        let application = try store.require(id: try call.requiredInt("id"))
        guard application.stage.isOpen else {
            throw RPCError.invalidState("application \(application.id) is \(application.stage.rawValue): it is no longer open",
                                        details: ["stage": .string(application.stage.rawValue)])
        }
        try requireCampaignRunning(application)
        return application
    }

    private func requireStage(_ call: Call, _ store: ApplicationStore, _ stage: ApplicationStage, to outcome: String) throws -> Application {
        let application = try store.require(id: try call.requiredInt("id"))
        guard application.stage == stage else {
            throw RPCError.invalidState("application \(application.id) is at \(application.stage.rawValue); only one at \(stage.rawValue) "
                                        + "can be \(outcome)", details: ["stage": .string(application.stage.rawValue)])
        }
        try requireCampaignRunning(application)
        return application
    }

    /// A cancelled campaign's applications stay as they were when it was cancelled.
    private func requireCampaignRunning(_ application: Application) throws {
        if application.campaignState == .cancelled {
            throw RPCError.invalidState("campaign \(application.campaign) was cancelled; its applications no longer move",
                                        details: ["stage": .string(application.stage.rawValue)])
        }
    }

    private func changed(_ store: ApplicationStore, _ id: Int64) throws -> Change {
        Change(result: try store.require(id: id).json, target: target(id))
    }
}
