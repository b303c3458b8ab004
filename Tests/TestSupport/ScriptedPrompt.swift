import HealthSyncDomain
import HealthSyncPorts
import Synchronization

/// A `UserPrompt` that answers from a script: each pairing request takes
/// the next answer (false once the script is used up) and is recorded.
public final class ScriptedPrompt: UserPrompt {
    private let state: Mutex<(answers: [Bool], asked: [String])>

    public init(answers: [Bool]) { state = Mutex((answers, [])) }

    /// The names of the devices asked about, in order.
    public var asked: [String] { state.withLock { $0.asked } }

    public func accept(name: String, deviceID: DeviceID, checkNumber: String) async -> Bool {
        state.withLock { state in
            state.asked.append(name)
            return state.answers.isEmpty ? false : state.answers.removeFirst()
        }
    }

    public func refreshRequests() -> AsyncStream<Void> { AsyncStream { $0.finish() } }

    public func line() async -> String? { nil }
}
