import Foundation

/// The outcome of running a program.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let standardOutput: String
    public let standardError: String

    /// stdout parsed as one JSON object (nil when it is not one).
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(standardOutput.utf8))) as? [String: Any]
    }

    /// The `error.code` of a JSON error document.
    public var errorCode: String? { (json?["error"] as? [String: Any])?["code"] as? String }
}

public enum ProcessRunner {
    /// Runs `executable` with `arguments` and exactly `environment`; stdin
    /// is `standardInput` (then closed), or empty. It blocks its thread until
    /// the child exits, so async code calls `runDetached` instead.
    @available(*, noasync, message: "Use runDetached: waiting here would hold a thread of Swift's cooperative pool")
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                           directory: String? = nil, standardInput: String? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        let input = standardInput.map { _ in Pipe() }
        process.standardInput = input ?? FileHandle.nullDevice
        try process.run()
        if let input, let standardInput {
            input.fileHandleForWriting.write(Data(standardInput.utf8))
            try? input.fileHandleForWriting.close()
        }
        // Drain stderr on another thread so a chatty child cannot fill the pipe and stall.
        let errorData = ErrorCollector(error.fileHandleForReading)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus,
                             standardOutput: String(decoding: outputData, as: UTF8.self),
                             standardError: String(decoding: errorData.wait(), as: UTF8.self))
    }

    /// Finds a program on PATH.
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// Reads a pipe to its end on a background thread.
private final class ErrorCollector: @unchecked Sendable {
    // Safe: `data` is written once by the reading thread before `done` is
    // signalled and read only after waiting on it.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}

extension ProcessRunner {
    /// `run` on a thread of its own, so that a test waiting for a child
    /// process never blocks Swift's cooperative pool (which serves the
    /// server the child talks to).
    public static func runDetached(_ executable: String, _ arguments: [String], environment: [String: String],
                                   directory: String? = nil, standardInput: String? = nil) async throws -> ProcessResult {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try run(executable, arguments, environment: environment, directory: directory,
                            standardInput: standardInput)
                })
            }
        }
    }
}
