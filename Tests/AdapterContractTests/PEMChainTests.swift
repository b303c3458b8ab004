import Foundation
import HealthSyncTestSupport
import NIOHTTPSupport
import Testing

/// The peer chain OpenSSL hands over as one PEM text, cut into its
/// certificates on the bytes (as the handshake does) and by Foundation.
@Suite("PEM chains")
struct PEMChainTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI() }

    func split(_ text: String) -> [String] {
        Array(text.utf8).withUnsafeBufferPointer { TLSHandler.certificates(inPEM: $0) }
    }

    @Test func eachCertificateComesOutAsItsOwnPEM() throws {
        let chain = [pki.server.certificate.pem, pki.ca.pem]
        for joined in [chain.joined(), chain.joined(separator: "\r\n\n"), "\n  " + chain.joined(separator: "\n") + "  \n"] {
            let marker = "-----END CERTIFICATE-----"
            let foundation = joined.components(separatedBy: marker).dropLast()
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) + "\n" + marker + "\n" }
            #expect(split(joined) == foundation)
            let parsed = try split(joined).map { try pki.crypto.parseCertificate(pem: $0) }
            #expect(parsed.map(\.fingerprint) == [pki.server.certificate.fingerprint, pki.ca.fingerprint])
        }
        #expect(split("").isEmpty)
        #expect(split("-----BEGIN CERTIFICATE-----\nAAAA").isEmpty)
        #expect(split("-----END CERTIFICATE-----") == ["\n-----END CERTIFICATE-----\n"])
    }
}
