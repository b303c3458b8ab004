import Foundation
import HealthSyncDomain
import HealthSyncPorts
import KeyStoreSupport

/// The `KeyStore` port as files under the state folder (DESIGN §8):
///
///     identity/device.key  identity/ca.key  identity/ca.pem
///     identity/server.pem  identity/device.json
///     peers/<device-id>.json  revoked.json  api.token  .lock
///
/// Folders are 0700 and files 0600. Every file is written atomically; a new
/// identity is written to a temporary folder renamed into place, so it
/// appears whole or not at all. Writers hold an exclusive `flock` on `.lock`,
/// readers a shared one.
public final class FileKeyStore: KeyStore {
    public let adapterName = "file"
    public var location: String { root }

    private let root: String
    private let files: any FileSystem
    private static let maxFileBytes = 256 * 1024

    public init(directory: String, fileSystem: any FileSystem) {
        self.root = directory
        self.files = fileSystem
    }

    // MARK: Identity

    public func loadIdentity() throws -> DeviceIdentity? {
        guard try files.permissions(root) != nil else { return nil }
        return try locked(exclusive: false) { try readIdentity() }
    }

    public func createIdentityIfAbsent(_ identity: DeviceIdentity) throws -> DeviceIdentity {
        try prepareRoot()
        return try locked(exclusive: true) {
            if let existing = try readIdentity() { return existing }
            let staging = path(".identity.new")
            try removeTree(staging)
            try files.createDirectory(staging, mode: 0o700)
            let record = IdentityRecord(deviceID: identity.deviceID, createdAt: identity.createdAt)
            let contents: [(String, [UInt8])] = [
                ("device.key", identity.deviceKey.bytes),
                ("ca.key", identity.caKey.bytes),
                ("ca.pem", Array(identity.caCertificatePEM.utf8)),
                ("server.pem", Array(identity.serverCertificatePEM.utf8)),
                ("device.json", try encode(record)),
            ]
            for (name, bytes) in contents {
                try files.writeAtomically(staging + "/" + name, bytes, mode: 0o600)
            }
            try files.move(staging, to: path("identity"))
            return identity
        }
    }

    public func replaceServerCertificate(_ pem: String) throws {
        guard try files.permissions(root) != nil else {
            throw corrupt("identity", "is missing, so its server certificate cannot be replaced")
        }
        try locked(exclusive: true) {
            guard try readIdentity() != nil else {
                throw corrupt("identity", "is missing, so its server certificate cannot be replaced")
            }
            try files.writeAtomically(path("identity/server.pem"), Array(pem.utf8), mode: 0o600)
        }
    }

    private func readIdentity() throws -> DeviceIdentity? {
        let folder = path("identity")
        guard try files.permissions(folder) != nil else { return nil }
        try files.checkPrivate(folder)
        let deviceKey = try readSecret("identity/device.key", pemLabel: "PRIVATE KEY")
        let caKey = try readSecret("identity/ca.key", pemLabel: "PRIVATE KEY")
        let caPEM = try readSecret("identity/ca.pem", pemLabel: "CERTIFICATE")
        let serverPEM = try readSecret("identity/server.pem", pemLabel: "CERTIFICATE")
        let record: IdentityRecord = try decode(try readSecret("identity/device.json", pemLabel: nil),
                                                file: "identity/device.json")
        return DeviceIdentity(deviceID: record.deviceID, deviceKey: SecretBytes(deviceKey),
                              caKey: SecretBytes(caKey),
                              caCertificatePEM: String(decoding: caPEM, as: UTF8.self),
                              serverCertificatePEM: String(decoding: serverPEM, as: UTF8.self),
                              createdAt: record.createdAt)
    }

    // MARK: Peers

    public func peers() throws -> [PeerRecord] {
        guard try files.permissions(root) != nil else { return [] }
        return try locked(exclusive: false) { try readPeers() }
    }

    private func readPeers() throws -> [PeerRecord] {
        let folder = path("peers")
        guard try files.permissions(folder) != nil else { return [] }
        try files.checkPrivate(folder)
        return try files.list(folder).filter { $0.hasSuffix(".json") }.map { name in
            let relative = "peers/" + name
            let peer: PeerRecord = try decode(try readSecret(relative, pemLabel: nil), file: relative)
            guard name == peer.deviceID.hex + ".json" else {
                throw corrupt(relative, "names device \(peer.deviceID.short)")
            }
            return peer
        }.sorted { $0.deviceID < $1.deviceID }
    }

    public func savePeer(_ peer: PeerRecord) throws {
        try prepareRoot()
        try locked(exclusive: true) {
            try files.createDirectory(path("peers"), mode: 0o700)
            try files.writeAtomically(path("peers/\(peer.deviceID.hex).json"), try encode(peer), mode: 0o600)
        }
    }

