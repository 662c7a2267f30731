/// An exact decimal with up to three places (a pay coefficient such as 1.25), held as an integer
/// number of thousandths: never a float, so 0.1 + 0.2 is 0.3 and every result can be recomputed.
struct Coefficient: Sendable, Hashable, Comparable, CustomStringConvertible {
    static let scale: Int64 = 1000
    /// At most 999.999: with amounts up to 10^12 dong the product stays within Int64.
    static let maxThousandths: Int64 = 999_999

    let thousandths: Int64

    init(thousandths: Int64) { self.thousandths = thousandths }

    /// "1.25", "2", "0.125": digits, then optionally a point and one to three digits.
    init?(_ text: String) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0], fraction = parts.count > 1 ? parts[1] : ""
        guard (1...3).contains(whole.count), parts.count == 1 || (1...3).contains(fraction.count),
              (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }),
              let w = Int64(whole), let f = Int64(fraction.padding(toLength: 3, withPad: "0", startingAt: 0)) else { return nil }
        thousandths = w * Self.scale + f
    }

    /// The shortest exact form: "1.25", "2", "0.125".
    var description: String {
        let whole = thousandths / Self.scale, fraction = thousandths % Self.scale
        guard fraction != 0 else { return String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }

    static func < (a: Coefficient, b: Coefficient) -> Bool { a.thousandths < b.thousandths }
}

/// The one rounding rule of remuneration (PROTOCOL.md, "Remuneration"): a coefficient times an
/// amount in dong is computed exactly, then rounded once, to the dong, half up (…,5 goes up).
/// Amounts are never negative here; a negative product is refused rather than rounded.
enum Money {
    struct Overflow: Error {}

    static func times(_ coefficient: Coefficient, _ amount: Int64) throws -> Int64 {
        let (product, overflow) = coefficient.thousandths.multipliedReportingOverflow(by: amount)
        guard !overflow, product >= 0 else { throw Overflow() }
        return product / Coefficient.scale + (product % Coefficient.scale >= Coefficient.scale / 2 ? 1 : 0)
    }
}
