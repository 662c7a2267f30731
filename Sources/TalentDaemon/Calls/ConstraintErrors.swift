import GRDB
import TalentProtocol

/// The last line of defence: a constraint failure that no store translated into a domain error
/// (naming the clashing record) still answers a documented reason with the offending field,
/// never `internal`. Stores translate the constraints they know better; this covers the rest.
enum ConstraintErrors {
    static func translate(_ error: DatabaseError) -> RPCError? {
        guard error.resultCode == .SQLITE_CONSTRAINT else { return nil }
        let message = error.message ?? ""
        switch error.extendedResultCode {
        case .SQLITE_CONSTRAINT_UNIQUE, .SQLITE_CONSTRAINT_PRIMARYKEY:
            let column = columns(after: "constraint failed: ", in: message).last ?? "id"
            return RPCError.conflict("another record already has this \(column)",
                                     details: ["field": .string(column)])
        case .SQLITE_CONSTRAINT_NOTNULL:
            let column = columns(after: "constraint failed: ", in: message).last ?? "params"
            return RPCError.invalidParams(field: column, "\(column) is required")
        case .SQLITE_CONSTRAINT_CHECK:
            let field = checkedColumn(message) ?? "params"
            return RPCError.invalidParams(field: field, "\(field) is not an allowed value")
        case .SQLITE_CONSTRAINT_FOREIGNKEY:
            return RPCError.invalidParams(field: "params", "a param refers to a record that does not exist")
        case .SQLITE_CONSTRAINT_TRIGGER:
            return RPCError.conflict("the change breaks a rule the database enforces: \(message)")
        default:
            return RPCError.conflict("the change breaks a rule the database enforces")
        }
    }

    /// "UNIQUE constraint failed: person.national_id, person.x" -> ["national_id", "x"].
    static func columns(after marker: String, in message: String) -> [String] {
        guard let range = message.range(of: marker) else { return [] }
        return message[range.upperBound...].split(separator: ",").map {
            let qualified = $0.trimmingCharacters(in: .whitespaces)
            return String(qualified.split(separator: ".").last ?? Substring(qualified))
        }
    }

    /// A named CHECK ("CHECK constraint failed: term_end") names its param; an unnamed one
    /// ("CHECK constraint failed: length(name) BETWEEN 1 AND 64") names the first column it tests.
    static func checkedColumn(_ message: String) -> String? {
        guard let range = message.range(of: "CHECK constraint failed: ") else { return nil }
        let expression = message[range.upperBound...]
        let keywords: Set<String> = ["length", "in", "is", "not", "null", "and", "or", "between", "like", "glob", "coalesce", "typeof"]
        var word = ""
        for character in expression + " " {
            if character.isLetter || character == "_" || (character.isNumber && !word.isEmpty) {
                word.append(character)
                continue
            }
            if !word.isEmpty, character != "(", !keywords.contains(word.lowercased()) { return word }
            word = ""
        }
        return nil
    }
}
