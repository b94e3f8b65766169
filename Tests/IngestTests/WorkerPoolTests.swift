import Testing
import Workers

@Suite struct WorkerPoolTests {
    final class Payload: Sendable {}

    /// What a finished job captured is freed when the job finishes. (The queue once kept
    /// every taken job until 1,024 had run: `hearth import` held each verified batch's
    /// parsed events to the end, 1.1 GB at a million events.)
    @Test func aFinishedJobReleasesWhatItCaptured() async throws {
        let pool = WorkerPool<Void>(name: "test-pool", count: 2) { _ in }
        defer { pool.shutdown() }
        weak var released: Payload?
        for _ in 0..<3 {
            let payload = Payload()
            released = payload
            _ = try await pool.run { _ in withExtendedLifetime(payload) { 1 } }
        }
        // The last job returned; the pool may still be dropping its closure on its thread.
        for _ in 0..<200 where released != nil { try await Task.sleep(for: .milliseconds(5)) }
        #expect(released == nil)
    }
}
