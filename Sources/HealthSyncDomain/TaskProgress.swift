/// How far a long task has come (`samples import`, `sync`, `fetch`), for a
/// progress bar: published on the bus as the work goes, `finished` last.
public struct TaskProgress: Sendable, Equatable {
    public enum Unit: String, Sendable, Codable { case bytes, samples }

    /// What is being done, for people: "import", "sync phone", "fetch".
    public let task: String
    public let done: Int64
    /// How much there is in all, when known.
    public let total: Int64?
    public let unit: Unit
    /// Seconds since the task began (from the injected clock), for the rate and the time left.
    public let elapsed: Double
    public let finished: Bool

    public init(task: String, done: Int64, total: Int64?, unit: Unit, elapsed: Double, finished: Bool = false) {
        self.task = task
        self.done = done
        self.total = total
        self.unit = unit
        self.elapsed = elapsed
        self.finished = finished
    }
}
