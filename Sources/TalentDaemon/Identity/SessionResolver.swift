import GRDB
import NIOConcurrencyHelpers
import TalentProtocol
import TalentStorage

/// Finds who a connection is logged in as: its login, or (once per connection) the principal
/// its peer's Unix uid is bound to. A change to any principal bumps the generation, and a
/// session loaded before the change is reloaded, so disabling a principal or changing its roles
/// takes effect at its next request.
final class SessionResolver: Sendable {
    private let store: Store
    private let generationBox = NIOLockedValueBox(1)

    init(store: Store) { self.store = store }

    var generation: Int { generationBox.withLockedValue { $0 } }

    /// Call inside the transaction that changes principals: bumps once it commits.
    func invalidateAfterCommit(_ db: Database) {
        db.afterNextTransaction { _ in self.generationBox.withLockedValue { $0 += 1 } }
    }

    func current(_ connection: ConnectionInfo) throws -> SessionPrincipal? {
        let state = connection.session.withLockedValue { $0 }
        let generation = self.generation
        if let principal = state.principal {
            if state.generation == generation { return principal }
            let fresh = try store.pool.read { try Principal.find($0, id: principal.id) }
            let reloaded = fresh.flatMap { $0.isActive ? $0.session(via: principal.via) : nil }
            connection.session.withLockedValue { $0.principal = reloaded; $0.generation = generation }
            return reloaded
        }
        guard !state.peerChecked, let peer = connection.peer else { return nil }
        let bound = try store.pool.read { try Principal.find($0, uid: peer.uid) }?.session(via: "peer")
        connection.session.withLockedValue { state in
            state.peerChecked = true
            if state.principal == nil, let bound { state.principal = bound; state.generation = generation }
        }
        return connection.principal
    }

    func login(_ connection: ConnectionInfo, as principal: SessionPrincipal) {
        let generation = self.generation
        connection.session.withLockedValue { $0.principal = principal; $0.generation = generation }
    }

    func logout(_ connection: ConnectionInfo) {
        // peerChecked stays true: logging out of a peer session is not undone by the next request.
        connection.session.withLockedValue { $0.principal = nil; $0.peerChecked = true }
    }
}
