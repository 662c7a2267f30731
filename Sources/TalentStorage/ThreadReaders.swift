#if canImport(Glibc)
import Glibc
#endif
import GRDB

/// Read-only connections to the database, one per thread that reads through it (the event loops):
/// a quick read runs where its request arrived, without a hand-off to a worker thread or the pool's
/// reader lock. A connection is used only by the thread that opened it, and each `read` is one
/// transaction, so it sees one snapshot of what was committed before it began.
public final class ThreadReaders: @unchecked Sendable {
    private let path: String
    private let configuration: Configuration
    // Immutable once created; a key's values are set and read only by their own thread.
    private var key = pthread_key_t()

    init(path: String, busyTimeout: Double) {
        self.path = path
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "talent.thread-reader"
        self.configuration = configuration
        // A thread's connection is closed when the thread ends.
        pthread_key_create(&key) { raw in
            if let raw { Unmanaged<DatabaseQueue>.fromOpaque(raw).release() }
        }
    }

    deinit { pthread_key_delete(key) }

    /// Runs `body` in one read transaction on this thread's connection, opening it on first use.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try connection().read(body)
    }

    private func connection() throws -> DatabaseQueue {
        if let raw = pthread_getspecific(key) {
            return Unmanaged<DatabaseQueue>.fromOpaque(raw).takeUnretainedValue()
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        pthread_setspecific(key, Unmanaged.passRetained(queue).toOpaque())
        return queue
    }
}
