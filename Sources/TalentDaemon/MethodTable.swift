import TalentProtocol

/// Every method the daemon serves, in one list (modelled on Redis's command table): the name,
/// who may call it, how it is limited to the caller's org, its handler and how it runs.
/// `MethodRunner` enforces the access and scope columns before any handler runs.
///
/// `Protocol/openrpc.json` must describe exactly these methods, with the same `x-roles` and
/// `x-mutating`: the daemon checks at start-up and refuses to run if they differ.
///
/// Kinds: `plain` manages its own storage access, `read` runs in one snapshot, `write` runs in
/// one transaction with its audit entry and idempotency record. Flags: `.fast` runs on the
/// event loop (no I/O; only for methods anyone may call); `.quick` reads a few rows by index on
/// the event loop, from its own read connection (never a list, search or report: those would
/// hold up every connection on that loop); `.heavy` runs on the bounded CPU pool.
func methodTable(_ d: Domains) -> [MethodSpec] {
    let admin: Set<Role> = [.admin]
    let adminOrAuditor: Set<Role> = [.admin, .auditor]
    let operations: Set<Role> = [.admin, .ops, .auditor]
    // Persons are personal data: ops never sees them; reviewers read them (they score nominees).
    let personReaders: Set<Role> = [.admin, .hrOfficial, .ministryAgent, .reviewer, .auditor]
    let personCreators: Set<Role> = [.admin, .hrOfficial, .ministryAgent]
    let personEditors: Set<Role> = [.admin, .hrOfficial]
    // Appointments: proposed by an org's HR or its scripts, approved nationally (four-eyes).
    let appointmentProposers: Set<Role> = [.admin, .hrOfficial, .ministryAgent]
    let appointmentEnders: Set<Role> = [.admin, .hrOfficial]
    let appointmentReaders: Set<Role> = [.admin, .hrOfficial, .ministryAgent, .auditor]
    let coverageReaders: Set<Role> = [.admin, .hrOfficial, .auditor]
    // Pay is read by those who read appointments; parameters are set nationally (decrees are national).
    let payReaders = appointmentReaders
    // Recruitment: run by an org's HR (or national HR), offers approved nationally (four-eyes),
    // candidates scored by evaluators; ministries' scripts submit applications in bulk.
    let recruiters: Set<Role> = [.admin, .hrOfficial]
    let campaignReaders: Set<Role> = [.admin, .hrOfficial, .ministryAgent, .auditor, .evaluator]
    let applicationSubmitters: Set<Role> = [.admin, .hrOfficial, .ministryAgent]
    // Scores are seen by HR and auditors; evaluators only through evaluation.list, blind.
    let rankingReaders: Set<Role> = [.admin, .hrOfficial, .auditor]
    let evaluationReaders: Set<Role> = [.admin, .hrOfficial, .auditor, .evaluator]
    let expertReaders: Set<Role> = [.admin, .hrOfficial, .ministryAgent, .auditor]
    let campaignScope = MethodSpec.Scope.record(CampaignMethods.org)
    let campaignParamScope = MethodSpec.Scope.record(CampaignMethods.campaignParamOrg)
    let applicationScope = MethodSpec.Scope.record(ApplicationMethods.org)
    // Awards: the secretariat (MOST) runs rounds; orgs nominate their own; the council reviews.
    let secretariat: Set<Role> = [.admin, .awardSecretariat]
    let roundReaders: Set<Role> = [.admin, .awardSecretariat, .hrOfficial, .ministryAgent, .reviewer, .auditor]
    let awardRankingReaders: Set<Role> = [.admin, .awardSecretariat, .auditor]
    let nominators: Set<Role> = [.admin, .hrOfficial, .ministryAgent]
    let nominationReaders: Set<Role> = [.admin, .awardSecretariat, .hrOfficial, .ministryAgent, .reviewer, .auditor]
    let councilSeesAll: Set<Role> = [.awardSecretariat, .reviewer]
    let screeners: Set<Role> = [.admin, .hrOfficial, .reviewer]
    let reviewers: Set<Role> = [.admin, .reviewer]
    let reviewReaders: Set<Role> = [.admin, .awardSecretariat, .reviewer, .auditor]
    // Duties: given and cancelled nationally; each org reads and completes its own.
    let dutyReaders: Set<Role> = [.admin, .hrOfficial, .ministryAgent, .auditor]
    let dutyCompleters: Set<Role> = [.admin, .hrOfficial, .ministryAgent]
    let dutyScope = MethodSpec.Scope.record(DutyMethods.org)
    return [
        //    name                     access                       handler                   scope, flags
        plain("rpc.discover",          .anyone,                     d.system.discover,        flags: [.fast]),
        plain("system.ping",           .anyone,                     d.system.ping,            flags: [.fast]),
        plain("system.info",           .loggedIn,                   d.system.info),
        plain("system.health",         .roles(operations),          d.system.health),
        plain("system.stats",          .roles(operations),          d.system.stats),
        plain("system.metrics",        .roles(operations),          d.system.metrics),
        // Copies every record (personal data included) to a file: admin only. Audited in the handler.
        plain("system.backup",         .roles(admin),               d.system.backup),

        plain("session.login",         .anyone,                     d.session.login,          flags: [.heavy],
              heavyWhen: SessionMethods.hashesPassword),
        read("session.whoami",         .loggedIn,                   d.session.whoami,         flags: [.quick]),
        plain("session.logout",        .loggedIn,                   d.session.logout),

        write("principal.create",      .roles(admin),               d.principal.create,       flags: [.heavy]),
        read("principal.get",          .rolesOrSelf(adminOrAuditor), d.principal.get,          flags: [.quick]),
        read("principal.list",         .roles(adminOrAuditor),      d.principal.list),
        write("principal.update",      .roles(admin),               d.principal.update),
        write("principal.disable",     .roles(admin),               d.principal.disable),
        write("principal.enable",      .roles(admin),               d.principal.enable),
        write("principal.set_secret",  .rolesOrSelf(admin),         d.principal.setSecret,    flags: [.heavy]),
        write("principal.bind_uid",    .roles(admin),               d.principal.bindUID),
        write("principal.unbind_uid",  .roles(admin),               d.principal.unbindUID),
        write("principal.link_person", .roles(admin),               d.principal.linkPerson),

        // Anyone may make a short-lived token for themselves (talentctl login), not only admins.
        write("token.create",          .rolesOrSelf(admin, selfParam: "principal"), d.token.create),
        read("token.list",             .roles(adminOrAuditor),      d.token.list),
        write("token.revoke",          .rolesOrSelf(admin, selfParam: "principal"), d.token.revoke),

        read("audit.list",             .roles(adminOrAuditor),      d.audit.list),
        // The head is a hash and a time, no personal data: ops publish it as an anchor.
        read("audit.head",             .roles(operations),          d.audit.head),
        read("audit.verify",           .roles(adminOrAuditor),      d.audit.verify),

        read("org.list",               .loggedIn,                   d.org.list),
        read("org.get",                .loggedIn,                   d.org.get,                flags: [.quick]),
        write("org.create",            .roles(admin),               d.org.create),
        write("org.update",            .roles(admin),               d.org.update),

        write("person.create",         .roles(personCreators),      d.person.create,          prepare: d.person.creation),
        read("person.get",             .roles(personReaders),       d.person.get,             flags: [.quick]),
        write("person.update",         .roles(personEditors),       d.person.update,          prepare: d.person.changes),
        read("person.search",          .roles(personReaders),       d.person.search),
        read("person.list",            .roles(personReaders),       d.person.list),

        write("appointment.propose",   .roles(appointmentProposers), d.appointment.propose,  scope: .orgParam, prepare: d.appointment.proposal),
        write("appointment.approve",   .national([.hrOfficial]),    d.appointment.approve),
        write("appointment.reject",    .national([.hrOfficial]),    d.appointment.reject),
        write("appointment.end",       .roles(appointmentEnders),   d.appointment.end,        scope: .record(AppointmentMethods.org)),
        read("appointment.get",        .roles(appointmentReaders),  d.appointment.get,        scope: .record(AppointmentMethods.org), flags: [.quick]),
        read("appointment.list",       .roles(appointmentReaders),  d.appointment.list,       scope: .orgParam),
        // The national compliance view: every org, whatever the caller's own org.
        read("coverage.report",        .roles(coverageReaders),     d.coverage.report),

        write("param.define",          .national([.hrOfficial]),    d.param.define),
        write("param.set",             .national([.hrOfficial]),    d.param.set),
        read("param.get",              .roles(payReaders),          d.param.get),
        read("param.list",             .roles(payReaders),          d.param.list),
        read("param.history",          .roles(payReaders),          d.param.history),
        read("remuneration.compute",   .roles(payReaders),          d.remuneration.compute,   scope: .orgParam),
        read("remuneration.arrears",   .roles(payReaders),          d.remuneration.arrears,   scope: .orgParam),
        read("remuneration.report",    .roles(payReaders),          d.remuneration.report,    scope: .orgParam),
        // A what-if: reads only, writes nothing, so it is not a mutation.
        read("remuneration.simulate",  .roles(payReaders),          d.remuneration.simulate,  scope: .orgParam),

        write("campaign.create",       .roles(recruiters),          d.campaign.create,        scope: .orgParam),
        write("campaign.open",         .roles(recruiters),          d.campaign.open,          scope: campaignScope),
        write("campaign.close",        .roles(recruiters),          d.campaign.close,         scope: campaignScope),
        write("campaign.cancel",       .roles(recruiters),          d.campaign.cancel,        scope: campaignScope),
        read("campaign.get",           .roles(campaignReaders),     d.campaign.get,           scope: campaignScope),
        read("campaign.list",          .roles(campaignReaders),     d.campaign.list,          scope: .orgParam),
        write("campaign.assign_evaluator", .roles(recruiters),      d.campaign.assignEvaluator, scope: campaignParamScope),
        write("campaign.unassign_evaluator", .roles(recruiters),    d.campaign.unassignEvaluator, scope: campaignParamScope),
        read("campaign.ranking",       .roles(rankingReaders),      d.evaluation.ranking,     scope: campaignParamScope),
        write("application.submit",    .roles(applicationSubmitters), d.application.submit,   scope: campaignParamScope),
        write("application.advance",   .roles(recruiters),          d.application.advance,    scope: applicationScope),
        write("application.reject",    .roles(recruiters),          d.application.reject,     scope: applicationScope),
        write("application.withdraw",  .roles(applicationSubmitters), d.application.withdraw, scope: applicationScope),
        write("application.offer",     .roles(recruiters),          d.application.offer,      scope: applicationScope),
        write("application.approve_offer", .national([.hrOfficial]), d.application.approveOffer),
        write("application.accept",    .roles(recruiters),          d.application.accept,     scope: applicationScope),
        read("application.get",        .roles(campaignReaders),     d.application.get,        scope: applicationScope),
        read("application.list",       .roles(campaignReaders),     d.application.list,       scope: campaignParamScope),
        write("evaluation.declare_conflict", .roles([.evaluator]),  d.evaluation.declareConflict),
        write("evaluation.submit",     .roles([.evaluator]),        d.evaluation.submit),
        read("evaluation.list",        .roles(evaluationReaders),   d.evaluation.list,        scope: .record(EvaluationMethods.org)),
        read("expert.get",             .roles(expertReaders),       d.expert.get,             scope: .record(ExpertMethods.org), flags: [.quick]),
        read("expert.list",            .roles(expertReaders),       d.expert.list,            scope: .orgParam),
        write("expert.end",            .roles(recruiters),          d.expert.end,             scope: .record(ExpertMethods.org)),
        // The national target: every org, whatever the caller's own org.
        read("recruitment.progress",   .roles(coverageReaders),     d.expert.progress),

        write("award_round.create",    .roles(secretariat),         d.awardRound.create),
        write("award_round.open",      .roles(secretariat),         d.awardRound.open),
        write("award_round.close",     .roles(secretariat),         d.awardRound.close),
        write("award_round.close_review", .roles(secretariat),      d.awardRound.closeReview),
        read("award_round.get",        .roles(roundReaders),        d.awardRound.get,         flags: [.quick]),
        read("award_round.list",       .roles(roundReaders),        d.awardRound.list),
        write("award_round.assign_reviewers", .roles(secretariat),  d.review.assignReviewers),
        read("award_round.ranking",    .roles(awardRankingReaders), d.awardRound.ranking),
        write("award_round.submit_list", .roles(secretariat),       d.awardRound.submitList),
        read("award_round.list_export", .roles(awardRankingReaders),     d.awardRound.listExport),
        write("award_round.decide",    .roles(secretariat),         d.awardRound.decide),
        // Published results: no personal data, so anyone logged in.
        read("award_round.results",    .loggedIn,                   d.awardRound.results),
        write("nomination.submit",     .roles(nominators),          d.nomination.submit,      scope: .orgParam),
        write("nomination.withdraw",   .roles(nominators),          d.nomination.withdraw,    scope: .record(NominationMethods.org)),
        read("nomination.get",         .roles(nominationReaders),   d.nomination.get,         scope: .record(NominationMethods.org),
             unscoped: councilSeesAll),
        read("nomination.list",        .roles(nominationReaders),   d.nomination.list,        scope: .orgParam, unscoped: councilSeesAll),
        // The screener's own org must be the agency: data-dependent, so checked in the handler.
        write("nomination.screen",     .roles(screeners),           d.nomination.screen),
        write("review.assign",         .roles(secretariat),         d.review.assign),
        write("review.unassign",       .roles(secretariat),         d.review.unassign),
        write("review.declare_conflict", .roles(reviewers),         d.review.declareConflict),
        write("review.submit",         .roles(reviewers),           d.review.submit),
        write("review.amend",          .roles(reviewers),           d.review.amend),
        read("review.list",            .roles(reviewReaders),       d.review.list),

        write("duty.create",           .national([.hrOfficial]),    d.duty.create),
        read("duty.list",              .roles(dutyReaders),         d.duty.list,              scope: .orgParam),
        read("duty.get",               .roles(dutyReaders),         d.duty.get,               scope: dutyScope),
        write("duty.complete",         .roles(dutyCompleters),      d.duty.complete,          scope: dutyScope),
        write("duty.cancel",           .national([.hrOfficial]),    d.duty.cancel),
        // Counts only, no personal data; an org's HR official reads its own org, national roles any.
        read("kpi.report",             .roles(coverageReaders),     d.kpi.report,             scope: .orgParam),
        // Anyone logged in: each caller receives only the events it may see (EventAudience).
        plain("events.subscribe",      .loggedIn,                   d.events.subscribe),
        plain("events.unsubscribe",    .loggedIn,                   d.events.unsubscribe),
        read("events.list",            .loggedIn,                   d.events.list),
    ]
}

/// Each domain's handlers, built once at start-up.
struct Domains: Sendable {
    let system: SystemMethods
    let session: SessionMethods
    let principal: PrincipalMethods
    let token: TokenMethods
    let audit: AuditMethods
    let org: OrgMethods
    let person: PersonMethods
    let appointment: AppointmentMethods
    let coverage: CoverageMethods
    let param: ParamMethods
    let remuneration: RemunerationMethods
    let campaign: CampaignMethods
    let application: ApplicationMethods
    let evaluation: EvaluationMethods
    let expert: ExpertMethods
    let awardRound: AwardRoundMethods
    let nomination: NominationMethods
    let review: ReviewMethods
    let duty: DutyMethods
    let kpi: KpiMethods
    let events: EventMethods
}
