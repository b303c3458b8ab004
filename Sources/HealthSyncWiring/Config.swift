import HealthSyncDomain

/// The typed configuration of DESIGN §2. Built-in defaults are the values
/// below; `config.yaml` at the repository root documents the same values.
public struct Config: Sendable, Equatable {
    public enum KeyStoreAdapter: String, Sendable, CaseIterable { case file, sqlite, memory }
    public enum TransportAdapter: String, Sendable, CaseIterable { case openssl, loopback }
    public enum PresenterAdapter: String, Sendable, CaseIterable { case terminal, json }
    public enum SampleStoreAdapter: String, Sendable, CaseIterable { case sqlite, memory }
    /// `udp`: HealthSync's own probe and answer; `mdns`: DNS-SD over multicast DNS.
    public enum DiscoveryAdapter: String, Sendable, CaseIterable { case udp, mdns }
    /// swift-log's levels, for what the daemon logs.
    public enum LogLevel: String, Sendable, CaseIterable { case trace, debug, info, notice, warning, error, critical }

    public struct Device: Sendable, Equatable { public var name = "" }
    public struct KeyStore: Sendable, Equatable { public var adapter = KeyStoreAdapter.file }
    public struct Listen: Sendable, Equatable {
        /// Every address, IPv6 and (dual-stack) IPv4; 0.0.0.0 where IPv6 is off.
        public var host = "::"
        public var port = 8443
    }
    public struct Transport: Sendable, Equatable {
        public var adapter = TransportAdapter.openssl
        public var listen = Listen()
        public var timeoutMS = 10_000
        public var strictHost = false
        /// Connections that send nothing (and wait for no answer) this long are closed.
        public var idleTimeoutMS = 30_000
    }
    public struct Presenter: Sendable, Equatable { public var adapter = PresenterAdapter.terminal }
    public struct Samples: Sendable, Equatable { public var adapter = SampleStoreAdapter.sqlite }
    public struct API: Sendable, Equatable {
        public var host = "127.0.0.1"
        public var port = 9778
    }
    public struct Discovery: Sendable, Equatable {
        public var adapter = DiscoveryAdapter.mdns
        public var enabled = true
        public var port = 5353
        /// Where to ask instead of the adapter's multicast or broadcast groups (empty: there).
        public var targets: [String] = []
    }
    public struct Log: Sendable, Equatable {
        /// What the daemon logs on standard error: connections served and refused, pairings, syncs (never secrets).
        public var level = LogLevel.info
    }
    public struct Sync: Sendable, Equatable {
        /// How often a running daemon syncs from its paired sharing devices (0: never).
        public var intervalSeconds = 900
    }
    public struct Pairing: Sendable, Equatable {
        public var codeTTLSeconds = 300
        public var maxFailedCodes = 3
    }
    public struct Server: Sendable, Equatable {
        public var host = ""
        public var port = 8443
    }
    public struct Share: Sendable, Equatable { public var types = HealthDataType.allCases }
    /// Servers beyond the local network (Syncthing relays and global
    /// discovery servers, a magic-wormhole mailbox): none by default, so
    /// nothing leaves the LAN unless asked.
    public struct Reach: Sendable, Equatable {
        public var relays: [String] = []
        public var discovery: [String] = []
        public var mailbox = ""
    }

    public var device = Device()
    public var stateDir = ""
    public var keystore = KeyStore()
    public var transport = Transport()
    public var presenter = Presenter()
    public var samples = Samples()
    public var api = API()
    public var discovery = Discovery()
    public var log = Log()
    public var sync = Sync()
    public var pairing = Pairing()
    public var server = Server()
    public var share = Share()
    public var reach = Reach()

    /// The built-in defaults.
    public init() {}

    /// Everything in memory: no disk, no sockets, JSON output. Tests build
    /// whole devices from this with `build(config:)`.
    public static var inMemory: Config {
        var config = Config()
        config.keystore.adapter = .memory
        config.samples.adapter = .memory
        config.transport.adapter = .loopback
        config.presenter.adapter = .json
        config.stateDir = "/nonexistent/healthsync-in-memory"
        return config
    }
}
