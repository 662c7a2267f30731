import TalentProtocol

/// What one subscriber may see of the event stream: topics it sees for every org, and topics it
/// sees for its own org only (plus national events, which belong to no org).
struct EventView: Sendable, Equatable {
    var everyOrg: Set<EventTopic> = []
    var ownOrg: Set<EventTopic> = []
    /// The subscriber's org, when `ownOrg` applies.
    var org: String?

    var topics: Set<EventTopic> { everyOrg.union(ownOrg) }

    func sees(_ event: Event) -> Bool {
        guard let topic = EventTopic(rawValue: event.topic) else { return false }
        if everyOrg.contains(topic) { return true }
        return ownOrg.contains(topic) && (event.org == nil || event.org == org)
    }
}

/// Who sees which events. Filtering depends on each event's topic and org, so it cannot be a
/// method-table row; it is derived from the rows instead: a topic is seen by those who may call
/// its readers' method (`EventTopic.readersMethod`), limited to their org exactly as that method
/// would limit them. Two rules on top: an org-bound principal never sees another org's events,
/// whatever that method's scope; `ops` follows the daemon, not the records, so it sees `system`
/// events only.
struct EventAudience: Sendable {
    private struct Readers {
        let access: MethodSpec.Access
        let unscoped: Set<Role>
    }

    private let readers: [EventTopic: Readers]

    init(table: [MethodSpec]) {
        let specs = Dictionary(table.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var readers: [EventTopic: Readers] = [:]
        for topic in EventTopic.allCases {
            // A readers' method not (yet) in the table: national readers only.
            let spec = specs[topic.readersMethod]
            readers[topic] = Readers(access: spec?.access ?? .roles(Role.national), unscoped: spec?.unscopedRoles ?? [])
        }
        self.readers = readers
    }

    /// What `principal` sees of the topics asked for (every topic when nil).
    func view(of principal: SessionPrincipal, asked: Set<EventTopic>?) -> EventView {
        var view = EventView(org: principal.org)
        for topic in asked ?? Set(EventTopic.allCases) {
            guard let readers = readers[topic] else { continue }
            let roles = Set(principal.roles.compactMap(Role.init)).subtracting(topic == .system ? [] : [.ops])
            guard Self.allows(readers.access, roles, principal) else { continue }
            let everyOrg = principal.org == nil || !roles.isDisjoint(with: Role.national.union(readers.unscoped))
            if everyOrg { view.everyOrg.insert(topic) } else { view.ownOrg.insert(topic) }
        }
        return view
    }

    private static func allows(_ access: MethodSpec.Access, _ roles: Set<Role>, _ principal: SessionPrincipal) -> Bool {
        switch access {
        case .anyone, .loggedIn: return !roles.isEmpty
        case .roles(let allowed), .rolesOrSelf(let allowed, _): return !allowed.isDisjoint(with: roles)
        case .national(let allowed):
            return roles.contains(.admin) || (principal.org == nil && !allowed.isDisjoint(with: roles))
        }
    }
}
