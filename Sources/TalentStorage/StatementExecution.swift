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
        // GRDB checks arguments against the parameters; binding them here, this does.
        guard sqlite3_bind_parameter_count(sqliteStatement) == values.count else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "\(values.count) values for the parameters of: \(sql)")
        }
        // No arguments as far as GRDB knows, so that it binds nothing and checks nothing.
        setUncheckedArguments(StatementArguments())
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
        try texts.withUnsafeBufferPointer { texts in
            // Then no binding points into the buffer once it is gone.
            defer { sqlite3_clear_bindings(sqliteStatement) }
            var textStart = 0
            for (index, value) in zip(CInt(1)..., values) {
                Self.bind(value, at: index, to: sqliteStatement, texts: texts, textStart: &textStart)
            }
            try execute()
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
