import Foundation
import GRDB
import TalentProtocol

/// A full disk is an operator's problem, not a bug: it is answered `storage_full`, not `internal`.
enum StorageErrors {
    /// Runs a database write; SQLite's "disk full" (SQLITE_FULL, or an I/O error caused by
    /// ENOSPC) becomes `storage_full`. Every other error passes through unchanged.
    static func mappingFullDisk<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where isFullDisk(error) {
            throw RPCError.storageFull()
        }
    }

    static func isFullDisk(_ error: DatabaseError) -> Bool {
        if error.resultCode == .SQLITE_FULL { return true }
        // SQLITE_IOERR_WRITE and kin when the kernel refused the write for lack of space.
        return error.resultCode == .SQLITE_IOERR && (error.message ?? "").contains(String(cString: strerror(ENOSPC)))
    }
}
