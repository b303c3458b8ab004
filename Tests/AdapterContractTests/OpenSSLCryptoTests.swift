import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import OpenSSLCrypto
import Testing

/// A CA and the certificates it issues, made with the adapter.
struct IssuedChain {
    static let crypto = OpenSSLCrypto()
    let caKey: SecretBytes
    let ca: Certificate
    let leafKey: SecretBytes
    let leaf: Certificate
    let now: Date

    init(now: Date = Date(timeIntervalSince1970: 1_790_000_000), role: CertificateRole = .client,
         extraNames: [String] = []) throws {
        let crypto = Self.crypto
        self.now = now
        caKey = try crypto.generatePrivateKey()
        leafKey = try crypto.generatePrivateKey()
        let (caFrom, caTo) = CertificatePolicy.validity(years: 5, from: now)
        ca = try crypto.makeCertificateAuthority(key: caKey, spec: CertificateSpec(
            commonName: CertificatePolicy.caCommonName, serial: Array(repeating: 0x42, count: 16),
            notBefore: caFrom, notAfter: caTo))
        let (from, to) = CertificatePolicy.validity(years: 1, from: now)
        let commonName = role == .client ? CertificatePolicy.clientCommonName : CertificatePolicy.serverCommonName
        leaf = try crypto.issueCertificate(
            request: try crypto.makeSigningRequest(key: leafKey, commonName: commonName),
            spec: CertificateSpec(commonName: commonName, serial: Array(repeating: 0xf1, count: 16),
                                  notBefore: from, notAfter: to, extraSubjectAltNames: extraNames),
            role: role, caKey: caKey, caCertificate: ca)
    }
}

@Suite("OpenSSL crypto adapter")
struct OpenSSLCryptoTests {
    let crypto = OpenSSLCrypto()

    func openssl(_ arguments: [String]) async throws -> ProcessResult {
        let binary = try #require(ProcessRunner.which("openssl"), "the openssl command is needed")
        return try await ProcessRunner.runDetached(binary, arguments, environment: ["PATH": "/usr/bin:/bin"])
    }

    @Test func theOpenSSLCommandVerifiesTheChain() async throws {
        let chain = try IssuedChain(now: Date())
        let directory = TemporaryDirectory()
        TestFiles.write(directory.file("ca.pem"), chain.ca.pem)
        TestFiles.write(directory.file("leaf.pem"), chain.leaf.pem)
        let verified = try await openssl(["verify", "-CAfile", directory.file("ca.pem"), directory.file("leaf.pem")])
        #expect(verified.status == 0)
        #expect(verified.standardOutput.contains("leaf.pem: OK"))

        let text = try await openssl(["x509", "-in", directory.file("leaf.pem"), "-text", "-noout"]).standardOutput
        let id = try #require(chain.leaf.deviceID)
        #expect(text.contains("URI:urn:healthsync:device:" + id.hex))
        #expect(text.contains("Subject: CN = healthsync-client"))
        #expect(text.contains("Issuer: CN = healthsync-ca"))
        #expect(text.contains("Not Before:") && text.contains("Not After :"))
        #expect(text.contains("TLS Web Client Authentication"))
        #expect(text.contains("CA:FALSE"))
        #expect(text.contains("ecdsa-with-SHA256"))
        #expect(text.contains("prime256v1") || text.contains("P-256"))

        let caText = try await openssl(["x509", "-in", directory.file("ca.pem"), "-text", "-noout"]).standardOutput
        #expect(caText.contains("CA:TRUE"))
        #expect(caText.contains("Certificate Sign"))
    }

