import Foundation

/// talentctl's own words in the reader's language: Vietnamese when --lang, else $LC_ALL,
/// $LC_MESSAGES or $LANG (first set wins, as gettext reads them), starts with `vi`; English
/// otherwise. The texts are Foundation localized resources (Resources/<lang>.lproj/Localizable.strings);
/// the daemon's own messages stay as it wrote them.
enum L10n {
    nonisolated(unsafe) private(set) static var language = "en"
    nonisolated(unsafe) private static var bundle: Bundle?

    static func configure(arguments: [String]) {
        var chosen: String?
        for (i, argument) in arguments.enumerated() {
            if argument == "--lang", i + 1 < arguments.count { chosen = arguments[i + 1] }
            if argument.hasPrefix("--lang=") { chosen = String(argument.dropFirst("--lang=".count)) }
        }
        if chosen == nil {
            let environment = ProcessInfo.processInfo.environment
            chosen = ["LC_ALL", "LC_MESSAGES", "LANG"].lazy.compactMap { environment[$0].flatMap { $0.isEmpty ? nil : $0 } }.first
        }
        language = (chosen ?? "").lowercased().hasPrefix("vi") ? "vi" : "en"
        bundle = resources?.path(forResource: language, ofType: "lproj").flatMap(Bundle.init(path:))
    }

    /// The message bundle beside the binary (as SwiftPM builds it) or in ../share/talentctl (as
    /// `make install` puts it). Not `Bundle.module`, which stops the program when the bundle is
    /// missing: a talentctl copied alone still works, its messages showing their keys.
    private static var resources: Bundle? {
        let name = "talentd_talentctl.resources"
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let binDirectory = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent()
            ?? executable.deletingLastPathComponent()
        let candidates = [binDirectory.appendingPathComponent(name),
                          binDirectory.deletingLastPathComponent().appendingPathComponent("share/talentctl/" + name)]
        return candidates.lazy.compactMap { Bundle(path: $0.path) }.first
    }

    /// The text for `key`, its `%@` replaced by `arguments` in order; the key itself when missing.
    static func text(_ key: String, _ arguments: String...) -> String {
        let format = bundle?.localizedString(forKey: key, value: key, table: nil) ?? key
        var out = ""
        var rest = arguments.makeIterator()
        var remaining = Substring(format)
        while let range = remaining.range(of: "%@") {
            out += remaining[..<range.lowerBound]
            out += rest.next() ?? ""
            remaining = remaining[range.upperBound...]
        }
        return out + remaining
    }

    /// A table header or other fixed word: its translation, or itself in English.
    static func word(_ english: String) -> String {
        let translated = text("word." + english)
        return translated.hasPrefix("word.") ? english : translated
    }
}
