// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "talentd",
    defaultLocalization: "en",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "talentd", targets: ["talentd"]),
        .executable(name: "talentctl", targets: ["talentctl"]),
        .executable(name: "talent-bench", targets: ["talent-bench"]),
        .executable(name: "nio-floor", targets: ["nio-floor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        // SHA-256 for the audit chain and API-token digests; random bytes for tokens.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        // Prometheus text exposition for system.metrics and --metrics-listen.
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // JSON, framing, the JSON-RPC envelope, dispatch and the socket server. Knows no domain.
        .target(
            name: "TalentProtocol",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // Drives the line framer in FuzzEntry without a socket.
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // SQLite's process-wide settings (`sqlite3_config` is variadic: C calls it for Swift).
        .target(
            name: "CSQLiteSetup",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        // SQLite through GRDB: opening, pragmas, migrations, health probes. Knows no RPC.
        .target(
            name: "TalentStorage",
            dependencies: [
                "CSQLiteSetup",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API GRDB is built on, for the one hook GRDB does not wrap (the WAL hook).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // Argon2id password hashing from the system libargon2 (Debian's libargon2-dev).
        .systemLibrary(
            name: "CArgon2",
            providers: [.apt(["libargon2-dev"])]
        ),
        // The daemon: the method table, domain folders, configuration, start-up and shutdown.
        .target(
            name: "TalentDaemon",
            dependencies: [
                "TalentProtocol",
                "TalentStorage",
                "CArgon2",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // GET /metrics for --metrics-listen.
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            resources: [.embedInCode("Resources/openrpc.json")]
        ),
        // A small blocking JSON-RPC client over the Unix socket, shared by talentctl and the tests.
        .target(
            name: "TalentClient",
            dependencies: ["TalentProtocol"]
        ),
        .executableTarget(
            name: "talentd",
            dependencies: [
                "TalentDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "talentctl",
            dependencies: [
                "TalentClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // SHA-256 of a batch file, for its idempotency keys.
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // Its messages in English and Vietnamese (Resources/<lang>.lproj/Localizable.strings).
            resources: [.process("Resources")]
        ),
        // <sys/epoll.h> for talent-bench's event loop (Swift's Glibc module leaves it out).
        .systemLibrary(
            name: "CEpoll",
            path: "Ops/bench/Sources/CEpoll"
        ),
        .executableTarget(
            name: "talent-bench",
            dependencies: [
                "CEpoll",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Ops/bench/Sources/talent-bench"
        ),
        // The least a SwiftNIO server does per request: the ceiling `make bench` prints beside talentd.
        .executableTarget(
            name: "nio-floor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Ops/bench/Sources/nio-floor"
        ),
        // Pure domain logic of the daemon (statuses from dates, clash rules, the clock, paging).
        .testTarget(
            name: "TalentDaemonTests",
            dependencies: [
                "TalentDaemon",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The libFuzzer harness (`make fuzz`): framer, JSON parser and envelope via FuzzEntry.
        .executableTarget(
            name: "talent-fuzz",
            dependencies: ["TalentProtocol"],
            path: "Tests/fuzz/harness"
        ),
        .testTarget(
            name: "TalentProtocolTests",
            dependencies: [
                "TalentProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
    ]
)
