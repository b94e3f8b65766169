import Store

extension SQLiteStore: RelayStateStore {
    public func relayStates() async throws -> [RelayState] {
        try await readers.read { db in
            var states: [RelayState] = []
            try db.run("""
                SELECT url, status, last_connected, last_error, events_received, events_new, duplicates, invalid,
                       reconnects, notices, last_event_at, caught_up_to, latency_ms, backfill_requests, backfill_events
                FROM relays ORDER BY url
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
                state.backfillRequests = row.int64(13)
                state.backfillEvents = row.int64(14)
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
                    INSERT INTO relays (url, status, last_connected, last_error, events_received, events_new,
                        duplicates, invalid, reconnects, notices, last_event_at, caught_up_to, latency_ms,
                        backfill_requests, backfill_events)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                    ON CONFLICT (url) DO UPDATE SET status = ?2, last_connected = ?3, last_error = ?4, events_received = ?5,
                        events_new = ?6, duplicates = ?7, invalid = ?8, reconnects = ?9, notices = ?10, last_event_at = ?11,
                        caught_up_to = ?12, latency_ms = ?13, backfill_requests = ?14, backfill_events = ?15
                    """, [.text(state.url), .text(state.status), value(state.lastConnected), state.lastError.map(SQLiteValue.text) ?? .null,
                          .int(state.eventsReceived), .int(state.eventsNew), .int(state.duplicates), .int(state.invalid),
                          .int(state.reconnects), .int(state.notices), value(state.lastEventAt), value(state.caughtUpTo),
                          value(state.latencyMilliseconds), .int(state.backfillRequests), .int(state.backfillEvents)])
            }
        }
    }
}
