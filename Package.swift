// swift-tools-version:6.0
// Hearth: a lean, self-hosted Nostr cache. See README.md and DESIGN.md for the layout:
// dependencies point one way, Nostr ← Store ← SQLiteStore ← … ← hearth.

import PackageDescription

let package = Package(
    name: "hearth",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hearth", targets: ["hearth"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.9.0"..<"5.0.0"),
    ],
    targets: [
        // System libraries (module maps over the Debian -dev packages).
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite",
            pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CSecp256k1", path: "Sources/CSecp256k1",
            pkgConfig: "libsecp256k1", providers: [.apt(["libsecp256k1-dev"])]),

        // The Nostr core: events, filters, signatures, NIP-19, NIP-10, bolt11.
        .target(
            name: "Nostr",
            dependencies: [
                "CSecp256k1",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // SQL migrations under schema/, compiled into the binary.
        .target(name: "Schema", path: "schema", exclude: ["README.md"], resources: [.embedInCode("sqlite")]),
        // Dedicated threads for blocking work (database connections, signature checks).
        .target(name: "Workers"),
        // The storage protocol, backend-neutral.
        .target(name: "Store", dependencies: ["Nostr"]),
        // The SQLite backend: one writer thread, a pool of read-only connections.
        .target(name: "SQLiteStore", dependencies: ["Store", "Schema", "Workers", "CSQLite"]),
        // The one door every event goes through: parse, drop duplicates, verify, policy, write.
        .target(name: "Ingest", dependencies: ["Store", "Workers"]),
        // Deterministic, validly signed test corpora (`hearth generate`, tests, benchmarks).
        .target(name: "Corpus", dependencies: ["Nostr"]),

        .executableTarget(
            name: "hearth",
            dependencies: [
                "Nostr", "Corpus", "Store", "SQLiteStore", "Ingest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "HearthBench",
            dependencies: ["Nostr", "Corpus", "Store", "SQLiteStore", "Ingest", "Workers"],
            path: "Benchmarks/HearthBench"),

        .testTarget(name: "NostrTests", dependencies: ["Nostr", "Corpus"], exclude: ["Fixtures"]),
        // The EventStore conformance suite, shared by every backend's tests.
        .target(name: "StoreConformance", dependencies: ["Store", "Nostr", "Corpus"], path: "Tests/StoreConformance"),
        .testTarget(name: "SQLiteStoreTests", dependencies: ["SQLiteStore", "StoreConformance", "Store", "Nostr", "Corpus", "Schema", "CSQLite"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "SQLiteStore", "Store", "Nostr", "Corpus"]),
    ]
)
