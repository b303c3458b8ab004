import ArgumentParser
import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import HealthSyncWiring
import ServiceLifecycle

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Serve paired devices over mutual TLS 1.3, the local control API and discovery, and sync in the background, until SIGINT or SIGTERM.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Peer port (0: chosen by the system; default: transport.listen.port).") var port: Int?
    @Option(name: .long, help: "Control API port on 127.0.0.1 (0: chosen by the system; default: api.port).")
    var apiPort: Int?
    @Option(name: .long, help: "Address pairing codes tell other devices to dial (default: this machine's first network address).")
    var advertise: String?
    @Option(name: .long, help: "UDP port answering `healthsync discover` (0: chosen by the system; default: discovery.port).")
    var discoveryPort: Int?

    func run() async throws {
        try await CommandRunner(global: global).run { application, _ in
            let config = application.config
            let running = try await application.daemon.start(
                peerEndpoint: listenEndpoint(application, port: port),
                apiEndpoint: Endpoint(host: config.api.host, port: apiPort ?? config.api.port),
                advertiseHost: advertise ?? LocalAddress.preferred(), discoveryPort: discoveryPort, pid: getpid())
            application.presenter.show(.listening(ListeningReport(
                listening: running.info.peer.description, port: running.info.peer.port,
                deviceID: running.info.deviceID, api: running.info.api.description,
                discovery: running.info.discovery?.description)))
            // Certificates are checked hourly, so a daemon that runs for months renews in time.
            let renewal = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(3600))
                    do { try await running.renewIfDue() } catch { application.bus.publish(.failed(HealthSyncError.wrap(
                        error, as: .cryptoFailure, "Renewing the server certificate failed"))) }
                }
            }
            // Background sync from the devices this one reads from (nothing to do when it only shares).
            let interval = application.config.sync.intervalSeconds
            let syncing = Task {
                guard interval > 0 else { return }
                while !Task.isCancelled {
                    do { _ = try await application.syncing.sync() } catch let error as HealthSyncError where error.code == .notPaired {
                        // Not reading from anyone (yet).
                    } catch {
                        application.bus.publish(.failed(HealthSyncError.wrap(error, as: .deviceNotFound, "Background sync failed")))
                    }
                    try? await Task.sleep(for: .seconds(interval))
                }
            }
            await Lifecycle.waitForShutdown()
            syncing.cancel()
            renewal.cancel()
            await running.stop()
            return nil
        }
    }
}

struct ShareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "share",
        abstract: "Start sharing: serve paired devices and show a pairing code and QR code.",
        discussion: "Type `r` and Enter to refresh the code. Answer `y` to accept a device. Stop with Ctrl-C.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Peer port (0: chosen by the system; default: transport.listen.port).") var port: Int?
    @Option(name: .long, help: "Address other devices dial (default: this machine's first network address).")
    var advertise: String?
    @Option(name: .long, help: "Also save each QR code as a PNG image here.") var qrPng: String?
    @Flag(name: .long, help: "Accept pairing requests without asking (for scripts).") var yes = false
    @Flag(name: .long, help: "Stop after the first device pairs.") var once = false

    func run() async throws {
        try await CommandRunner(global: global).run { application, _ in
            let listener = try await application.peerService.listen(on: listenEndpoint(application, port: port))
            let advertised = Endpoint(host: advertise ?? LocalAddress.preferred(), port: listener.endpoint.port)
            let host = application.pairingHost
            let events = application.bus.subscribe()
            let deviceID = try application.identity.ensureIdentity().deviceID
            @Sendable func announce() async throws {
                let invitation = try await host.initiate(advertising: advertised)
                if let qrPng { try application.qr.savePNG(invitation.qrText, to: qrPng) }
                application.presenter.show(.listening(ListeningReport(
                    listening: listener.endpoint.description, port: listener.endpoint.port, deviceID: deviceID,
                    code: invitation.code, advertised: advertised.description, payload: invitation.qrText,
                    expiresAt: invitation.expiresAt, qr: try? application.qr.code(for: invitation.qrText),
                    qrImage: qrPng)))
            }
            try await announce()
            // One reader of standard input: `r` refreshes the code, other lines answer prompts.
            let (answers, answer) = AsyncStream<String>.makeStream()
            let reader = Task {
                for await line in StandardInput.lines() {
                    if line == "r" { await host.cancel() } else { answer.yield(line) }
                }
                answer.finish()
            }
            try? await Lifecycle.run {
                try? await cancelWhenGracefulShutdown {
                    var replies = answers.makeAsyncIterator()
                    for await event in events {
                        switch event {
                        case .pairingRequestPending:
                            var accept = yes
                            if !yes {
                                RuntimeEnvironment.process.standardError("Accept this device? [y/N] ")
                                accept = (await replies.next())?.lowercased().hasPrefix("y") ?? false
                            }
                            try? await host.respond(accept: accept)
                        case .paired where once:
                            return
                        case .paired, .pairingRejected, .pairingCancelled:
                            try? await announce()
                        default:
                            break
                        }
                    }
                }
            }
            reader.cancel()
            await host.cancel()
            await listener.close()
            return nil
        }
    }
}
