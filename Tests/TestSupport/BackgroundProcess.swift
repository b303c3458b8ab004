import Foundation

/// A program running beside a test: its first stdout line can be awaited,
/// and it is terminated (SIGTERM) and reaped when the test is done.
public final class BackgroundProcess: @unchecked Sendable {
    // Safe: `process` is configured before `run()` and only signalled or
    // waited on afterwards; `lines` is guarded by `lock`.
    private let process = Process()
    private let output = Pipe()
    private let lock = NSLock()
    private var lines: [String] = []
    private var buffer = Data()

    public init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock {
                self.buffer += data
                while let newline = self.buffer.firstIndex(of: 0x0a) {
                    self.lines.append(String(decoding: self.buffer[..<newline], as: UTF8.self))
                    self.buffer = Data(self.buffer[(newline + 1)...])
                }
            }
        }
        try process.run()
    }

    /// The first line printed, waiting up to `seconds`.
    public func firstLine(within seconds: Double = 20) async -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let line = lock.withLock({ lines.first }) { return line }
            if !process.isRunning { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return lock.withLock { lines.first }
    }

    /// Waits for the program to end by itself (up to `seconds`), else ends it.
    public func finish(within seconds: Double = 10) async -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { process.terminate() }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        output.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    public func terminate() async -> Int32 {
        if process.isRunning { process.terminate() }
        return await finish()
    }
}
