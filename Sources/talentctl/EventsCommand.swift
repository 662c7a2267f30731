import ArgumentParser
import Foundation
import TalentClient
import TalentProtocol

/// `talentctl events`: what changed after a seq, and with --follow what changes from now on.
struct EventsCommand: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print the committed changes you may see; with --follow, as they happen.",
        discussion: """
        One line per change: its seq, when, type, org and summary (ids and codes, never personal data). Without --follow, prints the changes after --after-seq (default: all) and exits. With --follow, prints the changes after --after-seq (default: from now on), then waits for new ones (Ctrl-C stops); after a lost connection (a daemon restart, or too many unread lines) it reconnects and goes on after the last seq printed, so nothing is missed or printed twice.

        Topics: appointment, nomination, award, recruitment, person, duty, org, param, principal, system. You see the topics whose records you may list, for your org if you have one (ops: system only).

        Examples:
          talentctl events --after-seq 1200
          talentctl events --follow --topic appointment --topic duty
          talentctl events --follow --after-seq 1200 -o json | jq .type
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    @Flag(name: [.short, .long], help: "Keep printing changes as they are committed (Ctrl-C stops).") var follow = false
    @Option(name: .customLong("topic"), help: "Only this topic (repeat for more).") var topics: [EventTopicValue] = []
    @Option(help: ArgumentHelp("Start after this seq (the last one you saw).", valueName: "seq")) var afterSeq: Int64?

    func validate() throws {
        if let afterSeq, afterSeq < 0 { throw ValidationError("--after-seq must be 0 or more") }
    }

    private var topicParams: [String: JSONValue] {
        topics.isEmpty ? [:] : ["topics": .array(Array(Set(topics.map(\.rawValue))).sorted().map(JSONValue.string))]
    }

    func run() throws {
        if follow { return try followEvents() }
        var params = topicParams
        if let afterSeq { params["cursor"] = .string(String(afterSeq)) }  // an event's cursor is its seq
        let (events, _) = try global.withClient { try fetchPages($0, "events.list", params, items: "events", all: true) }
        for event in events { show(event) }
    }

    /// Subscribes, prints every notification, and on a lost connection subscribes again after
    /// the last seq printed.
    private func followEvents() throws {
        var last = afterSeq
        var retries = 0
        while true {
            do {
                try global.withClient { client in
                    var params = topicParams
                    if let last { params["after_seq"] = .int(last) }
                    let subscription = try client.call("events.subscribe", params: params)
                    if last == nil { last = subscription["head_seq"]?.intValue }
                    retries = 0
                    while let line = try client.readLine() {
                        guard let message = try? JSONParser.parse(line), message["id"] == nil else { continue }
                        if message["method"]?.stringValue == "event", let event = message["params"] {
                            show(event)
                            last = event["seq"]?.intValue ?? last
                        }
                    }
                }
            } catch let exit as ExitCode where exit.rawValue == 3 && retries < 30 {
                // The daemon went away (a restart): reconnect, resume after the last seq printed.
            }
            retries += 1
            printError("connection lost; resuming after seq \(last.map(String.init) ?? "0")")
            Thread.sleep(forTimeInterval: min(0.2 * Double(retries), 2))
        }
    }

    private func show(_ event: JSONValue) {
        if global.format == .json {
            global.printJSON(event)
        } else {
            let org = event["org"]?.stringValue ?? "-"
            out("\(text(event["seq"]))  \(text(event["at"]))  \(text(event["type"]))  \(org)  \(text(event["summary"]?["text"]))")
        }
        fflush(nil)  // a pipe (| jq) gets each event as it comes
    }
}

/// The contract's EventTopic.
enum EventTopicValue: String, CaseIterable, ExpressibleByArgument {
    case appointment, nomination, award, recruitment, person, duty, org, param, principal, system
}
