import GRDB

/// A domain's SQL, bound to one request's transaction (writes) or snapshot (reads). Handlers
/// receive their domain's store, never a database handle, so every query, SQLite feature and
/// constraint translation stays in the store; a PostgreSQL backend will be a second
/// implementation of the same stores (Protocol/STORAGE.md lists what each SQLite feature becomes).
protocol DomainStore: SendableMetatype {
    init(_ db: Database)
}
