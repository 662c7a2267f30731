/// What subscribers filter on: a topic groups the event types of one part of the program.
/// `events.subscribe {topics}` takes these; the contract lists them (`EventTopic`).
enum EventTopic: String, ContractEnum {
    static let contractSchema = "EventTopic"

    case appointment, nomination, award, recruitment, person, duty, org, param, principal, system

    /// The list method whose callers may follow this topic: who may read the records may see
    /// their changes (the method table stays the one place that says who reads what).
    var readersMethod: String {
        switch self {
        case .appointment: "appointment.list"
        case .nomination: "nomination.list"
        case .award: "award_round.list"
        case .recruitment: "expert.list"
        case .person: "person.list"
        case .duty: "duty.list"
        case .org: "org.list"
        case .param: "param.list"
        case .principal: "principal.list"
        case .system: "system.health"
        }
    }
}

/// Which audited methods are events, and what each is called as one: the past tense of what
/// happened, and its topic. Methods absent here (logins, logouts) are not events.
enum EventTypes {
    struct Kind: Equatable {
        let type: String
        let topic: EventTopic
    }

    static func kind(of method: String) -> Kind? {
        if let (type, topic) = table[method] { return Kind(type: type, topic: topic) }
        // A write added after this table (by another domain) is still an event, named as its method.
        guard let prefix = method.split(separator: ".").first, let topic = topicOfRecord[String(prefix)] else { return nil }
        return Kind(type: method, topic: topic)
    }

    /// The first part of a method name (the record it changes) -> its topic.
    private static let topicOfRecord: [String: EventTopic] = [
        "appointment": .appointment, "nomination": .nomination, "award_round": .award, "review": .award,
        "campaign": .recruitment, "application": .recruitment, "evaluation": .recruitment, "expert": .recruitment,
        "person": .person, "duty": .duty, "org": .org, "param": .param, "principal": .principal, "token": .principal,
        "system": .system,
    ]

    private static let table: [String: (String, EventTopic)] = [
        "appointment.propose": ("appointment.proposed", .appointment),
        "appointment.approve": ("appointment.approved", .appointment),
        "appointment.reject": ("appointment.rejected", .appointment),
        "appointment.end": ("appointment.ended", .appointment),

        "nomination.submit": ("nomination.submitted", .nomination),
        "nomination.withdraw": ("nomination.withdrawn", .nomination),
        "nomination.screen": ("nomination.screened", .nomination),

        "award_round.create": ("award_round.created", .award),
        "award_round.open": ("award_round.opened", .award),
        "award_round.close": ("award_round.closed", .award),
        "award_round.close_review": ("award_round.review_closed", .award),
        "award_round.assign_reviewers": ("award_round.reviewers_assigned", .award),
        "award_round.submit_list": ("award_round.list_submitted", .award),
        "award_round.decide": ("award_round.decided", .award),
        "review.assign": ("review.assigned", .award),
        "review.unassign": ("review.unassigned", .award),
        "review.declare_conflict": ("review.conflict_declared", .award),
        "review.submit": ("review.submitted", .award),
        "review.amend": ("review.amended", .award),

        "campaign.create": ("campaign.created", .recruitment),
        "campaign.open": ("campaign.opened", .recruitment),
        "campaign.close": ("campaign.closed", .recruitment),
        "campaign.cancel": ("campaign.cancelled", .recruitment),
        "campaign.assign_evaluator": ("campaign.evaluator_assigned", .recruitment),
        "campaign.unassign_evaluator": ("campaign.evaluator_unassigned", .recruitment),
        "application.submit": ("application.submitted", .recruitment),
        "application.advance": ("application.advanced", .recruitment),
        "application.reject": ("application.rejected", .recruitment),
        "application.withdraw": ("application.withdrawn", .recruitment),
        "application.offer": ("application.offered", .recruitment),
        "application.approve_offer": ("application.offer_approved", .recruitment),
        "application.accept": ("application.accepted", .recruitment),
        "evaluation.declare_conflict": ("evaluation.conflict_declared", .recruitment),
        "evaluation.submit": ("evaluation.submitted", .recruitment),
        "expert.end": ("expert.ended", .recruitment),

        "person.create": ("person.created", .person),
        "person.update": ("person.updated", .person),

        "duty.create": ("duty.created", .duty),
        "duty.complete": ("duty.completed", .duty),
        "duty.cancel": ("duty.cancelled", .duty),
        // Written by the daily sweep on the day a duty passes its due date unfinished.
        "duty.late": ("duty.late", .duty),

        "org.create": ("org.created", .org),
        "org.update": ("org.updated", .org),

        "param.define": ("param.defined", .param),
        "param.set": ("param.set", .param),

        "principal.create": ("principal.created", .principal),
        "principal.update": ("principal.updated", .principal),
        "principal.disable": ("principal.disabled", .principal),
        "principal.enable": ("principal.enabled", .principal),
        "principal.set_secret": ("principal.secret_set", .principal),
        "principal.bind_uid": ("principal.uid_bound", .principal),
        "principal.unbind_uid": ("principal.uid_unbound", .principal),
        "principal.link_person": ("principal.person_linked", .principal),
        "token.create": ("token.created", .principal),
        "token.revoke": ("token.revoked", .principal),

        "system.backup": ("system.backup_made", .system),
    ]
}
