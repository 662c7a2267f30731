import GRDB

/// The ordered list of schema migrations. Each domain contributes its own (registered by the
/// daemon in a fixed order); identifiers are permanent once released.
public struct Migrations: Sendable {
    public typealias Body = @Sendable (Database) throws -> Void

    private(set) var migrator = DatabaseMigrator()
    public private(set) var identifiers: [String] = []

    public init() {
        register("0001_store_meta") { db in
            try db.create(table: "store_meta") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
            try db.execute(sql: "INSERT INTO store_meta(key, value) VALUES ('created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")
        }
    }

    public mutating func register(_ identifier: String, _ body: @escaping Body) {
        migrator.registerMigration(identifier, migrate: body)
        identifiers.append(identifier)
    }
}
