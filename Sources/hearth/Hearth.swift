#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser

/// The `hearth` command line: one binary for serving, importing, exporting and generating.
@main
struct Hearth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearth",
        abstract: "A lean, self-hosted Nostr cache: Primal's cache protocol and NIP-01 on one WebSocket port.",
        version: HearthVersion.current,
        subcommands: [Serve.self, Import.self, Export.self, Stats.self, Relays.self, Reindex.self, Generate.self, Version.self]
    )
}

/// The version printed by `hearth version` and announced in NIP-11.
enum HearthVersion {
    static let current = "0.1.0"
}

/// Cores this process may use.
enum ProcessInfoCores {
    static var count: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
