import ArgumentParser
import Foundation
import HealthSyncDomain
import HealthSyncWiring

@main
struct HealthSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthsync",
        abstract: "Pair devices over mutual TLS 1.3 and sync health data between them.",
        version: Application.version,
        subcommands: [CertCommand.self, KeychainCommand.self, ConfigCommand.self, DevicesCommand.self,
                      TypesCommand.self, StatusCommand.self, SamplesCommand.self, DaemonCommand.self, ShareCommand.self,
                      PairCommand.self, ScanCommand.self, FetchCommand.self, UnpairCommand.self,
                      DiscoverCommand.self, SyncCommand.self])

    @OptionGroup var global: GlobalOptions

    /// Parses and runs, mapping usage errors to exit code 1 (and to a JSON
    /// error document with --json).
    static func main() async {
        // `healthsync --version` alone is answered before the parser, whose
        // reflection over every command's options was a third of its start-up.
        if CommandLine.arguments.dropFirst().elementsEqual(["--version"]) {
            print(Application.version)
            return
        }
        MallocArenas.limitToCores()
        prepareLibraries()
        do {
            var command = try parseAsRoot(SecretArguments.askingWhenLeftOut(Array(CommandLine.arguments.dropFirst())))
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                let arguments = CommandLine.arguments.dropFirst()
                if arguments.contains("--json") && arguments.contains("--version") {
                    // Machines asked: one JSON document, like every other command.
                    print(#"{"version":"\#(Application.version)"}"#)
                } else {
                    print(fullMessage(for: error))
                }
                Foundation.exit(0)
            }
            if error is ExitCode { Foundation.exit(code.rawValue) }
            let message = message(for: error)
            let usage = HealthSyncError(.invalidArgument, message.isEmpty ? "Invalid arguments" : message,
                                        hint: "Run `healthsync --help` or `healthsync <command> --help`.")
            let json = CommandLine.arguments.contains("--json")
            makeFallbackPresenter(json: json, environment: .process).show(usage)
            Foundation.exit(ExitCodes.code(for: .usage))
        }
    }

    func run() async throws {
        print(Self.helpMessage())
    }
}

/// Secrets stay out of the process's arguments (`/proc/PID/cmdline` is
/// readable by every local user): `--code` or `--token` with no value, or
/// with `-`, is asked for on the terminal instead.
enum SecretArguments {
    static let options: Set<String> = ["--code", "--token"]
    /// The value that means "ask me".
    static let ask = "-"

    /// `arguments` with `-` after a secret option whose value was left out.
    static func askingWhenLeftOut(_ arguments: [String]) -> [String] {
        var result: [String] = []
        for (index, argument) in arguments.enumerated() {
            result.append(argument)
            guard options.contains(argument) else { continue }
            let next = index + 1 < arguments.count ? arguments[index + 1] : nil
            if next == nil || next!.hasPrefix("--") { result.append(ask) }
        }
        return result
    }
}
