import HealthSyncDomain

/// The one table from error categories to process exit codes.
enum ExitCodes {
    static func code(for category: ErrorCategory) -> Int32 {
        switch category {
        case .usage: return 1
        case .pairing: return 2
        case .trust: return 3
        case .transport: return 4
        case .state: return 5
        case .daemon: return 6
        case .internal: return 7
        }
    }
}
