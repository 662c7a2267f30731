import GRDB

/// The stores the KPI report reads, bound to one snapshot. The KPIs own no table: each domain
/// keeps its KPI SQL in its own store (`AppointmentStore+Kpi.swift` and so on).
struct KpiStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    var orgs: OrgStore { OrgStore(db) }
    var appointments: AppointmentStore { AppointmentStore(db) }
    var experts: ExpertStore { ExpertStore(db) }
    var awards: AwardStore { AwardStore(db) }
    var persons: PersonStore { PersonStore(db) }
    var duties: DutyStore { DutyStore(db) }
}
