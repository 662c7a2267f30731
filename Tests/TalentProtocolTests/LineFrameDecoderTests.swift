import NIOCore
import NIOEmbedded
import XCTest

@testable import TalentProtocol

/// The framing layer in a real NIO pipeline (in memory): bytes go in through
/// `ByteToMessageHandler(LineFrameDecoder)`, frames come out at the tail.
final class LineFrameDecoderTests: XCTestCase {
    private enum Got: Equatable, CustomStringConvertible {
        case line(String)
        case tooLarge
        var description: String {
            switch self {
            case .line(let s): return "line(\(s.debugDescription))"
            case .tooLarge: return "tooLarge"
            }
        }
    }

    private var stats = ServerStats()

    private func makeChannel(maxLineBytes: Int) -> EmbeddedChannel {
        stats = ServerStats()
        return EmbeddedChannel(handler: ByteToMessageHandler(LineFrameDecoder(maxLineBytes: maxLineBytes, stats: stats)))
    }

    private func send(_ channel: EmbeddedChannel, _ text: String, file: StaticString = #filePath, line: UInt = #line) {
        send(channel, Array(text.utf8), file: file, line: line)
    }

    private func send(_ channel: EmbeddedChannel, _ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNoThrow(try channel.writeInbound(channel.allocator.buffer(bytes: bytes)), file: file, line: line)
    }

    /// Every frame delivered so far.
    private func frames(_ channel: EmbeddedChannel, file: StaticString = #filePath, line: UInt = #line) -> [Got] {
        var out: [Got] = []
        do {
            while let frame = try channel.readInbound(as: Frame.self) {
                switch frame {
                case .line(let buffer): out.append(.line(String(decoding: buffer.readableBytesView, as: UTF8.self)))
                case .tooLarge: out.append(.tooLarge)
                }
            }
        } catch {
            XCTFail("readInbound: \(error)", file: file, line: line)
        }
        return out
    }

    /// Half-close: the client shut down its write side.
    private func endInput(_ channel: EmbeddedChannel) {
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        channel.embeddedEventLoop.run()
    }

    private func finish(_ channel: EmbeddedChannel, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNoThrow(try channel.finish(acceptAlreadyClosed: true), file: file, line: line)
    }

    // MARK: line endings

