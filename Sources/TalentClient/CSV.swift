/// RFC 4180 CSV: fields separated by commas, records ended by CRLF, a field quoted when it holds
/// a comma, a double quote, CR or LF (a quote inside is doubled). UTF-8, no byte-order mark.
public enum CSV {
    public static func render(_ records: [[String]]) -> String {
        records.map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }

    static func field(_ value: String) -> String {
        let needsQuotes = value.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return value }
        var quoted = "\""
        for character in value {
            if character == "\"" { quoted.append("\"") }
            quoted.append(character)
        }
        return quoted + "\""
    }
}

extension Table {
    /// The header (when there is one) and the rows as CSV.
    public var csv: String {
        CSV.render((headers.isEmpty ? [] : [headers]) + rows)
    }
}
