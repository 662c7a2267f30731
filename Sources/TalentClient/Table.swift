/// Plain-text tables whose columns line up on a terminal: widths are counted in terminal cells
/// per grapheme ("Nguyễn Thị Hương" is 16 cells whatever its UTF-8 length), East Asian wide
/// characters and emoji count two.
public struct Table {
    public var headers: [String]
    public var rows: [[String]] = []

    public init(headers: [String]) { self.headers = headers }

    public mutating func add(_ row: [String]) { rows.append(row) }

    public func render() -> String {
        let all = (headers.isEmpty ? [] : [headers]) + rows
        let columns = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in all {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], Self.displayWidth(cell)) }
        }
        var lines: [String] = []
        for (n, row) in all.enumerated() {
            var line = ""
            for (i, cell) in row.enumerated() {
                let isLast = i == row.count - 1
                line += isLast ? cell : cell + String(repeating: " ", count: widths[i] - Self.displayWidth(cell) + 2)
            }
            lines.append(line)
            if n == 0, !headers.isEmpty {
                lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Terminal cells; colour escapes (ESC [ ... m) take none.
    public static func displayWidth(_ text: String) -> Int {
        var cells = 0
        var inEscape = false
        for character in text {
            if character == "\u{1B}" { inEscape = true; continue }
            if inEscape { if character == "m" { inEscape = false }; continue }
            cells += width(of: character)
        }
        return cells
    }

    private static func width(of character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        if scalar.properties.generalCategory == .control { return 0 }
        if character.unicodeScalars.contains(where: { $0.properties.isEmojiPresentation }) { return 2 }
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
             0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }
}
