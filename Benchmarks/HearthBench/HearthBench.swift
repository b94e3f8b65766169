/// `make bench`: measures Hearth on this machine and prints one table per area.
///
/// Usage: HearthBench [--events N]   (default 60,000 for the Nostr core)
@main
struct HearthBench {
    static func main() {
        let arguments = CommandLine.arguments
        var events = 60_000
        if let i = arguments.firstIndex(of: "--events"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) {
            events = n
        }
        let tables = [NostrBench.run(events: events)]
        for table in tables { table.print() }
    }
}
