import NIOConcurrencyHelpers
import NIOCore

/// Hands work from another thread to one event loop, waking the loop once per burst rather than
/// once per item: the commit thread answers a whole shared commit (hundreds of writes) at a time,
/// and an `execute` per answer cost it a task, a contended lock and a wake-up each.
final class LoopMailbox: Sendable {
    private let loop: EventLoop
    private let pending = NIOLockedValueBox<[@Sendable () -> Void]>([])

    init(_ loop: EventLoop) { self.loop = loop }

    /// Runs `deliver` on the loop, after everything posted before it.
    func post(_ deliver: @escaping @Sendable () -> Void) {
        let first = pending.withLockedValue { items in
            items.append(deliver)
            return items.count == 1
        }
        if first { loop.execute { self.drain() } }
    }

    private func drain() {
        let items = pending.withLockedValue { items in
            defer { items.removeAll(keepingCapacity: true) }
            return items
        }
        for deliver in items { deliver() }
    }
}

/// One mailbox per event loop, made on first use.
final class LoopMailboxes: Sendable {
    private let boxes = NIOLockedValueBox<[ObjectIdentifier: LoopMailbox]>([:])

    func mailbox(for loop: EventLoop) -> LoopMailbox {
        boxes.withLockedValue { boxes in
            if let box = boxes[ObjectIdentifier(loop)] { return box }
            let box = LoopMailbox(loop)
            boxes[ObjectIdentifier(loop)] = box
            return box
        }
    }
}
