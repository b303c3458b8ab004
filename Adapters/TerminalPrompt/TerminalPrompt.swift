import Foundation
import HealthSyncDomain
import HealthSyncPorts
import Synchronization

/// The `UserPrompt` port on a terminal: questions on standard error, answers
/// as lines of standard input, read on a thread of their own (started on
/// first use) so the cooperative pool is never blocked. While someone
/// listens for refresh requests, a line `r` is one; other lines answer.
public final class TerminalPrompt: UserPrompt {
    public typealias Output = @Sendable (String) -> Void
    /// Longer lines are cut: nothing typed at a prompt needs more.
    static let maxLineLength = 4096

    private struct State {
        var started = false
        var ended = false
        var lines: [String] = []
        var waiting: [CheckedContinuation<String?, Never>] = []
        var refresh: [Int: AsyncStream<Void>.Continuation] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())
    private let errorOutput: Output
    private let readLine: @Sendable () -> String?

    /// - Parameters:
    ///   - readLine: where lines come from (standard input unless a test says otherwise).
    public init(errorOutput: @escaping Output, readLine: (@Sendable () -> String?)? = nil) {
        // The request names a device from outside: nothing it sends may drive the terminal.
        self.errorOutput = { errorOutput(Printable.terminal($0)) }
        // Standard input, a line at a time and each line bounded as it is read.
        let standardInput = BoundedLineReader(maxLength: Self.maxLineLength)
        self.readLine = readLine ?? { standardInput.next() }
    }

    /// The request and its question in one write, so the question can never
    /// come before the request it is about.
    public func accept(name: String, deviceID: DeviceID, checkNumber: String) async -> Bool {
        errorOutput(Self.request(name: name, deviceID: deviceID, checkNumber: checkNumber) + "Accept this device? [y/N] ")
        return (await nextLine())?.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("y") ?? false
    }

    /// Shows a request that is accepted without asking (`--yes`).
    public func announce(name: String, deviceID: DeviceID, checkNumber: String) {
        errorOutput(Self.request(name: name, deviceID: deviceID, checkNumber: checkNumber) + "Accepted (--yes).\n")
    }

    /// Guide 002's request block. The device ID is the key's fingerprint:
    /// "Key:" abbreviates it as the guide does.
    static func request(name: String, deviceID: DeviceID, checkNumber: String) -> String {
        "\nIncoming pairing request!\n\n  Device: \(name) (\(deviceID))\n  Key:    \(deviceID.hex.prefix(8))...\(deviceID.hex.suffix(8))\n"
            + "  Check:  \(checkNumber) (the other device shows the same number)\n\n"
    }

    public func refreshRequests() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            if state.ended { continuation.finish() } else { state.refresh[state.nextID] = continuation }
            return state.nextID
        }
        continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.refresh.removeValue(forKey: id) } }
        start()
        return stream
    }

    public func line() async -> String? {
        while let line = await nextLine() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { return trimmed }
        }
        return nil
    }

    private func nextLine() async -> String? {
        start()
        return await withCheckedContinuation { continuation in
            let ready: String?? = state.withLock { state in
                if !state.lines.isEmpty { return .some(state.lines.removeFirst()) }
                if state.ended { return .some(nil) }
                state.waiting.append(continuation)
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func start() {
        guard state.withLock({ state in defer { state.started = true }; return !state.started }) else { return }
        let readLine = self.readLine
        Thread.detachNewThread { [self] in
            while let line = readLine() { deliver(String(line.prefix(Self.maxLineLength))) }
            finish()
        }
    }

    private func deliver(_ line: String) {
        enum Route { case refresh([AsyncStream<Void>.Continuation]), answer(CheckedContinuation<String?, Never>), kept }
        let route: Route = state.withLock { state in
            if line.trimmingCharacters(in: .whitespaces) == "r" && !state.refresh.isEmpty {
                return .refresh(Array(state.refresh.values))
            }
            if !state.waiting.isEmpty { return .answer(state.waiting.removeFirst()) }
            state.lines.append(line)
            return .kept
        }
        switch route {
        case .refresh(let listeners): for listener in listeners { listener.yield() }
        case .answer(let waiting): waiting.resume(returning: line)
        case .kept: break
        }
    }

    private func finish() {
        let (waiting, refresh) = state.withLock { state in
            state.ended = true
            defer { state.waiting = []; state.refresh = [:] }
            return (state.waiting, Array(state.refresh.values))
        }
        for continuation in waiting { continuation.resume(returning: nil) }
        for continuation in refresh { continuation.finish() }
    }
}
