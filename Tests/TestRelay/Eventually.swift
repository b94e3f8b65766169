import Foundation

/// Waits until `condition` holds, up to `timeout` seconds; false if it never did. (For
/// tests on real sockets: how long a condition takes is never asserted, only that it comes.)
public func eventually(timeout: Double = 30, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
