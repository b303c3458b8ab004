import HealthSyncDomain
import Testing

@Suite("Error codes")
struct ErrorCodeTests {
    /// The frozen list: changing it is a deliberate, reviewed act (clients
    /// and scripts match on these strings).
    @Test func theListOfCodesIsFrozen() {
        #expect(ErrorCode.allCases.map(\.rawValue) == [
            "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "NO_CLIENT_CERTIFICATE",
            "CERT_REVOKED", "CERT_COMMON_NAME_INVALID", "SELF_SIGNED_CERT_IN_CHAIN", "FINGERPRINT_MISMATCH",
            "DEVICE_ID_MISMATCH", "NOT_PAIRED", "CLOCK_SKEW",
            "ETIMEDOUT", "UNSUPPORTED_PROTOCOL", "DEVICE_NOT_FOUND", "PROTOCOL_ERROR", "PAYLOAD_TOO_LARGE",
            "PAIRING_TOKEN_EXPIRED", "PAIRING_TOKEN_INVALID", "INVALID_PAIRING_CODE", "PAIRING_REJECTED", "PAIRING_BUSY",
            "PAIRING_RATE_LIMITED", "INVALID_QR_PAYLOAD",
            "CONFIG_INVALID", "KEYSTORE_CORRUPT", "KEYSTORE_PERMISSIONS", "STORAGE_FAILURE",
            "DAEMON_UNREACHABLE", "API_UNAUTHORIZED", "DAEMON_ALREADY_RUNNING",
            "INVALID_ARGUMENT", "UNKNOWN_DEVICE", "CRYPTO_FAILURE",
        ])
    }

    @Test func theGuidesCodesAreAllThere() {
        let guides = ["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
                      "NO_CLIENT_CERTIFICATE", "CERT_REVOKED", "CERT_COMMON_NAME_INVALID", "SELF_SIGNED_CERT_IN_CHAIN",
                      "ETIMEDOUT", "UNSUPPORTED_PROTOCOL", "DEVICE_NOT_FOUND", "DAEMON_UNREACHABLE",
                      "PAIRING_TOKEN_EXPIRED", "PAIRING_TOKEN_INVALID", "INVALID_PAIRING_CODE", "PAIRING_REJECTED", "PAIRING_BUSY",
                      "FINGERPRINT_MISMATCH", "NOT_PAIRED", "INVALID_QR_PAYLOAD", "CONFIG_INVALID",
                      "KEYSTORE_CORRUPT", "API_UNAUTHORIZED"]
        for code in guides { #expect(ErrorCode(rawValue: code) != nil, "\(code)") }
    }

    @Test(arguments: ErrorCode.allCases)
    func everyCodeHasAMessageAndAHint(_ code: ErrorCode) {
        let error = HealthSyncError(code)
        #expect(!error.message.isEmpty)
        #expect(!error.hint.isEmpty)
        #expect(error.description.hasPrefix(code.rawValue + ": "))
    }

    @Test func guideWordingIsKept() {
        #expect(HealthSyncError(.certHasExpired).message == "Certificate has expired")
        #expect(HealthSyncError(.noClientCertificate).message == "SSL peer did not present a certificate")
        #expect(HealthSyncError(.certCommonNameInvalid).message == "Hostname/IP does not match certificate")
        #expect(HealthSyncError(.daemonUnreachable).message == "Failed to connect to daemon")
    }

    @Test func categoriesGroupTheCodes() {
        #expect(ErrorCode.certRevoked.category == .trust)
        #expect(ErrorCode.timedOut.category == .transport)
        #expect(ErrorCode.pairingBusy.category == .pairing)
        #expect(ErrorCode.configInvalid.category == .state)
        #expect(ErrorCode.keystoreCorrupt.category == .state)
        #expect(ErrorCode.apiUnauthorized.category == .daemon)
        #expect(ErrorCode.invalidArgument.category == .usage)
    }

    @Test func wrapKeepsOwnErrorsAndWrapsOthers() {
        struct Other: Error {}
        let own = HealthSyncError(.notPaired)
        #expect(HealthSyncError.wrap(own, as: .storageFailure, "x") == own)
        let wrapped = HealthSyncError.wrap(Other(), as: .storageFailure, "disk")
        #expect(wrapped.code == .storageFailure)
        #expect(wrapped.message == "disk")
    }
}
