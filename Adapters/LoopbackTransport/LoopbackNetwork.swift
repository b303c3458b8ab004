import HealthSyncDomain
import HealthSyncPorts
import Synchronization

/// An in-memory network shared by the devices of one process: listeners
/// register by port; connections call their handler directly. Like one
/// machine's loopback interface, any host name reaches the same ports.
public final class LoopbackNetwork: Sendable {
    struct Listening: Sendable {
        let id: Int
        let credentials: TransportCredentials
        let clientAnchor: Certificate
        let handler: WireHandler
    }

    private struct State {
        var listeners: [Int: Listening] = [:]
        var silent: Set<Int> = []
        var control: [Int: (id: Int, handler: ControlHandler)] = [:]
        var announcements: [Int: (id: Int, announcement: DiscoveryAnnouncement)] = [:]
        var nextPort = 40_000
        var nextID = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// A network for every device of the process that is not given one.
    public static let shared = LoopbackNetwork()

    func register(port requested: Int, credentials: TransportCredentials, clientAnchor: Certificate,
                  handler: @escaping WireHandler) throws -> (port: Int, id: Int) {
        try state.withLock { state in
            var port = requested
            if port == 0 {
                while state.listeners[state.nextPort] != nil { state.nextPort += 1 }
                port = state.nextPort
                state.nextPort += 1
            }
            guard state.listeners[port] == nil else {
                throw HealthSyncError(.invalidArgument, "Port \(port) is already in use",
                                      hint: "Choose another port, or 0 to let the system choose.")
            }
            state.nextID += 1
            state.listeners[port] = Listening(id: state.nextID, credentials: credentials, clientAnchor: clientAnchor,
                                              handler: handler)
            return (port, state.nextID)
        }
    }

    func unregister(port: Int, id: Int) {
        state.withLock { state in
            if state.listeners[port]?.id == id { state.listeners[port] = nil }
        }
    }

    func listener(port: Int) -> Listening? { state.withLock { $0.listeners[port] } }

    func isListening(port: Int, id: Int) -> Bool { state.withLock { $0.listeners[port]?.id == id } }

    func isSilent(port: Int) -> Bool { state.withLock { $0.silent.contains(port) } }

    func registerControl(port requested: Int, handler: @escaping ControlHandler) throws -> (port: Int, id: Int) {
        try state.withLock { state in
            var port = requested
            if port == 0 {
                while state.control[state.nextPort] != nil || state.listeners[state.nextPort] != nil { state.nextPort += 1 }
                port = state.nextPort
                state.nextPort += 1
            }
            guard state.control[port] == nil else {
                throw HealthSyncError(.invalidArgument, "Port \(port) is already in use",
                                      hint: "Is another daemon running? Choose another port (--api-port), or 0.")
            }
            state.nextID += 1
            state.control[port] = (state.nextID, handler)
            return (port, state.nextID)
        }
    }

    func unregisterControl(port: Int, id: Int) {
        state.withLock { state in
            if state.control[port]?.id == id { state.control[port] = nil }
        }
    }

    func controlHandler(port: Int) -> ControlHandler? { state.withLock { $0.control[port]?.handler } }

    func registerAnnouncement(port requested: Int, _ announcement: DiscoveryAnnouncement) throws -> (port: Int, id: Int) {
        try state.withLock { state in
            var port = requested
            if port == 0 {
                while state.announcements[state.nextPort] != nil { state.nextPort += 1 }
                port = state.nextPort
                state.nextPort += 1
            }
            guard state.announcements[port] == nil else {
                throw HealthSyncError(.invalidArgument, "UDP port \(port) is already in use",
                                      hint: "Choose another port (--discovery-port), or 0.")
            }
            state.nextID += 1
            state.announcements[port] = (state.nextID, announcement)
            return (port, state.nextID)
        }
    }

    func unregisterAnnouncement(port: Int, id: Int) {
        state.withLock { state in
            if state.announcements[port]?.id == id { state.announcements[port] = nil }
        }
    }

    func announcement(port: Int) -> DiscoveryAnnouncement? { state.withLock { $0.announcements[port]?.announcement } }

    /// Makes a port swallow connections without answering (to test timeouts).
    public func silence(port: Int) { _ = state.withLock { $0.silent.insert(port) } }
}
