import ArgumentParser
import Logging
import TalentDaemon
import TalentProtocol

@main
struct Talentd: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The talentd daemon: the system of record for the national talent and chief-engineer program.",
        discussion: """
        Serves JSON-RPC 2.0 (one JSON value per line) on a Unix socket, keeping its
        data in SQLite. Paths resolve as: the flag, then $TALENT_SOCKET / $TALENT_DB,
        then the config file, then ./var/talentd.sock and ./var/talent.db. The
        protocol is described in Protocol/PROTOCOL.md.

        Typical use:
          talentd init --db ./var/talent.db --admin-secret-file ./var/admin.secret
          talentd serve --db ./var/talent.db --socket ./var/talentd.sock
          talentd admin reset-secret --name admin --secret-file ./new.secret
          talentd audit verify --db ./var/talent.db --anchor 1204:9f2c…
          talentd verify --db /var/backups/talentd/talent-2026-11-25.db
          talentd restore --from /var/backups/talentd/talent-2026-11-25.db --db ./var/talent.db
        """,
        version: "0.1.0",
        subcommands: [Init.self, Serve.self, Admin.self, Audit.self, Verify.self, Restore.self]
    )
}

struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical. At debug, one line per request. (default: the config file's log_level, else info)")
    var logLevel: Logger.Level?

    @Option(name: .long, help: "Log format: text, or json (one object per line: time, level, message, and for requests method, duration_us, outcome, connection). (default: the config file's log_format, else text)")
    var logFormat: LogFormat?

    func bootstrap(default level: Logger.Level, format defaultFormat: LogFormat = .text) -> Logger {
        let chosen = logLevel ?? level
        switch logFormat ?? defaultFormat {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = chosen
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: chosen) }
        }
        var logger = Logger(label: "talentd")
        logger.logLevel = chosen
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the database, or bring an existing one to the current schema.",
        discussion: """
        Safe to run any number of times: migrations already applied are skipped. Creates the database's folder if needed, and seeds the 51 organizations.

        With --admin-secret-file, also creates the principal `admin` (role admin) if it does not exist: if the file exists, its content is the password (at least 12 characters); otherwise a strong password is generated and written there with mode 0600. An existing admin is left as it is.
        """
    )

    @Option(name: .long, help: "SQLite database file (default: $TALENT_DB, else ./var/talent.db).")
    var db: String?

    @Option(name: .long, help: "File holding the admin password, or where to write a generated one (mode 0600).")
    var adminSecretFile: String?

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        let logger = logging.bootstrap(default: .info)
        let path = DefaultPaths.database(flag: db)
        do {
            try Daemon.initialize(databasePath: path, adminSecretFile: adminSecretFile, logger: logger)
        } catch {
            throw ValidationErrorExit(message: "talentd init: \(error)")
        }
    }
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the JSON-RPC protocol on a Unix socket until SIGTERM or SIGINT.",
        discussion: """
        The socket is created with mode 0660. If another daemon already listens on
        it, serve refuses to start; a stale socket file (nothing listening) is
        replaced. On SIGTERM or SIGINT the daemon stops accepting connections,
        finishes requests already received (up to drain_timeout_s, default 10 s),
        closes the database, removes the socket and exits 0.

        The config file is JSON; see Ops/config/talentd.example.json for every key.
        """
    )

    @Option(name: .long, help: "SQLite database file (default: $TALENT_DB, else ./var/talent.db).")
    var db: String?

    @Option(name: .long, help: "Unix socket to listen on (default: $TALENT_SOCKET, else ./var/talentd.sock).")
    var socket: String?

    @Option(name: .long, help: "JSON config file (limits, threads, log level, health thresholds).")
    var config: String?

    @Option(name: .long, help: "Serve GET /metrics (Prometheus text) on HOST:PORT, e.g. 127.0.0.1:9464 (default: the config file's metrics_listen, else off).")
    var metricsListen: String?

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        var settings = DaemonConfig()
        if let config {
            do {
                settings = try DaemonConfig.load(path: config)
            } catch {
                throw ValidationErrorExit(message: "talentd serve: \(error)")
            }
        }
        if let metricsListen { settings.metricsListen = metricsListen }
        let logger = logging.bootstrap(default: settings.logLevel, format: settings.logFormat)
        let socketPath = DefaultPaths.socket(flag: socket, configured: settings.socketPath)
        let databasePath = DefaultPaths.database(flag: db, configured: settings.databasePath)
        do {
            try Daemon.serve(socketPath: socketPath, databasePath: databasePath, config: settings, logger: logger)
        } catch {
            logger.critical("cannot serve: \(error)")
            throw ExitCode.failure
        }
    }
}

