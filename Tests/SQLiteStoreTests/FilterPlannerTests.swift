import Nostr
import Testing
@testable import SQLiteStore

/// Every filter shape reads through one index; none scans the events table.
@Suite struct FilterPlannerTests {
    let id = EventID(hex: String(repeating: "a", count: 64))!
    let pk = PublicKey(hex: String(repeating: "b", count: 64))!

    func plan(_ filter: Filter, _ db: SQLiteConnection) throws -> String {
        var lines: [String] = []
        for (name, plan) in [("select", FilterPlanner(filter: filter, now: 0).select(limit: 50)),
                             ("count", FilterPlanner(filter: filter, now: 0).count())] {
            try db.run(built: "EXPLAIN QUERY PLAN " + plan.sql, plan.values) { lines.append(name + ": " + ($0.text(3) ?? "")) }
        }
        if let boundary = FilterPlanner(filter: filter, now: 0).boundary(limit: 50) {
            try db.run(built: "EXPLAIN QUERY PLAN " + boundary.sql, boundary.values) { lines.append("boundary: " + ($0.text(3) ?? "")) }
        }
        return lines.joined(separator: "\n")
    }

    @Test func eachShapeUsesItsIndex() throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        let db = try SQLiteConnection(path: database.path, mode: .readOnly)
        let cases: [(Filter, FilterPlanner.Access, String)] = [
            (Filter(ids: [id], kinds: [1]), .ids, "events_id"),
            (Filter(authors: [pk], kinds: [1], tags: ["e": [id.hex]]), .tag("e"), "PRIMARY KEY"),
            (Filter(tags: ["p": [pk.hex, id.hex], "t": ["x"]]), .tag("t"), "PRIMARY KEY"),
            (Filter(authors: [pk], kinds: [1, 6], since: 5), .authors, "events_author"),
            (Filter(authors: [pk]), .authors, "events_author"),
            (Filter(kinds: [1, 7], until: 9), .kinds, "events_kind"),
            (Filter(since: 1, until: 2), .time, "events_time"),
            (Filter(), .time, "events_time"),
        ]
        for (filter, access, index) in cases {
            #expect(FilterPlanner(filter: filter, now: 0).access == access)
            let text = try plan(filter, db)
            #expect(text.contains(index), "\(filter.jsonValue.jsonText) should use \(index):\n\(text)")
            // Only a filter with no indexed condition walks an index end to end (the time
            // index, newest first, stopping at the limit); nothing ever scans a table.
            let scans = text.split(separator: "\n").filter { $0.contains("SCAN") }
            #expect(scans.allSatisfy { $0.contains("USING INDEX events_time") || $0.contains("USING COVERING INDEX events_time") },
                    "\(filter.jsonValue.jsonText) scans:\n\(text)")
            if access != .time { #expect(scans.isEmpty, "\(filter.jsonValue.jsonText) scans:\n\(text)") }
        }
        _ = store
    }

    /// `#p` on contact lists reads `follows` by key and each list by author; the EXISTS
    /// check for `#p` on another access looks a list up by (followed, follower).
    @Test func contactListsReadFollowsByKey() throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        let db = try SQLiteConnection(path: database.path, mode: .readOnly)
        let main = FilterPlanner(filter: Filter(tags: ["p": [pk.hex, "text"]], since: 3), now: 0)
        let part = try #require(main.followsPart)
        #expect(part.access == .followers)
        #expect(FilterPlanner(filter: Filter(kinds: [1, 7], tags: ["p": [pk.hex]]), now: 0).followsPart == nil)
        #expect(FilterPlanner(filter: Filter(kinds: [3], tags: ["p": ["text"]]), now: 0).followsPart == nil)
        var lines: [String] = []
        let boundary = try #require(part.boundary(limit: 50))
        let byAuthor = try #require(FilterPlanner(filter: Filter(authors: [pk], tags: ["p": [pk.hex]]), now: 0).followsPart)
        #expect(byAuthor.access == .authors)
        for plan in [part.ranking(limit: 50), part.rowIDs(), boundary, byAuthor.select(limit: 50),
                     FilterPlanner(filter: Filter(tags: ["e": [id.hex], "p": [pk.hex]]), now: 0).select(limit: 50)] {
            try db.run(built: "EXPLAIN QUERY PLAN " + plan.sql, plan.values) { lines.append($0.text(3) ?? "") }
        }
        let text = lines.joined(separator: "\n")
        #expect(text.contains("SEARCH f USING PRIMARY KEY (followed=?"), "\(text)")
        #expect(text.contains("SEARCH e USING INDEX events_author (pubkey=? AND kind=?"), "\(text)")
        #expect(text.contains("SEARCH g USING PRIMARY KEY (followed=? AND follower=?)"), "\(text)")
        #expect(!text.contains("SCAN"), "\(text)")
        _ = store
    }

    @Test func searchReadsTheFullTextIndex() throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        let db = try SQLiteConnection(path: database.path, mode: .readOnly)
        let plan = SearchPlanner(filter: Filter(authors: [pk], search: "x"), now: 0).plan(index: "notes_fts", match: "\"x\"")
        var lines: [String] = []
        try db.run(built: "EXPLAIN QUERY PLAN " + plan.sql, plan.values) { lines.append($0.text(3) ?? "") }
        let text = lines.joined(separator: "\n")
        #expect(text.contains("VIRTUAL TABLE INDEX"), "\(text)")
        #expect(text.contains("SEARCH e USING INTEGER PRIMARY KEY"), "\(text)")
        _ = store
    }
}
