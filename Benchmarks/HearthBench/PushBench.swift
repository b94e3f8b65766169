import Foundation
import HummingbirdWSClient
import NIOCore

/// What live count pushes cost the server: `subscriptions` open `notification_counts`
/// subscriptions (each for its own pubkey, 25 on each of `connections` sockets, every push
/// read by the client), measured as the `hearth serve` process's CPU time per second of
/// wall time, against the same process idle.
enum PushBench {
    static func run(port: Int, serverPID: Int32, pubkeys: [String], subscriptions: Int = 1_000, connections: Int = 40,
                    seconds: Double = 10) async throws -> [(String, String)] {
        let idle = try await cpuShare(of: serverPID, over: 5)
        let pushes = Shared(0)
        let stop = Shared(false)
        let perConnection = subscriptions / connections
        let (busy, delivered) = try await withThrowingTaskGroup(of: Void.self) { group -> (Double, Double) in
            for c in 0..<connections {
                group.addTask {
                    try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/", configuration: .init(maxFrameSize: 1 << 20),
                                                      logger: quietLogger("bench-push")) { inbound, outbound, _ in
                        for s in 0..<perConnection {
                            let pubkey = pubkeys[(c * perConnection + s) % pubkeys.count]
                            try await outbound.write(.text("[\"REQ\",\"n\(s)\",{\"cache\":[\"notification_counts\",{\"pubkey\":\"\(pubkey)\"}]}]"))
                        }
                        var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                        while !stop.value, let message = try await messages.next() {
                            if case .text(let text) = message, text.hasPrefix("[\"EVENT\"") { pushes.update { $0 += 1 } }
                        }
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                }
            }
            // Let every subscription get its first (full) count, then measure steady state.
            try await Task.sleep(for: .seconds(3))
            let before = pushes.value
            let busy = try await cpuShare(of: serverPID, over: seconds)
            let delivered = Double(pushes.value - before) / seconds
            stop.update { $0 = true }
            group.cancelAll()
            return (busy, delivered)
        }
        return [
            ("server CPU, idle (no subscriptions)", percent(idle)),
            ("server CPU, \(subscriptions) notification_counts subscriptions", percent(busy)),
            ("  difference (target ≤ 5% of one core)", percent(max(0, busy - idle))),
            ("  pushes delivered", String(format: "%.0f/s", delivered)),
        ]
    }

    static func percent(_ share: Double) -> String { String(format: "%.1f%% of one core", share * 100) }

    /// CPU seconds the process used per wall second over `seconds` (from /proc).
    static func cpuShare(of pid: Int32, over seconds: Double) async throws -> Double {
        let start = try cpuSeconds(pid), wallStart = Date()
        try await Task.sleep(for: .milliseconds(Int64(seconds * 1_000)))
        return (try cpuSeconds(pid) - start) / Date().timeIntervalSince(wallStart)
    }

    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name (which may hold spaces) start after the last ')'.
        guard let close = stat.lastIndex(of: ")") else { throw BenchError("unreadable /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw BenchError("unreadable /proc/\(pid)/stat")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
