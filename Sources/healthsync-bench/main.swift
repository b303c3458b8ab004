// healthsync-bench: the one part of scripts/bench.sh a shell cannot do.
//
//   healthsync-bench hold N [--host H:P]
//
// Opens N mutual-TLS connections from the device of HEALTHSYNC_STATE_DIR to
// its paired sharing device, proves each with one request, prints
// "open N", keeps them open until standard input ends, then closes them.
import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncWiring

@main
struct Bench {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count >= 2, arguments[0] == "hold", let count = Int(arguments[1]), (1...10_000).contains(count) else {
            FileHandle.standardError.write(Data("usage: healthsync-bench hold N [--host H:P]   (1 ≤ N ≤ 10000)\n".utf8))
            exit(1)
        }
        let host = arguments.count >= 4 && arguments[2] == "--host" ? arguments[3] : nil
        do {
            let loaded = try loadConfig(explicitFile: nil, environment: ProcessInfo.processInfo.environment, flags: [],
                                        allowMissingFile: true)
            let application = try build(config: loaded.config)
            let fetching = application.fetching
            // At most `parallel` handshakes at once, as clients arrive in
            // practice: the daemon caps connections that have not proven
            // themselves yet, per source, and 10 000 at once would meet that cap.
            let parallel = 32
            let connections = try await withThrowingTaskGroup(of: (any PeerLink).self) { group in
                var opened: [any PeerLink] = []
                for started in 0..<count {
                    if started >= parallel, let connection = try await group.next() { opened.append(connection) }
                    group.addTask { try await fetching.openConnection(host: host) }
                }
                for try await connection in group { opened.append(connection) }
                return opened
            }
            for connection in connections { _ = try await connection.status(timeout: .seconds(30)) }
            print("open \(connections.count)")
            fflush(nil)
            await waitForEndOfInput()
            for connection in connections { await connection.close() }
        } catch {
            FileHandle.standardError.write(Data("healthsync-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    /// Reads standard input to its end on a thread of its own.
    static func waitForEndOfInput() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                while readLine() != nil {}
                continuation.resume()
            }
        }
    }
}
