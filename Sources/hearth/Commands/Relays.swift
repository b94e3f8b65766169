import ArgumentParser
import Foundation
import SQLiteStore
import Store

/// `hearth relays`: the upstream relays' states as the server last saved them.
struct Relays: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the upstream relays: status, events received and new, catch-up cursor, last error.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let store = try database.open(readOnly: true)
        let states = try await store.relayStates()
        let backfill = try await store.backfillStatus()
        await store.close()
        guard !states.isEmpty else {
            print("no relay states yet: `hearth serve` records them once it has connected to its relays")
            return
        }
        let header = ["relay", "status", "received", "new", "dup", "invalid", "reconnects", "caught up to", "latency",
                      "backfill REQs", "backfill events", "last error"]
        let rows = states.map { state -> [String] in
            [state.url, state.status, "\(state.eventsReceived)", "\(state.eventsNew)", "\(state.duplicates)", "\(state.invalid)",
             "\(state.reconnects)", state.caughtUpTo.map(Self.time) ?? "–", state.latencyMilliseconds.map { "\($0) ms" } ?? "–",
             "\(state.backfillRequests)", "\(state.backfillEvents)", state.lastError ?? ""]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
        print("""

            backfill: \(backfill.knownPubkeys) known pubkeys, \(backfill.withProfile) with a profile, \
            \(backfill.withContactList) with a contact list, \(backfill.waitingPubkeys) waiting to be asked; \
            \(backfill.missingEvents) referenced events missing (\(backfill.waitingEvents) waiting)
            """)
    }

    static func time(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
