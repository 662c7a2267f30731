import GRDB
import Synchronization

/// Counts the commits of the pool's writer, whatever wrote: the group commit, a plain
/// `pool.write`, a migration. A reader that kept a snapshot since the count was `n` has missed
/// nothing while the count is still `n`. Bumped on the writer's thread right after COMMIT
/// returned, before the writer's answer is sent: any request sent after an acknowledged write
/// finds the count past the snapshot's.
final class CommitCount: TransactionObserver, Sendable {
    private let count = Atomic<Int>(0)

    var current: Int { count.load(ordering: .acquiring) }

    // Every commit is counted, changed rows or not: GRDB calls `databaseDidCommit` for each one
    // whatever this answers, so asking for no row events spares the writer the per-row hooks.
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }

    func databaseDidChange(with event: DatabaseEvent) {}

    func databaseDidCommit(_ db: Database) { count.add(1, ordering: .releasing) }

    func databaseDidRollback(_ db: Database) {}
}
