import NIOConcurrencyHelpers
import NIOCore
import TalentProtocol

/// Slows down password guessing: after `freeFailures` failed logins for a principal name, or on
/// one connection, further attempts for it are refused with `rate_limited` (no hashing at all)
/// for a delay that doubles with each further failure, up to `maxDelay`. A success resets it.
/// Kept in memory: a restart forgets it, which costs a guesser far more than it gains.
final class LoginThrottle: Sendable {
    let freeFailures = 5
    let baseDelay = TimeAmount.seconds(1)
    let maxDelay = TimeAmount.minutes(5)
    /// Bound on names remembered, so guessing random names cannot grow memory without limit.
    let maxTracked = 10_000

    private struct Entry {
        var failures = 0
        var blockedUntil: NIODeadline?
    }

    private let byName = NIOLockedValueBox<[String: Entry]>([:])

    /// Throws `rate_limited` while `name` or the connection is blocked.
    func check(name: String, connection: ConnectionInfo) throws {
        let now = NIODeadline.now()
        let nameUntil = byName.withLockedValue { $0[name]?.blockedUntil }
        let connectionUntil = connection.session.withLockedValue { $0.blockedUntil }
        let until = [nameUntil, connectionUntil].compactMap { $0 }.filter { $0 > now }.max()
        if let until {
            let wait = max(1, (until - now).nanoseconds / 1_000_000)
            throw RPCError.rateLimited(
                "too many failed logins for \"\(name)\" or on this connection; try again in \(wait / 1000 + 1) s",
                retryAfterMilliseconds: wait)
        }
    }

    func recordFailure(name: String, connection: ConnectionInfo) {
        let now = NIODeadline.now()
        byName.withLockedValue { entries in
            if entries.count >= maxTracked, entries[name] == nil {
                entries = entries.filter { ($0.value.blockedUntil ?? now) > now }
                if entries.count >= maxTracked { return }
            }
            var entry = entries[name] ?? Entry()
            entry.failures += 1
            entry.blockedUntil = blockedUntil(after: entry.failures, now: now)
            entries[name] = entry
        }
        connection.session.withLockedValue { state in
            state.failedLogins += 1
            state.blockedUntil = blockedUntil(after: state.failedLogins, now: now)
        }
    }

    func recordSuccess(name: String, connection: ConnectionInfo) {
        _ = byName.withLockedValue { $0.removeValue(forKey: name) }
        connection.session.withLockedValue { $0.failedLogins = 0; $0.blockedUntil = nil }
    }

    private func blockedUntil(after failures: Int, now: NIODeadline) -> NIODeadline? {
        guard failures >= freeFailures else { return nil }
        let doublings = min(failures - freeFailures, 20)
        let delay = min(baseDelay.nanoseconds << doublings, maxDelay.nanoseconds)
        return now + .nanoseconds(delay)
    }
}
