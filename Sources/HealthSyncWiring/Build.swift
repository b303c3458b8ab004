import FileKeyStore
import Foundation
import HealthSyncBus
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import JSONPresenter
import LibPNGZBar
import LibXML2ExportReader
import LibQREncode
import LoopbackTransport
import OpenSSLTransport
import MemoryKeyStore
import NIOControlChannel
import MemorySampleStore
import OpenSSLCrypto
import PosixFileSystem
import ShellClipboard
import SQLiteKeyStore
import SQLiteSampleStore
import SyncthingGlobalDiscovery
import SystemClock
import WormholeRendezvous
import TerminalPresenter
import TerminalPrompt
import UDPLocalDiscovery
import MulticastDNSDiscovery

/// What the process built for runs: a service (a daemon, a sharing session)
/// answers several peers at once; a command makes one request and exits.
public enum ProcessKind: Sendable {
    case service, command
}

/// The composition root: the only place that constructs adapters. The CLI
/// and the tests call this same function; the configuration alone decides
/// which adapters a device gets.
public func build(config: Config, environment: RuntimeEnvironment = .process,
                  overrides: Overrides = Overrides(), process: ProcessKind = .service) throws -> Application {
    let files = PosixFileSystem()
    let stateDir = try resolveStateDir(config, environment: environment.variables)

    let keyStore: any KeyStore = switch config.keystore.adapter {
    case .file: FileKeyStore(directory: stateDir, fileSystem: files)
    case .sqlite: SQLiteKeyStore(directory: stateDir, fileSystem: files)
    case .memory: MemoryKeyStore()
    }
    let sampleStore: any SampleStore = switch config.samples.adapter {
    case .sqlite: SQLiteSampleStore(directory: stateDir, fileSystem: files,
                                    access: process == .service ? .concurrent : .serial)
    case .memory: MemorySampleStore()
    }
    let presenter: any Presenter = switch config.presenter.adapter {
    case .terminal:
        environment.terminalPresenter
    case .json:
        JSONPresenter(output: environment.standardOutput, errorOutput: environment.standardError)
    }
    let crypto = OpenSSLCrypto()
    let entropy = overrides.entropy ?? OpenSSLRandom()
    let clock = overrides.clock ?? SystemClock()
    let transport: any Transport
    let control: any ControlChannel
    let discovery: any LocalDiscovery
    let globalDiscovery: any GlobalDiscovery
    let rendezvous: any Rendezvous
    switch config.transport.adapter {
    case .loopback:
        discovery = LoopbackLocalDiscovery(network: overrides.network ?? .shared)
        transport = LoopbackTransport(network: overrides.network ?? .shared, crypto: crypto, clock: clock, entropy: entropy)
        control = LoopbackControlChannel(network: overrides.network ?? .shared)
        globalDiscovery = LoopbackGlobalDiscovery(network: overrides.network ?? .shared)
        rendezvous = LoopbackRendezvous(network: overrides.network ?? .shared)
    case .openssl:
        transport = try OpenSSLTransport(crypto: crypto, clock: clock, idleTimeoutMilliseconds: config.transport.idleTimeoutMS)
        control = NIOControlChannel(idleTimeoutMilliseconds: config.transport.idleTimeoutMS)
        globalDiscovery = try SyncthingGlobalDiscovery(crypto: crypto)
        rendezvous = WormholeRendezvous()
        switch config.discovery.adapter {
        case .udp: discovery = UDPLocalDiscovery()
        case .mdns: discovery = MulticastDNSDiscovery()
        }
    }
    var settings = Settings(
        codeTTLSeconds: config.pairing.codeTTLSeconds, maxFailedCodes: config.pairing.maxFailedCodes,
        pbkdf2Iterations: overrides.pbkdf2Iterations ?? Settings().pbkdf2Iterations,
        timeoutMilliseconds: config.transport.timeoutMS, strictHost: config.transport.strictHost,
        serverEndpoint: config.server.host.isEmpty ? nil : Endpoint(host: config.server.host, port: config.server.port),
        apiEndpoint: Endpoint(host: config.api.host, port: config.api.port),
        discoveryEnabled: config.discovery.enabled, discoveryPort: config.discovery.port,
        // Checked when the configuration was read.
        discoveryTargets: config.discovery.targets.isEmpty ? nil
            : config.discovery.targets.compactMap { try? Endpoint(parsing: $0, defaultPort: config.discovery.port) })
    settings.relays = config.reach.relays.compactMap { try? ReachServer(parsing: $0, as: .relay) }
    settings.discoveryServers = config.reach.discovery.compactMap { try? ReachServer(parsing: $0, as: .discovery) }
    settings.mailbox = config.reach.mailbox.isEmpty ? nil : try? MailboxServer(parsing: config.reach.mailbox)
    settings.bulkFirstSync = process == .command
    let dependencies = Dependencies(
        keyStore: keyStore, sampleStore: sampleStore, crypto: crypto, entropy: entropy, clock: clock,
        files: files, transport: transport, control: control, discovery: discovery,
        globalDiscovery: globalDiscovery, rendezvous: rendezvous, pake: OpenSSLSpake2Plus(),
        qrEncoder: LibQREncodeEncoder(), qrImages: PNGZBarImageCodec(),
        exportReader: LibXML2ExportReader(), clipboard: ShellClipboard(environment: environment.variables),
        bus: EventBus(), settings: settings,
        deviceName: config.device.name.isEmpty ? RuntimeEnvironment.hostName : config.device.name,
        sharedTypes: config.share.types, version: Application.version)
    return Application(config: config, stateDir: stateDir, dependencies: dependencies, presenter: presenter,
                       pairingHost: PairingHost(dependencies),
                       terminalPrompt: overrides.prompt ?? TerminalPrompt(errorOutput: environment.standardError))
}

/// `state_dir`, else `$XDG_DATA_HOME/healthsync`, else `~/.local/share/healthsync`;
/// a leading `~/` is the home folder.
func resolveStateDir(_ config: Config, environment: [String: String]) throws -> String {
    let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
    var path = config.stateDir
    if path.isEmpty {
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            path = xdg + "/healthsync"
        } else if let home {
            path = home + "/.local/share/healthsync"
        } else {
            throw HealthSyncError(.configInvalid, "Cannot tell where to keep state: HOME is not set",
                                  hint: "Pass --state-dir DIR or set HEALTHSYNC_STATE_DIR.")
        }
    } else if path == "~" || path.hasPrefix("~/") {
        guard let home else {
            throw HealthSyncError(.configInvalid, "state_dir starts with ~ but HOME is not set")
        }
        path = home + path.dropFirst()
    }
    if !path.hasPrefix("/") {
        path = FileManager.default.currentDirectoryPath + "/" + path
    }
    while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
    return path
}
