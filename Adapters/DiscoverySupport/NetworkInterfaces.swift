import NIOCore
import NIOPosix

/// This machine's network interfaces as both discovery adapters see them
/// (one reading of `getifaddrs` through NIO), so that UDP probes and
/// multicast DNS agree on which addresses the machine has.
public enum NetworkInterfaces {
    /// Each IPv4 interface's broadcast address.
    public static func broadcastAddresses() -> [String] {
        var hosts: [String] = []
        for device in devices() {
            guard case .v4? = device.address, let broadcast = device.broadcastAddress?.ipAddress,
                  !hosts.contains(broadcast) else { continue }
            hosts.append(broadcast)
        }
        return hosts
    }

    /// The first IPv4 address of an interface that is up and not the
    /// loopback; on an IPv6-only network the first global or unique-local
    /// IPv6 address; else `127.0.0.1`.
    public static func preferredAddress() -> String {
        // Interfaces without an address (down, or not configured) are not listed with one.
        let all = addresses()
        return all.first { !$0.contains(":") } ?? all.first ?? "127.0.0.1"
    }

    /// IPv4 and global or unique-local IPv6 addresses of interfaces that are
    /// up, not the loopback nor link-local (at most 16, in `inet_ntop` form).
    public static func addresses() -> [String] {
        var addresses: [String] = []
        for device in devices() {
            guard let address = device.address, let host = address.ipAddress else { continue }
            switch address {
            case .v4 where !host.hasPrefix("127."):
                addresses.append(host)
            case .v6 where host != "::1" && !host.lowercased().hasPrefix("fe80"):
                addresses.append(host)
            default:
                continue
            }
        }
        var seen = Set<String>()
        return Array(addresses.filter { seen.insert($0).inserted }.prefix(16))
    }

    /// The IPv4 interfaces multicast can be joined on (the loopback too,
    /// when it was given multicast, as tests in a network namespace do).
    public static func multicastIPv4Devices() -> [NIONetworkDevice] {
        var seen = Set<String>()
        return devices().filter { device in
            guard case .v4? = device.address, device.multicastSupported, seen.insert(device.name).inserted else { return false }
            return true
        }
    }

    /// The interfaces with IPv6 that multicast can be joined on, by name.
    public static func multicastIPv6Devices() -> [NIONetworkDevice] {
        var seen = Set<String>()
        return devices().filter { device in
            guard case .v6? = device.address, device.multicastSupported, seen.insert(device.name).inserted else { return false }
            return true
        }
    }

    private static func devices() -> [NIONetworkDevice] { (try? System.enumerateDevices()) ?? [] }
}
