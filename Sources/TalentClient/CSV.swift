/// RFC 4180 CSV: fields separated by commas, records ended by CRLF, a field quoted when it holds
/// a comma, a double quote, CR or LF (a quote inside is doubled). UTF-8, no byte-order mark.
///
/// A field a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, tab or
/// carriage return) gets a leading `'`, as OWASP's CSV-injection guidance says: a person's name
/// `=HYPERLINK(...)` reads `'=HYPERLINK(...)`. A plain number (`-5`, `+84`, `-0.5`) stays as it
/// is: it is data, no spreadsheet runs it, and quoting it would turn it into text.
public enum CSV {
    public static func render(_ records: [[String]]) -> String {
        records.map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }

    static func field(_ value: String) -> String {
        let value = neutralized(value)
        let needsQuotes = value.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return value }
        var quoted = "\""
        for character in value {
            if character == "\"" { quoted.append("\"") }
            quoted.append(character)
        }
        return quoted + "\""
    }

    /// `value`, prefixed with `'` when a spreadsheet would take it for a formula.
    public static func neutralized(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, formulaStarts.contains(first), !isPlainNumber(value) else {
            return value
        }
        return "'" + value
    }

    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// An optional sign, digits, and at most one decimal point between digits: `-5`, `+3.25`.
    static func isPlainNumber(_ value: String) -> Bool {
        var scalars = Substring(value).unicodeScalars
        if let sign = scalars.first, sign == "-" || sign == "+" { scalars.removeFirst() }
        let parts = String(scalars).split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= 2 else { return false }
        return parts.allSatisfy { part in !part.isEmpty && part.unicodeScalars.allSatisfy { ("0"..."9").contains($0) } }
    }
}

extension Table {
    /// The header (when there is one) and the rows as CSV.
    public var csv: String {
        CSV.render((headers.isEmpty ? [] : [headers]) + rows)
    }
}
