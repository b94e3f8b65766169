import Nostr
import Store
import Synchronization

/// The live counters of protocol §7: `net_stats`, `notification_counts(_2)` and
/// `directmsg_count(_2)`. A subscription is answered with EOSE, then pushed a text EVENT
/// (no EOSE) every period until CLOSE or disconnect.
///
/// One timer per kind of push, not per subscription: each tick computes every distinct
/// value once (per pubkey) and sends it to every subscriber. Notification counts are
/// recomputed only for pubkeys that got new notifications since the last tick (rows only
/// append), that changed their seen mark, or on a periodic full refresh.
final class LivePushes: Sendable {
    enum Feed: Hashable, Sendable {
        case netStats, notificationCounts, notificationCounts2, directMessageCount, directMessageCount2

        var isNotificationCount: Bool { self == .notificationCounts || self == .notificationCounts2 }
        var isDirectMessageCount: Bool { self == .directMessageCount || self == .directMessageCount2 }
    }

    struct Subscriber: Sendable {
        let client: any CacheClient
        let subscription: String
        let feed: Feed
        let pubkey: PublicKey?
    }

    private struct NotificationState {
        var lastRow: Int64 = -1
        var counts: [PublicKey: [Int: Int]] = [:]
        var dirty = Set<PublicKey>()
        var refreshAll = false
    }

    private let subscribers = ConnectionSubscriptions<Subscriber>()
    private let notifications = Mutex(NotificationState())

    /// Adds (or replaces) a subscription; false when the connection already has `limit`.
    func add(_ subscriber: Subscriber, limit: Int) -> Bool {
        subscribers.add(subscriber, client: subscriber.client, subscription: subscriber.subscription, limit: limit)
    }

    func remove(_ client: any CacheClient, subscription: String) { subscribers.remove(client, subscription: subscription) }

    func removeAll(_ client: any CacheClient) { subscribers.removeAll(client) }

    var count: Int { subscribers.count }

    /// The counts of this pubkey must be recomputed (its seen mark moved).
    func invalidateNotificationCounts(_ pubkey: PublicKey) {
        notifications.withLock { _ = $0.dirty.insert(pubkey) }
    }

    /// Notifications may have been removed (a deletion): recompute everyone's next tick.
    func invalidateAllNotificationCounts() {
        notifications.withLock { $0.refreshAll = true }
    }

    private func current(_ include: (Feed) -> Bool) -> [Subscriber] {
        subscribers.all.filter { include($0.feed) }
    }

    /// Runs the timers until cancelled.
    func run(store: any CacheStore, netStatsInterval: Double, countsInterval: Double) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await Self.every(netStatsInterval) { await self.tickNetStats(store) } }
            group.addTask {
                var ticks = 0
                await Self.every(countsInterval) {
                    ticks += 1
                    // A full refresh now and then catches rows removed by deletions.
                    if ticks % 60 == 0 { self.invalidateAllNotificationCounts() }
                    await self.tickNotificationCounts(store)
                }
            }
            group.addTask { await Self.every(countsInterval) { await self.tickDirectMessageCounts(store) } }
        }
    }

    /// Calls `tick` on a fixed schedule (the time a tick takes does not stretch the period;
    /// a tick that overruns skips the ticks it missed).
    private static func every(_ interval: Double, _ tick: () async -> Void) async {
        let clock = ContinuousClock()
        let period = Duration.milliseconds(Int64(max(0.01, interval) * 1_000))
        var next = clock.now + period
        while !Task.isCancelled {
            try? await Task.sleep(until: next, clock: clock)
            if Task.isCancelled { return }
            await tick()
            next += period
            while next < clock.now { next += period }
        }
    }

    func tickNetStats(_ store: any CacheStore) async {
        let targets = current { $0 == .netStats }
        guard !targets.isEmpty, let stats = try? await store.networkStats() else { return }
        let object = Synthetic.netStats(stats)
        for target in targets { target.client.push(target.subscription, object: object) }
    }

    func tickNotificationCounts(_ store: any CacheStore) async {
        let targets = current(\.isNotificationCount)
        guard !targets.isEmpty else {
            notifications.withLock { $0 = NotificationState() }
            return
        }
        let wanted = Set(targets.compactMap(\.pubkey))
        let (lastRow, dirty, refreshAll) = notifications.withLock { state in
            defer { state.dirty = []; state.refreshAll = false }
            return (state.lastRow, state.dirty, state.refreshAll)
        }
        guard let changed = try? await store.notificationRecipients(after: lastRow) else { return }
        let known = notifications.withLock { Set($0.counts.keys) }
        let stale = refreshAll || lastRow < 0 ? wanted : wanted.filter { !known.contains($0) || changed.recipients.contains($0) || dirty.contains($0) }
        var fresh: [PublicKey: [Int: Int]] = [:]
        for pubkey in stale {
            do {
                let since = try await store.notificationsSeen(pubkey) ?? 0
                fresh[pubkey] = try await store.notificationCounts(for: pubkey, since: since)
            } catch {
                continue
            }
        }
        let counts = notifications.withLock { state in
            state.lastRow = changed.last
            state.counts = state.counts.filter { wanted.contains($0.key) }.merging(fresh) { $1 }
            return state.counts
        }
        for target in targets {
            guard let pubkey = target.pubkey, let count = counts[pubkey] else { continue }
            let object = target.feed == .notificationCounts
                ? Synthetic.notificationsSummary(pubkey, count) : Synthetic.notificationsSummary2(count)
            target.client.push(target.subscription, object: object)
        }
    }

    func tickDirectMessageCounts(_ store: any CacheStore) async {
        let targets = current(\.isDirectMessageCount)
        guard !targets.isEmpty else { return }
        var unread: [PublicKey: Int] = [:]
        for pubkey in Set(targets.compactMap(\.pubkey)) {
            if let count = try? await store.unreadDirectMessages(of: pubkey) { unread[pubkey] = count }
        }
        for target in targets {
            guard let pubkey = target.pubkey, let count = unread[pubkey] else { continue }
            let object = target.feed == .directMessageCount ? Synthetic.directMessageCount(count) : Synthetic.directMessageCount2(count)
            target.client.push(target.subscription, object: object)
        }
    }
}
