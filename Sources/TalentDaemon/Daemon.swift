import Dispatch
import Logging
import NIOCore
import NIOPosix
import TalentProtocol
import TalentStorage

#if canImport(Glibc)
import Glibc
#endif

/// Start-up and shutdown of the daemon.
public enum Daemon {
    /// Files the daemon creates (database, WAL, socket) hold personal data: never readable by others.
    private static func restrictFileModes() {
        umask(0o027)
    }

    /// Every migration, in release order. Domains add theirs here.
    public static var migrations: Migrations { Migrations() }

    /// The embedded OpenRPC document (Protocol/openrpc.json at build time).
    public static func contract() throws -> Contract {
        try Contract(document: try JSONParser.parse(PackageResources.openrpc_json))
    }

    /// `talentd init`: creates or migrates the database. Idempotent.
    public static func initialize(databasePath: String, logger: Logger) throws {
        restrictFileModes()
        let (store, applied) = try Store.createOrMigrate(path: databasePath, migrations: migrations)
        let version = try store.schemaVersion()
        try store.close()
        if applied.isEmpty {
            logger.info("database already up to date", metadata: ["db": .string(databasePath), "schema_version": .stringConvertible(version)])
        } else {
            logger.info("database migrated", metadata: [
                "db": .string(databasePath), "schema_version": .stringConvertible(version),
                "applied": .string(applied.joined(separator: ",")),
            ])
        }
    }

    /// `talentd serve`: serves until SIGTERM or SIGINT, then drains and exits.
    public static func serve(socketPath: String, databasePath: String, config: DaemonConfig, logger: Logger) throws {
        restrictFileModes()
        signal(SIGPIPE, SIG_IGN)

        let contract = try contract()
        let store = try Store.openForServing(path: databasePath, migrations: migrations,
                                             busyTimeout: Double(config.busyTimeoutMilliseconds) / 1000)
        let workers = NIOThreadPool(numberOfThreads: config.workerThreads)
        workers.start()

        var serverConfiguration = RPCServer.Configuration(socketPath: socketPath)
        serverConfiguration.limits = config.limits
        serverConfiguration.eventLoopThreads = config.eventLoopThreads
        serverConfiguration.drainTimeout = .seconds(config.drainTimeoutSeconds)

        let stats = ServerStats()
        let system = SystemMethods(store: store, contract: contract, config: config, stats: stats)
        let server: RPCServer
        do {
            let dispatcher = try Dispatcher(methods: methodTable(system), contract: contract, limits: config.limits,
                                            stats: stats, workers: workers, logger: logger)
            server = try RPCServer(configuration: serverConfiguration, dispatcher: dispatcher, stats: stats, logger: logger)
        } catch {
            try? workers.syncShutdownGracefully()
            try? store.close()
            throw error
        }
        logger.info("serving", metadata: [
            "socket": .string(socketPath), "db": .string(databasePath),
            "schema_version": .stringConvertible((try? store.schemaVersion()) ?? -1),
            "version": .string(SystemMethods.version),
        ])

        let stop = DispatchSemaphore(value: 0)
        let signalName = SignalName()
        var sources: [DispatchSourceSignal] = []
        for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                signalName.set(name)
                stop.signal()
            }
            source.resume()
            sources.append(source)
        }
        stop.wait()
        logger.info("shutting down", metadata: ["signal": .string(signalName.get())])
        server.shutdown()
        try? workers.syncShutdownGracefully()
        do {
            try store.close()
        } catch {
            logger.error("closing the database failed", metadata: ["error": .string("\(error)")])
        }
        sources.forEach { $0.cancel() }
        logger.info("stopped")
    }
}

private final class SignalName: @unchecked Sendable {
    private var name = "?"
    private let lock = DispatchSemaphore(value: 1)
    func set(_ value: String) { lock.wait(); name = value; lock.signal() }
    func get() -> String { lock.wait(); defer { lock.signal() }; return name }
}
