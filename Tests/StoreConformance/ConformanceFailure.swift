/// A broken expectation in the conformance suite, with where and what.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String, file: StaticString = #fileID, line: UInt = #line) {
        self.description = "\(file):\(line): \(description)"
    }
}

/// Fails with `message` unless `condition` holds.
func check(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) throws {
    if !condition { throw ConformanceFailure(message(), file: file, line: line) }
}

/// Fails unless the two values are equal.
func checkEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: String, file: StaticString = #fileID, line: UInt = #line) throws {
    if actual != expected { throw ConformanceFailure("\(what): got \(actual), expected \(expected)", file: file, line: line) }
}
