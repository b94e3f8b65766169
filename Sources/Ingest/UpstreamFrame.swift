import Nostr

/// A message from an upstream relay (NIP-01 relay-to-client), parsed from one text frame.
enum UpstreamFrame {
    /// `["EVENT", sub, event]`, parsed, with the event object's bytes as received.
    case event(subscription: String, event: Event, json: [UInt8])
    /// An EVENT whose id was seen moments ago: not parsed at all, only its `created_at`
    /// peeked (catch-up pages on it).
    case copy(subscription: String, createdAt: Int64?)
    /// An EVENT whose object does not parse as an event.
    case invalidEvent(subscription: String, reason: String)
    case eose(subscription: String)
    case closed(subscription: String, message: String)
    case notice(String)
    /// OK, AUTH, COUNT and anything else a reading client may ignore.
    case other(verb: String)

    /// Throws `JSONError` when the frame is not a JSON array starting with a verb.
    static func parse(_ bytes: UnsafeRawBufferPointer, isKnown: (EventID) -> Bool) throws -> UpstreamFrame {
        var reader = JSONReader(bytes)
        guard reader.consume(0x5B), reader.peek() == 0x22 else { throw JSONError("a relay message must be a JSON array starting with a verb") }
        let verb = try reader.readString()
        switch verb {
        case "EVENT":
            try reader.expect(0x2C, "a subscription id")
            let subscription = try reader.readString()
            try reader.expect(0x2C, "an event")
            reader.skipWhitespace()
            let start = reader.position
            let object = UnsafeRawBufferPointer(rebasing: bytes[start...])
            if let id = EventFieldPeek.id(object), isKnown(id) {
                return .copy(subscription: subscription, createdAt: EventFieldPeek.createdAt(object))
            }
            do {
                let event = try EventParser.parse(&reader)
                let json = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<reader.position]))
                try reader.expect(0x5D, "']' after the event")
                return .event(subscription: subscription, event: event, json: json)
            } catch {
                return .invalidEvent(subscription: subscription, reason: "\(error)")
            }
        case "EOSE":
            try reader.expect(0x2C, "a subscription id")
            return .eose(subscription: try reader.readString())
        case "CLOSED":
            try reader.expect(0x2C, "a subscription id")
            let subscription = try reader.readString()
            let message = reader.consume(0x2C) ? ((try? reader.readString()) ?? "") : ""
            return .closed(subscription: subscription, message: message)
        case "NOTICE":
            try reader.expect(0x2C, "a message")
            return .notice(try reader.readString())
        default:
            return .other(verb: verb)
        }
    }
}
