import ArgumentParser
import Foundation
import HealthSyncDomain
import HealthSyncWiring

struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Join a sharing device from its QR code: an image, the clipboard, or standard input.",
        discussion: """
            With --image, reads the QR code in a PNG file. Otherwise takes the payload from the clipboard \
            (wl-paste on Wayland, xclip on X11) when it holds one, else the first line of standard input.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "A PNG image of the QR code.") var image: String?

    func run() async throws {
        try await CommandRunner(global: global).run { application, _ in
            let payload: String
            if let image {
                payload = try application.qr.payload(inImageAt: image)
            } else if let copied = await Clipboard.text(), (try? PairingPayload(parsing: copied)) != nil {
                payload = copied
            } else {
                payload = await Self.firstLine()
            }
            let record = try await application.joining.join(payloadText: payload)
            return .paired(PairCommand.report(record))
        }
    }

    /// The first non-empty line of standard input (bounded), or "".
    static func firstLine() async -> String {
        for await line in StandardInput.lines() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { return trimmed }
        }
        return ""
    }
}

/// The desktop clipboard through the tools desktops ship, when present.
enum Clipboard {
    static let maxBytes = 4096

    static func text(environment: [String: String] = ProcessInfo.processInfo.environment) async -> String? {
        var candidates: [[String]] = []
        if environment["WAYLAND_DISPLAY"] != nil { candidates.append(["wl-paste", "--no-newline"]) }
        if environment["DISPLAY"] != nil { candidates.append(["xclip", "-selection", "clipboard", "-o"]) }
        for command in candidates {
            guard let tool = executable(command[0], path: environment["PATH"] ?? "/usr/bin:/bin") else { continue }
            if let text = await run(tool, Array(command.dropFirst())), !text.isEmpty { return text }
        }
        return nil
    }

    private static func executable(_ name: String, path: String) -> String? {
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
