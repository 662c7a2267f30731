import TalentProtocol

/// Indented JSON for people: two spaces, keys sorted, non-ASCII text kept as is.
public enum PrettyJSON {
    public static func string(_ value: JSONValue) -> String {
        var out = ""
        write(value, indent: 0, into: &out)
        return out
    }

    private static func write(_ value: JSONValue, indent: Int, into out: inout String) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closePad = String(repeating: "  ", count: indent)
        switch value {
        case .array(let elements) where !elements.isEmpty:
            out += "[\n"
            for (i, element) in elements.enumerated() {
                out += pad
                write(element, indent: indent + 1, into: &out)
                out += i < elements.count - 1 ? ",\n" : "\n"
            }
            out += closePad + "]"
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            let keys = members.keys.sorted()
            for (i, key) in keys.enumerated() {
                out += pad + JSONWriter.string(.string(key)) + ": "
                write(members[key]!, indent: indent + 1, into: &out)
                out += i < keys.count - 1 ? ",\n" : "\n"
            }
            out += closePad + "}"
        default:
            out += JSONWriter.string(value)
        }
    }
}
