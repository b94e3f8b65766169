/// A NIP-57 zap receipt (kind 9735), read the way Primal counts zaps.
///
/// Valid when it has a `p` tag (the receiver), a `description` holding the zap request
/// (whose pubkey is the sender) and a `bolt11` invoice with an amount of at most
/// 1,100,000 sats. The zapped event is the `e` tag, else the `a` tag; neither means a zap
/// of the profile.
public struct ZapReceipt: Hashable, Sendable {
    public static let maxSats: UInt64 = 1_100_000

    public let receiver: PublicKey
    public let sender: PublicKey
    public let amountSats: UInt64
    public let target: EventReference?
    /// The zap request's content (the zapper's message).
    public let message: String

    public init?(event: Event) {
        guard event.kind == 9735,
              let receiver = event.firstTagValue("p").flatMap(PublicKey.init(hex:)),
              let invoice = event.firstTagValue("bolt11"),
              let millisats = (try? Bolt11.amountMillisats(invoice)) ?? nil,
              let description = event.firstTagValue("description"),
              let request = (try? JSONValue.parse(description))?.objectValue,
              let sender = request["pubkey"]?.stringValue.flatMap(PublicKey.init(hex:))
        else { return nil }
        let sats = millisats / 1000
        guard sats <= ZapReceipt.maxSats else { return nil }
        self.receiver = receiver
        self.sender = sender
        amountSats = sats
        message = request["content"]?.stringValue ?? ""
        if let id = event.firstTagValue("e").flatMap(EventID.init(hex:)) {
            target = .id(id)
        } else if let address = event.firstTagValue("a").flatMap(EventAddress.init) {
            target = .address(address)
        } else {
            target = nil
        }
    }
}

/// How kind 7 reactions count (NIP-25, as Primal reads it).
public enum Reaction {
    /// A like: empty content, or content starting with `+`, 🤙 or ❤.
    public static func isLike(_ content: String) -> Bool {
        guard let first = content.unicodeScalars.first else { return true }
        return first == "+" || first == "\u{1F919}" || first == "\u{2764}"
    }

    /// The reacted-to event: the last `e` tag (NIP-25), else the last `a` tag.
    public static func target(of event: Event) -> EventReference? {
        if let id = event.tags.last(where: { $0.count >= 2 && $0[0] == "e" }).flatMap({ EventID(hex: $0[1]) }) {
            return .id(id)
        }
        return event.tags.last(where: { $0.count >= 2 && $0[0] == "a" }).flatMap { EventAddress($0[1]) }.map(EventReference.address)
    }
}
