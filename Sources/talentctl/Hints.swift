import ArgumentParser
import Foundation
import TalentProtocol

/// The daemon speaks protocol ("org.list shows the codes"); a person at a terminal needs the
/// talentctl command to run. The method names its messages mention, with the commands that call them.
enum Hints {
    static let commands: [(method: String, command: String)] = [
        ("org.list", "talentctl org list"), ("org.get", "talentctl org show"),
        ("person.get", "talentctl person show ID"), ("person.search", "talentctl person search"),
        ("person.list", "talentctl person list"), ("person.update", "talentctl person edit"),
        ("appointment.get", "talentctl appointment show"), ("appointment.list", "talentctl appointment list"),
        ("token.list", "talentctl token list"), ("token.revoke", "talentctl token revoke"),
        ("principal.list", "talentctl principal list"), ("principal.set_secret", "talentctl principal set-secret"),
        ("rpc.discover", "talentctl methods"),
        ("duty.list", "talentctl duty list"), ("award_round.list", "talentctl award round list"),
    ]

    /// The error as a line for stderr: the reason (explained in Vietnamese when that is the
    /// language), the daemon's message with methods turned into commands, and the field.
    static func explain(_ error: RPCError) -> String {
        var message = error.message
        if error.reason == "unauthenticated", message.contains("session.login") {
            message = L10n.text("error.login_first")
        }
        for (method, command) in commands {
            message = message.replacingOccurrences(of: "(\(method))", with: "(`\(command)`)")
                .replacingOccurrences(of: "\(method) shows", with: "`\(command)` shows")
                .replacingOccurrences(of: "\(method) ", with: "`\(command)` ")
        }
        let field = error.field.map { " (\(L10n.word("field")): \($0))" } ?? ""
        let reason = L10n.language == "en" ? error.reason : "\(L10n.text("reason." + error.reason)) [\(error.reason)]"
        return "\(reason): \(message)\(field)"
    }
}

/// "did you mean `coverage`?" for a mistyped command or subcommand, before ArgumentParser, which
/// would only say "Unexpected argument" (or print the group's help for `person update --help`).
enum CommandSuggestion {
    /// Global options that take a value, so that their value is not read as a command.
    static let valueOptions: Set<String> = ["--socket", "--principal", "--secret-file", "-o", "--output", "--lang", "--generate-completion-script"]

    static func check(_ arguments: [String]) -> String? {
        var subcommands: [ParsableCommand.Type] = Talentctl.configuration.subcommands
        var path = ["talentctl"]
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--" { return nil }
            if word.hasPrefix("-") {
                if valueOptions.contains(word) { index += 1 }
                continue
            }
            if subcommands.isEmpty { return nil }  // a leaf: the rest are its arguments
            if word == "help" && path.count == 1 { return nil }
            let names = subcommands.map { name(of: $0) }
            if let found = names.firstIndex(of: word) {
                subcommands = subcommands[found].configuration.subcommands
                path.append(word)
                continue
            }
            return suggestion(group: path.joined(separator: " "), word: word, names: names)
        }
        return nil
    }

    private static func name(of command: ParsableCommand.Type) -> String {
        command._commandName
    }

    private static func suggestion(group: String, word: String, names: [String]) -> String {
        let ranked = names.map { (name: $0, distance: distance(word, $0)) }.sorted { $0.distance < $1.distance }
        if let closest = ranked.first, closest.distance <= max(2, word.count / 3) {
            return L10n.text("command.did_you_mean", group, word, "\(group) \(closest.name)")
        }
        return L10n.text("command.unknown", group, word, names.joined(separator: ", "))
    }

    /// Levenshtein distance, in characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