    @Test func theDeviceIDIsTheHashOfThePublicKey() async throws {
        let chain = try IssuedChain()
        let directory = TemporaryDirectory()
        TestFiles.write(directory.file("key.pem"), String(decoding: chain.leafKey.bytes, as: UTF8.self))
        let der = try await openssl(["pkey", "-in", directory.file("key.pem"), "-pubout", "-outform", "DER",
                               "-out", directory.file("pub.der")])
        #expect(der.status == 0)
        let spki = try #require(TestFiles.read(directory.file("pub.der")))
        #expect(try crypto.deviceID(ofPrivateKey: chain.leafKey).bytes == crypto.sha256(spki))
        #expect(chain.leaf.deviceID == chain.leaf.publicKeyID)
        #expect(chain.leaf.publicKeyID == (try crypto.deviceID(ofPrivateKey: chain.leafKey)))
    }

    @Test func certificatesFollowTheTrustModel() throws {
        let chain = try IssuedChain()
        #expect(chain.ca.subject == "healthsync-ca" && chain.ca.isCA)
        #expect(chain.leaf.issuer == "healthsync-ca" && !chain.leaf.isCA)
        #expect(chain.leaf.notBefore == chain.now.addingTimeInterval(-300))
        #expect(chain.leaf.serial.count <= 32 && chain.leaf.serial.count >= 30)
        #expect(chain.ca.notAfter.timeIntervalSince(chain.ca.notBefore) > 5 * 365 * 86_400)
        #expect(crypto.certificate(chain.leaf, matches: chain.leafKey))
        #expect(!crypto.certificate(chain.leaf, matches: chain.caKey))
        #expect(try crypto.parseCertificate(pem: chain.leaf.pem) == chain.leaf)
    }

    @Test func serialsAreRandomPerIssue() throws {
        let entropy = OpenSSLRandom()
        let a = try entropy.bytes(16), b = try entropy.bytes(16)
        #expect(a.count == 16 && a != b)
    }

