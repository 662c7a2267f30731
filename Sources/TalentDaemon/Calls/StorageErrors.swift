import Foundation
import GRDB
import TalentProtocol

/// A full disk is an operator's problem, not a bug: it is answered `storage_full`, not `internal`.
enum StorageErrors {
    /// SQLite's "disk full": SQLITE_FULL, or an I/O error caused by ENOSPC. `MethodRunner`
    /// answers it `storage_full` for every method.
    static func isFullDisk(_ error: DatabaseError) -> Bool {
        if error.resultCode == .SQLITE_FULL { return true }
        // SQLITE_IOERR_WRITE and kin when the kernel refused the write for lack of space.
        return error.resultCode == .SQLITE_IOERR && (error.message ?? "").contains(String(cString: strerror(ENOSPC)))
    }
}
