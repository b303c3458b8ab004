import HealthSyncDomain

/// Finding HealthSync devices on the local network by UDP probe and answer
/// (or the in-memory equivalent).
public protocol LocalDiscovery: Sendable {
    /// Answers every valid probe arriving on `endpoint` (port 0: any free
    /// port) with `announcement`, until the returned listener is closed.
    /// Anything that is not a probe is ignored. Where the protocol has
    /// devices announce themselves (multicast DNS), `seen` is called with each
    /// well-formed device heard announcing or answering, this one included;
    /// a probe-and-answer protocol never calls it.
    func answer(on endpoint: Endpoint, with announcement: DiscoveryAnnouncement,
                seen: @escaping @Sendable (DiscoveredDevice) -> Void) async throws -> any DiscoveryListener

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

extension LocalDiscovery {
    /// Answers, deaf to other devices' announcements.
    public func answer(on endpoint: Endpoint, with announcement: DiscoveryAnnouncement) async throws -> any DiscoveryListener {
        try await answer(on: endpoint, with: announcement, seen: { _ in })
    }
}

/// Answers being given; what they say can change while they run.
public protocol DiscoveryListener: TransportListener {
    /// From now on, answers (and, where the protocol announces, a fresh
    /// announcement) say `announcement`, at this machine's addresses as they
    /// are now.
    func update(_ announcement: DiscoveryAnnouncement) async
}
