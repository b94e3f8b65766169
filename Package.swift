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
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.2.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.3.0"),
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
        .target(
            name: "Ingest",
            dependencies: [
                "Store", "Workers", "Nostr",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // NIP-01 read side: REQ/COUNT/CLOSE and the live subscription index.
        .target(name: "RelayAPI", dependencies: ["Store", "Nostr"]),
        // Primal's cache protocol: ops over `any EventStore`.
        .target(name: "CacheAPI", dependencies: ["Store", "Nostr", "RelayAPI", "Ingest", "Workers"]),
        // WebSocket and HTTP on one port: connections, limits, NIP-11, /health, /metrics.
        .target(
            name: "Server",
            dependencies: [
                "Nostr", "Store", "SQLiteStore", "Ingest", "RelayAPI", "CacheAPI", "Workers",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]),
        // Deterministic, validly signed test corpora (`hearth generate`, tests, benchmarks).
        .target(name: "Corpus", dependencies: ["Nostr"]),

        .executableTarget(
            name: "hearth",
            dependencies: [
                "Nostr", "Corpus", "Store", "SQLiteStore", "Ingest", "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .executableTarget(
            name: "HearthBench",
            dependencies: [
                "Nostr", "Corpus", "Store", "SQLiteStore", "Ingest", "Workers", "Server", "CacheAPI", "TestRelay",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            path: "Benchmarks/HearthBench"),

        // A NIP-01 relay on loopback that can misbehave on demand (ingestion tests, benchmark).
        .target(
            name: "TestRelay",
            dependencies: [
                "Nostr", "RelayAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Tests/TestRelay"),
        .testTarget(name: "NostrTests", dependencies: ["Nostr", "Corpus"], exclude: ["Fixtures"]),
        // The EventStore conformance suite, shared by every backend's tests.
        .target(name: "StoreConformance", dependencies: ["Store", "Nostr", "Corpus"], path: "Tests/StoreConformance"),
        .testTarget(name: "SQLiteStoreTests", dependencies: ["SQLiteStore", "StoreConformance", "Store", "Nostr", "Corpus", "Schema", "CSQLite"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "SQLiteStore", "Store", "Nostr", "Corpus"]),
        .testTarget(name: "UpstreamTests", dependencies: ["Ingest", "SQLiteStore", "Store", "Nostr", "Corpus", "TestRelay"]),
        .testTarget(name: "RelayAPITests", dependencies: ["RelayAPI", "Store", "Nostr"]),
        // End to end over real loopback sockets: only the wire protocol.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Server", "CacheAPI", "SQLiteStore", "Store", "Nostr", "Corpus", "StoreConformance", "Ingest", "TestRelay",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]),
    ]
)
