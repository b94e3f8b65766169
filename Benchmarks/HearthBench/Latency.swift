/// Latency samples in seconds, summarized as percentiles.
struct Latencies {
    private(set) var samples: [Double] = []

    mutating func add(_ seconds: Double) { samples.append(seconds) }

    func percentile(_ p: Double) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    /// "p50 0.21 ms, p99 0.80 ms"
    var summary: String {
        "p50 \(milliseconds(percentile(0.5))) ms, p99 \(milliseconds(percentile(0.99))) ms"
    }

    private func milliseconds(_ seconds: Double) -> String {
        let ms = seconds * 1000
        return ms >= 10 ? formatted(ms) : format2(ms)
    }
}

func format2(_ v: Double) -> String {
    let hundredths = Int((v * 100).rounded())
    return "\(hundredths / 100)." + (hundredths % 100 < 10 ? "0" : "") + "\(hundredths % 100)"
}
