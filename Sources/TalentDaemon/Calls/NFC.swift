import Foundation

/// Text as stored: Unicode NFC, optionally trimmed of surrounding white space.
///
/// Foundation does both through NSString, bridging each string twice: about 60,000 instructions
/// per `person.create`, on the event loops. Text made only of ASCII, the Latin letters up to
/// U+024F and the precomposed Vietnamese letters (U+1E00-U+1EFF), is already NFC: each of those
/// scalars is a starter that NFC keeps, and none composes with the one before it (the quick check
/// of Unicode's UAX #15 answers yes). Such text, nearly every name typed in Vietnam, is returned as
/// it is; any other goes through Foundation as before. `NFCTests` checks the ranges against
/// Foundation.
enum NFC {
    /// `text` in NFC.
    static func of(_ text: String) -> String {
        isKnownNFC(text) ? text : text.precomposedStringWithCanonicalMapping
    }

    /// `text` without leading or trailing white space or newlines, in NFC.
    static func trimmed(_ text: String) -> String {
        of(hasEdgeWhiteSpace(text) ? text.trimmingCharacters(in: .whitespacesAndNewlines) : text)
    }

    /// Whether every scalar lies in the ranges whose text is NFC as it is.
    static func isKnownNFC(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy(inNFCRanges)
    }

    private static func inNFCRanges(_ scalar: Unicode.Scalar) -> Bool {
        latin.contains(scalar.value) || vietnamese.contains(scalar.value)
    }

    /// ASCII, Latin-1 Supplement, Latin Extended-A and -B.
    static let latin: ClosedRange<UInt32> = 0...0x024F
    /// Latin Extended Additional: every precomposed Vietnamese letter with its tone mark.
    static let vietnamese: ClosedRange<UInt32> = 0x1E00...0x1EFF

    /// Whether the first or last scalar is one that trimming removes.
    private static func hasEdgeWhiteSpace(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        return whiteSpace.contains(first) || whiteSpace.contains(last)
    }

    private static let whiteSpace = CharacterSet.whitespacesAndNewlines
}
