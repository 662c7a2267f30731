import NIOConcurrencyHelpers
import NIOCore
import TalentProtocol

/// Slows down password guessing. Failed logins are counted for the principal name, the
/// connection, and the Unix user at the other end (SO_PEERCRED: the socket's equivalent of a
/// client address). Past a few free failures, attempts for any of them are refused with
/// `rate_limited`, before any hashing, for a delay that doubles with each further failure up to
/// `maxDelay`. So a flood from one Unix user stops costing Argon2 work within a few attempts,
/// and users on other uids keep logging in promptly. A blocked Unix user does not lock out its
/// own principals: a name that is a principal with no recent failures of its own still gets its
/// attempt (another process of the same user flooding made-up names must not keep admin out);
/// made-up names cost no hashing, and a real name's own count limits guesses at it. A blocked
/// uid can thus tell a real name from a made-up one by the answer: the price of not locking
/// out a user's real principals, as guessing passwords stays bounded per name. A success
/// clears the name and the connection, not the uid (one valid password must not buy more
/// guesses). Counts older than `forgetAfter` start again. Kept in memory: a restart forgets
/// it, which costs a guesser more than it gains.
final class LoginThrottle: Sendable {
    let freeFailuresPerName = 5
    let freeFailuresPerConnection = 5
    /// A Unix user may run several people's or scripts' sessions: it gets more slack.
    let freeFailuresPerUID = 20
    let baseDelay = TimeAmount.seconds(1)
    let maxDelay = TimeAmount.minutes(5)
    let forgetAfter = TimeAmount.minutes(15)
    /// Bound on keys remembered, so guessing random names cannot grow memory without limit.
    let maxTracked = 10_000

    private enum Key: Hashable {
        case name(String)
        case uid(UInt32)
    }

    private struct Entry {
        var failures = 0
        var lastFailure = NIODeadline.uptimeNanoseconds(0)
        var blockedUntil: NIODeadline?
    }

    private let entries = NIOLockedValueBox<[Key: Entry]>([:])

    private func keys(_ name: String, _ connection: ConnectionInfo) -> [Key] {
        [.name(name)] + (connection.peer.map { [.uid($0.uid)] } ?? [])
    }

    /// Throws `rate_limited` while `name` or the connection is blocked, or while its Unix user is
    /// blocked unless `name` is a principal (`isPrincipal`) with no recent failures of its own.
    func check(name: String, connection: ConnectionInfo, isPrincipal: Bool) throws {
        let now = NIODeadline.now()
        let tracked = entries.withLockedValue { entries in
            let own = entries[.name(name)]
            let ownRecentFailures = own.map { $0.failures > 0 && now - $0.lastFailure <= forgetAfter } ?? false
            let keys = isPrincipal && !ownRecentFailures ? [.name(name)] : keys(name, connection)
            return keys.compactMap { entries[$0]?.blockedUntil }
        }
        let connectionUntil = connection.session.withLockedValue { $0.blockedUntil }
        if let until = (tracked + [connectionUntil].compactMap { $0 }).filter({ $0 > now }).max() {
            let wait = max(1, (until - now).nanoseconds / 1_000_000)
            throw RPCError.rateLimited(
                "too many failed logins for \"\(name)\", on this connection or from this Unix user; try again in \(wait / 1000 + 1) s",
                retryAfterMilliseconds: wait)
        }
    }

    func recordFailure(name: String, connection: ConnectionInfo) {
        let now = NIODeadline.now()
        let keys = keys(name, connection)
        entries.withLockedValue { entries in
            if entries.count >= maxTracked {
                entries = entries.filter { ($0.value.blockedUntil ?? now) > now }
            }
            for key in keys where entries[key] != nil || entries.count < maxTracked {
                var entry = entries[key] ?? Entry()
                if now - entry.lastFailure > forgetAfter { entry.failures = 0 }
                entry.failures += 1
                entry.lastFailure = now
                let free = if case .uid = key { freeFailuresPerUID } else { freeFailuresPerName }
                entry.blockedUntil = blockedUntil(after: entry.failures, free: free, now: now)
                entries[key] = entry
            }
        }
        connection.session.withLockedValue { state in
            state.failedLogins += 1
            state.blockedUntil = blockedUntil(after: state.failedLogins, free: freeFailuresPerConnection, now: now)
        }
    }

    func recordSuccess(name: String, connection: ConnectionInfo) {
        _ = entries.withLockedValue { $0.removeValue(forKey: .name(name)) }
        connection.session.withLockedValue { $0.failedLogins = 0; $0.blockedUntil = nil }
    }

    private func blockedUntil(after failures: Int, free: Int, now: NIODeadline) -> NIODeadline? {
        guard failures >= free else { return nil }
        let doublings = min(failures - free, 20)
        let delay = min(baseDelay.nanoseconds << doublings, maxDelay.nanoseconds)
        return now + .nanoseconds(delay)
    }
}
