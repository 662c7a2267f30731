import Foundation
import Logging
import TalentProtocol

#if canImport(Glibc)
import Glibc
#endif

/// How log lines look: `text` (swift-log's stream format) or `json` (one object per line).
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// `--log-format json`: one JSON object per line on standard error, for log shippers. Members:
/// time (ISO 8601 UTC), level, message, then the metadata as logged (for requests: method,
/// duration_us, outcome, connection). Nothing logs params or secrets; this handler adds none.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: [String: JSONValue] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            object[key] = Self.json(value)
        }
        object["time"] = .string(UTCTime.now())
        object["level"] = .string(event.level.rawValue)
        object["message"] = .string("\(event.message)")
        object["logger"] = .string(label)
        var line = JSONWriter.bytes(.object(object))
        line.append(0x0A)
        // One write per line: lines from several threads never interleave.
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let s): return .string(s)
        case .stringConvertible(let v):
            if let n = v as? any BinaryInteger, let i = Int64(exactly: n) { return .int(i) }
            return .string(v.description)
        case .array(let values): return .array(values.map(json))
        case .dictionary(let members): return .object(members.mapValues(json))
        }
    }
}
