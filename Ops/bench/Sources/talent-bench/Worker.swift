#if canImport(Glibc)
import Glibc
// Swift's Glibc module leaves out <sys/epoll.h>; NIOPosix's C shim (a dependency of this
// target through NIOPosix) includes it.
import CEpoll
#endif
import Histogram

/// The request template shared by every connection: its parts joined by the request's id make
/// one line. `$ID` in the params is replaced by the id too (unique over every connection), for
/// writes whose params must differ from one request to the next.
struct RequestTemplate: Sendable {
    /// {"jsonrpc":"2.0","method":"...","params":{..."  ID  "...},"id":  ID  }\n
    let parts: [[UInt8]]

    static let idPlaceholder = "$ID"

    init(method: String, paramsJSON: String?) {
        var text = "{\"jsonrpc\":\"2.0\",\"method\":\(jsonString(method))"
        if let paramsJSON { text += ",\"params\":\(paramsJSON)" }
        text += ",\"id\":" + Self.idPlaceholder + "}\n"
        parts = text.split(separator: Self.idPlaceholder, omittingEmptySubsequences: false).map { Array($0.utf8) }
    }
}

/// When the phases start and end (monotonic nanoseconds), shared by every worker.
struct Schedule: Sendable {
    let measureStart: UInt64
    let deadline: UInt64
    /// Measured responses after which this worker stops (nil: only the deadline stops it).
    let quota: UInt64?
}

/// One connection's state: a read buffer, the send times of its requests in flight (a ring of
/// `pipeline` slots, answers come back in order) and any bytes the socket did not accept yet.
final class Connection {
    let fd: Int32
    let index: Int
    var input: UnsafeMutablePointer<UInt8>
    var inputCapacity = 65536
    var inputUsed = 0
    let sendTimes: UnsafeMutablePointer<UInt64>
    let ring: Int
    var ringHead = 0
    var inFlight = 0
    var nextID: Int64 = 1
    var expectedID: Int64 = 1
    var output: [UInt8] = []
    var outputOffset = 0
    var wantsWrite = false
    var open = true

    init(fd: Int32, index: Int, pipeline: Int, firstID: Int64) {
        self.fd = fd
        self.index = index
        self.ring = pipeline
        self.input = .allocate(capacity: inputCapacity)
        self.sendTimes = .allocate(capacity: pipeline)
        self.nextID = firstID
        self.expectedID = firstID
        output.reserveCapacity(4096)
    }

    deinit {
        input.deallocate()
        sendTimes.deallocate()
        close(fd)
    }
}

/// What one worker measured.
struct WorkerResult: Sendable {
    var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000_000, numberOfSignificantValueDigits: .three)
    var responses: UInt64 = 0
    var errors: UInt64 = 0
    var firstError: String? = nil
    var closedConnections = 0
    var endedAt: UInt64 = 0
    var failure: String? = nil
}

/// One thread's event loop (epoll, level-triggered) over its share of the connections. Each
/// connection keeps `pipeline` requests outstanding: it writes that many at the start, then one
/// more for every answer it reads (all the answers of one read are replaced by one write).
final class Worker: @unchecked Sendable {
    private let connections: [Connection]
    private let pipeline: Int
    private let template: RequestTemplate
    private let schedule: Schedule
    private var epollFD: Int32 = -1
    private var measuring = false
    private var stopping = false
    private(set) var result = WorkerResult()

    init(fds: [(fd: Int32, firstID: Int64)], pipeline: Int, template: RequestTemplate, schedule: Schedule) {
        self.pipeline = pipeline
        self.template = template
        self.schedule = schedule
        self.connections = fds.enumerated().map {
            Connection(fd: $0.element.fd, index: $0.offset, pipeline: pipeline, firstID: $0.element.firstID)
        }
    }

