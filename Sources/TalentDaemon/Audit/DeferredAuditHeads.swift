import Foundation
import GRDB

/// The audit head of a shared commit, kept in memory while it runs and written once before it
/// commits, instead of being written by every append and read back by the next.
///
/// Outside a shared commit each append reads the recorded head (`store_meta.audit_head`) and the
/// newest row, and writes the head itself. Inside one, the first append reads them as well; each
/// append is then remembered here, and the next one links to the newest entry this commit still
/// keeps without reading the table. A write rolled back to its savepoint takes its entries out of
/// the table, so they are forgotten here too (`writeEnded`, told by `GroupCommit`).
/// `AuditStore.writeDeferredHead` writes the newest kept entry as the head, before the commit: the
/// same head as before.
final class DeferredAuditHeads: @unchecked Sendable {
    static let shared = DeferredAuditHeads()

    /// One shared commit's appends.
    private struct Commit {
        /// The newest entry appended by a write that was kept.
        var newestKept: Entry?
        /// The newest entry appended by the write running now.
        var newestOfWrite: Entry?
    }

    struct Entry {
        let seq: Int64
        let hash: String
    }

    private let lock = NSLock()
    /// Per connection in a shared commit.
    private var commits: [ObjectIdentifier: Commit] = [:]

    func begin(_ db: Database) { lock.withLock { commits[ObjectIdentifier(db)] = Commit() } }

    func end(_ db: Database) { lock.withLock { commits[ObjectIdentifier(db)] = nil } }

    /// Whether `db` is in a shared commit (else its appends write the head themselves), and if so
    /// the newest entry it still holds from this commit: the one the next append links to.
    func newest(in db: Database) -> (deferring: Bool, entry: Entry?) {
        lock.withLock {
            guard let commit = commits[ObjectIdentifier(db)] else { return (false, nil) }
            return (true, commit.newestOfWrite ?? commit.newestKept)
        }
    }

    /// The entry to record as the head when the commit commits: nil when no kept write appended.
    func newestKept(in db: Database) -> Entry? { lock.withLock { commits[ObjectIdentifier(db)]?.newestKept } }

    func record(_ entry: Entry, in db: Database) { lock.withLock { commits[ObjectIdentifier(db)]?.newestOfWrite = entry } }

    func writeEnded(_ db: Database, kept: Bool) {
        lock.withLock {
            guard var commit = commits[ObjectIdentifier(db)] else { return }
            if kept, let entry = commit.newestOfWrite { commit.newestKept = entry }
            commit.newestOfWrite = nil
            commits[ObjectIdentifier(db)] = commit
        }
    }
}
