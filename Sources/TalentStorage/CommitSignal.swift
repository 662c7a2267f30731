import GRDB

/// Calls an action after every commit that inserted into one table, whoever wrote: the group
/// commit, a plain `pool.write`, a migration. The action runs on the writer's thread while it
/// still holds the writer: it must only hand work off (signal a queue), never read or write.
final class CommitSignal: TransactionObserver, @unchecked Sendable {
    private let table: String
    private let action: @Sendable () -> Void
    /// Touched only on the writer's thread, which is the only one GRDB calls observers on.
    private var touched = false

    init(table: String, action: @escaping @Sendable () -> Void) {
        self.table = table
        self.action = action
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case .insert(let tableName) = eventKind { return tableName == table }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) { touched = true }

    func databaseDidCommit(_ db: Database) {
        guard touched else { return }
        touched = false
        action()
    }

    func databaseDidRollback(_ db: Database) { touched = false }
}

extension Store {
    /// Runs `action` after each commit that inserted rows into `table` (for the live event stream).
    public func afterCommits(insertingInto table: String, _ action: @escaping @Sendable () -> Void) {
        pool.add(transactionObserver: CommitSignal(table: table, action: action), extent: .databaseLifetime)
    }
}
