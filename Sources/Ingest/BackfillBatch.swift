import Nostr
import Store

/// What one backfill REQ asks for, and what came back of its current page.
///
/// Pubkeys: `{"kinds":[0,3,10002],"authors":[…],"limit":500}`, paged back with `until`
/// while the relay answers full pages (a relay may keep old versions, or cap lower than
/// three kinds of 500 authors). Events: `{"ids":[…]}` and, for addresses, one filter each
/// (at most `maxAddresses`; the rest are `unused`, for another batch).
struct BackfillBatch: Sendable {
    static let maxAddresses = 10

    let targets: [BackfillTarget]
    let unused: [BackfillTarget]
    private let filters: [Filter]
    private let pages: Bool
    private let pageLimit: Int
    private(set) var events: [(Event, [UInt8])] = []
    private var pageCount = 0
    private var pageOldest: Int64?
    private var until: Int64?
    private var pageNumber = 1

    init(_ taken: [BackfillTarget], pageLimit: Int) {
        self.pageLimit = pageLimit
        var pubkeys: [PublicKey] = [], ids: [EventID] = [], addresses: [EventAddress] = []
        var unused: [BackfillTarget] = []
        for target in taken {
            switch target {
            case .pubkey(let pubkey): pubkeys.append(pubkey)
            case .event(.id(let id)): ids.append(id)
            case .event(.address(let address)):
                if addresses.count < Self.maxAddresses { addresses.append(address) } else { unused.append(target) }
            }
        }
        var filters: [Filter] = []
        if !pubkeys.isEmpty {
            filters.append(Filter(authors: Set(pubkeys), kinds: Set(BackfillTarget.metadataKinds), limit: pageLimit))
        }
        if !ids.isEmpty { filters.append(Filter(ids: Set(ids))) }
        for address in addresses {
            let identifier = KindClass(kind: address.kind) == .addressable ? ["d": [address.identifier]] : [:]
            filters.append(Filter(authors: [address.pubkey], kinds: [address.kind], tags: identifier, limit: 1))
        }
        self.filters = filters
        pages = !pubkeys.isEmpty
        targets = taken.filter { target in !unused.contains(target) }
        self.unused = unused
    }

    /// `["REQ", subscription, filters…]`, with the current page's `until`.
    func request(_ subscription: String) -> String {
        var writer = JSONWriter()
        writer.array { array in
            array.string("REQ")
            array.string(subscription)
            for var filter in filters {
                filter.until = until
                array.value(filter.jsonValue)
            }
        }
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    mutating func received(_ event: (Event, [UInt8])) {
        events.append(event)
        receivedCopy(event.0.createdAt)
    }

    /// An event already known arrived (not parsed): it still counts for paging.
    mutating func receivedCopy(_ createdAt: Int64?) {
        pageCount += 1
        if let createdAt { pageOldest = min(pageOldest ?? createdAt, createdAt) }
    }

    /// The events of the page so far, handed over.
    mutating func takeEvents() -> [(Event, [UInt8])] {
        defer { events.removeAll() }
        return events
    }

    /// After a page's EOSE: the next page's REQ when the relay answered a full page, else nil.
    mutating func nextPage(_ subscription: String, maxPages: Int) -> String? {
        defer {
            pageCount = 0
            pageOldest = nil
        }
        guard pages, pageCount >= pageLimit, pageNumber < maxPages, let oldest = pageOldest else { return nil }
        // `until` is inclusive: a page entirely within one second steps past it.
        let next = until.map { oldest < $0 ? oldest : $0 - 1 } ?? oldest
        guard next >= 0 else { return nil }
        until = next
        pageNumber += 1
        return request(subscription)
    }
}
