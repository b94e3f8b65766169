/// Totals of an import: what happened to every line, and why invalid lines were refused.
public struct ImportSummary: Sendable, CustomStringConvertible {
    public private(set) var lines = 0
    public private(set) var byOutcome: [String: Int] = [:]
    public private(set) var invalidReasons: [String: Int] = [:]

    public init() {}

    public mutating func add(_ outcomes: [IngestOutcome]) {
        lines += outcomes.count
        for outcome in outcomes {
            byOutcome[outcome.counterName, default: 0] += 1
            switch outcome {
            case .invalid(let reason), .blocked(let reason): invalidReasons[reason, default: 0] += 1
            case .written(.rejected(let reason)), .written(.failed(let reason)): invalidReasons[reason, default: 0] += 1
            default: break
            }
        }
    }

    public func count(_ name: String) -> Int { byOutcome[name, default: 0] }

    public var description: String {
        let order = ["stored", "replaced", "duplicate", "older", "deleted", "ephemeral", "invalid", "blocked", "rejected", "failed"]
        var text = "\(lines) lines: " + order.compactMap { name in
            count(name) > 0 ? "\(count(name)) \(name)" : nil
        }.joined(separator: ", ")
        if !invalidReasons.isEmpty {
            text += "\nrefused, by reason:"
            for (reason, n) in invalidReasons.sorted(by: { $0.value > $1.value }).prefix(12) {
                text += "\n  \(n)  \(reason)"
            }
        }
        return text
    }
}
