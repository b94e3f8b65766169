import ArgumentParser

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print Hearth's version.")

    func run() {
        print("hearth \(HearthVersion.current)")
    }
}
