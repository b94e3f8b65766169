#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A deliberately bad WebSocket client on a bare TCP socket: it upgrades, sends frames,
/// and then reads nothing, as a stalled phone would. (Tests only; the product uses NIO's
/// framing.)
final class RawWebSocket {
    let fd: Int32

    init(port: Int, receiveBuffer: Int32 = 4096) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var size = receiveBuffer
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        write(Array("GET / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n".utf8)
              + Array("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".utf8))
        var response: [UInt8] = []
        var byte: UInt8 = 0
        while !response.suffix(4).elementsEqual([13, 10, 13, 10]), recv(fd, &byte, 1, 0) == 1 { response.append(byte) }
        guard String(decoding: response, as: UTF8.self).hasPrefix("HTTP/1.1 101") else { throw POSIXError(.EPROTO) }
    }

    deinit { Glibc.close(fd) }

    func write(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    /// Sends one masked text frame (RFC 6455 §5.2).
    func sendText(_ text: String) { sendFrame(opcode: 0x1, Array(text.utf8)) }

    /// Sends one frame exactly as asked, whatever the RFC says: unmasked, without FIN, with
    /// a control opcode and a long payload...
    func sendFrame(fin: Bool = true, opcode: UInt8, _ payload: [UInt8], masked: Bool = true) {
        write(Self.frame(fin: fin, opcode: opcode, payload, masked: masked))
    }

    static func frame(fin: Bool = true, opcode: UInt8, _ payload: [UInt8], masked: Bool = true) -> [UInt8] {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            frame.append(maskBit | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8((payload.count >> shift) & 0xFF)) }
        }
        guard masked else { return frame + payload }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        return frame + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    /// The frames the server sends until it closes the socket, `seconds` pass, or `stop`
    /// says enough: opcode and payload (servers never mask).
    /// Async, and it sleeps with `Task.sleep`: a blocking wait would hold one of the few
    /// threads the server under test runs on.
    func readFrames(within seconds: Double, stop: ([(opcode: UInt8, payload: [UInt8])]) -> Bool = { _ in false }) async
        -> [(opcode: UInt8, payload: [UInt8])] {
        let deadline = Date().addingTimeInterval(seconds)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                received += buffer[0..<n]
                if stop(Self.frames(in: received)) { break }
                continue
            }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { try? await Task.sleep(for: .milliseconds(5)); continue }
            break
        }
        return Self.frames(in: received)
    }

    /// The whole frames at the start of `bytes`.
    static func frames(in bytes: [UInt8]) -> [(opcode: UInt8, payload: [UInt8])] {
        var frames: [(UInt8, [UInt8])] = []
        var i = 0
        while i + 2 <= bytes.count {
            let opcode = bytes[i] & 0x0F
            var length = Int(bytes[i + 1] & 0x7F)
            var start = i + 2
            if length == 126 {
                guard start + 2 <= bytes.count else { break }
                length = Int(bytes[start]) << 8 | Int(bytes[start + 1])
                start += 2
            } else if length == 127 {
                guard start + 8 <= bytes.count else { break }
                length = bytes[start..<start + 8].reduce(0) { $0 << 8 | Int($1) }
                start += 8
            }
            guard start + length <= bytes.count else { break }
            frames.append((opcode, Array(bytes[start..<start + length])))
            i = start + length
        }
        return frames
    }

    /// The status code of the server's close frame, if it sent one within `seconds`.
    func closeCode(within seconds: Double) async -> Int? {
        let frames = await readFrames(within: seconds) { $0.contains { $0.opcode == 0x8 } }
        guard let close = frames.first(where: { $0.opcode == 0x8 }), close.payload.count >= 2 else { return nil }
        return Int(close.payload[0]) << 8 | Int(close.payload[1])
    }

    /// True once the server has closed the connection (reads drain what is buffered).
    func isClosedByServer(within seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65536)
        var flags = fcntl(fd, F_GETFL)
        flags |= O_NONBLOCK
        _ = fcntl(fd, F_SETFL, flags)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { return true }
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { try? await Task.sleep(for: .milliseconds(20)); continue }
                return true
            }
        }
        return false
    }
}
