import Foundation
import TalentClient
import TalentProtocol

#if canImport(Glibc)
import Glibc
#endif

// talentctl's own files, under $XDG_CONFIG_HOME/talentctl (else ~/.config/talentctl), directory
// mode 0700 and files 0600 (they hold API tokens):
//   contexts.json  {"current": NAME, "contexts": {NAME: {"socket": S, "principal": P}}}
//   logins.json    {"<socket> <principal>": {"token": T, "expires_at": E, "principal": P, "socket": S}}
// Flags and environment variables always win over both.

enum ConfigFiles {
    static var directory: String {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/talentctl" }
        return (environment["HOME"] ?? ".") + "/.config/talentctl"
    }

    static func read(_ name: String) -> [String: JSONValue] {
        guard let data = FileManager.default.contents(atPath: directory + "/" + name),
              let value = try? JSONParser.parse(String(decoding: data, as: UTF8.self)) else { return [:] }
        return value.objectValue ?? [:]
    }

    /// Writes the whole file, mode 0600 from its creation (never readable by others, even briefly),
    /// and renames it into place so that a crash leaves the old file or the new one.
    static func write(_ name: String, _ object: [String: JSONValue]) throws {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o700)
        let path = directory + "/" + name
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw Credentials.Failure(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        fchmod(fd, 0o600)
        let bytes = Array((PrettyJSON.string(.object(object)) + "\n").utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            throw Credentials.Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// A named daemon and principal, as kubectl's contexts: `talentctl context use prod --socket S --principal P`.
struct Context {
    let name: String
    var socket: String?
    var principal: String?

    var json: JSONValue {
        var object: [String: JSONValue] = [:]
        if let socket { object["socket"] = .string(socket) }
        if let principal { object["principal"] = .string(principal) }
        return .object(object)
    }
}

enum Contexts {
    static let file = "contexts.json"

    static func all() -> (current: String?, contexts: [Context]) {
        let document = ConfigFiles.read(file)
        let contexts = (document["contexts"]?.objectValue ?? [:]).map { name, value in
            Context(name: name, socket: value["socket"]?.stringValue, principal: value["principal"]?.stringValue)
        }.sorted { $0.name < $1.name }
        return (document["current"]?.stringValue, contexts)
    }

    static func current() -> Context? {
        let (name, contexts) = all()
        return contexts.first { $0.name == name }
    }

    static func save(_ contexts: [Context], current: String?) throws {
        var document: [String: JSONValue] = ["contexts": .object(Dictionary(uniqueKeysWithValues: contexts.map { ($0.name, $0.json) }))]
        if let current { document["current"] = .string(current) }
        try ConfigFiles.write(file, document)
    }
}

/// API tokens saved by `talentctl login`, one per socket and principal.
enum SavedLogins {
    static let file = "logins.json"

    struct Login {
        let principal: String
        let token: String
        let expiresAt: String
        /// The token's id on the daemon, for `talentctl logout` to revoke it.
        var id: Int64?
    }

    /// The socket as an absolute path, so that ./var/talentd.sock means one daemon wherever it is typed.
    static func key(socket: String, principal: String) -> String {
        let absolute = socket.hasPrefix("/") ? socket : FileManager.default.currentDirectoryPath + "/" + socket
        return URL(fileURLWithPath: absolute).standardizedFileURL.path + " " + principal
    }

    /// The unexpired saved login for this socket: as `principal` when given, else the latest made.
    static func find(socket: String, principal: String?) -> Login? {
        let now = UTCNow.timestamp
        let logins = ConfigFiles.read(file)
        let prefix = key(socket: socket, principal: "")
        let candidates = logins.filter { key, _ in
            principal.map { key == Self.key(socket: socket, principal: $0) } ?? key.hasPrefix(prefix)
        }.compactMap { _, value -> Login? in
            guard let principal = value["principal"]?.stringValue, let token = value["token"]?.stringValue,
                  let expiresAt = value["expires_at"]?.stringValue, expiresAt > now else { return nil }
            return Login(principal: principal, token: token, expiresAt: expiresAt, id: value["id"]?.intValue)
        }
        return candidates.max { $0.expiresAt < $1.expiresAt }
    }

    static func save(socket: String, _ login: Login) throws {
        var logins = ConfigFiles.read(file)
        logins[key(socket: socket, principal: login.principal)] = [
            "principal": .string(login.principal), "token": .string(login.token), "expires_at": .string(login.expiresAt),
            "socket": .string(socket), "id": login.id.map(JSONValue.int) ?? .null,
        ]
        try ConfigFiles.write(file, logins)
    }

    /// Forgets the logins for this socket (as `principal`, or all); returns those forgotten.
    @discardableResult
    static func remove(socket: String, principal: String?) throws -> [String] {
        var logins = ConfigFiles.read(file)
        let prefix = key(socket: socket, principal: "")
        let gone = logins.keys.filter { name in
            principal.map { name == key(socket: socket, principal: $0) } ?? name.hasPrefix(prefix)
        }
        for name in gone { logins.removeValue(forKey: name) }
        if !gone.isEmpty { try ConfigFiles.write(file, logins) }
        return gone.map { String($0.dropFirst(prefix.count)) }
    }
}

/// Now in UTC as the daemon writes instants (2027-01-01T00:00:00Z), and some hours from now.
enum UTCNow {
    static var timestamp: String { after(seconds: 0) }

    static func after(seconds: Int) -> String {
        var t = time_t(time(nil) + seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
