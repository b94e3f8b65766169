/// What an event points at in a thread: an event id or an address (`a` tag).
public enum EventReference: Hashable, Sendable {
    case id(EventID)
    case address(EventAddress)
}

/// NIP-10 thread structure of a note: its root, the event it replies to, and mentions.
///
/// Marked `e`/`a` tags (`root`, `reply`, `mention`) win; when no tag is marked `root` or
/// `reply`, the deprecated positional scheme applies to the unmarked `e` tags: one tag is
/// both root and parent, several mean first = root and last = parent, the rest mentions.
/// Kind 1111 comments (NIP-22) use `E`/`A` for the root and `e`/`a` for the parent.
public struct ThreadReferences: Hashable, Sendable {
    public var root: EventReference?
    /// The direct parent (`reply`, else `root`).
    public var parent: EventReference?
    public var mentions: [EventReference]

    public init(root: EventReference? = nil, parent: EventReference? = nil, mentions: [EventReference] = []) {
        self.root = root
        self.parent = parent
        self.mentions = mentions
    }

    public var isReply: Bool { parent != nil }

    public init(event: Event) {
        self.init()
        if event.kind == 1111 {
            readComment(event.tags)
        } else {
            readNIP10(event.tags)
        }
    }

    private static func reference(_ tag: [String]) -> EventReference? {
        guard tag.count >= 2 else { return nil }
        switch tag[0] {
        case "e", "E": return EventID(hex: tag[1]).map(EventReference.id)
        case "a", "A": return EventAddress(tag[1]).map(EventReference.address)
        default: return nil
        }
    }

    private mutating func readNIP10(_ tags: [[String]]) {
        var reply: EventReference?
        var unmarked: [EventReference] = []
        for tag in tags where tag.first == "e" || tag.first == "a" {
            guard let ref = ThreadReferences.reference(tag) else { continue }
            switch tag.count >= 4 ? tag[3] : "" {
            case "root": if root == nil { root = ref }
            case "reply": if reply == nil { reply = ref }
            case "mention": mentions.append(ref)
            default: if tag[0] == "e" { unmarked.append(ref) }
            }
        }
        if root != nil || reply != nil {
            parent = reply ?? root
            if root == nil { root = reply }
            mentions += unmarked
        } else if let first = unmarked.first, let last = unmarked.last {
            root = first
            parent = last
            if unmarked.count > 2 { mentions += unmarked[1..<(unmarked.count - 1)] }
        }
    }

    private mutating func readComment(_ tags: [[String]]) {
        for tag in tags {
            guard let ref = ThreadReferences.reference(tag) else { continue }
            switch tag[0] {
            case "E", "A": if root == nil { root = ref }
            default: if parent == nil { parent = ref }
            }
        }
        if parent == nil { parent = root }
    }
}
