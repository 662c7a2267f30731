import Foundation
import GRDB

/// The audit entries (and their events) of a shared commit, kept in memory while it runs and
/// inserted together before it commits, with the audit head: a few multi-row statements instead
/// of two statements per write, and no read of the head by each append.
///
/// Outside a shared commit each append reads the recorded head (`store_meta.audit_head`) and the
/// newest row, inserts its entry and writes the head itself. Inside one, the first append reads
/// them as well; each append is then remembered here, and the next one links to the newest entry
/// this commit still keeps. A write rolled back to its savepoint takes its entries with it:
/// they are forgotten here (`writeEnded`, told by `GroupCommit`), so they are never inserted.
/// `AuditStore.writeDeferredEntries` inserts the kept ones in seq order, then their events, then
/// the head: the same rows and head as appending one by one. Nothing in a shared commit reads the
/// audit trail or the event log back before that.
final class DeferredAuditEntries: @unchecked Sendable {
    static let shared = DeferredAuditEntries()

    /// One entry, as its row and its event's row will be inserted.
    struct Entry {
        let seq: Int64
        let hash: String
        /// In the order of the columns `AuditStore.insertEntries` names.
        let row: [DatabaseValue]
        /// `EventStore.row`'s values; nil when the entry is not an event.
        let event: [DatabaseValue]?
    }

    /// One shared commit's appends.
    private struct Commit {
        /// Appended by writes that were kept, in seq order.
        var kept: [Entry] = []
        /// Appended by the write running now.
        var ofWrite: [Entry] = []
    }

    private let lock = NSLock()
    /// Per connection in a shared commit.
    private var commits: [ObjectIdentifier: Commit] = [:]

    func begin(_ db: Database) { lock.withLock { commits[ObjectIdentifier(db)] = Commit() } }

    func end(_ db: Database) { lock.withLock { commits[ObjectIdentifier(db)] = nil } }

    /// Whether `db` is in a shared commit (else its appends insert themselves), and if so the
    /// newest entry it still holds from this commit: the one the next append links to.
    func newest(in db: Database) -> (deferring: Bool, newest: Entry?) {
        lock.withLock {
            guard let commit = commits[ObjectIdentifier(db)] else { return (false, nil) }
            return (true, commit.ofWrite.last ?? commit.kept.last)
        }
    }

    func add(_ entry: Entry, in db: Database) { lock.withLock { commits[ObjectIdentifier(db)]?.ofWrite.append(entry) } }

    func writeEnded(_ db: Database, kept: Bool) {
        lock.withLock {
            // Taken out and put back, so that its arrays are not copied on change.
            let id = ObjectIdentifier(db)
            guard var commit = commits.removeValue(forKey: id) else { return }
            if kept { commit.kept.append(contentsOf: commit.ofWrite) }
            commit.ofWrite.removeAll(keepingCapacity: true)
            commits[id] = commit
        }
    }

    /// The entries to insert when the commit commits, in seq order.
    func kept(in db: Database) -> [Entry] { lock.withLock { commits[ObjectIdentifier(db)]?.kept ?? [] } }
}
