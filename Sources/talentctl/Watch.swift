import ArgumentParser
import Foundation
import TalentClient

#if canImport(Glibc)
import Glibc
#endif

/// `--watch`, as `kubectl get -w`: read again every --interval seconds and redraw only when the
/// output changed, over one connection logged in once (not a login every few seconds).
struct WatchOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "Redraw when the result changes (Ctrl-C stops).") var watch = false
    @Option(help: ArgumentHelp("Seconds between reads with --watch.", valueName: "seconds")) var interval: Double = 2

    func validate() throws {
        guard interval >= 0.2 else { throw ValidationError("--interval must be at least 0.2 seconds") }
    }

    func repeating(_ global: GlobalOptions, _ body: () throws -> Void) throws {
        guard watch else { return try body() }
        Connection.keepOpen = true
        var last: String?
        while true {
            Output.capture = ""
            try body()
            let shown = Output.capture ?? ""
            Output.capture = nil
            if shown != last {
                if stdoutIsTerminal { print("\u{1B}[H\u{1B}[2J", terminator: "") }
                print(L10n.text("watch.header", UTCNow.timestamp, format1(interval)))
                print(shown, terminator: "")
                fflush(nil)
                last = shown
            }
            usleep(useconds_t(interval * 1_000_000))
        }
    }

    private func format1(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// One connection for every read of a --watch.
enum Connection {
    nonisolated(unsafe) static var keepOpen = false
    nonisolated(unsafe) static var open: RPCClient?
}

/// Where the standard output of a command goes: the terminal, or a buffer while --watch compares.
enum Output {
    nonisolated(unsafe) static var capture: String?
}

/// `print`, but into the --watch buffer while one is capturing.
func out(_ text: String, terminator: String = "\n") {
    if Output.capture != nil {
        Output.capture! += text + terminator
    } else {
        print(text, terminator: terminator)
    }
}
