import HealthSyncDomain
import HealthSyncPorts

/// Where a pairing session tells joiners to dial this device: the address
/// given with `--advertise` alone, else this machine's preferred address
/// with its other current addresses (IPv4 and IPv6) as alternatives, read
/// when the session starts, so a device that moved networks advertises
/// where it is now.
struct Advertisement {
    /// At most this many alternatives travel in a QR payload (it must stay small).
    static let maxAlternates = 4

    let primary: Endpoint
    let alternates: [String]

    init(override: String?, port: Int, discovery: any LocalDiscovery) {
        if let override {
            primary = Endpoint(host: override, port: port)
            alternates = []
        } else {
            let preferred = discovery.preferredAddress()
            primary = Endpoint(host: preferred, port: port)
            alternates = Array(discovery.localAddresses().filter { $0 != preferred }.prefix(Self.maxAlternates))
        }
    }

    /// Every address, the preferred first, as `host:port`.
    var all: [String] { [primary.description] + alternates.map { Endpoint(host: $0, port: primary.port).description } }
}
