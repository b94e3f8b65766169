import Store

extension SQLiteStore: RelayStateStore {
    public func relayStates() async throws -> [RelayState] {
        try await readers.read { db in
            var states: [RelayState] = []
            try db.run("""
                SELECT url, status, last_connected, last_error, events_received, events_new, duplicates, invalid,
                       reconnects, notices, last_event_at, caught_up_to, latency_ms FROM relays ORDER BY url
                """) { row in
                func optional(_ column: Int32) -> Int64? { row.isNull(column) ? nil : row.int64(column) }
                var state = RelayState(url: row.text(0) ?? "", status: row.text(1) ?? "")
                state.lastConnected = optional(2)
                state.lastError = row.text(3)
                state.eventsReceived = row.int64(4)
                state.eventsNew = row.int64(5)
                state.duplicates = row.int64(6)
                state.invalid = row.int64(7)
                state.reconnects = row.int64(8)
                state.notices = row.int64(9)
                state.lastEventAt = optional(10)
                state.caughtUpTo = optional(11)
                state.latencyMilliseconds = optional(12)
                states.append(state)
            }
            return states
        }
    }

    public func saveRelayStates(_ states: [RelayState]) async throws {
        guard let writer else { throw StoreError.readOnly }
        guard !states.isEmpty else { return }
        try await writer.perform { db in
            for state in states {
                func value(_ number: Int64?) -> SQLiteValue { number.map(SQLiteValue.int) ?? .null }
                try db.run("""
                    INSERT OR REPLACE INTO relays (url, status, last_connected, last_error, events_received, events_new,
                        duplicates, invalid, reconnects, notices, last_event_at, caught_up_to, latency_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [.text(state.url), .text(state.status), value(state.lastConnected), state.lastError.map(SQLiteValue.text) ?? .null,
                          .int(state.eventsReceived), .int(state.eventsNew), .int(state.duplicates), .int(state.invalid),
                          .int(state.reconnects), .int(state.notices), value(state.lastEventAt), value(state.caughtUpTo),
                          value(state.latencyMilliseconds)])
            }
        }
    }
}
