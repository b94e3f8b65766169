import CompressNIO
import Foundation
import NIOCore
import Nostr

/// One cache response as a client sees it: the objects in arrival order, or the NOTICE.
struct CacheReply: @unchecked Sendable {
    var objects: [[String: Any]] = []
    var notice: String?
    /// Arrived as one zlib `EVENTS` frame.
    var compressed = false

    var kinds: Set<Int> { Set(objects.compactMap { $0["kind"] as? Int }) }

    func ofKind(_ kind: Int) -> [[String: Any]] { objects.filter { $0["kind"] as? Int == kind } }

    /// Real signed events (they have an id and a signature).
    var events: [[String: Any]] { objects.filter { $0["sig"] != nil } }

    func events(kind: Int) -> [[String: Any]] { events.filter { $0["kind"] as? Int == kind } }

    /// The parsed `content` of every object of a synthetic kind.
    func contents(_ kind: Int) -> [Any] {
        ofKind(kind).compactMap { ($0["content"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8), options: .fragmentsAllowed) } }
    }

    /// The parsed content of the only object of a kind.
    func content(_ kind: Int) -> [String: Any]? { contents(kind).first as? [String: Any] }

    /// RANGE objects in order.
    var ranges: [[String: Any]] { contents(10_000_113).compactMap { $0 as? [String: Any] } }

    /// The `elements` of the last RANGE.
    var elements: [String] { ranges.last?["elements"] as? [String] ?? [] }

    /// EVENT_STATS by event id.
    var stats: [String: [String: Any]] {
        var found: [String: [String: Any]] = [:]
        for case let object as [String: Any] in contents(10_000_100) { found[object["event_id"] as! String] = object }
        return found
    }

    /// `{pk: count}` objects (USER_SCORES, USER_FOLLOWER_COUNTS) merged.
    func counts(_ kind: Int) -> [String: Int] {
        var merged: [String: Int] = [:]
        for case let object as [String: Int] in contents(kind) { merged.merge(object) { _, new in new } }
        return merged
    }

    /// The ids of real events of a kind.
    func ids(kind: Int) -> Set<String> { Set(events(kind: kind).compactMap { $0["id"] as? String }) }

    /// Events wrapped as REFERENCED_EVENT, parsed.
    var referenced: [[String: Any]] { contents(10_000_107).compactMap { $0 as? [String: Any] } }
}

extension TestClient {
    /// Sends `["REQ", sub, {"cache": [op, params]}]` and collects the answer up to EOSE.
    func cache(_ op: String, _ params: [String: Any]? = nil, sub: String = "cache", timeout: Double = 10) async -> CacheReply? {
        var request: [Any] = [op]
        if let params { request.append(params) }
        send(json: ["REQ", sub, ["cache": request]])
        return await cacheReply(sub, timeout: timeout)
    }

    /// Reads one cache response (text EVENTs or a zlib EVENTS frame, then EOSE).
    func cacheReply(_ sub: String, timeout: Double = 10) async -> CacheReply? {
        var reply = CacheReply()
        while let message = await next(timeout: timeout) {
            switch message {
            case .binary(let bytes):
                guard let array = Self.inflate(bytes), array.count == 3, array[0] as? String == "EVENTS",
                      array[1] as? String == sub, let objects = array[2] as? [[String: Any]] else { return nil }
                reply.objects += objects
                reply.compressed = true
            case .text(let text):
                guard let array = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any],
                      let verb = array.first as? String, array.count >= 2, array[1] as? String == sub else { continue }
                switch verb {
                case "EVENT": if let object = array[2] as? [String: Any] { reply.objects.append(object) }
                case "NOTICE": reply.notice = array[2] as? String
                case "EOSE": return reply
                default: return nil
                }
            }
        }
        return nil
    }

    /// zlib (RFC 1950) → JSON array.
    static func inflate(_ bytes: [UInt8]) -> [Any]? {
        guard bytes.first == 0x78 else { return nil }
        var buffer = ByteBuffer(bytes: bytes)
        guard var inflated = try? buffer.decompress(with: .zlib()),
              let bytes = inflated.readBytes(length: inflated.readableBytes) else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(bytes)) as? [Any]
    }
}
