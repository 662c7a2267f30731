import ArgumentParser
import TalentClient
import TalentProtocol

#if canImport(Glibc)
import Glibc
#endif

// Everything talentctl prints goes through here: a table for people, JSON for scripts, CSV for
// spreadsheets (RFC 4180, formula-looking cells neutralized: see TalentClient's CSV).

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

extension GlobalOptions {
    /// A result as JSON, or as the text `table` makes (CSV included: the command prints no records).
    func emit(json value: JSONValue, table: () -> String) {
        switch format {
        case .json: print(JSONWriter.string(value))
        case .table, .csv: print(table())
        }
    }

    /// For commands that print records: a table on a terminal, or the same rows as CSV.
    func emit(json value: JSONValue, rows: () -> Table) {
        switch format {
        case .json: print(JSONWriter.string(value))
        case .table: print(rows().render())
        case .csv: print(rows().csv, terminator: "")
        }
    }

    /// What a record command shows for an absent value: "-" in a table, an empty field in CSV.
    var missing: String { format == .csv ? "" : "-" }

    /// Records as JSON, as a table for people, or as CSV with one column per field (`headers`).
    func emit(json value: JSONValue, headers: [String], rows: [[String]], table: () -> String) {
        if format == .csv {
            print(CSV.render([headers] + rows), terminator: "")
        } else {
            emit(json: value, table: table)
        }
    }
}

func printError(_ message: String) {
    let line = Array(("talentctl: " + message + "\n").utf8)
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

func text(_ value: JSONValue?) -> String {
    switch value {
    case .string(let s)?: return s
    case nil, .null?: return "-"
    case let other?: return JSONWriter.string(other)
    }
}

/// A value as a table or CSV cell; `missing` stands for an absent value.
func cell(_ value: JSONValue?, _ missing: String) -> String {
    switch value {
    case nil, .null?: return missing
    default: return text(value)
    }
}

/// One record as a two-column table (field, value), for `show` commands.
func fieldTable(_ record: JSONValue, _ missing: String, _ fields: [String]) -> Table {
    var table = Table(headers: ["field", "value"])
    for field in fields where record[field] != nil {
        let value = record[field]
        table.add([field, value?.arrayValue.map { $0.map(text).joined(separator: "; ") } ?? cell(value, missing)])
    }
    return table
}
