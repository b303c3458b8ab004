import FoundationEssentials

/// One address a paired device was learned at: a hint, never identity (the
/// device there is still judged by its certificate).
public struct KnownAddress: Sendable, Hashable, Codable {
    /// Where the address came from.
    public enum Source: String, Sendable, Codable {
        /// The address the pairing ran over.
        case pairing
        /// A multicast DNS or probe answer carrying the device's ID.
        case discovery
        /// A global discovery server's answer for the device's ID (`reach.discovery`).
        case globalDiscovery = "global_discovery"
        /// A relay the device is joined to (learned at pairing, or `reach.relays`).
        case relay
        /// `--host` on a command.
        case command
        /// `server.host` in the configuration.
        case config
    }

    /// `host:port` (`[v6]:port` for IPv6).
    public let address: String
    public var source: Source
    public var learnedAt: Date
    /// When a connection there last reached the device.
    public var succeededAt: Date?

    public init(address: String, source: Source, learnedAt: Date, succeededAt: Date? = nil) {
        self.address = address
        self.source = source
        self.learnedAt = learnedAt
        self.succeededAt = succeededAt
    }
}

extension PeerRecord {
    /// At most this many addresses are kept per device; the stalest go first.
    public static let maxAddresses = 8

    /// The addresses to try, the freshest evidence first: an address where
    /// the device was reached or heard (announcing itself on the network)
    /// more recently comes before one where that happened longer ago, so a
    /// device that moved is dialled where it was heard since, not where it
    /// last answered; on a tie, the one that answered.
    public var addresses: [KnownAddress] {
        get {
            let known = knownAddresses ?? []
            // Records from before the address book have only their last address.
            if known.isEmpty, let lastAddress {
                return [KnownAddress(address: lastAddress, source: .pairing, learnedAt: lastSeen ?? pairedAt,
                                     succeededAt: lastSeen)]
            }
            return known.sorted(by: Self.preferred)
        }
        set {
            var list = newValue.sorted(by: Self.preferred)
            // Over the bound, the stalest addresses that never answered go first
            // (a flood of sightings cannot push out where the device was reached).
            while list.count > Self.maxAddresses {
                let index = list.lastIndex(where: { $0.succeededAt == nil }) ?? list.count - 1
                list.remove(at: index)
            }
            knownAddresses = list
        }
    }

    /// Notes `address`, learned from `source` at `time` (and reached then,
    /// when `succeeded`). An address already known keeps its history.
    public mutating func learn(_ address: String, from source: Source, at time: Date, succeeded: Bool = false) {
        var list = addresses
        if let index = list.firstIndex(where: { $0.address == address }) {
            if succeeded { list[index].succeededAt = time }
            // A fresh sighting moves it up among the addresses never reached.
            list[index].learnedAt = max(list[index].learnedAt, time)
        } else {
            list.append(KnownAddress(address: address, source: source, learnedAt: time, succeededAt: succeeded ? time : nil))
        }
        addresses = list
        if succeeded { lastAddress = address }
    }

    public typealias Source = KnownAddress.Source

    private static func preferred(_ a: KnownAddress, _ b: KnownAddress) -> Bool {
        let x = max(a.succeededAt ?? a.learnedAt, a.learnedAt), y = max(b.succeededAt ?? b.learnedAt, b.learnedAt)
        if x != y { return x > y }
        return a.succeededAt != nil && b.succeededAt == nil
    }
}
