/// Where a daemon's control API is reached: the Unix domain socket in the
/// private state directory (the CLI's way: only this user can open it), or
/// a loopback TCP port (for browser extensions, guide 002).
public enum ControlAddress: Sendable, Hashable, CustomStringConvertible {
    case socket(path: String)
    case tcp(Endpoint)

    /// `<state_dir>/control.sock`.
    public static func socket(inStateDirectory stateDir: String) -> ControlAddress {
        .socket(path: stateDir + "/control.sock")
    }

    public var description: String {
        switch self {
        case .socket(let path): "unix:\(path)"
        case .tcp(let endpoint): endpoint.description
        }
    }
}
