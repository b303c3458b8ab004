import HealthSyncDomain

/// Turns results, errors and events into output for people or machines.
///
/// A command calls `show(_ report:)` or `show(_ error:)` exactly once: at
/// its end, or — for the daemon, which runs until stopped — once it is
/// ready. Events may be shown while it runs (for machines: JSON lines on
/// standard error, never on standard output). Presenters never write
/// secrets: reports carry none, and errors carry codes, messages and hints.
public protocol Presenter: Sendable {
    /// The result of a command.
    func show(_ report: Report)
    /// The error that ended a command.
    func show(_ error: HealthSyncError)
    /// Something that happened while a command ran.
    func show(_ event: Event)
}
