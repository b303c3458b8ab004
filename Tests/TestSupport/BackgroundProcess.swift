import Foundation

/// A program running beside a test: its output lines can be awaited, and it
/// is terminated (SIGTERM) and reaped when the test is done.
public final class BackgroundProcess: @unchecked Sendable {
    public enum Stream: Sendable { case standardOutput, standardError }

    // Safe: `process` is configured before `run()` and only signalled or
    // waited on afterwards; `lines` and `buffers` are guarded by `lock`.
    private let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private let lock = NSLock()
    private var lines: [Stream: [String]] = [.standardOutput: [], .standardError: []]
    private var buffers: [Stream: Data] = [.standardOutput: Data(), .standardError: Data()]

    public init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        for (pipe, stream) in [(output, Stream.standardOutput), (errors, Stream.standardError)] {
            pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                guard let self, !data.isEmpty else { return }
                self.lock.withLock {
                    var buffer = self.buffers[stream, default: Data()] + data
                    while let newline = buffer.firstIndex(of: 0x0a) {
                        self.lines[stream, default: []].append(String(decoding: buffer[..<newline], as: UTF8.self))
                        buffer = Data(buffer[(newline + 1)...])
                    }
                    self.buffers[stream] = buffer
                }
            }
        }
        try process.run()
    }

    /// The first line printed on `stream` that contains `text` (any line
    /// when nil), waiting up to `seconds`.
    public func firstLine(within seconds: Double = 20, on stream: Stream = .standardOutput,
                          containing text: String? = nil) async -> String? {
        func found() -> String? {
            lock.withLock { lines[stream, default: []].first { text == nil || $0.contains(text!) } }
        }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let line = found() { return line }
            if !process.isRunning { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return found()
    }

    /// The `"event":"listening"` line a long-running command prints with `--json` on standard error.
    public func listening(within seconds: Double = 20) async -> [String: Any]? {
        guard let line = await firstLine(within: seconds, on: .standardError, containing: #""event":"listening""#) else {
            return nil
        }
        return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }

    /// Every whole line printed on `stream` so far.
    public func printed(on stream: Stream = .standardOutput) -> [String] { lock.withLock { lines[stream, default: []] } }

    /// Waits for the program to end by itself (up to `seconds`), else ends it.
    public func finish(within seconds: Double = 10) async -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { process.terminate() }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        // What was written before the end is still in the pipes: read it.
        try? await Task.sleep(for: .milliseconds(50))
        output.fileHandleForReading.readabilityHandler = nil
        errors.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    // A test that stops early (a failed #require) still ends what it started.
    deinit {
        if process.isRunning { process.terminate() }
    }

    public func terminate() async -> Int32 {
        if process.isRunning { process.terminate() }
        return await finish()
    }
}
