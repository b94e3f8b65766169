import Nostr

/// Messages to clients (NIP-01, NIP-45), serialized to the bytes of one text frame.
public enum RelayMessage {
    /// `["EVENT", id, <event JSON as stored>]`
    /// `["EVENT",<subscription>,`: what comes before an event's JSON (and `]` after it).
    public static func eventPrefix(_ subscription: String) -> [UInt8] {
        var writer = JSONWriter(capacity: subscription.utf8.count + 16)
        writer.raw("[\"EVENT\",".utf8)
        writer.string(subscription)
        writer.byte(0x2C)
        return writer.bytes
    }

    public static func event(_ subscription: String, json: [UInt8]) -> [UInt8] {
        var writer = JSONWriter(capacity: json.count + subscription.utf8.count + 16)
        writer.raw("[\"EVENT\",".utf8)
        writer.string(subscription)
        writer.byte(0x2C)
        writer.raw(json)
        writer.byte(0x5D)
        return writer.bytes
    }

    /// `["EVENTS", id, [obj, …]]`: a whole cache response in one message (Primal's zlib mode).
    public static func events(_ subscription: String, objects: [[UInt8]]) -> [UInt8] {
        var writer = JSONWriter(capacity: objects.reduce(subscription.utf8.count + 16) { $0 + $1.count + 1 })
        writer.raw("[\"EVENTS\",".utf8)
        writer.string(subscription)
        writer.raw(",[".utf8)
        for (i, object) in objects.enumerated() {
            if i > 0 { writer.byte(0x2C) }
            writer.raw(object)
        }
        writer.raw("]]".utf8)
        return writer.bytes
    }

    public static func eose(_ subscription: String) -> [UInt8] {
        var writer = JSONWriter(capacity: subscription.utf8.count + 12)
        writer.array { a in a.string("EOSE"); a.string(subscription) }
        return writer.bytes
    }

    public static func ok(_ id: EventID, accepted: Bool, _ message: String) -> [UInt8] {
        var writer = JSONWriter(capacity: 100 + message.utf8.count)
        writer.array { a in
            a.string("OK")
            a.hex(id)
            a.raw(accepted ? Array("true".utf8) : Array("false".utf8))
            a.string(message)
        }
        return writer.bytes
    }

    public static func notice(_ message: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.array { a in a.string("NOTICE"); a.string(message) }
        return writer.bytes
    }

    /// A NOTICE that names the subscription it is about (Primal's cache protocol).
    public static func notice(_ subscription: String, _ message: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.array { a in a.string("NOTICE"); a.string(subscription); a.string(message) }
        return writer.bytes
    }

    /// `["CLOSED", id, "prefix: reason"]`: the relay ended a subscription.
    public static func closed(_ subscription: String, _ message: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.array { a in a.string("CLOSED"); a.string(subscription); a.string(message) }
        return writer.bytes
    }

    public static func count(_ subscription: String, _ count: Int) -> [UInt8] {
        var writer = JSONWriter()
        writer.array { a in
            a.string("COUNT")
            a.string(subscription)
            a.object { o in o.int("count", count) }
        }
        return writer.bytes
    }
}
