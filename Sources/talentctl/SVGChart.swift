import TalentProtocol

/// Inline SVG charts for the published report. Every mark carries its data (`data-chart`,
/// `data-org` or `data-date`, `data-series`, `data-value`) so that a reader or a test can check
/// the picture against kpi.report; every text is escaped.
enum SVGChart {
    struct Row {
        let org: String
        let label: String
        let values: [Int64]
    }

    static let colours = ["#1b6ca8", "#e0a030", "#2e8b57"]

    /// Horizontal bars, one group per row, one bar per series, scaled to `maximum` (at least the
    /// largest value).
    static func bars(_ chart: String, series: [String], rows: [Row], maximum: Int64 = 1) -> String {
        let top = max(maximum, rows.flatMap(\.values).max() ?? 0, 1)
        let labelWidth = 230, barArea = 420, barHeight = 12
        let rowHeight = barHeight * series.count + 8
        let height = 28 + rows.count * rowHeight
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="\(htmlEscaped(chart))" role="img" \
            viewBox="0 0 \(labelWidth + barArea + 60) \(height)" width="\(labelWidth + barArea + 60)" height="\(height)">
            """
        svg += legend(series, x: labelWidth)
        for (index, row) in rows.enumerated() {
            let y = 28 + index * rowHeight
            svg += "<text x=\"\(labelWidth - 6)\" y=\(quoted(y + rowHeight / 2 + 1)) text-anchor=\"end\" class=\"label\">\(htmlEscaped(row.label))</text>"
            for (s, value) in row.values.enumerated() {
                let width = Int(value) * barArea / Int(top)
                let barY = y + s * barHeight
                svg += "<rect class=\"bar\" data-chart=\"\(htmlEscaped(chart))\" data-org=\"\(htmlEscaped(row.org))\" "
                    + "data-series=\"\(htmlEscaped(series[s]))\" data-value=\"\(value)\" x=\"\(labelWidth)\" y=\(quoted(barY)) "
                    + "width=\(quoted(max(width, 1))) height=\(quoted(barHeight - 2)) fill=\"\(colours[s % colours.count])\">"
                    + "<title>\(htmlEscaped(row.label)): \(htmlEscaped(series[s])) \(value)</title></rect>"
                svg += "<text x=\(quoted(labelWidth + max(width, 1) + 4)) y=\(quoted(barY + barHeight - 3)) class=\"value\">\(value)</text>"
            }
        }
        return svg + "</svg>"
    }

    /// A line of values over dates with the target as a dashed line above it.
    static func line(_ chart: String, points: [(date: String, value: Int64)], target: Int64) -> String {
        let width = 720, height = 280, left = 80, right = 20, top = 20, bottom = 70
        let ceiling = max(target, points.map(\.value).max() ?? 0, 1)
        let step = points.count > 1 ? (width - left - right) / (points.count - 1) : 0
        func x(_ i: Int) -> Int { left + i * step }
        func y(_ v: Int64) -> Int { top + (height - top - bottom) - Int(v) * (height - top - bottom) / Int(ceiling) }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="\(htmlEscaped(chart))" role="img" \
            viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)">
            <line class="target" data-chart="\(htmlEscaped(chart))" data-series="target" data-value="\(target)" \
            x1="\(left)" x2="\(width - right)" y1="\(y(target))" y2="\(y(target))" stroke="#c0392b" stroke-dasharray="6 4"/>
            <text x="\(width - right)" y="\(y(target) - 4)" text-anchor="end" class="value">target \(target)</text>
            <line x1="\(left)" x2="\(left)" y1="\(top)" y2="\(height - bottom)" stroke="#888"/>
            <line x1="\(left)" x2="\(width - right)" y1="\(height - bottom)" y2="\(height - bottom)" stroke="#888"/>
            """
        let path = points.enumerated().map { "\(x($0.offset)),\(y($0.element.value))" }.joined(separator: " ")
        svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colours[0])\" stroke-width=\"2\"/>"
        for (i, point) in points.enumerated() {
            svg += "<circle class=\"point\" data-chart=\"\(htmlEscaped(chart))\" data-date=\"\(htmlEscaped(point.date))\" "
                + "data-series=\"in_post\" data-value=\"\(point.value)\" cx=\(quoted(x(i))) cy=\(quoted(y(point.value))) r=\"4\" "
                + "fill=\"\(colours[0])\"><title>\(htmlEscaped(point.date)): \(point.value)</title></circle>"
            svg += "<text x=\(quoted(x(i))) y=\(quoted(height - bottom + 14)) text-anchor=\"end\" class=\"tick\" "
                + "transform=\"rotate(-45 \(x(i)) \(height - bottom + 14))\">\(htmlEscaped(point.date))</text>"
        }
        return svg + "</svg>"
    }

    private static func legend(_ series: [String], x: Int) -> String {
        guard series.count > 1 else { return "" }
        return series.enumerated().map { s, name in
            "<rect x=\(quoted(x + s * 120)) y=\"6\" width=\"10\" height=\"10\" fill=\"\(colours[s % colours.count])\"/>"
                + "<text x=\(quoted(x + s * 120 + 14)) y=\"15\" class=\"label\">\(htmlEscaped(name))</text>"
        }.joined()
    }

    private static func quoted(_ n: Int) -> String { "\"\(n)\"" }
}

/// Text made safe for HTML and SVG, in element content and in quoted attributes.
func htmlEscaped(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(character)
        }
    }
    return out
}
