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

/// Whether standard output is a terminal (a person reads it) rather than a pipe or a file.
let stdoutIsTerminal = isatty(STDOUT_FILENO) == 1

extension GlobalOptions {
    /// A result as JSON (indented for a person on a terminal, one line for a pipe), or as the text
    /// `table` makes (CSV included: the command prints no records).
    func emit(json value: JSONValue, table: () -> String) {
        switch format {
        case .json: printJSON(value)
        case .table, .csv: out(table())
        }
    }

    /// For commands that print records: a table, or the same rows as CSV.
    func emit(json value: JSONValue, rows: () -> Table) {
        switch format {
        case .json: printJSON(value)
        case .table: out(rows().render())
        case .csv: printCSV(rows().csv)
        }
    }

    func printJSON(_ value: JSONValue) {
        out(stdoutIsTerminal ? PrettyJSON.string(value) : JSONWriter.string(value))
    }

    /// CSV, after a UTF-8 byte-order mark with --excel: without one Excel reads UTF-8 as its
    /// ANSI code page and shows "Nguyá»…n" for "Nguyễn".
    func printCSV(_ text: String) {
        out((excel ? "\u{FEFF}" : "") + text, terminator: "")
    }

    /// What a record command shows for an absent value: "-" in a table, an empty field in CSV.
    var missing: String { format == .csv ? "" : "-" }

    /// Records as JSON, as a table for people, or as CSV with one column per field (`headers`).
    func emit(json value: JSONValue, headers: [String], rows: [[String]], table: () -> String) {
        if format == .csv {
            printCSV(CSV.render([headers] + rows))
        } else {
            emit(json: value, table: table)
        }
    }
}

/// Colour for people at a terminal; none when the stream is piped or $NO_COLOR is set (no-color.org).
enum Colour: String {
    case red = "31", green = "32", yellow = "33", grey = "90"

    static func enabled(for fd: Int32) -> Bool {
        isatty(fd) == 1 && (getenv("NO_COLOR").map { String(cString: $0).isEmpty } ?? true)
    }

    func paint(_ text: String, for fd: Int32) -> String {
        Colour.enabled(for: fd) ? "\u{1B}[\(rawValue)m\(text)\u{1B}[0m" : text
    }
}

func printError(_ message: String, colour: Colour? = nil) {
    let text = colour.map { $0.paint(message, for: STDERR_FILENO) } ?? message
    let line = Array(("talentctl: " + text + "\n").utf8)
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// A status word coloured by what it means for the reader: active green, proposed yellow, ended grey.
func statusCell(_ status: String) -> String {
    let colour: Colour? = switch status {
    case "active", "ok", "approved", "done": .green
    case "proposed", "degraded", "done_late": .yellow
    case "rejected", "failing", "revoked", "disabled", "late": .red
    case "ended", "expired", "cancelled": .grey
    default: nil
    }
    return colour.map { $0.paint(status, for: STDOUT_FILENO) } ?? status
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
    var table = Table(headers: ["field", "value"].map(L10n.word))
    for field in fields where record[field] != nil {
        let value = record[field]
        table.add([field, value?.arrayValue.map { $0.map(text).joined(separator: "; ") } ?? cell(value, missing)])
    }
    return table
}
