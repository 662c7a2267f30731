/// A pattern that is a run of ASCII character classes between `^` and `$`, each once or
/// repeated (`^[A-Z0-9][A-Z0-9_-]{1,31}$`, `^[0-9]+\.[0-9]{2}$`): most of the contract's. Matched
/// over the string's bytes, without Swift's `Regex`, which costs microseconds per match (a
/// tenth of a quick read). Any other pattern is left to `Regex` (`init` returns nil).
///
/// Matching bytes gives Regex's answer: every class holds ASCII characters only and the match is
/// anchored at both ends, so a byte of any other character (or of a combining mark that would
/// merge with an ASCII one into a single Character) fails the match either way.
struct ClassPattern: Sendable {
    private struct Piece: Sendable {
        /// Which ASCII bytes the class holds: bit `b % 64` of word `b / 64`.
        let bits: (UInt64, UInt64)
        let min: Int, max: Int

        func holds(_ byte: UInt8) -> Bool {
            byte < 64 ? bits.0 & (1 << UInt64(byte)) != 0
                : byte < 128 ? bits.1 & (1 << UInt64(byte - 64)) != 0 : false
        }
    }

    private let pieces: [Piece]

    init?(_ source: String) {
        var s = Array(source.utf8)
        guard s.first == UInt8(ascii: "^"), s.last == UInt8(ascii: "$"), s.count >= 2 else { return nil }
        s = Array(s[1..<(s.count - 1)])
        var pieces: [Piece] = []
        var i = 0
        while i < s.count {
            var bits: (UInt64, UInt64) = (0, 0)
            func add(_ b: UInt8) {
                if b < 64 { bits.0 |= 1 << UInt64(b) } else { bits.1 |= 1 << UInt64(b - 64) }
            }
            switch s[i] {
            case UInt8(ascii: "["):
                i += 1
                let first = i
                guard i < s.count, s[i] != UInt8(ascii: "^") else { return nil }
                while i < s.count, s[i] != UInt8(ascii: "]") {
                    let low = s[i]
                    guard Self.isPlainClassMember(low), i + 1 < s.count else { return nil }
                    // "--", "&&" and "~~" are set operations to Regex; a "-" is itself only first or last.
                    if [UInt8(ascii: "-"), UInt8(ascii: "&"), UInt8(ascii: "~")].contains(low), s[i + 1] == low { return nil }
                    if low == UInt8(ascii: "-"), i != first, s[i + 1] != UInt8(ascii: "]") { return nil }
                    // A range a-z.
                    if i + 2 < s.count, s[i + 1] == UInt8(ascii: "-"), s[i + 2] != UInt8(ascii: "]") {
                        let high = s[i + 2]
                        guard Self.isPlainClassMember(high), high != UInt8(ascii: "-"), low <= high else { return nil }
                        for b in low...high { add(b) }
                        i += 3
                    } else {
                        add(low)
                        i += 1
                    }
                }
                guard i < s.count else { return nil }
                i += 1
            case UInt8(ascii: "\\"):
                // Only escaped punctuation ("\.", "\+"): letters escape into classes (\s, \d).
                guard i + 1 < s.count, Self.isPunctuation(s[i + 1]) else { return nil }
                add(s[i + 1])
                i += 2
            case let b where Self.isLetterOrDigit(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: " "):
                add(b)
                i += 1
            default:
                return nil
            }
            var (min, max) = (1, 1)
            if i < s.count {
                switch s[i] {
                case UInt8(ascii: "?"): (min, max) = (0, 1); i += 1
                case UInt8(ascii: "*"): (min, max) = (0, Int.max); i += 1
                case UInt8(ascii: "+"): (min, max) = (1, Int.max); i += 1
                case UInt8(ascii: "{"):
                    guard let close = s[i...].firstIndex(of: UInt8(ascii: "}")) else { return nil }
                    let bounds = String(decoding: s[(i + 1)..<close], as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false)
                    guard bounds.count == 1 || bounds.count == 2, let low = Int(bounds[0]),
                          let high = bounds.count == 1 ? low : Int(bounds[1]), low <= high else { return nil }
                    (min, max) = (low, high)
                    i = close + 1
                default: break
                }
            }
            pieces.append(Piece(bits: bits, min: min, max: max))
        }
        self.pieces = pieces
    }

    func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in matches(bytes, from: 0, piece: 0) }
    }

    /// Backtracking from the longest run down: the contract's patterns have a few pieces, so
    /// this stays linear in practice.
    private func matches(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, piece index: Int) -> Bool {
        guard index < pieces.count else { return start == bytes.count }
        let piece = pieces[index]
        var run = 0
        while run < piece.max, start + run < bytes.count, piece.holds(bytes[start + run]) { run += 1 }
        guard run >= piece.min else { return false }
        for count in stride(from: run, through: piece.min, by: -1) where matches(bytes, from: start + count, piece: index + 1) {
            return true
        }
        return false
    }

    private static func isLetterOrDigit(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
    }

    private static func isPunctuation(_ b: UInt8) -> Bool {
        (0x21...0x7E).contains(b) && !isLetterOrDigit(b)
    }

    /// Inside [...]: printable ASCII except what would make the class mean more than it lists.
    private static func isPlainClassMember(_ b: UInt8) -> Bool {
        (0x20...0x7E).contains(b) && b != UInt8(ascii: "\\") && b != UInt8(ascii: "[") && b != UInt8(ascii: "]")
            && b != UInt8(ascii: "^")
    }
}
