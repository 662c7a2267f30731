import GRDB

/// The current row of a statement, read by column index. GRDB's `Row` first maps every column's
/// lowercased name to its index, once per fetch: on a quick read (one row by its key) that cost
/// several times SQLite's own lookup. Values are decoded straight from SQLite, as `Row` does.
/// Valid only inside the `decode` closure it is given to (the statement moves on after it).
public struct IndexedColumns {
    fileprivate let statement: SQLiteStatement

    /// A column the schema declares NOT NULL.
    public func string(_ index: CInt) throws -> String {
        guard let value = nullableString(index) else { throw UnexpectedNull(column: index) }
        return value
    }

    public func nullableString(_ index: CInt) -> String? { String.fromStatement(statement, atUncheckedIndex: index) }

    /// A column the schema declares NOT NULL.
    public func int64(_ index: CInt) throws -> Int64 {
        guard let value = Int64.fromStatement(statement, atUncheckedIndex: index) else { throw UnexpectedNull(column: index) }
        return value
    }

    public func nullableInt64(_ index: CInt) -> Int64? { Int64.fromStatement(statement, atUncheckedIndex: index) }

    /// A column the schema declares NOT NULL.
    public func bool(_ index: CInt) throws -> Bool {
        guard let value = Bool.fromStatement(statement, atUncheckedIndex: index) else { throw UnexpectedNull(column: index) }
        return value
    }

    /// A NOT NULL column whose CHECK lists `T`'s raw values.
    public func raw<T: RawRepresentable>(_ index: CInt) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: try string(index)) else { throw UnexpectedValue(column: index) }
        return value
    }
}

/// A column held a value its CHECK constraint does not allow: the database is not what this build expects.
public struct UnexpectedValue: Error, CustomStringConvertible {
    public let column: CInt
    public var description: String { "column \(column) holds a value the schema does not allow" }
}

/// A column the schema declares NOT NULL was NULL: the database is not what this build expects.
public struct UnexpectedNull: Error, CustomStringConvertible {
    public let column: CInt
    public var description: String { "column \(column) is NULL where the schema forbids it" }
}

extension Statement {
    /// Decodes every row `arguments` select, by column index.
    public func allRows<T>(arguments: StatementArguments, _ decode: (IndexedColumns) throws -> T) throws -> [T] {
        // Stepped through GRDB (its checks, its errors); nothing decoded but what `decode` reads.
        // The cursor resets the statement when it goes: it must outlive every `decode`.
        let steps = try Step.fetchCursor(self, arguments: arguments)
        return try withExtendedLifetime(steps) {
            var rows: [T] = []
            while try steps.next() != nil {
                rows.append(try decode(IndexedColumns(statement: sqliteStatement)))
            }
            return rows
        }
    }

    /// Decodes the first row `arguments` select, by column index; nil when there is none.
    public func firstRow<T>(arguments: StatementArguments, _ decode: (IndexedColumns) throws -> T) throws -> T? {
        let steps = try Step.fetchCursor(self, arguments: arguments)
        return try withExtendedLifetime(steps) {
            guard try steps.next() != nil else { return nil }
            return try decode(IndexedColumns(statement: sqliteStatement))
        }
    }
}

/// What a cursor yields for each step: nothing (the row is read from the statement itself).
private struct Step: DatabaseValueConvertible, StatementColumnConvertible {
    init() {}
    init(sqliteStatement: SQLiteStatement, index: CInt) {}
    // Whatever the first column holds, NULL included: it is not read here.
    static func fromStatement(_ sqliteStatement: SQLiteStatement, atUncheckedIndex index: CInt) -> Step? { Step() }
    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Step? { Step() }
    var databaseValue: DatabaseValue { .null }
}