    func run() {
        epollFD = epoll_create1(0)
        guard epollFD >= 0 else { result.failure = "epoll_create1: \(errnoText())"; return }
        defer { close(epollFD) }
        for connection in connections {
            guard control(connection, EPOLL_CTL_ADD, wantWrite: false) else { return }
        }
        let start = nowNanos()
        for connection in connections { send(connection, count: pipeline, now: start) }

        let maxEvents = max(connections.count, 1)
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: maxEvents)
        defer { events.deallocate() }
        var openCount = connections.count
        while !stopping && openCount > 0 {
            var now = nowNanos()
            if !measuring && now >= schedule.measureStart { measuring = true }
            if now >= schedule.deadline { break }
            let waitMillis = Int32(min(100, (schedule.deadline - now) / 1_000_000 + 1))
            let ready = epoll_wait(epollFD, events, Int32(maxEvents), waitMillis)
            if ready < 0 {
                if errno == EINTR { continue }
                result.failure = "epoll_wait: \(errnoText())"
                break
            }
            for slot in 0..<Int(ready) {
                let event = events[slot]
                let connection = connections[Int(event.data.u32)]
                guard connection.open else { continue }
                let flags = event.events
                if flags & EPOLLOUT.rawValue != 0 { flush(connection) }
                if flags & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
                    now = readAnswers(connection)
                    if !connection.open { openCount -= 1 }
                }
                if stopping { break }
            }
        }
        result.endedAt = nowNanos()
        if openCount == 0 && result.failure == nil && !stopping {
            result.failure = "the daemon closed every connection"
        }
    }

    private func control(_ connection: Connection, _ operation: Int32, wantWrite: Bool) -> Bool {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | (wantWrite ? EPOLLOUT.rawValue : 0)
        event.data.u32 = UInt32(connection.index)
        if epoll_ctl(epollFD, operation, connection.fd, &event) != 0 {
            result.failure = "epoll_ctl: \(errnoText())"
            stopping = true
            return false
        }
        connection.wantsWrite = wantWrite
        return true
    }

    /// Appends `count` requests to the connection's output and writes what the socket takes.
    private func send(_ connection: Connection, count: Int, now: UInt64) {
        guard count > 0 else { return }
        if connection.outputOffset == connection.output.count {
            connection.output.removeAll(keepingCapacity: true)
            connection.outputOffset = 0
        }
        for _ in 0..<count {
            for (index, part) in template.parts.enumerated() {
                if index > 0 { appendDecimal(connection.nextID, to: &connection.output) }
                connection.output.append(contentsOf: part)
            }
            connection.nextID += 1
            connection.sendTimes[(connection.ringHead + connection.inFlight) % connection.ring] = now
            connection.inFlight += 1
        }
        flush(connection)
    }

    private func flush(_ connection: Connection) {
        while connection.outputOffset < connection.output.count {
            let written = connection.output.withUnsafeBytes { raw in
                write(connection.fd, raw.baseAddress! + connection.outputOffset, raw.count - connection.outputOffset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    if !connection.wantsWrite { _ = control(connection, EPOLL_CTL_MOD, wantWrite: true) }
                    return
                }
                closeConnection(connection, reason: "write: \(errnoText())")
                return
            }
            connection.outputOffset += written
        }
        if connection.wantsWrite { _ = control(connection, EPOLL_CTL_MOD, wantWrite: false) }
    }

    /// Reads what is available, accounts for every complete answer line, then sends as many new
    /// requests as answers came back. Returns the time the read completed.
    private func readAnswers(_ connection: Connection) -> UInt64 {
        if connection.inputCapacity - connection.inputUsed < 4096 {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: connection.inputCapacity * 2)
            bigger.update(from: connection.input, count: connection.inputUsed)
            connection.input.deallocate()
            connection.input = bigger
            connection.inputCapacity *= 2
        }
        var count: Int
        repeat {
            count = read(connection.fd, connection.input + connection.inputUsed, connection.inputCapacity - connection.inputUsed)
        } while count < 0 && errno == EINTR
        let now = nowNanos()
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { return now }
            closeConnection(connection, reason: "read: \(errnoText())")
            return now
        }
        if count == 0 {
            closeConnection(connection, reason: "the daemon closed the connection")
            return now
        }
        connection.inputUsed += count
        if !measuring && now >= schedule.measureStart { measuring = true }

        var lineStart = 0
        let base = connection.input
        while lineStart < connection.inputUsed,
              let found = memchr(base + lineStart, 0x0A, connection.inputUsed - lineStart) {
            let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            let line = UnsafeBufferPointer(start: base + lineStart, count: newline - lineStart)
            account(connection, line: line, now: now)
            lineStart = newline + 1
        }
        if lineStart > 0 {
            let rest = connection.inputUsed - lineStart
            if rest > 0 { (base).update(from: base + lineStart, count: rest) }
            connection.inputUsed = rest
        }
        if let quota = schedule.quota, result.responses >= quota { stopping = true }
        if now >= schedule.deadline { stopping = true }
        if !stopping && connection.open {
            send(connection, count: pipeline - connection.inFlight, now: now)
        }
        return now
    }

    private func account(_ connection: Connection, line: UnsafeBufferPointer<UInt8>, now: UInt64) {
        var trimmed = line
        if let last = trimmed.last, last == 0x0D { trimmed = UnsafeBufferPointer(rebasing: trimmed.dropLast()) }
        if trimmed.isEmpty { return }
        let summary = ResponseScanner.scan(trimmed)
        var problem: String? = nil
        var unexpected = false
        if connection.inFlight == 0 {
            problem = "an answer nothing was waiting for"
            unexpected = true
        } else {
            let sentAt = connection.sendTimes[connection.ringHead]
            connection.ringHead = (connection.ringHead + 1) % connection.ring
            connection.inFlight -= 1
            let expected = connection.expectedID
            connection.expectedID += 1
            if measuring {
                result.responses += 1
                _ = result.histogram.record(now &- sentAt)
            }
            if summary.hasError || !summary.hasResult {
                problem = summary.hasError ? "error answer" : "answer without result"
            } else if summary.id != expected {
                problem = "answer out of order: expected id \(expected)"
            }
        }
        if let problem {
            if measuring || unexpected { result.errors += 1 }
            if result.firstError == nil {
                result.firstError = "\(problem): " + String(decoding: trimmed.prefix(300), as: UTF8.self)
            }
        }
    }

    private func closeConnection(_ connection: Connection, reason: String) {
        guard connection.open else { return }
        connection.open = false
        result.closedConnections += 1
        if result.firstError == nil { result.firstError = reason }
        var unused = epoll_event()
        epoll_ctl(epollFD, EPOLL_CTL_DEL, connection.fd, &unused)
    }
}

@inline(__always)
func appendDecimal(_ value: Int64, to output: inout [UInt8]) {
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                 UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var remaining = value.magnitude
    var count = 0
    withUnsafeMutableBytes(of: &digits) { buffer in
        repeat {
            buffer[19 - count] = UInt8(truncatingIfNeeded: remaining % 10) + 0x30
            remaining /= 10
            count += 1
        } while remaining > 0
        if value < 0 { output.append(0x2D) }
        output.append(contentsOf: buffer[(20 - count)...])
    }
}
