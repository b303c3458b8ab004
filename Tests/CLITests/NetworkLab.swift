import Foundation
import HealthSyncTestSupport
import Testing

/// A small network the test builds and owns: one namespace per device, each
/// with an `eth0` plugged by a veth pair into a bridge in a switch
/// namespace (multicast snooping off, so mDNS reaches every port). Only
/// addresses of these namespaces are used; everything is deleted with the
/// lab. Devices get 10.77.<lab>.<n>/24 and fd77:<lab>::<n>/64 unless
/// `ipv4` is false (an IPv6-only link).
final class NetworkLab {
    static let ip = "/usr/sbin/ip"
    /// Whether this machine lets a test make namespaces and veth pairs
    /// (root, iproute2, and a kernel or container that allows it): tried once.
    static let available: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: ip) else { return false }
        let name = "hs-probe-\(getpid())"
        defer { _ = try? ProcessRunner.run(ip, ["netns", "delete", name], environment: [:]) }
        for arguments in [["netns", "add", name], ["-n", name, "link", "add", "a0", "type", "veth", "peer", "name", "b0"],
                          ["-n", name, "link", "add", "br0", "type", "bridge"]] {
            guard (try? ProcessRunner.run(ip, arguments, environment: [:]))?.status == 0 else { return false }
        }
        return true
    }()

    static let skipped: Comment = "needs root, iproute2 and permission to create network namespaces, veth pairs and bridges"

    struct Device {
        let namespace: String
        let ipv4: String?
        let ipv6: String
        let cli: CLI
    }

    private let prefix = "hs\(UUID().uuidString.prefix(6).lowercased())"
    let subnet: Int
    private var namespaces: [String] = []
    private(set) var devices: [Device] = []
    let withIPv4: Bool
    let multicastRoute: Bool

    /// `multicastRoute`: a route for 224.0.0.0/4 on the link, as a default
    /// route gives a real network; without it, like one with no gateway.
    init(ipv4: Bool = true, multicastRoute: Bool = true, avoiding other: NetworkLab? = nil) async throws {
        var subnet = Int.random(in: 1...250)
        while subnet == other?.subnet { subnet = Int.random(in: 1...250) }
        self.subnet = subnet
        withIPv4 = ipv4
        self.multicastRoute = multicastRoute
        try await make(switchName)
        try await ip(["-n", switchName, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0"])
        try await ip(["-n", switchName, "link", "set", "br0", "up"])
    }

    private var switchName: String { "\(prefix)-sw" }

    /// A new device on the link, with a CLI of its own.
    @discardableResult
    func addDevice(_ name: String) async throws -> Device {
        let number = devices.count + 1
        let namespace = "\(prefix)-\(number)"
        try await make(namespace)
        // No duplicate address detection: addresses are usable at once.
        try await exec(namespace, ["/usr/sbin/sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"])
        try await ip(["-n", switchName, "link", "add", "p\(number)", "type", "veth", "peer", "name", "eth0", "netns", namespace])
        try await ip(["-n", switchName, "link", "set", "p\(number)", "master", "br0", "up"])
        try await ip(["-n", namespace, "link", "set", "lo", "up"])
        try await ip(["-n", namespace, "link", "set", "eth0", "up"])
        let ipv4 = withIPv4 ? "10.77.\(subnet).\(number)" : nil
        if let ipv4 {
            try await ip(["-n", namespace, "addr", "add", "\(ipv4)/24", "dev", "eth0"])
            // Where a real network has its default route: multicast goes out on the link.
            if multicastRoute { try await ip(["-n", namespace, "route", "add", "224.0.0.0/4", "dev", "eth0"]) }
        }
        let ipv6 = "fd77:\(String(subnet, radix: 16))::\(number)"
        try await ip(["-n", namespace, "-6", "addr", "add", "\(ipv6)/64", "dev", "eth0", "nodad"])
        let device = Device(namespace: namespace, ipv4: ipv4, ipv6: ipv6, cli: CLI())
        devices.append(device)
        if routed { try await routeToRouter(device) }
        return device
    }

    /// Moves `device` to another IPv4 address on the link (as a new DHCP lease would).
    func renumber(_ device: Device, to last: Int) async throws -> String {
        guard let old = device.ipv4 else { throw CocoaError(.featureUnsupported) }
        let new = "10.77.\(subnet).\(last)"
        // The new address stays when the old (primary) one goes, and with it the routes through the link.
        try await exec(device.namespace, ["/usr/sbin/sysctl", "-qw", "net.ipv4.conf.eth0.promote_secondaries=1"])
        try await ip(["-n", device.namespace, "addr", "add", "\(new)/24", "dev", "eth0"])
        try await ip(["-n", device.namespace, "addr", "del", "\(old)/24", "dev", "eth0"])
        for route in routes[device.namespace, default: []] { try await ip(["-n", device.namespace, "route", "replace"] + route) }
        return new
    }

    /// Settings every device's CLI gets besides its own (`HEALTHSYNC_REACH_RELAYS`…).
    var extraEnvironment: [String: String] = [:]

    /// The address a router namespace serves on:
    /// devices of every lab it is plugged into reach it, and nothing else
    /// of each other (the router forwards nothing).
    static let routerService = "10.99.0.1"

    /// A router namespace, plugged into this lab's link as .254 and serving
    /// `routerService` (on its loopback interface); `plug(router:)` puts it on other labs too.
    func addRouter() async throws -> String {
        let namespace = "\(prefix)-rt"
        try await make(namespace)
        try await ip(["-n", namespace, "link", "set", "lo", "up"])
        try await ip(["-n", namespace, "addr", "add", "\(Self.routerService)/32", "dev", "lo"])
        try await plug(router: namespace)
        return namespace
    }

    /// Puts `router` on this lab's link as .254; every device here (now and
    /// later) routes `routerService` through it.
    func plug(router: String) async throws {
        let port = "r\(subnet)"
        try await ip(["-n", switchName, "link", "add", port, "type", "veth", "peer", "name", "lan\(subnet)", "netns", router])
        try await ip(["-n", switchName, "link", "set", port, "master", "br0", "up"])
        try await ip(["-n", router, "addr", "add", "10.77.\(subnet).254/24", "dev", "lan\(subnet)"])
        try await ip(["-n", router, "link", "set", "lan\(subnet)", "up"])
        routed = true
        for device in devices { try await routeToRouter(device) }
    }

    private var routed = false

    /// Makes `router` (plugged into both labs) forward between this lab
    /// and `other`, as the internet routes between two networks without
    /// NAT: each device here gets a route to the other's subnet through it.
    /// Devices added later get none.
    func route(to other: NetworkLab, through router: String) async throws {
        try await exec(router, ["/usr/sbin/sysctl", "-qw", "net.ipv4.ip_forward=1"])
        for (lab, far) in [(self, other), (other, self)] {
            for device in lab.devices where device.ipv4 != nil {
                try await lab.addRoute(device, ["10.77.\(far.subnet).0/24", "via", "10.77.\(lab.subnet).254"])
            }
        }
    }

    private func routeToRouter(_ device: Device) async throws {
        try await addRoute(device, ["\(Self.routerService)/32", "via", "10.77.\(subnet).254"])
    }

    /// The routes each device was given, to give again after a renumbering.
    private var routes: [String: [[String]]] = [:]

    private func addRoute(_ device: Device, _ route: [String]) async throws {
        try await ip(["-n", device.namespace, "route", "add"] + route)
        routes[device.namespace, default: []].append(route)
    }

    /// The environment of `device`'s CLI, with discovery by multicast DNS on 5353.
    func environment(_ device: Device, name: String) -> [String: String] {
        var environment = device.cli.environment.merging(extraEnvironment) { $1 }
        environment["HEALTHSYNC_DISCOVERY_ADAPTER"] = "mdns"
        environment["HEALTHSYNC_DISCOVERY_PORT"] = "5353"
        environment["HEALTHSYNC_DISCOVERY_TARGETS"] = nil
        environment["HEALTHSYNC_DEVICE_NAME"] = name
        return environment
    }

    /// `healthsync arguments…` inside `device`'s namespace.
    func run(_ device: Device, name: String, _ arguments: [String]) async throws -> ProcessResult {
        try await ProcessRunner.runDetached(Self.ip, ["netns", "exec", device.namespace, CLI.binary] + arguments,
                                            environment: environment(device, name: name), directory: device.cli.home.path)
    }

    /// `healthsync arguments…` inside `device`'s namespace, left running.
    func start(_ device: Device, name: String, _ arguments: [String]) throws -> BackgroundProcess {
        try BackgroundProcess(Self.ip, ["netns", "exec", device.namespace, CLI.binary] + arguments,
                              environment: environment(device, name: name))
    }

    /// Any command inside `device`'s namespace.
    func exec(_ namespace: String, _ command: [String]) async throws {
        try await ip(["netns", "exec", namespace] + command)
    }

    private func make(_ namespace: String) async throws {
        try await ip(["netns", "add", namespace])
        namespaces.append(namespace)
    }

    private func ip(_ arguments: [String]) async throws {
        let result = try await ProcessRunner.runDetached(Self.ip, arguments, environment: [:])
        guard result.status == 0 else {
            throw HealthSyncTestError("ip \(arguments.joined(separator: " ")) failed: \(result.standardError)")
        }
    }

    deinit {
        for namespace in namespaces.reversed() {
            _ = try? ProcessRunner.run(Self.ip, ["netns", "delete", namespace], environment: [:])
        }
    }
}

struct HealthSyncTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