struct Admin: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Offline administration, with the daemon stopped or running.",
        subcommands: [ResetSecret.self])

    struct ResetSecret: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-secret",
            abstract: "Set a principal's password directly in the database, for recovery.",
            discussion: """
            If the secret file exists its content is the new password (at least 12 characters); otherwise a strong password is generated and written there with mode 0600. The principal is re-enabled, and the reset is recorded in the audit trail. The secret never appears on the command line or in the log.

            Example: talentd admin reset-secret --db ./var/talent.db --name admin --secret-file ./admin.secret
            """)

        @Option(name: .long, help: "SQLite database file (default: $TALENT_DB, else ./var/talent.db).")
        var db: String?

        @Option(name: .long, help: "The principal whose password to set.")
        var name: String

        @Option(name: .long, help: "File holding the new password, or where to write a generated one (mode 0600).")
        var secretFile: String

        @OptionGroup var logging: LoggingOptions

        func run() throws {
            let logger = logging.bootstrap(default: .info)
            do {
                try Daemon.resetSecret(databasePath: DefaultPaths.database(flag: db), name: name, secretFile: secretFile, logger: logger)
            } catch {
                throw ValidationErrorExit(message: "talentd admin reset-secret: \(error)")
            }
        }
    }
}

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the audit trail offline.",
        subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the audit hash chain; exit 0 when intact, 1 when an entry was edited, deleted or reordered.",
            discussion: """
            Prints {"ok":…,"entries":…,"first_bad_seq":…} as JSON.

            Someone who can write the database file can rebuild a whole consistent chain. With --anchor SEQ:HASH (a head published earlier from `talentctl audit head`), verification also fails unless the entry SEQ still carries HASH; the report then has "anchor": {"seq", "hash", "holds"}.
            """)

        @Option(name: .long, help: "SQLite database file (default: $TALENT_DB, else ./var/talent.db).")
        var db: String?

        @Option(name: .long, help: "A head published earlier, as SEQ:HASH (from `talentctl audit head`).")
        var anchor: String?

        func run() throws {
            let verdict: (ok: Bool, report: JSONValue)
            var parsedAnchor: AuditAnchor?
            if let anchor {
                guard let parsed = AuditAnchor(anchor) else {
                    throw ValidationErrorExit(message: "talentd audit verify: --anchor must be SEQ:HASH (a number, a colon, 64 lowercase hex digits), as `talentctl audit head` prints it")
                }
                parsedAnchor = parsed
            }
            do {
                verdict = try Daemon.verifyAudit(databasePath: DefaultPaths.database(flag: db), anchor: parsedAnchor)
            } catch {
                throw ValidationErrorExit(message: "talentd audit verify: \(error)")
            }
            print(JSONWriter.string(verdict.report))
            if !verdict.ok { throw ExitCode.failure }
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a database or backup file: SQLite integrity and the audit chain; exit 1 on damage.",
        discussion: """
        Prints {"ok", "integrity", "audit", "audit_head"} as JSON. Safe on a live database (it only reads) and on backups.

        Example: talentd verify --db /var/backups/talentd/talent-2026-11-25.db --anchor 1204:9f2c…
        """)

    @Option(name: .long, help: "SQLite database or backup file (default: $TALENT_DB, else ./var/talent.db).")
    var db: String?

    @Option(name: .long, help: "A head published earlier, as SEQ:HASH (from `talentctl audit head`).")
    var anchor: String?

    func run() throws {
        var parsedAnchor: AuditAnchor?
        if let anchor {
            guard let parsed = AuditAnchor(anchor) else {
                throw ValidationErrorExit(message: "talentd verify: --anchor must be SEQ:HASH (a number, a colon, 64 lowercase hex digits)")
            }
            parsedAnchor = parsed
        }
        let verdict: (ok: Bool, report: JSONValue)
        do {
            verdict = try Daemon.verifyDatabase(path: DefaultPaths.database(flag: db), anchor: parsedAnchor)
        } catch {
            throw ValidationErrorExit(message: "talentd verify: \(error)")
        }
        print(JSONWriter.string(verdict.report))
        if !verdict.ok { throw ExitCode.failure }
    }
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace a database with a backup, offline; refuses while a daemon serves it.",
        discussion: """
        Verifies the backup first (integrity and audit chain) and refuses a damaged one; takes the database's lock, which a running `talentd serve` holds, so it refuses a live database (stop the service first); copies the backup in with SQLite's backup API; verifies the result. Prints {"restored", "from", "pages", "bytes", "seconds", "audit_head"} as JSON.

        Example:
          systemctl stop talentd
          talentd restore --from /var/backups/talentd/talent-2026-11-25.db --db /var/lib/talentd/talent.db
          systemctl start talentd
        """)

    @Option(name: .long, help: "The backup file (from `talentctl backup --to`).")
    var from: String

    @Option(name: .long, help: "The database file to replace (default: $TALENT_DB, else ./var/talent.db).")
    var db: String?

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        let logger = logging.bootstrap(default: .info)
        let report: JSONValue
        do {
            report = try Daemon.restore(from: from, databasePath: DefaultPaths.database(flag: db))
        } catch {
            throw ValidationErrorExit(message: "talentd restore: \(error)")
        }
        logger.notice("restored", metadata: ["db": .string(DefaultPaths.database(flag: db)), "from": .string(from)])
        print(JSONWriter.string(report))
    }
}

/// A start-up failure: the message goes to stderr as is, the exit status is 1.
struct ValidationErrorExit: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
