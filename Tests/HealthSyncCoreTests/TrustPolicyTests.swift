import Foundation
import HealthSyncDomain
import Testing

@Suite("Trust policy: decisions take the time as input")
struct TrustPolicyTests {
    static let issued = Date(timeIntervalSince1970: 1_780_000_000)
    let peerID = DeviceID(bytes: Array(repeating: 0xab, count: 32))!
    let ca = TrustPolicyTests.certificate(subject: "healthsync-ca", key: 0x01, isCA: true, years: 5)

    static func certificate(subject: String, key: UInt8, isCA: Bool = false, years: Double = 1,
                            names: [String]? = nil, fill: UInt8 = 0) -> Certificate {
        let keyID = DeviceID(bytes: Array(repeating: key, count: 32))!
        return Certificate(
            der: [fill, key], pem: "", subject: subject, issuer: "healthsync-ca", serial: "0A\(key)",
            notBefore: issued.addingTimeInterval(-300), notAfter: issued.addingTimeInterval(years * 365 * 86_400),
            subjectAltNames: names ?? ["URI:" + keyID.uri], fingerprint: DeviceID(bytes: Array(repeating: key ^ 0xff, count: 32))!,
            publicKeyID: keyID, isCA: isCA)
    }

    var leaf: Certificate { Self.certificate(subject: "healthsync-client", key: 0xab) }

    var record: PeerRecord {
        PeerRecord(name: "phone", deviceID: peerID, role: .joined, caFingerprint: ca.fingerprint,
                   caCertificatePEM: "", pairedAt: Self.issued)
    }

    func context(revoked: Set<String> = [], expected: DeviceID? = nil, strict: Bool = false,
                 paired: Bool = true) -> TrustContext {
        TrustContext(anchorFingerprint: ca.fingerprint, allowList: paired ? [peerID: record] : [:],
                     revokedSerials: revoked, expectedDeviceID: expected, strictHost: strict)
    }

    func decide(_ leaf: Certificate?, _ check: ChainCheck = .verified, anchor: Certificate? = nil,
                hostMatches: Bool = true, context: TrustContext? = nil, at date: Date = issued) -> TrustDecision {
        TrustPolicy.evaluate(PeerPresentation(leaf: leaf, anchor: anchor ?? ca, chainCheck: check, hostMatches: hostMatches),
                             in: context ?? self.context(), at: date)
    }

    @Test func aPairedPeerWithAValidChainIsTrusted() {
        #expect(decide(leaf) == .trusted(record))
        #expect(decide(leaf).error == nil)
    }

    @Test func validityDependsOnTheTimeGiven() {
        #expect(decide(leaf, at: Self.issued.addingTimeInterval(2 * 365 * 86_400)) == .expired)
        #expect(decide(leaf, at: Self.issued.addingTimeInterval(-3600)) == .notYetValid)
        #expect(decide(leaf, at: Self.issued.addingTimeInterval(200 * 86_400)) == .trusted(record))
        #expect(decide(leaf, at: Self.issued.addingTimeInterval(2 * 365 * 86_400)).error?.code == .certHasExpired)
        #expect(decide(leaf, at: Self.issued.addingTimeInterval(-3600)).error?.code == .certNotYetValid)
    }

    @Test func everyRefusalHasItsCode() {
        let foreignCA = Self.certificate(subject: "healthsync-ca", key: 0x02, isCA: true, years: 5)
        let cases: [(TrustDecision, ErrorCode)] = [
            (decide(nil), .noClientCertificate),
            (decide(leaf, .unknownIssuer), .unableToVerifyLeafSignature),
            (decide(leaf, .badSignature), .unableToVerifyLeafSignature),
            (decide(leaf, .selfSignedInChain), .selfSignedCertInChain),
            (decide(leaf, anchor: foreignCA), .unableToVerifyLeafSignature),
            (decide(leaf, context: context(revoked: [leaf.serial])), .certRevoked),
            (decide(leaf, .revoked), .certRevoked),
            (decide(leaf, context: context(paired: false)), .notPaired),
            (decide(leaf, context: context(expected: DeviceID(bytes: Array(repeating: 9, count: 32)))), .deviceIDMismatch),
            (decide(leaf, hostMatches: false, context: context(strict: true)), .certCommonNameInvalid),
            (decide(leaf, .hostMismatch, context: context(strict: true)), .certCommonNameInvalid),
        ]
        for (decision, code) in cases { #expect(decision.error?.code == code, "\(decision)") }
    }

    @Test func addressesAreHintsUnlessStrict() {
        #expect(decide(leaf, hostMatches: false) == .trusted(record))
        #expect(decide(leaf, .hostMismatch) == .trusted(record))
    }

    @Test func aCertificateMustNameTheKeyItCertifies() {
        let lying = Self.certificate(subject: "healthsync-client", key: 0xcd,
                                     names: ["URI:" + peerID.uri])
        #expect(decide(lying) == .wrongDeviceID)
        let nameless = Self.certificate(subject: "healthsync-client", key: 0xab, names: [])
        #expect(decide(nameless) == .wrongDeviceID)
    }

    @Test func anExpiredCAIsExpired() {
        let oldCA = Self.certificate(subject: "healthsync-ca", key: 0x01, isCA: true, years: 0.5)
        let context = TrustContext(anchorFingerprint: oldCA.fingerprint, allowList: [peerID: record], revokedSerials: [])
        #expect(decide(leaf, anchor: oldCA, context: context, at: Self.issued.addingTimeInterval(300 * 86_400)) == .expired)
    }
}