    public func removePeer(_ deviceID: DeviceID) throws -> PeerRecord? {
        guard try files.permissions(root) != nil else { return nil }
        return try locked(exclusive: true) {
            guard let peer = try readPeers().first(where: { $0.deviceID == deviceID }) else { return nil }
            try files.remove(path("peers/\(deviceID.hex).json"))
            return peer
        }
    }

    // MARK: Revocations and token

    public func revokedCertificates() throws -> [RevokedCertificate] {
        guard try files.permissions(root) != nil else { return [] }
        return try locked(exclusive: false) { try readRevoked() }
    }

    private func readRevoked() throws -> [RevokedCertificate] {
        guard try files.permissions(path("revoked.json")) != nil else { return [] }
        return try decode(try readSecret("revoked.json", pemLabel: nil), file: "revoked.json")
    }

    public func revoke(_ certificates: [RevokedCertificate]) throws {
        try prepareRoot()
        try locked(exclusive: true) {
            var all = try readRevoked()
            let known = Set(all.map(\.serial))
            all += certificates.filter { !known.contains($0.serial) }
            try files.writeAtomically(path("revoked.json"), try encode(all), mode: 0o600)
        }
    }

    public func apiToken() throws -> SecretBytes? {
        guard try files.permissions(path("api.token")) != nil else { return nil }
        let bytes = try locked(exclusive: false) { try readSecret("api.token", pemLabel: nil) }
        let token = bytes.filter { $0 != UInt8(ascii: "\n") }
        guard !token.isEmpty, token.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw corrupt("api.token", "is not a token")
        }
        return SecretBytes(token)
    }

    public func setAPIToken(_ token: SecretBytes) throws {
        try prepareRoot()
        try locked(exclusive: true) {
            try files.writeAtomically(path("api.token"), token.bytes + [UInt8(ascii: "\n")], mode: 0o600)
        }
    }

    public func clear() throws {
        guard try files.permissions(root) != nil else { return }
        try locked(exclusive: true) {
            for folder in ["identity", "peers", ".identity.new"] { try removeTree(path(folder)) }
            for file in ["revoked.json", "api.token"] { try files.remove(path(file)) }
        }
    }

    // MARK: Helpers

    private struct IdentityRecord: Codable {
        let deviceID: DeviceID
        let createdAt: Date
    }

    private func path(_ relative: String) -> String { root + "/" + relative }

    private func prepareRoot() throws { try files.createDirectory(root, mode: 0o700) }

    /// Every access checks the state folder first: ours alone, not a link.
    private func locked<T>(exclusive: Bool, _ body: () throws -> T) throws -> T {
        try files.checkPrivate(root)
        return try files.withLock(path(".lock"), exclusive: exclusive, body)
    }

    /// Reads a state file, refusing ones that others can read and ones that
    /// are empty, oversized or (for PEM) cut short.
    private func readSecret(_ relative: String, pemLabel: String?) throws -> [UInt8] {
        let full = path(relative)
        guard try files.permissions(full) != nil else { throw corrupt(relative, "is missing") }
        try files.checkPrivate(full)
        let bytes: [UInt8]
        do {
            guard let read = try files.read(full, maxBytes: Self.maxFileBytes) else { throw corrupt(relative, "is missing") }
            bytes = read
        } catch let error as HealthSyncError where error.code == .storageFailure {
            throw corrupt(relative, error.message)
        }
        guard !bytes.isEmpty else { throw corrupt(relative, "is empty") }
        if let label = pemLabel {
            let text = String(decoding: bytes, as: UTF8.self)
            guard text.contains("-----BEGIN \(label)-----"), text.contains("-----END \(label)-----") else {
                throw corrupt(relative, "is not a complete PEM \(label.lowercased())")
            }
        }
        return bytes
    }

    /// Empties and removes one of our folders; a link or another's folder is refused, never followed.
    private func removeTree(_ folder: String) throws {
        guard try files.permissions(folder) != nil else { return }
        try files.checkPrivate(folder)
        for name in try files.list(folder) { try files.remove(folder + "/" + name) }
        try files.remove(folder)
    }

    private func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        do { return Array(try StateJSON.encoder().encode(value)) + [UInt8(ascii: "\n")] } catch {
            throw HealthSyncError(.storageFailure, "Cannot encode a keystore record", cause: "\(error)")
        }
    }

    private func decode<T: Decodable>(_ bytes: [UInt8], file: String) throws -> T {
        do { return try StateJSON.decoder().decode(T.self, from: Data(bytes)) } catch {
            throw corrupt(file, "cannot be decoded")
        }
    }

    private func corrupt(_ relative: String, _ detail: String) -> HealthSyncError {
        HealthSyncError(.keystoreCorrupt, "The keystore file \(path(relative)) \(detail)")
    }
}
