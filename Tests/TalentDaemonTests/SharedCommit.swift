import Foundation
import GRDB
import TalentStorage

extension GroupCommit {
    /// Runs `jobs` in one shared commit (a first job holds the committer until all are queued);
    /// returns which of them failed.
    func commitTogether(_ jobs: [(Database) throws -> Void]) -> [Bool] {
        let queued = DispatchSemaphore(value: 0), done = DispatchGroup()
        var failed = [Bool](repeating: false, count: jobs.count + 1)
        let lock = NSLock()
        done.enter()
        submit({ _ in queued.wait() }) { _ in done.leave() }
        for (index, job) in jobs.enumerated() {
            done.enter()
            submit({ db in try job(db) }) { result in
                if case .failure = result { lock.withLock { failed[index + 1] = true } }
                done.leave()
            }
        }
        queued.signal()
        done.wait()
        return Array(failed.dropFirst())
    }
}