    @Test func verificationMapsFailuresToTheGuidesCodes() throws {
        let chain = try IssuedChain(role: .server, extraNames: ["DNS:localhost", "IP:127.0.0.1"])
        let other = try IssuedChain(role: .server)
        let now = chain.now
        func check(_ leaf: Certificate, _ intermediates: [Certificate] = [], anchor: Certificate? = nil,
                   host: String? = nil, at time: Date? = nil) -> ChainCheck {
            crypto.verify(leaf, intermediates: intermediates, anchor: anchor ?? chain.ca, role: .server,
                          host: host, at: time ?? now)
        }
        #expect(check(chain.leaf) == .verified)
        #expect(check(chain.leaf, at: now.addingTimeInterval(400 * 86_400)) == .expired)
        #expect(check(chain.leaf, at: now.addingTimeInterval(-3600)) == .notYetValid)
        #expect(check(other.leaf) == .unknownIssuer)
        #expect(check(other.leaf, [other.ca]) == .selfSignedInChain)
        #expect(check(other.ca) == .selfSignedInChain)
        #expect(check(chain.leaf, host: "127.0.0.1") == .verified)
        #expect(check(chain.leaf, host: "localhost") == .verified)
        #expect(check(chain.leaf, host: "192.168.1.77") == .hostMismatch)
        #expect(check(chain.leaf, host: "evil.example") == .hostMismatch)
        // A client certificate is not a server certificate.
        let client = try IssuedChain(role: .client)
        #expect(crypto.verify(client.leaf, intermediates: [], anchor: client.ca, role: .server, host: nil,
                              at: client.now) == .unknownIssuer)

        let codes: [(ChainCheck, ErrorCode)] = [
            (.expired, .certHasExpired), (.notYetValid, .certNotYetValid),
            (.unknownIssuer, .unableToVerifyLeafSignature), (.selfSignedInChain, .selfSignedCertInChain),
        ]
        let paired = PeerRecord(name: "x", deviceID: chain.leaf.publicKeyID, role: .sharing,
                                caFingerprint: chain.ca.fingerprint, caCertificatePEM: chain.ca.pem, pairedAt: now)
        let context = TrustContext(anchorFingerprint: chain.ca.fingerprint,
                                   allowList: [paired.deviceID: paired], revokedSerials: [], strictHost: true)
        for (check, code) in codes {
            let time = check == .expired ? now.addingTimeInterval(400 * 86_400)
                : check == .notYetValid ? now.addingTimeInterval(-3600) : now
            let decision = TrustPolicy.evaluate(PeerPresentation(leaf: chain.leaf, anchor: chain.ca, chainCheck: check),
                                                in: context, at: time)
            #expect(decision.error?.code == code)
        }
        let mismatch = TrustPolicy.evaluate(
            PeerPresentation(leaf: chain.leaf, anchor: chain.ca, chainCheck: check(chain.leaf, host: "10.9.9.9"),
                             hostMatches: false), in: context, at: now)
        #expect(mismatch.error?.code == .certCommonNameInvalid)
    }

    @Test func signingRequestsAreCheckedAndTheIssuerDerivesTheDeviceID() throws {
        let key = try crypto.generatePrivateKey()
        let request = try crypto.makeSigningRequest(key: key, commonName: "healthsync-client")
        let inspected = try crypto.inspectSigningRequest(request)
        #expect(inspected.commonName == "healthsync-client")
        #expect(inspected.deviceID == (try crypto.deviceID(ofPrivateKey: key)))
        // Flip one character inside the base64 body: the signature no longer verifies.
        var lines = request.split(separator: "\n").map(String.init)
        var body = Array(lines[3])
        body[10] = body[10] == "A" ? "B" : "A"
        lines[3] = String(body)
        #expect(throws: HealthSyncError.self) { try crypto.inspectSigningRequest(lines.joined(separator: "\n") + "\n") }
        #expect(throws: HealthSyncError.self) { try crypto.inspectSigningRequest("not a request") }
    }

    @Test func garbageInputsThrowAndNeverTrap() throws {
        let inputs = ["", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
                      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                      String(repeating: "-----BEGIN CERTIFICATE-----", count: 5_000)]
        for input in inputs {
            #expect(throws: HealthSyncError.self) { try crypto.parseCertificate(pem: input) }
        }
        for key in ["", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"] {
            let error = try #require(throws: HealthSyncError.self) { try crypto.deviceID(ofPrivateKey: SecretBytes(utf8: key)) }
            #expect(error.code == .keystoreCorrupt)
        }
    }

    @Test func nonP256KeysAreRefused() async throws {
        let directory = TemporaryDirectory()
        let result = try await openssl(["genpkey", "-algorithm", "ed25519", "-out", directory.file("ed.pem")])
        #expect(result.status == 0)
        let key = SecretBytes(try #require(TestFiles.read(directory.file("ed.pem"))))
        let error = try #require(throws: HealthSyncError.self) { try crypto.deviceID(ofPrivateKey: key) }
        #expect(error.message.contains("P-256"))
    }
}

/// HMAC-SHA256 one-shot and keyed once give RFC 4231's MACs (test cases 1, 2
/// and 6: a short key, a text key, a key longer than a block), and the same
/// as each other for any message, from many threads at once.
@Suite("HMAC-SHA256")
struct HMACSHA256Tests {
    static let vectors: [(key: [UInt8], data: [UInt8], mac: String)] = [
        (Array(repeating: 0x0b, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (Array(repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ]

    @Test func oneShotAndKeyedGiveRFC4231sMACs() async {
        let crypto = OpenSSLCrypto()
        for vector in Self.vectors {
            #expect(Hex.encode(crypto.hmacSHA256(key: vector.key, data: vector.data)) == vector.mac)
            let keyed = crypto.hmacSHA256(key: vector.key)
            #expect(Hex.encode(keyed(vector.data)) == vector.mac)
            #expect(keyed([]) == crypto.hmacSHA256(key: vector.key, data: []))
        }
        let keyed = crypto.hmacSHA256(key: Array("HealthSync Apple Health import v2".utf8))
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                group.addTask {
                    (0..<200).allSatisfy { round in
                        let data = Array("\(index)-\(round)".utf8)
                        return keyed(data) == crypto.hmacSHA256(key: Array("HealthSync Apple Health import v2".utf8), data: data)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 8))
    }
}
