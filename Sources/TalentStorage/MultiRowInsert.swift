import GRDB

extension Database {
    /// Runs `insert` ("INSERT INTO t(a, b) VALUES") for `values`, `columns` of them per row, with
    /// one statement per chunk of up to 64 rows: each statement costs SQLite and GRDB a fixed
    /// amount besides its rows. Chunks are 64, 16, 4 or 1 rows, so a connection prepares at most
    /// four statements per `insert`, once each.
    public func insertRows(_ insert: String, columns: Int, values: [DatabaseValue]) throws {
        precondition(columns > 0 && values.count % columns == 0, "values must fill whole rows")
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        var start = 0
        while start < values.count {
            let rowsLeft = (values.count - start) / columns
            let rows = Self.insertChunks.first { $0 <= rowsLeft }!
            let end = start + rows * columns
            let statement = try cachedStatement(sql: insert + " " + Array(repeating: row, count: rows).joined(separator: ", "))
            try statement.execute(binding: values[start..<end])
            start = end
        }
    }

    private static let insertChunks = [64, 16, 4, 1]
}