    func testLinesEndWithNewline() {
        let channel = makeChannel(maxLineBytes: 64)
        send(channel, "a\nbb\n{\"x\":1}\n")
        XCTAssertEqual(frames(channel), [.line("a"), .line("bb"), .line(#"{"x":1}"#)])
        finish(channel)
    }

    func testCarriageReturnBeforeNewlineIsDropped() {
        let channel = makeChannel(maxLineBytes: 64)
        send(channel, "a\r\nbb\r\n")
        XCTAssertEqual(frames(channel), [.line("a"), .line("bb")])
        // Only the one just before the newline: a \r inside a line stays, and only one is removed.
        send(channel, "x\ry\n" + "z\r\r\n")
        XCTAssertEqual(frames(channel), [.line("x\ry"), .line("z\r")])
        finish(channel)
    }

    func testBlankAndWhitespaceOnlyLinesAreSkipped() {
        let channel = makeChannel(maxLineBytes: 64)
        send(channel, "\n\r\n   \n\t \t\r\n \r \n\r\r\n{}\n\n")
        XCTAssertEqual(frames(channel), [.line("{}")])
        // A line with content is not trimmed.
        send(channel, " x \n\tY\t\n")
        XCTAssertEqual(frames(channel), [.line(" x "), .line("\tY\t")])
        finish(channel)
    }

    // MARK: chunking

    func testALineSplitAcrossManyWrites() {
        let channel = makeChannel(maxLineBytes: 64)
        let request = #"{"jsonrpc":"2.0","id":1,"method":"system.ping"}"#
        for byte in request.utf8 {
            send(channel, [byte])
            XCTAssertEqual(frames(channel), [], "nothing is delivered before the newline")
        }
        send(channel, "\r")
        XCTAssertEqual(frames(channel), [])
        send(channel, "\n")
        XCTAssertEqual(frames(channel), [.line(request)])
        finish(channel)
    }

    func testSeveralLinesInOneWrite() {
        let channel = makeChannel(maxLineBytes: 64)
        send(channel, "1\n2\r\n\n3\n4")
        XCTAssertEqual(frames(channel), [.line("1"), .line("2"), .line("3")])
        send(channel, "5")
        XCTAssertEqual(frames(channel), [])
        send(channel, "\n6\n")
        XCTAssertEqual(frames(channel), [.line("45"), .line("6")])
        finish(channel)
    }

    // MARK: the line limit

    func testALineExactlyAtTheLimitIsAccepted() {
        let channel = makeChannel(maxLineBytes: 16)
        let exact = String(repeating: "x", count: 16)
        send(channel, exact + "\n")
        // The terminator does not count toward the limit.
        send(channel, exact + "\r\n")
        XCTAssertEqual(frames(channel), [.line(exact), .line(exact)])
        // Also when it arrives in pieces, with the \r and \n in separate writes.
        send(channel, exact)
        send(channel, "\r")
        XCTAssertEqual(frames(channel), [])
        send(channel, "\n")
        XCTAssertEqual(frames(channel), [.line(exact)])
        finish(channel)
    }

    func testOneByteOverIsTooLargeAndTheNextLineIsDelivered() {
        let channel = makeChannel(maxLineBytes: 16)
        send(channel, String(repeating: "x", count: 17) + "\n" + "next\n")
        XCTAssertEqual(frames(channel), [.tooLarge, .line("next")])
        send(channel, String(repeating: "y", count: 17) + "\r\n" + "after\r\n")
        XCTAssertEqual(frames(channel), [.tooLarge, .line("after")])
        finish(channel)
    }

    func testOneByteOverArrivingBeforeItsNewline() {
        let channel = makeChannel(maxLineBytes: 16)
        send(channel, String(repeating: "x", count: 17))
        send(channel, "\nok\n")
        XCTAssertEqual(frames(channel), [.tooLarge, .line("ok")])
        finish(channel)
    }

    func testATooLongLineArrivingInPiecesIsReportedOnceAndNotBuffered() {
        let channel = makeChannel(maxLineBytes: 16)
        send(channel, String(repeating: "a", count: 10))
        XCTAssertEqual(frames(channel), [])
        send(channel, String(repeating: "a", count: 10))
        // 20 bytes without a newline can no longer be a valid line: reported at once.
        XCTAssertEqual(frames(channel), [.tooLarge])
        for _ in 0..<98 {
            send(channel, String(repeating: "a", count: 10))
            XCTAssertEqual(frames(channel), [])
        }
        // Discarded bytes are consumed as they arrive (counted in, not held in the buffer).
        XCTAssertEqual(stats.snapshot().bytesIn, 1000)
        send(channel, "tail\nnext\n")
        XCTAssertEqual(frames(channel), [.line("next")], "no second tooLarge for the same line")
        XCTAssertEqual(stats.snapshot().bytesIn, 1010)
        finish(channel)
    }

    func testEachTooLongLineIsReportedOnce() {
        let channel = makeChannel(maxLineBytes: 16)
        let long = String(repeating: "z", count: 40)
        send(channel, long + "\n" + long + "\n" + "ok\n")
        XCTAssertEqual(frames(channel), [.tooLarge, .tooLarge, .line("ok")])
        // The same in pieces: one report per line, the next line is intact.
        send(channel, long)
        send(channel, long + "\n" + long)
        send(channel, long)
        send(channel, "\r\nfine\n")
        XCTAssertEqual(frames(channel), [.tooLarge, .tooLarge, .line("fine")])
        finish(channel)
    }

    func testTheDefaultLimitOfOneMebibyte() {
        let limits = Limits()
        let channel = makeChannel(maxLineBytes: limits.maxLineBytes)
        let exact = [UInt8](repeating: UInt8(ascii: "q"), count: 1 << 20)
        send(channel, exact + [0x0A])
        send(channel, exact + [UInt8(ascii: "q"), 0x0A])
        send(channel, "{}\n")
        let got = frames(channel)
        XCTAssertEqual(got.count, 3)
        XCTAssertEqual(got.first, .line(String(decoding: exact, as: UTF8.self)))
        XCTAssertEqual(Array(got.dropFirst()), [.tooLarge, .line("{}")])
        finish(channel)
    }

    // MARK: end of input

    func testLastLineWithoutNewlineIsDeliveredAtEOF() {
        let channel = makeChannel(maxLineBytes: 64)
        send(channel, "a\nlast")
        XCTAssertEqual(frames(channel), [.line("a")])
        endInput(channel)
        XCTAssertEqual(frames(channel), [.line("last")])
        finish(channel)
    }

    func testLastLineIsDeliveredWhenTheChannelCloses() {
        let channel = makeChannel(maxLineBytes: 64)
        send(channel, "{\"id\":1}\r")
        XCTAssertEqual(frames(channel), [])
        XCTAssertNoThrow(try channel.close().wait())
        XCTAssertEqual(frames(channel), [.line("{\"id\":1}")])
        finish(channel)
    }

    func testNothingExtraAtEOF() {
        // Input that ends with a newline, or with blanks, yields nothing more at EOF.
        let channel = makeChannel(maxLineBytes: 64)
        send(channel, "a\n \t")
        endInput(channel)
        XCTAssertEqual(frames(channel), [.line("a")])
        finish(channel)
    }

    func testTooLongLastLineAtEOF() {
        let channel = makeChannel(maxLineBytes: 16)
        send(channel, String(repeating: "x", count: 17))
        endInput(channel)
        XCTAssertEqual(frames(channel), [.tooLarge])
        finish(channel)

        // Already being discarded when the input ends: still reported only once.
        let second = makeChannel(maxLineBytes: 16)
        send(second, String(repeating: "x", count: 100))
        endInput(second)
        XCTAssertEqual(frames(second), [.tooLarge])
        finish(second)

        // Exactly at the limit at EOF is a line.
        let third = makeChannel(maxLineBytes: 16)
        send(third, String(repeating: "x", count: 16))
        endInput(third)
        XCTAssertEqual(frames(third), [.line(String(repeating: "x", count: 16))])
        finish(third)
    }

    // MARK: byte counting and chunking independence

    func testBytesInCountsEveryByteReceived() {
        let channel = makeChannel(maxLineBytes: 16)
        let input = "abc\n" + "de\r\n" + "\n" + "   \n" + String(repeating: "L", count: 30) + "\n" + "ok\n"
        send(channel, input)
        XCTAssertEqual(frames(channel), [.line("abc"), .line("de"), .tooLarge, .line("ok")])
        XCTAssertEqual(stats.snapshot().bytesIn, input.utf8.count)
        finish(channel)
    }

    func testBytesInAtEOFCountsOnlyBytesReceived() throws {
        let channel = makeChannel(maxLineBytes: 64)
        send(channel, "a\nxyz")
        endInput(channel)
        XCTAssertEqual(frames(channel), [.line("a"), .line("xyz")])
        XCTAssertEqual(stats.snapshot().bytesIn, 5)
        finish(channel)
    }

    func testRandomChunkingDoesNotChangeTheFrames() {
        let maxLineBytes = 24
        var rng = SplitMix64(seed: 0xF4A3_11E5)
        // A stream of lines of every interesting length and ending.
        var stream: [UInt8] = []
        var expected: [Got] = []
        for _ in 0..<300 {
            let length = [0, 1, 5, 23, 24, 25, 26, 60, Int.random(in: 0...80, using: &rng)].randomElement(using: &rng)!
            let blank = Int.random(in: 0..<8, using: &rng) == 0
            let content = blank
                ? String(repeating: " ", count: min(length, 3))
                : String((0..<length).map { _ in "abcdef{}\":,".randomElement(using: &rng)! })
            let crlf = Bool.random(using: &rng)
            stream += Array(content.utf8) + (crlf ? [0x0D, 0x0A] : [0x0A])
            if content.utf8.count > maxLineBytes {
                expected.append(.tooLarge)
            } else if !content.allSatisfy({ $0 == " " }) {
                expected.append(.line(content))
            }
        }
        for round in 0..<20 {
            let channel = makeChannel(maxLineBytes: maxLineBytes)
            var got: [Got] = []
            var index = 0
            while index < stream.count {
                let size = round == 0 ? stream.count : Int.random(in: 1...(round * 4), using: &rng)
                let end = min(stream.count, index + size)
                send(channel, Array(stream[index..<end]))
                got += frames(channel)
                index = end
            }
            XCTAssertEqual(got, expected, "round \(round)")
            XCTAssertEqual(stats.snapshot().bytesIn, stream.count, "round \(round)")
            finish(channel)
        }
    }
}
