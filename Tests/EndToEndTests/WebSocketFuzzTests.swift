import Corpus
import Foundation
import StoreConformance
import Testing

/// Raw frames over a real socket, chosen at random from what RFC 6455 forbids or allows in
/// odd ways: unmasked, fragmented with control frames between the pieces, oversized, bad
/// UTF-8 (also split across fragments), reserved opcodes and bits, continuations out of
/// place, a close in the middle of a message. Each gets its defined answer, the server
/// stays up, and a bystander is served throughout. `make fuzz` runs more with a random seed.
@Suite(.serialized) struct WebSocketFuzzTests {
    enum Expected: CustomStringConvertible {
        /// A close frame with this code.
        case close(Int)
        /// An EOSE for this subscription (and a pong per ping).
        case eose(String, pongs: Int)
        /// A NOTICE starting with this text.
        case notice(String)

        var description: String {
            switch self {
            case .close(let code): "close \(code)"
            case .eose(let id, let pongs): "EOSE \(id) and \(pongs) pongs"
            case .notice(let text): "NOTICE \(text)"
            }
        }
    }

    static let maxFrame = 64 * 1024

    @Test func serverAnswersEveryFrameSequenceAndStaysUp() async throws {
        let seed = FuzzSettings.seed
        var rng = SplitMix64(seed: seed)
        let server = try await TestServer.start(configure: {
            $0.maxFrameBytes = Self.maxFrame
            $0.maxMessageBytes = 16 * 1024
        })
        let bystander = TestClient(url: server.url)
        for round in 0..<(60 * FuzzSettings.scale) {
            let raw = try RawWebSocket(port: server.port, receiveBuffer: 1 << 20)
            let (frames, expected) = Self.scenario(round, &rng)
            raw.write(frames)
            let received = await raw.readFrames(within: 5) { Self.satisfied(expected, by: $0) }
            #expect(Self.satisfied(expected, by: received),
                    "seed \(seed), round \(round): expected \(expected), got \(received.map { ($0.opcode, String(decoding: $0.payload.prefix(80), as: UTF8.self)) })")
            if round % 10 == 9 {
                #expect(await HostileInputTests.bystanderWorks(server, bystander, "fuzz-\(round)"), "seed \(seed), round \(round)")
            }
        }
        #expect(await HostileInputTests.bystanderWorks(server, bystander, "fuzz-end"))
        let (status, _, _) = try await server.get("/health")
        #expect(status == 200)
        bystander.close()
        await server.stop()
    }

    static func satisfied(_ expected: Expected, by frames: [(opcode: UInt8, payload: [UInt8])]) -> Bool {
        switch expected {
        case .close(let code):
            return frames.contains { $0.opcode == 0x8 && $0.payload.count >= 2 && Int($0.payload[0]) << 8 | Int($0.payload[1]) == code }
        case .eose(let id, let pongs):
            let texts = frames.filter { $0.opcode == 0x1 }.map { String(decoding: $0.payload, as: UTF8.self) }
            return texts.contains(#"["EOSE","\#(id)"]"#) && frames.filter { $0.opcode == 0xA }.count == pongs
        case .notice(let text):
            return frames.contains { $0.opcode == 0x1 && String(decoding: $0.payload, as: UTF8.self).hasPrefix(#"["NOTICE",""# + text) }
        }
    }

    /// One random frame sequence and what the server must answer.
    static func scenario(_ round: Int, _ rng: inout SplitMix64) -> ([UInt8], Expected) {
        let frame = RawWebSocket.frame
        let request = Array(#"["REQ","f\#(round)",{"kinds":[1],"limit":0}]"#.utf8)
        switch rng.below(12) {
        case 0, 1:
            // A valid message in pieces, with pings (and pongs, which need no answer) between.
            var bytes: [UInt8] = [], pings = 0
            let cuts = (0..<rng.below(5)).map { _ in 1 + rng.below(request.count - 1) }.sorted()
            let pieces = zip([0] + cuts, cuts + [request.count]).map { Array(request[$0..<$1]) }
            for (i, piece) in pieces.enumerated() {
                bytes += frame(i == pieces.count - 1, i == 0 ? 0x1 : 0x0, piece, true)
                if i < pieces.count - 1, rng.chance(0.5) {
                    if rng.chance(0.7) { bytes += frame(true, 0x9, Array("p\(i)".utf8), true); pings += 1 }
                    else { bytes += frame(true, 0xA, [], true) }
                }
            }
            return (bytes, .eose("f\(round)", pongs: pings))
        case 2:
            return (frame(true, rng.chance(0.5) ? 0x1 : 0x2, request, false), .close(1002))
        case 3:
            // Bad UTF-8, whole or split across two fragments.
            let bad = rng.pick([[0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] as [[UInt8]])
            let text = Array(#"["REQ",""#.utf8) + bad + Array(#"",{}]"#.utf8)
            guard rng.chance(0.5) else { return (frame(true, 0x1, text, true), .close(1007)) }
            let cut = 8 + rng.below(bad.count)
            return (frame(false, 0x1, Array(text[..<cut]), true) + frame(true, 0x0, Array(text[cut...]), true), .close(1007))
        case 4:
            // Past the frame cap, in one frame or in pieces.
            let big = [UInt8](repeating: 0x61, count: maxFrame + 1 + rng.below(1_000))
            guard rng.chance(0.5) else { return (frame(true, 0x1, big, true), .close(1009)) }
            let half = big.count / 2
            return (frame(false, 0x1, Array(big[..<half]), true) + frame(true, 0x0, Array(big[half...]), true), .close(1009))
        case 5:
            // A control frame longer than 125 bytes, or fragmented.
            if rng.chance(0.5) { return (frame(true, 0x9, [UInt8](repeating: 1, count: 126 + rng.below(200)), true), .close(1002)) }
            return (frame(false, 0x9, [1], true), .close(1002))
        case 6:
            return (frame(rng.chance(0.5), 0x0, request, true), .close(1002))
        case 7:
            // A new message before the last one ended.
            return (frame(false, 0x1, Array(request.prefix(5)), true) + frame(true, 0x1, request, true), .close(1002))
        case 8:
            return (frame(true, rng.pick([0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF]), [1, 2, 3], true), .close(1002))
        case 9:
            // Reserved bits set (no extension was negotiated).
            var bytes = frame(true, 0x1, request, true)
            bytes[0] |= rng.pick([0x40, 0x20, 0x10])
            return (bytes, .close(1002))
        case 10:
            // Close in the middle of a message: the close is answered.
            return (frame(false, 0x1, Array(request.prefix(7)), true) + frame(true, 0x8, [0x03, 0xE8], true), .close(1000))
        default:
            return (frame(true, 0x2, request, true), .notice("invalid: binary frames are not accepted"))
        }
    }
}
