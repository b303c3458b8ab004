import HealthSyncDomain

/// Finding HealthSync devices on the local network by UDP probe and answer
/// (or the in-memory equivalent).
public protocol LocalDiscovery: Sendable {
    /// Answers every valid probe arriving on `endpoint` (port 0: any free
    /// port) with `announcement`, until the returned listener is closed.
    /// Anything that is not a probe is ignored.
    func answer(on endpoint: Endpoint, with announcement: DiscoveryAnnouncement) async throws -> any DiscoveryListener

    /// Sends one probe to each target (unicast or broadcast addresses) and
    /// collects valid answers for `timeoutMilliseconds`; malformed or
    /// oversized answers are ignored. One entry per device ID.
    func probe(_ targets: [Endpoint], timeoutMilliseconds: Int) async throws -> [DiscoveredDevice]

    /// Where a probe reaches every device on this machine's networks on
    /// `port`: each IPv4 interface's broadcast address, and the loopback.
    func broadcastTargets(port: Int) -> [Endpoint]

    /// The address other devices can dial this one at: the first IPv4
    /// address of an interface that is up and not the loopback, else
    /// `127.0.0.1`.
    func preferredAddress() -> String

    /// This machine's addresses on its networks, as other devices dial them:
    /// IPv4 and global or unique-local IPv6 of interfaces that are up, not
    /// the loopback nor link-local (at most 16, in `inet_ntop` form).
    func localAddresses() -> [String]
}

/// Answers being given; what they say can change while they run.
public protocol DiscoveryListener: TransportListener {
    /// From now on, answers (and, where the protocol announces, a fresh
    /// announcement) say `announcement`.
    func update(_ announcement: DiscoveryAnnouncement) async
}
