import Foundation
import GRDB

/// The audit head of a shared commit, written once before it commits instead of by every append.
///
/// Outside a shared commit each append writes the recorded head (`store_meta.audit_head`) itself.
/// Inside one, that write only served the next append of the same commit, which read it back:
/// here each append of the commit is remembered instead, so that the next one links to it, and
/// `AuditStore.writeDeferredHead` writes the head once, before the commit. The head committed is
/// the same as before: the newest entry kept. A write rolled back to its savepoint takes its entry
/// out of the table, and the newest row counts as this commit's own only while its seq and hash
/// are the ones remembered here.
final class DeferredAuditHeads: @unchecked Sendable {
    static let shared = DeferredAuditHeads()

    private let lock = NSLock()
    /// Per connection in a shared commit: the entries appended so far, seq to hash.
    private var appended: [ObjectIdentifier: [Int64: String]] = [:]

    func begin(_ db: Database) { lock.withLock { appended[ObjectIdentifier(db)] = [:] } }

    func end(_ db: Database) { lock.withLock { appended[ObjectIdentifier(db)] = nil } }

    /// Nil when `db` is not in a shared commit: its appends write the head themselves.
    func appended(in db: Database) -> [Int64: String]? { lock.withLock { appended[ObjectIdentifier(db)] } }

    /// Whether `db` is in a shared commit, and if so the hash of entry `seq` when this commit
    /// appended it. Not the whole dictionary: holding it while `record` adds would copy it.
    func lookup(_ seq: Int64, in db: Database) -> (deferring: Bool, ownHash: String?) {
        lock.withLock {
            guard let entries = appended[ObjectIdentifier(db)] else { return (false, nil) }
            return (true, entries[seq])
        }
    }

    func record(seq: Int64, hash: String, in db: Database) { lock.withLock { appended[ObjectIdentifier(db)]?[seq] = hash } }
}
