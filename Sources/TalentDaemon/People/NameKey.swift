/// The folded form of a person's name that search and duplicate detection compare:
/// lowercase, diacritics removed, đ/Đ -> d, words separated by one space.
/// "Nguyễn  Thị Hương" -> "nguyen thi huong"; "ĐẶNG Văn Đức" -> "dang van duc".
enum NameKey {
    static func fold(_ text: String) -> String {
        words(text).joined(separator: " ")
    }

    /// The folded words, in order. Anything that is not a letter or digit separates words
    /// (spaces, hyphens, apostrophes as in "H'Hen"), so a query folds exactly like a name.
    static func words(_ text: String) -> [String] {
        var folded = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCanonicalMapping.lowercased().unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark:
                continue  // the diacritics NFD split off
            default:
                break
            }
            if scalar == "đ" || scalar == "ð" {
                folded.append("d")
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                folded.append(scalar)
            } else {
                folded.append(" ")
            }
        }
        return String(folded).split(separator: " ").map(String.init)
    }
}
