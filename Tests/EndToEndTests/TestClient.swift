import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization

/// A WebSocket client for tests: send text or binary, await the next message with a
/// timeout, close. Built on HummingbirdWSClient (real frames over a real socket).
final class TestClient: Sendable {
    enum Message: Sendable, Equatable {
        case text(String)
        case binary([UInt8])

        var text: String? { if case .text(let t) = self { return t } else { return nil } }
    }

    private let outgoing: AsyncStream<Message>.Continuation
    private let inbox = Inbox()
    private let task: Task<Void, Never>
    private let closeCode = CloseRecord()

    init(url: String, maxFrameSize: Int = 16 << 20) {
        let (outStream, outContinuation) = AsyncStream<Message>.makeStream()
        outgoing = outContinuation
        let inbox = self.inbox
        var logger = Logger(label: "test-client")
        logger.logLevel = .critical
        let closeCode = self.closeCode
        task = Task {
            do {
                let frame = try await WebSocketClient.connect(
                    url: url, configuration: .init(maxFrameSize: maxFrameSize), logger: logger
                ) { inbound, outbound, _ in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await message in outStream {
                                switch message {
                                case .text(let text): try await outbound.write(.text(text))
                                case .binary(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                                }
                            }
                        }
                        for try await message in inbound.messages(maxSize: maxFrameSize) {
                            switch message {
                            case .text(let text): inbox.push(.text(text))
                            case .binary(let buffer): inbox.push(.binary(Array(buffer.readableBytesView)))
                            }
                        }
                        group.cancelAll()
                    }
                }
                closeCode.set(frame.map { "\($0.closeCode)" } ?? "closed")
            } catch {
                closeCode.set("error: \(error)")
            }
            inbox.finish()
        }
    }

    func send(_ text: String) { outgoing.yield(.text(text)) }
    func sendBinary(_ bytes: [UInt8]) { outgoing.yield(.binary(bytes)) }

    /// Sends a JSON array built from Foundation values.
    func send(json: [Any]) {
        send(String(decoding: try! JSONSerialization.data(withJSONObject: json, options: [.withoutEscapingSlashes]), as: UTF8.self))
    }

    /// The next message, or nil when the connection ended or `timeout` passed.
    func next(timeout: Double = 5) async -> Message? {
        await inbox.next(timeout: timeout)
    }

    /// The next message parsed as a JSON array.
    func nextJSON(timeout: Double = 5) async -> [Any]? {
        guard let message = await next(timeout: timeout), let text = message.text else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any]
    }

    /// Reads messages until one whose first element is `verb` (and second `subscription`).
    func until(_ verb: String, _ subscription: String? = nil, timeout: Double = 5) async -> (found: [Any]?, before: [[Any]]) {
        var before: [[Any]] = []
        while let message = await nextJSON(timeout: timeout) {
            if message.first as? String == verb, subscription == nil || message.count > 1 && message[1] as? String == subscription {
                return (message, before)
            }
            before.append(message)
        }
        return (nil, before)
    }

    var ended: String? { closeCode.value }

    func close() {
        outgoing.finish()
        task.cancel()
    }
}

/// Received messages, and at most one reader waiting for the next, with a timeout.
final class Inbox: Sendable {
    private struct State {
        var messages: [TestClient.Message] = []
        var waiter: (id: Int, continuation: CheckedContinuation<TestClient.Message?, Never>)?
        var finished = false
        var nextID = 0
    }

    private let state = Mutex(State())

    func push(_ message: TestClient.Message) {
        let waiter: CheckedContinuation<TestClient.Message?, Never>? = state.withLock { state in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.messages.append(message)
            return nil
        }
        waiter?.resume(returning: message)
    }

    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<TestClient.Message?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter?.continuation
        }
        waiter?.resume(returning: nil)
    }

    func next(timeout: Double) async -> TestClient.Message? {
        await withCheckedContinuation { continuation in
            let (ready, id): (TestClient.Message??, Int) = state.withLock { state in
                if !state.messages.isEmpty { return (.some(state.messages.removeFirst()), 0) }
                if state.finished { return (.some(nil), 0) }
                state.nextID += 1
                state.waiter = (state.nextID, continuation)
                return (nil, state.nextID)
            }
            if let ready { continuation.resume(returning: ready); return }
            Task {
                try? await Task.sleep(for: .seconds(timeout))
                let expired = self.state.withLock { state -> CheckedContinuation<TestClient.Message?, Never>? in
                    guard let waiter = state.waiter, waiter.id == id else { return nil }
                    state.waiter = nil
                    return waiter.continuation
                }
                expired?.resume(returning: nil)
            }
        }
    }
}

/// How the connection ended, once it has.
final class CloseRecord: Sendable {
    private let state = Mutex<String?>(nil)
    func set(_ value: String) { state.withLock { $0 = value } }
    var value: String? { state.withLock { $0 } }
}
