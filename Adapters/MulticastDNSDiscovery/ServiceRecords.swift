import DNSSupport
import HealthSyncDomain

/// HealthSync as a DNS-SD service (RFC 6763) over multicast DNS: the
/// records a daemon announces and answers with, and what a browser reads
/// from an answer. Pure values, so the rules are tested without a network.
public enum ServiceRecords {
    /// `_healthsync._tcp.local.`, as the HealthSync iOS app announces itself.
    public static let serviceType = DNSName("_healthsync._tcp.local")!
    /// The DNS-SD enumeration name (RFC 6763 §9).
    static let enumeration = DNSName("_services._dns-sd._udp.local")!
    /// RFC 6762 §10: 120 s for records naming a host, 75 minutes for the others.
    static let hostTTL: UInt32 = 120
    static let otherTTL: UInt32 = 4500

    /// What this device announces: its instance, host, port, TXT and addresses.
    public struct Service: Sendable, Equatable {
        public let instance: DNSName
        public let host: DNSName
        public let port: UInt16
        public let attributes: [String: String]
        public let addresses: [[UInt8]]

        /// `name._healthsync._tcp.local` on host `<name>-<id>.local`, TXT
        /// `v=1`, `id=<device ID>`, `ver=<version>`; addresses as dotted quads
        /// or IPv6 text (others skipped).
        public init?(announcement: DiscoveryAnnouncement, addresses: [String]) {
            let label = String(Printable.clean(announcement.name, maxLength: 63).prefix(63))
            let hostLabel = String(label.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(40))
                + "-" + String(announcement.deviceID.hex.prefix(8))
            guard let instance = serviceType.prepending(label.isEmpty ? "HealthSync" : label),
                  let host = DNSName(labels: [hostLabel, "local"]), (1...65535).contains(announcement.port) else { return nil }
            self.instance = instance
            self.host = host
            port = UInt16(announcement.port)
            var attributes = ["v": "1", "id": announcement.deviceID.description, "ver": announcement.version]
            // An open pairing session, never its code.
            if announcement.pairing == true { attributes["pairing"] = "1" }
            self.attributes = attributes
            self.addresses = addresses.compactMap(IPText.bytes)
        }

        var txtStrings: [[UInt8]] { attributes.keys.sorted().map { Array("\($0)=\(attributes[$0]!)".utf8) } }

        /// Every record, with `ttl` (0: the goodbye, RFC 6762 §10.1).
        func records(ttl: UInt32? = nil) -> (answers: [DNSRecord], additionals: [DNSRecord]) {
            let ptr = DNSRecord(name: serviceType, data: .ptr(instance), ttl: ttl ?? otherTTL)
            let srv = DNSRecord(name: instance, data: .srv(priority: 0, weight: 0, port: port, target: host),
                                ttl: ttl ?? hostTTL, cacheFlush: true)
            let txt = DNSRecord(name: instance, data: .txt(txtStrings), ttl: ttl ?? otherTTL, cacheFlush: true)
            let hosts = addresses.map { address in
                DNSRecord(name: host, data: address.count == 4 ? .a(address) : .aaaa(address), ttl: ttl ?? hostTTL,
                          cacheFlush: true)
            }
            return ([ptr], [srv, txt] + hosts)
        }

        /// An unsolicited announcement (or, with `goodbye`, its withdrawal).
        public func announcement(goodbye: Bool = false) -> DNSMessage {
            let (answers, additionals) = records(ttl: goodbye ? 0 : nil)
            return DNSMessage(isResponse: true, isAuthoritative: true, answers: answers + additionals)
        }

        /// The answer to `query`, or nil when it asks nothing of ours. The
        /// questions' names decide; unknown types are ignored.
        public func answer(to query: DNSMessage) -> DNSMessage? {
            guard !query.isResponse else { return nil }
            let (ptr, rest) = records()
            var answers: [DNSRecord] = []
            for question in query.questions {
                let all = question.type == .any
                if question.name == serviceType, all || question.type == .ptr {
                    answers += ptr
                } else if question.name == ServiceRecords.enumeration, all || question.type == .ptr {
                    answers.append(DNSRecord(name: ServiceRecords.enumeration, data: .ptr(serviceType), ttl: otherTTL))
                } else if question.name == instance {
                    answers += rest.filter { ($0.name == instance) && (all || $0.type == question.type) }
                } else if question.name == host {
                    answers += rest.filter { $0.name == host && (all || $0.type == question.type) }
                }
            }
            guard !answers.isEmpty else { return nil }
            // The rest of what a browser needs travels as additional records (RFC 6763 §12).
            let additionals = (ptr + rest).filter { record in !answers.contains(record) }
            return DNSMessage(id: query.id, isResponse: true, isAuthoritative: true, answers: answers, additionals: additionals)
        }
    }

    /// The query a browser sends: every `_healthsync._tcp` instance.
    public static func browseQuery(id: UInt16 = 0) -> DNSMessage {
        DNSMessage(id: id, isResponse: false, questions: [DNSQuestion(name: serviceType, type: .ptr)])
    }

    /// The HealthSync devices a response describes: each instance with its
    /// SRV (port, host) and TXT (`id=` a device ID, `ver=`); the address is
    /// `source` when the host's A or AAAA records in the same message list it
    /// (the address the answer came from is on our link), else the first of
    /// them, else `source`.
    /// Instances without a valid device ID are not HealthSync's.
    public static func devices(in message: DNSMessage, source: String) -> [DiscoveredDevice] {
        guard message.isResponse else { return [] }
        let records = message.records
        var devices: [DiscoveredDevice] = []
        let instances = records.compactMap { record -> DNSName? in
            if record.name == serviceType, case .ptr(let instance) = record.data, record.ttl > 0 { return instance }
            return nil
        }
        for instance in instances {
            guard let srv = records.first(where: { $0.name == instance && $0.type == .srv }),
                  case .srv(_, _, let port, let target) = srv.data,
                  let attributes = records.first(where: { $0.name == instance && $0.type == .txt })?.textAttributes,
                  let id = attributes["id"].flatMap(DeviceID.init(parsing:)) else { continue }
            let listed = records.compactMap { record -> String? in
                guard record.name == target else { return nil }
                switch record.data {
                case .a(let bytes), .aaaa(let bytes): return IPText.text(bytes)
                default: return nil
                }
            }
            let address = listed.contains(source) ? source : listed.first ?? source
            let announcement = DiscoveryAnnouncement(
                name: String(Printable.clean(instance.labels.first ?? "", maxLength: 64)), deviceID: id, port: Int(port),
                version: String(Printable.clean(attributes["ver"] ?? "", maxLength: 32)), pairing: attributes["pairing"] == "1")
            guard announcement.isWellFormed else { continue }
            devices.append(DiscoveredDevice(announcement: announcement, host: address))
        }
        return devices
    }
}
