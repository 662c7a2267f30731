import Foundation
import GRDB
import GRDBSQLite

extension Statement {
    /// Executes the statement with `values` bound to its parameters in order, through SQLite's
    /// C API: GRDB's `StatementArguments` turn every value into an existential and back, about
    /// 1,500 instructions a value, more than SQLite spends on inserting it. GRDB still steps the
    /// statement, so its observers and error handling see it as any other.
    public func execute(binding values: [DatabaseValue]) throws {
        try execute(binding: values[...])
    }

    public func execute(binding values: ArraySlice<DatabaseValue>) throws {
        // No arguments as far as GRDB knows, so that it binds nothing and checks nothing.
        setUncheckedArguments(StatementArguments())
        try withBound(values) { try execute() }
    }

    /// The first row of a query with `values` bound, or nil when it has none: bound, stepped and
    /// read through SQLite's C API (`sqliteStatement` is GRDB's public handle for that). For the
    /// few reads inside a shared commit, where GRDB's cursor and `Row` cost about four times
    /// what SQLite spends on a lookup by key. A query only: GRDB does not see it run.
    public func firstRow(binding values: [DatabaseValue]) throws -> [DatabaseValue]? {
        precondition(sqlite3_stmt_readonly(sqliteStatement) != 0, "firstRow is for queries: GRDB must see every change run")
        sqlite3_reset(sqliteStatement)
        return try withBound(values[...]) {
            // Reset at once, so that the query holds no read of its table past this call.
            defer { sqlite3_reset(sqliteStatement) }
            switch sqlite3_step(sqliteStatement) {
            case SQLITE_ROW:
                return (0..<sqlite3_column_count(sqliteStatement)).map { DatabaseValue(sqliteStatement: sqliteStatement, index: $0) }
            case SQLITE_DONE:
                return nil
            case let code:
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement))), sql: sql)
            }
        }
    }

    /// Runs `body` with `values` bound to the parameters in order, and none bound after it.
    private func withBound<T>(_ values: ArraySlice<DatabaseValue>, _ body: () throws -> T) throws -> T {
        // GRDB checks arguments against the parameters; binding them here, this does.
        guard sqlite3_bind_parameter_count(sqliteStatement) == values.count else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "\(values.count) values for the parameters of: \(sql)")
        }
        // Texts are bound in place from one buffer that outlives the run (SQLITE_STATIC): SQLite
        // copying each into memory of its own cost a malloc and a free per value.
        var texts: [UInt8] = []
        texts.reserveCapacity(values.reduce(0) { total, value in
            if case .string(let string) = value.storage { return total + string.utf8.count }
            return total
        })
        for value in values {
            if case .string(let string) = value.storage { texts.append(contentsOf: string.utf8) }
        }
        return try texts.withUnsafeBufferPointer { texts in
            // Then no binding points into the buffer once it is gone.
            defer { sqlite3_clear_bindings(sqliteStatement) }
            var textStart = 0
            for (index, value) in zip(CInt(1)..., values) {
                Self.bind(value, at: index, to: sqliteStatement, texts: texts, textStart: &textStart)
            }
            return try body()
        }
    }

    /// SQLite copies the value (its own memory, freed when rebound or finalized).
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    /// A string's bytes are the next ones of `texts`, from `textStart`.
    private static func bind(_ value: DatabaseValue, at index: CInt, to statement: SQLiteStatement,
                             texts: UnsafeBufferPointer<UInt8>, textStart: inout Int) {
        let code: CInt
        switch value.storage {
        case .null:
            code = sqlite3_bind_null(statement, index)
        case .int64(let int):
            code = sqlite3_bind_int64(statement, index, int)
        case .double(let double):
            code = sqlite3_bind_double(statement, index, double)
        case .string(let string):
            let count = string.utf8.count
            // An empty buffer may have no address, and a null address would bind NULL.
            code = count == 0
                ? sqlite3_bind_text(statement, index, "", 0, transient)
                : texts.baseAddress!.advanced(by: textStart).withMemoryRebound(to: CChar.self, capacity: count) {
                    // No destructor (SQLITE_STATIC): SQLite reads the bytes where they are.
                    sqlite3_bind_text(statement, index, $0, CInt(count), nil)
                }
            textStart += count
        case .blob(let data):
            code = data.isEmpty
                ? sqlite3_bind_zeroblob(statement, index, 0)
                : data.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, CInt($0.count), transient) }
        }
        // Binding touches no file: only a wrong index or type fails it, a bug here.
        precondition(code == SQLITE_OK, "sqlite3_bind failed: \(code)")
    }
}
