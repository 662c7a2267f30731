import Dispatch
import Foundation
import GRDB
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
    static func restrictFileModes() {
        umask(0o027)
    }

    /// Every migration, in release order. Domains add theirs here.
    public static var migrations: Migrations {
        var migrations = Migrations()
        OrganizationsMigration.register(in: &migrations)
        IdentityMigration.register(in: &migrations)
        AuditMigration.register(in: &migrations)
        IdempotencyMigration.register(in: &migrations)
        PeopleMigration.register(in: &migrations)
        AppointmentsMigration.register(in: &migrations)
        RoleTableMigration.register(in: &migrations)
        RemunerationMigration.register(in: &migrations)
        RecruitmentMigration.register(in: &migrations)
        AwardsMigration.register(in: &migrations)
        DutiesMigration.register(in: &migrations)
        EventsMigration.register(in: &migrations)
        PersonNameIndexMigration.register(in: &migrations)
        AllowedValuesMigration.register(in: &migrations)
        return migrations
    }

    /// Names are indexed (PersonNameIndexMigration) and audit entries, their events and the audit
    /// head are inserted (DeferredAuditEntries) once per shared commit, not once per write.
    static func doOncePerCommit(_ writes: GroupCommit) {
        writes.transactionBegan = { db in DeferredAuditEntries.shared.begin(db) }
        writes.beforeCommit = { db in
            try PersonStore(db).indexPendingNames()
            try AuditStore(db).writeDeferredEntries()
        }
        writes.writeEnded = { db, kept in DeferredAuditEntries.shared.writeEnded(db, kept: kept) }
        writes.transactionEnded = { db in DeferredAuditEntries.shared.end(db) }
    }

    /// The embedded OpenRPC document (Protocol/openrpc.json at build time).
    public static func contract() throws -> Contract {
        try Contract(document: try JSONParser.parse(PackageResources.openrpc_json))
    }

    /// `talentd init`: creates or migrates the database, and creates the principal `admin` if it
    /// does not exist yet. Idempotent.
    public static func initialize(databasePath: String, adminSecretFile: String?, logger: Logger) throws {
        restrictFileModes()
        let (store, applied) = try Store.createOrMigrate(path: databasePath, migrations: migrations)
        defer { try? store.close() }
        let version = try store.schemaVersion()
        if let adminSecretFile {
            let exists = try store.pool.read { try PrincipalStore($0).find(name: "admin") } != nil
            if exists {
                logger.info("principal admin already exists; its secret is unchanged", metadata: ["db": .string(databasePath)])
            } else {
                let (secret, generated) = try SecretFile.readOrCreate(adminSecretFile)
                let hash = try Passwords().hash(secret)
                let now = UTCTime.now()
                try store.pool.write { db in
                    _ = try PrincipalStore(db).insert(name: "admin", kind: "human", roles: [Role.admin.rawValue], org: nil,
                                                      passwordHash: hash, at: now)
                    try AuditStore(db).append(principal: "talentd init", method: "principal.create",
                                              target: AuditTarget(type: "principal", id: "admin"),
                                              params: ["name": "admin", "kind": "human", "roles": ["admin"], "secret": "***"], at: now)
                }
                logger.info("created principal admin", metadata: [
                    "secret_file": .string(adminSecretFile), "secret": .string(generated ? "generated, written there with mode 0600" : "read from there"),
                ])
            }
        }
        if applied.isEmpty {
            logger.info("database already up to date", metadata: ["db": .string(databasePath), "schema_version": .stringConvertible(version)])
        } else {
            logger.info("database migrated", metadata: [
                "db": .string(databasePath), "schema_version": .stringConvertible(version),
                "applied": .string(applied.joined(separator: ",")),
            ])
        }
    }

    /// `talentd admin reset-secret`: sets a principal's password offline (for recovery), and
    /// re-enables it. The new secret is read from the file, or generated and written there.
    public static func resetSecret(databasePath: String, name: String, secretFile: String, logger: Logger) throws {
        restrictFileModes()
        let store = try Store.openMigrated(path: databasePath, migrations: migrations)
        defer { try? store.close() }
        guard let principal = try store.pool.read({ try PrincipalStore($0).find(name: name) }) else {
            throw SecretFile.Failure(description: "no principal named \"\(name)\" in \(databasePath)")
        }
        let (secret, generated) = try SecretFile.readOrCreate(secretFile)
        let hash = try Passwords().hash(secret)
        let now = UTCTime.now()
        try store.pool.write { db in
            try PrincipalStore(db).resetSecret(id: principal.id, hash, at: now)
            try AuditStore(db).append(principal: "talentd admin reset-secret", method: "principal.set_secret",
                                      target: AuditTarget(type: "principal", id: name), params: ["name": .string(name), "secret": "***"],
                                      at: now)
        }
        logger.info("secret reset", metadata: [
            "principal": .string(name), "secret_file": .string(secretFile),
            "secret": .string(generated ? "generated, written there with mode 0600" : "read from there"),
        ])
    }

    /// `talentd audit verify`: recomputes the audit chain offline and, given an anchor published
    /// earlier, checks the chain still passes through it. Returns its verdict as JSON.
    public static func verifyAudit(databasePath: String, anchor: AuditAnchor? = nil) throws -> (ok: Bool, report: JSONValue) {
        let store = try Store.openMigrated(path: databasePath, migrations: migrations)
        defer { try? store.close() }
        let (verification, holds) = try store.pool.read { db in
            (try AuditStore(db).verify(), try anchor.map { try AuditStore(db).holds($0) })
        }
        guard let anchor, let holds, case .object(var report) = verification.json else { return (verification.ok, verification.json) }
        report["ok"] = .bool(verification.ok && holds)
        report["anchor"] = ["seq": .int(anchor.seq), "hash": .string(anchor.hash), "holds": .bool(holds)]
        return (verification.ok && holds, .object(report))
    }

    /// `talentd serve`: serves until SIGTERM or SIGINT, then drains and exits.
    public static func serve(socketPath: String, databasePath: String, config: DaemonConfig, logger: Logger) throws {
        restrictFileModes()
        signal(SIGPIPE, SIG_IGN)

        // Signal handlers before the socket exists: a SIGTERM sent as soon as clients can connect
        // is never lost (it used to fall in the gap before the handlers were installed).
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
        let contract = try contract()
        // Held until exit: `talentd restore` refuses a database a live daemon serves, and a second
        // daemon refuses one this daemon serves. A missing file is left to openForServing, which
        // says how to create it.
        let databaseLock = FileManager.default.fileExists(atPath: databasePath) ? try DatabaseLock(path: databasePath) : nil
        defer { withExtendedLifetime(databaseLock) {} }
        let (store, upgrades) = try Store.openForServing(path: databasePath, migrations: migrations,
                                                         busyTimeout: Double(config.busyTimeoutMilliseconds) / 1000)
        if !Store.processSettingsApplied {
            logger.warning("SQLite was initialized before talentd could set it up: writes cost more CPU (memory statistics on, savepoint journals in small pieces)")
        }
        if !upgrades.isEmpty {
            logger.notice("database upgraded", metadata: ["db": .string(databasePath), "applied": .string(upgrades.joined(separator: ","))])
        }
        do {
            try store.pool.read { try RoleTable.check($0) }
        } catch {
            try? store.close()
            throw error
        }
        let workers = NIOThreadPool(numberOfThreads: config.workerThreads)
        workers.start()

        var serverConfiguration = RPCServer.Configuration(socketPath: socketPath)
        serverConfiguration.limits = config.limits
        serverConfiguration.eventLoopThreads = config.eventLoopThreads
        serverConfiguration.drainTimeout = .seconds(config.drainTimeoutSeconds)
        serverConfiguration.listeningDescriptor = Systemd.takeListeningSocket()
        let listeningOn = serverConfiguration.listeningDescriptor.map { "the socket systemd passed (fd \($0))" } ?? socketPath

        let hashWorkers = NIOThreadPool(numberOfThreads: min(config.hashThreads, System.coreCount))
        hashWorkers.start()

        let stats = ServerStats()
        let sessions = SessionResolver(store: store)
        let passwords = Passwords()
        let events = try EventBus(store: store, sessions: sessions, maxBacklog: config.maxEventBacklog, logger: logger)
        let domains = Domains(
            system: SystemMethods(store: store, contract: contract, config: config, stats: stats),
            session: SessionMethods(store: store, sessions: sessions, throttle: LoginThrottle(), passwords: passwords),
            principal: PrincipalMethods(sessions: sessions, passwords: passwords),
            token: TokenMethods(sessions: sessions),
            audit: AuditMethods(),
            org: OrgMethods(),
            person: PersonMethods(),
            appointment: AppointmentMethods(),
            coverage: CoverageMethods(),
            param: ParamMethods(),
            remuneration: RemunerationMethods(),
            campaign: CampaignMethods(),
            application: ApplicationMethods(),
            evaluation: EvaluationMethods(),
            expert: ExpertMethods(leadingExpertTarget: config.leadingExpertTarget),
            awardRound: AwardRoundMethods(), nomination: NominationMethods(), review: ReviewMethods(),
            duty: DutyMethods(),
            kpi: KpiMethods(),
            events: EventMethods(store: store, bus: events))
        let runner = MethodRunner(store: store, sessions: sessions, secretParams: TableCheck.secretParams(contract),
                                  secretResults: TableCheck.secretResultMembers(contract),
                                  idempotencyRetentionSeconds: config.idempotencyRetentionSeconds)
        let writesPerCommit = domains.system.prometheus.writesPerCommit
        store.writes.onCommit = { writes in writesPerCommit.record(Double(writes)) }
        doOncePerCommit(store.writes)
        // A quick read's snapshot is shared with the reads after it on the same event loop until
        // that loop has finished its current batch of work (then it must not hold the WAL back).
        store.threadReaders.endOfRound = { end in
            guard let loop = MultiThreadedEventLoopGroup.currentEventLoop else { return false }
            loop.execute(end)
            return true
        }
        let server: RPCServer
        var metricsServer: MetricsHTTPServer?
        do {
            let table = methodTable(domains)
            try TableCheck.check(table, against: contract)
            try EnumCheck.check(against: contract)
            events.start(table: table)
            let dispatcher = try Dispatcher(methods: table.map(runner.compile), contract: contract, limits: config.limits,
                                            stats: stats, workers: workers, heavyWorkers: hashWorkers, logger: logger)
            domains.system.prometheus.readQueueDepth { dispatcher.requestsOnWorkers }
            metricsServer = try config.metricsListen.map { try MetricsHTTPServer(listen: $0, metrics: domains.system.prometheus) }
            server = try RPCServer(configuration: serverConfiguration, dispatcher: dispatcher, stats: stats, logger: logger)
        } catch {
            metricsServer?.shutdown()
            try? workers.syncShutdownGracefully()
            try? hashWorkers.syncShutdownGracefully()
            try? store.close()
            throw error
        }
        let purge = IdempotencyPurge(store: store, retentionSeconds: config.idempotencyRetentionSeconds, logger: logger)
        purge.start()
        let lateSweep = DutyLateSweep(store: store, every: Int(config.dutyLateSweepSeconds), logger: logger)
        lateSweep.start()
        logger.info("serving", metadata: [
            "socket": .string(listeningOn), "db": .string(databasePath),
            "schema_version": .stringConvertible((try? store.schemaVersion()) ?? -1),
            "version": .string(SystemMethods.version),
            "metrics": .string(config.metricsListen.map { "http://\($0)/metrics" } ?? "off"),
        ])

        Systemd.notify("READY=1\nSTATUS=serving on \(listeningOn)")
        let watchdog = Systemd.startWatchdog {
            // Pings only while the database answers: a wedged daemon gets restarted.
            (try? store.pool.read { try Int.fetchOne($0, sql: "SELECT 1") }) != nil
        }

        stop.wait()
        logger.info("shutting down", metadata: ["signal": .string(signalName.get())])
        Systemd.notify("STOPPING=1\nSTATUS=draining after \(signalName.get())")
        watchdog?.cancel()
        purge.stop()
        lateSweep.stop()
        server.shutdown()
        metricsServer?.shutdown()
        try? workers.syncShutdownGracefully()
        try? hashWorkers.syncShutdownGracefully()
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
