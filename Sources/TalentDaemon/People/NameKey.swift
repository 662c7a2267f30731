import Foundation

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
        (foldedByScalar(text) ?? String(folded(text))).split(separator: " ").map(String.init)
    }

    /// Decomposed (NFD), lowercased, diacritics dropped, other non-letters as spaces.
    static func folded(_ text: String) -> String.UnicodeScalarView {
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
        return folded
    }

    /// `folded` one scalar at a time, from a table, for text in `NFC`'s ranges (nil for any
    /// other text). The same result: there each scalar is a starter that decomposes to a starter
    /// and its marks, so NFD never reorders across scalars, and lowercasing maps each scalar on its
    /// own. Decomposing through Foundation cost about 40,000 instructions per name.
    static func foldedByScalar(_ text: String) -> String? {
        var folded: [UInt8] = []
        folded.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if NFC.latin.contains(value) {
                folded.append(contentsOf: scalarFolds[Int(value)])
            } else if NFC.vietnamese.contains(value) {
                folded.append(contentsOf: scalarFolds[NFC.latin.count + Int(value - NFC.vietnamese.lowerBound)])
            } else {
                return nil
            }
        }
        return String(decoding: folded, as: UTF8.self)
    }

    /// `folded` of each scalar of `NFC`'s two ranges, in UTF-8, worked out once.
    private static let scalarFolds: [[UInt8]] = (Array(NFC.latin) + Array(NFC.vietnamese)).map {
        Array(String(folded(String(Unicode.Scalar($0)!))).utf8)
    }
}
