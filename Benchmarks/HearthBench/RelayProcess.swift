import Foundation
import Nostr
import TestRelay

/// The ingestion benchmark's upstream relays, in a child process of their own: building
/// and sending their frames then counts in neither Hearth's thread times nor its profile
/// (they still share the machine's cores, as a relay on the same host would).
enum RelayProcess {
    static let flag = "--serve-relays"

    /// Child: `HearthBench --serve-relays FILE…` serves each file of JSON lines as one relay,
    /// prints their URLs one per line, and stops when its standard input closes.
    static func serve(files: [String]) async throws {
        var relays: [TestRelay] = []
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            let events = try data.split(separator: 0x0A).map { try EventParser.parse(Array($0)) }
            let relay = TestRelay(events: events)
            try await relay.start()
            relays.append(relay)
        }
        FileHandle.standardOutput.write(Data((relays.map(\.url).joined(separator: "\n") + "\n").utf8))
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                while readLine() != nil {}
                done.resume()
            }
        }
        for relay in relays { await relay.stop() }
    }

    /// Parent: writes each part to a file, starts the child, and returns it with the URLs
    /// of its relays, in the order of `parts`. `stop` ends it.
    static func start(_ parts: [[Event]], directory: String) throws -> (RelayProcess.Child, [String]) {
        var files: [String] = []
        for (i, part) in parts.enumerated() {
            let path = directory + "/relay-\(i).jsonl"
            var bytes: [UInt8] = []
            for event in part { bytes += event.json + [0x0A] }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        let process = Process()
        process.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = [flag] + files
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var text = ""
        while text.split(separator: "\n").count < parts.count || !text.hasSuffix("\n") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw BenchError("the relay process ended before it listened") }
            text += String(decoding: chunk, as: UTF8.self)
        }
        return (Child(process: process, input: input), text.split(separator: "\n").map(String.init))
    }

    struct Child {
        let process: Process
        let input: Pipe

        /// Closes the child's input (it then stops its relays) and waits for it to exit.
        func stop() {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }
}
