import FoundationEssentials

/// What a sharing device leaves in a rendezvous mailbox for the device
/// that types its code: where it can be reached, nothing more. A lying
/// server can change it, which only sends the joiner somewhere that cannot
/// prove it knows the code (one guess, and the code is spent).
public struct MailboxLocators: Sendable, Equatable, Codable {
    /// `host:port` addresses of the sharing device, the preferred first.
    public let addresses: [String]
    /// Relays it is joined to (`relay://…?id=…`), and the ID it joined as.
    public let relays: [String]
    public let relayDevice: String?

    /// At most this many of each are read, and this many bytes in all.
    public static let maxAddresses = 8
    public static let maxRelays = 4
    public static let maxBytes = 8 * 1024

    public init(addresses: [String], relays: [String], relayDevice: String?) {
        self.addresses = Array(addresses.prefix(Self.maxAddresses))
        self.relays = Array(relays.prefix(Self.maxRelays))
        self.relayDevice = relayDevice
    }

    /// Reads what the mailbox held: `PROTOCOL_ERROR` for anything that is
    /// not locators within the bounds; addresses and relays that do not
    /// parse are left out.
    public init(decoding body: [UInt8]) throws(HealthSyncError) {
        guard body.count <= Self.maxBytes,
              let decoded = try? JSONDecoder().decode(MailboxLocators.self, from: Data(body)) else {
            throw HealthSyncError(.protocolError, "The mailbox held no locators HealthSync can read",
                                  hint: "Was the code typed as the sharing device shows it (NN-123456)? A server that changes messages shows up like this.")
        }
        self.init(addresses: decoded.addresses.filter { (try? Endpoint(parsing: $0, defaultPort: 0)) != nil },
                  relays: decoded.relays.filter { (try? ReachServer(parsing: $0, as: .relay)) != nil },
                  relayDevice: decoded.relayDevice.flatMap { SyncthingDeviceID(parsing: $0)?.description })
    }

    /// The direct addresses, as endpoints.
    public var endpoints: [Endpoint] { addresses.compactMap { try? Endpoint(parsing: $0, defaultPort: 0) } }

    /// The relay routes to the sharing device.
    public var relayRoutes: [RelayRoute] {
        guard let relayDevice, let id = SyncthingDeviceID(parsing: relayDevice) else { return [] }
        return relays.compactMap { try? ReachServer(parsing: $0, as: .relay) }.map { RelayRoute(relay: $0, peer: id) }
    }
}
