import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The two systemd protocols the daemon speaks, without libsystemd: readiness notification
/// (sd_notify: one datagram per state change to $NOTIFY_SOCKET) and socket activation
/// (sd_listen_fds: sockets passed from fd 3 on, named by $LISTEN_FDS for $LISTEN_PID).
enum Systemd {
    /// Sends `state` ("READY=1", "STATUS=…", "STOPPING=1", "WATCHDOG=1", newline-separated) to
    /// $NOTIFY_SOCKET; does nothing when it is unset. Failures are ignored, as sd_notify's are.
    static func notify(_ state: String) {
        guard let path = ProcessInfo.processInfo.environment["NOTIFY_SOCKET"], !path.isEmpty,
              path.hasPrefix("/") || path.hasPrefix("@") else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }  // Linux's abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        let message = Array(state.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sockaddrPointer, length) }
            }
        }
    }

    /// The first socket systemd passed to this process, if any. The variables are removed so
    /// that no child takes them for its own.
    static func takeListeningSocket() -> Int32? {
        let environment = ProcessInfo.processInfo.environment
        defer { for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) } }
        guard let pid = environment["LISTEN_PID"].flatMap(Int32.init), pid == getpid(),
              let count = environment["LISTEN_FDS"].flatMap(Int.init), count >= 1 else { return nil }
        let first: Int32 = 3
        _ = fcntl(first, F_SETFD, FD_CLOEXEC)
        return first
    }

    /// Pings the watchdog at half the interval systemd asked for ($WATCHDOG_USEC, for this
    /// process per $WATCHDOG_PID), while `alive` says the daemon still serves. Nil when not asked.
    static func startWatchdog(alive: @escaping @Sendable () -> Bool) -> DispatchSourceTimer? {
        let environment = ProcessInfo.processInfo.environment
        guard let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"].flatMap(Int32.init), pid != getpid() { return nil }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now(), repeating: .microseconds(Int(usec / 2)))
        timer.setEventHandler { if alive() { notify("WATCHDOG=1") } }
        timer.resume()
        return timer
    }
}
