import TalentProtocol

/// Every method the daemon serves, in one list (modelled on Redis's command table): the name,
/// the handler, and flags. `Protocol/openrpc.json` must describe exactly these methods: the
/// daemon checks at start-up and refuses to run if the two differ.
///
/// Flags: `.fast` runs on the event loop (no I/O, never blocks); `.mutating` changes state.
func methodTable(_ system: SystemMethods) -> [RPCMethod] {
    [
        //        name              handler                 flags
        RPCMethod("rpc.discover",   system.discover,        flags: [.fast]),
        RPCMethod("system.ping",    system.ping,            flags: [.fast]),
        RPCMethod("system.info",    system.info),
        RPCMethod("system.health",  system.health),
        RPCMethod("system.stats",   system.stats,           flags: [.fast]),
    ]
}
