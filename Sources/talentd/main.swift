import ArgumentParser
import Logging
import TalentDaemon
import TalentProtocol

@main
struct Talentd: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The talentd daemon: the system of record for the national talent and chief-engineer program.",
        discussion: """
        Serves JSON-RPC 2.0 (one JSON value per line) on a Unix socket, keeping its data in SQLite.
        Paths resolve as: the flag, then $TALENT_SOCKET / $TALENT_DB, then the config file, then
        ./var/talentd.sock and ./var/talent.db. The protocol is described in Protocol/PROTOCOL.md.

        Typical use:
          talentd init --db ./var/talent.db --admin-secret-file ./var/admin.secret
          talentd serve --db ./var/talent.db --socket ./var/talentd.sock
          talentd admin reset-secret --name admin --secret-file ./new.secret
          talentd audit verify --db ./var/talent.db
        """,
        version: "0.1.0",
        subcommands: [Init.self, Serve.self, Admin.self, Audit.self]
    )
}

struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical. At debug, one line per request. (default: the config file's log_level, else info)")
    var logLevel: Logger.Level?

    func bootstrap(default level: Logger.Level) -> Logger {
        let chosen = logLevel ?? level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = chosen
            return handler
        }
        var logger = Logger(label: "talentd")
        logger.logLevel = chosen
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

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
        The socket is created with mode 0660. If another daemon already listens on it, serve
        refuses to start; a stale socket file (nothing listening) is replaced. On SIGTERM or
        SIGINT the daemon stops accepting connections, finishes requests already received (up to
        drain_timeout_s, default 10 s), closes the database, removes the socket and exits 0.

        The config file is JSON; see Ops/config/talentd.example.json for every key.
        """
    )

    @Option(name: .long, help: "SQLite database file (default: $TALENT_DB, else ./var/talent.db).")
    var db: String?

    @Option(name: .long, help: "Unix socket to listen on (default: $TALENT_SOCKET, else ./var/talentd.sock).")
    var socket: String?

    @Option(name: .long, help: "JSON config file (limits, threads, log level, health thresholds).")
    var config: String?

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
        let logger = logging.bootstrap(default: settings.logLevel)
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
            discussion: "Prints {\"ok\":…,\"entries\":…,\"first_bad_seq\":…} as JSON.")

        @Option(name: .long, help: "SQLite database file (default: $TALENT_DB, else ./var/talent.db).")
        var db: String?

        func run() throws {
            let verdict: (ok: Bool, report: JSONValue)
            do {
                verdict = try Daemon.verifyAudit(databasePath: DefaultPaths.database(flag: db))
            } catch {
                throw ValidationErrorExit(message: "talentd audit verify: \(error)")
            }
            print(JSONWriter.string(verdict.report))
            if !verdict.ok { throw ExitCode.failure }
        }
    }
}

/// A start-up failure: the message goes to stderr as is, the exit status is 1.
struct ValidationErrorExit: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
