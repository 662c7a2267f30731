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
/// event loop (no I/O; only for methods anyone may call); `.heavy` runs on the bounded CPU pool.
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
        read("session.whoami",         .loggedIn,                   d.session.whoami),
        plain("session.logout",        .loggedIn,                   d.session.logout),

        write("principal.create",      .roles(admin),               d.principal.create,       flags: [.heavy]),
        read("principal.get",          .rolesOrSelf(adminOrAuditor), d.principal.get),
        read("principal.list",         .roles(adminOrAuditor),      d.principal.list),
        write("principal.update",      .roles(admin),               d.principal.update),
        write("principal.disable",     .roles(admin),               d.principal.disable),
        write("principal.enable",      .roles(admin),               d.principal.enable),
        write("principal.set_secret",  .rolesOrSelf(admin),         d.principal.setSecret,    flags: [.heavy]),
        write("principal.bind_uid",    .roles(admin),               d.principal.bindUID),
        write("principal.unbind_uid",  .roles(admin),               d.principal.unbindUID),

        write("token.create",          .roles(admin),               d.token.create),
        read("token.list",             .roles(adminOrAuditor),      d.token.list),
        write("token.revoke",          .roles(admin),               d.token.revoke),

        read("audit.list",             .roles(adminOrAuditor),      d.audit.list),
        // The head is a hash and a time, no personal data: ops publish it as an anchor.
        read("audit.head",             .roles(operations),          d.audit.head),
        read("audit.verify",           .roles(adminOrAuditor),      d.audit.verify),

        read("org.list",               .loggedIn,                   d.org.list),
        read("org.get",                .loggedIn,                   d.org.get),
        write("org.create",            .roles(admin),               d.org.create),
        write("org.update",            .roles(admin),               d.org.update),

        write("person.create",         .roles(personCreators),      d.person.create),
        read("person.get",             .roles(personReaders),       d.person.get),
        write("person.update",         .roles(personEditors),       d.person.update),
        read("person.search",          .roles(personReaders),       d.person.search),

        write("appointment.propose",   .roles(appointmentProposers), d.appointment.propose,  scope: .orgParam),
        write("appointment.approve",   .national([.hrOfficial]),    d.appointment.approve),
        write("appointment.reject",    .national([.hrOfficial]),    d.appointment.reject),
        write("appointment.end",       .roles(appointmentEnders),   d.appointment.end,        scope: .record(AppointmentMethods.org)),
        read("appointment.get",        .roles(appointmentReaders),  d.appointment.get,        scope: .record(AppointmentMethods.org)),
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
}
