import NIOConcurrencyHelpers
import TalentProtocol
import TalentStorage

/// Finds who a connection is logged in as: its login, or (once per connection) the principal
/// its peer's Unix uid is bound to. A change to any principal or token bumps the generation, and
/// a session loaded before the change is reloaded, so disabling a principal, changing its roles
/// or revoking the token a session logged in with takes effect at its next request.
final class SessionResolver: Sendable {
    private let store: Store
    private let generationBox = NIOLockedValueBox(1)

    init(store: Store) { self.store = store }

    var generation: Int { generationBox.withLockedValue { $0 } }

    /// Sessions loaded before now are checked again at their next request. Call it once the
    /// change commits (`store.afterCommit(sessions.invalidate)`).
    @Sendable func invalidate() {
        generationBox.withLockedValue { $0 += 1 }
    }

    func current(_ connection: ConnectionInfo) throws -> SessionPrincipal? {
        switch lookup(connection) {
        case .known(let principal):
            return principal
        case .stale(let principal, let generation):
            let reloaded = try store.pool.read { try SessionStore($0).reload(principal) }
            connection.session.withLockedValue { $0.principal = reloaded; $0.generation = generation }
            return reloaded
        case .peer(let peer, let generation):
            let bound = try store.pool.read { try SessionStore($0).peerSession(uid: peer.uid) }
            connection.session.withLockedValue { state in
                state.peerChecked = true
                if state.principal == nil, let bound { state.principal = bound; state.generation = generation }
            }
            return connection.principal
        }
    }

    /// The session as loaded, without reading the database (for quick reads on the event loop);
    /// `RunOnWorkers` when it must be loaded or reloaded first.
    func loaded(_ connection: ConnectionInfo) throws -> SessionPrincipal? {
        guard case .known(let principal) = lookup(connection) else { throw RPCMethod.RunOnWorkers() }
        return principal
    }

    private enum Lookup {
        case known(SessionPrincipal?)
        /// Loaded before a change to principals or tokens: reload it, at this generation.
        case stale(SessionPrincipal, generation: Int)
        /// Not logged in and the peer's uid not looked up yet.
        case peer(PeerCredentials, generation: Int)
    }

    private func lookup(_ connection: ConnectionInfo) -> Lookup {
        let state = connection.session.withLockedValue { $0 }
        let generation = self.generation
        if let principal = state.principal {
            return state.generation == generation ? .known(principal) : .stale(principal, generation: generation)
        }
        guard !state.peerChecked, let peer = connection.peer else { return .known(nil) }
        return .peer(peer, generation: generation)
    }

    /// Logs a connection in. `generation` is the one read before the login checked its secret,
    /// so a change committed meanwhile (a token revoked) is caught at the next request.
    func login(_ connection: ConnectionInfo, as principal: SessionPrincipal, loadedAt generation: Int) {
        connection.session.withLockedValue { $0.principal = principal; $0.generation = generation }
    }

    func logout(_ connection: ConnectionInfo) {
        // peerChecked stays true: logging out of a peer session is not undone by the next request.
        connection.session.withLockedValue { $0.principal = nil; $0.peerChecked = true }
    }
}
