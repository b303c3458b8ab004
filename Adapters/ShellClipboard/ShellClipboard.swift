import Foundation
import HealthSyncPorts

/// The `ClipboardReader` port through the tools desktops ship: `wl-paste`
/// on Wayland, `xclip` on X11, each given two seconds and read up to
/// `maxBytes`; nil on a machine without a desktop.
public struct ShellClipboard: ClipboardReader {
    public static let maxBytes = 4096

    private let environment: [String: String]

    public init(environment: [String: String]) { self.environment = environment }

    public func text() async -> String? {
        var candidates: [[String]] = []
        if environment["WAYLAND_DISPLAY"] != nil { candidates.append(["wl-paste", "--no-newline"]) }
        if environment["DISPLAY"] != nil { candidates.append(["xclip", "-selection", "clipboard", "-o"]) }
        for command in candidates {
            guard let tool = executable(command[0], path: environment["PATH"] ?? "/usr/bin:/bin") else { continue }
            if let text = await Self.run(tool, Array(command.dropFirst())), !text.isEmpty { return text }
        }
        return nil
    }

    private func executable(_ name: String, path: String) -> String? {
        path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a clipboard tool for at most two seconds, off the cooperative pool.
    private static func run(_ tool: String, _ arguments: [String]) async -> String? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: tool)
                process.arguments = arguments
                let output = Pipe()
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                process.standardInput = FileHandle.nullDevice
                do { try process.run() } catch {
                    continuation.resume(returning: nil)
                    return
                }
                let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
                DispatchQueue.global().asyncAfter(deadline: .now() + 2, execute: killer)
                let data = (try? output.fileHandleForReading.read(upToCount: maxBytes)) ?? nil
                process.waitUntilExit()
                killer.cancel()
                let text = data.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
                continuation.resume(returning: process.terminationStatus == 0 ? text : nil)
            }
        }
    }
}
