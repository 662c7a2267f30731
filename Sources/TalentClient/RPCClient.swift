import TalentProtocol

#if canImport(Glibc)
import Glibc
#endif

/// Why the daemon could not be talked to (as opposed to an error the daemon answered).
public enum ClientError: Error, CustomStringConvertible {
    case connect(path: String, reason: String)
    case io(String)
    case closed
    case badResponse(String)

    public var description: String {
        switch self {
        case .connect(let path, let reason): return "cannot connect to \(path): \(reason)"
        case .io(let message): return "socket error: \(message)"
        case .closed: return "the daemon closed the connection"
        case .badResponse(let message): return "unexpected response from the daemon: \(message)"
        }
    }
}

/// A blocking JSON-RPC client over the daemon's Unix socket: one request, one answer at a time,
/// plus raw line access for pipelined use.
public final class RPCClient {
    public let socketPath: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var nextID: Int64 = 0

    public init(socketPath: String) throws {
        self.socketPath = socketPath
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError.io(Self.errnoText()) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw ClientError.connect(path: socketPath, reason: "the path is longer than a Unix socket address allows")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result != 0 {
            let code = errno
            close(fd)
            let reason: String
            switch code {
            case ENOENT: reason = "no such socket; is talentd running? (`make run` starts it)"
            case ECONNREFUSED: reason = "nothing is listening (a stale socket file?); is talentd running?"
            case EACCES: reason = "permission denied: the socket is mode 0660, ask to be added to its group"
            default: reason = Self.errnoText(code)
            }
            throw ClientError.connect(path: socketPath, reason: reason)
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Calls a method and returns its result; throws the daemon's `RPCError` when it answers an error.
    public func call(_ method: String, params: [String: JSONValue] = [:]) throws -> JSONValue {
        nextID += 1
        let id = nextID
        var request: [String: JSONValue] = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method)]
        if !params.isEmpty { request["params"] = .object(params) }
        try send(line: JSONWriter.bytes(.object(request)))
        guard let line = try readLine() else { throw ClientError.closed }
        let response: JSONValue
        do {
            response = try JSONParser.parse(line)
        } catch {
            throw ClientError.badResponse(error.message)
        }
        if let error = response["error"] { throw Self.decodeError(error) }
        guard response["id"] == .int(id) else {
            throw ClientError.badResponse("answer for id \(response["id"].map(JSONWriter.string) ?? "none"), expected \(id)")
        }
        guard let result = response["result"] else { throw ClientError.badResponse("neither result nor error") }
        return result
    }

    /// Writes one request line (the newline is added).
    public func send(line: [UInt8]) throws {
        var bytes = line
        bytes.append(0x0A)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ClientError.io(Self.errnoText())
            }
            offset += written
        }
    }

    /// Reads one response line (without its newline), or nil at end of stream.
    public func readLine() throws -> [UInt8]? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ClientError.io(Self.errnoText())
            }
            if count == 0 {
                if buffer.isEmpty { return nil }
                defer { buffer.removeAll() }
                return buffer
            }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    static func decodeError(_ error: JSONValue) -> RPCError {
        var details = error["data"]?.objectValue ?? [:]
        let reason = details.removeValue(forKey: "reason")?.stringValue ?? "unknown"
        let field = details.removeValue(forKey: "field")?.stringValue
        return RPCError(code: Int(error["code"]?.intValue ?? 0), reason: reason,
                        message: error["message"]?.stringValue ?? "", field: field, details: details)
    }

    private static func errnoText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}
