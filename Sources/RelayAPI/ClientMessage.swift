import Nostr

/// A message from a client (NIP-01, NIP-45), parsed from one WebSocket text frame.
public enum ClientMessage: Sendable {
    /// `["REQ", id, filter, …]`; the filters stay raw JSON so a Primal cache request
    /// (`{"cache": [op, params]}`) can be told apart.
    case req(subscription: String, filters: [JSONValue])
    /// `["COUNT", id, filter, …]` (NIP-45).
    case count(subscription: String, filters: [JSONValue])
    case close(subscription: String)
    /// `["EVENT", event]`, with the event object's bytes as received.
    case event(Event, json: [UInt8])
    /// `["EVENT", …]` whose event did not parse; the id, when it could be read, is for the
    /// `OK` reply.
    case invalidEvent(id: EventID?, reason: String)
    case auth
    /// Well-formed JSON array with a verb this relay does not know.
    case unknown(verb: String)

    /// The longest subscription id accepted.
    public static let maxSubscriptionIDLength = 256

    /// Parses a frame. Throws `JSONError` with a sentence for the `NOTICE` when the frame
    /// is not a JSON array starting with a string.
    public init(_ bytes: UnsafeRawBufferPointer) throws {
        var reader = JSONReader(bytes)
        guard reader.consume(0x5B) else { throw JSONError("a message must be a JSON array") }
        guard reader.peek() == 0x22 else { throw JSONError("a message must start with a verb string") }
        let verb = try reader.readString()
        switch verb {
        case "EVENT":
            try reader.expect(0x2C, "an event after \"EVENT\"")
            let start = reader.position
            do {
                let event = try EventParser.parse(&reader)
                let json = Array(UnsafeRawBufferPointer(rebasing: bytes[reader.position(after: start)..<reader.position]))
                try reader.expect(0x5D, "']' after the event")
                try reader.expectEnd()
                self = .event(event, json: json)
            } catch {
                self = .invalidEvent(id: ClientMessage.idGuess(bytes, from: start), reason: "\(error)")
            }
        case "REQ", "COUNT":
            try reader.expect(0x2C, "a subscription id")
            let subscription = try ClientMessage.subscriptionID(&reader)
            var filters: [JSONValue] = []
            while reader.consume(0x2C) { filters.append(try JSONValue.parse(&reader)) }
            try reader.expect(0x5D, "']' at the end of the message")
            try reader.expectEnd()
            self = verb == "REQ" ? .req(subscription: subscription, filters: filters) : .count(subscription: subscription, filters: filters)
        case "CLOSE":
            try reader.expect(0x2C, "a subscription id")
            let subscription = try ClientMessage.subscriptionID(&reader)
            // The Primal web app appends a third element; it is ignored.
            while reader.consume(0x2C) { try reader.skipValue() }
            try reader.expect(0x5D, "']' at the end of the message")
            self = .close(subscription: subscription)
        case "AUTH":
            self = .auth
        default:
            self = .unknown(verb: verb)
        }
    }

    public init(_ text: String) throws {
        var text = text
        self = try text.withUTF8 { try ClientMessage(UnsafeRawBufferPointer($0)) }
    }

    /// What a refusal needs to name the request: the verb and its subscription id (or the
    /// event's id), read from the first elements only. For messages refused before they are
    /// parsed (rate limits); nil when the frame does not even start like a message.
    public static func head(_ text: String) -> Head? {
        var text = text
        return text.withUTF8 { utf8 -> Head? in
            let bytes = UnsafeRawBufferPointer(utf8)
            var reader = JSONReader(bytes)
            guard reader.consume(0x5B), reader.peek() == 0x22, let verb = try? reader.readString() else { return nil }
            switch verb {
            case "REQ", "COUNT":
                guard reader.consume(0x2C), let subscription = try? subscriptionID(&reader) else { return nil }
                guard verb == "REQ" else { return .count(subscription: subscription) }
                let isCache = reader.consume(0x2C) && reader.consume(0x7B) && reader.peek() == 0x22
                    && (try? reader.readString()) == "cache"
                return .req(subscription: subscription, isCache: isCache)
            case "EVENT":
                return .event(id: idGuess(bytes, from: reader.position))
            default:
                return .other
            }
        }
    }

    /// The first elements of a message (see `head(_:)`).
    public enum Head: Equatable, Sendable {
        case req(subscription: String, isCache: Bool)
        case count(subscription: String)
        case event(id: EventID?)
        case other
    }

    private static func subscriptionID(_ reader: inout JSONReader) throws -> String {
        guard reader.peek() == 0x22, let id = try? reader.readString() else {
            throw JSONError("the subscription id must be a string")
        }
        guard !id.isEmpty, id.utf8.count <= maxSubscriptionIDLength else {
            throw JSONError("the subscription id must be 1 to \(maxSubscriptionIDLength) bytes")
        }
        return id
    }

    /// The `"id"` of a malformed event, when one can be read, so the client gets an `OK`.
    private static func idGuess(_ bytes: UnsafeRawBufferPointer, from start: Int) -> EventID? {
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start...]), as: UTF8.self)
        guard let key = text.firstRange(of: "\"id\"") else { return nil }
        let rest = text[key.upperBound...].drop { $0 == " " || $0 == ":" || $0 == "\"" }
        return EventID(hex: String(rest.prefix(64)))
    }
}

extension JSONReader {
    /// The position of the first non-whitespace byte at or after `start`.
    func position(after start: Int) -> Int {
        var i = start
        while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
        return i
    }
}
