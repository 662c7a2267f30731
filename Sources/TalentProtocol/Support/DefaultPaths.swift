#if canImport(Glibc)
import Glibc
#endif

/// Where the socket and the database are: the flag, then the environment variable, then the
/// daemon's config file (talentd only), then `./var/...`. talentd and talentctl resolve paths
/// the same way through this.
public enum DefaultPaths {
    public static func socket(flag: String?, configured: String? = nil) -> String {
        resolve(flag, environment: "TALENT_SOCKET", configured: configured, fallback: "./var/talentd.sock")
    }

    public static func database(flag: String?, configured: String? = nil) -> String {
        resolve(flag, environment: "TALENT_DB", configured: configured, fallback: "./var/talent.db")
    }

    private static func resolve(_ flag: String?, environment name: String, configured: String?, fallback: String) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let value = getenv(name), let text = String(validatingCString: value), !text.isEmpty { return text }
        return configured ?? fallback
    }
}
