extension ErrorCode {
    /// The guides' wording for each error ("Certificate has expired", …).
    public var defaultMessage: String {
        switch self {
        case .certHasExpired: return "Certificate has expired"
        case .certNotYetValid: return "Certificate is not yet valid"
        case .unableToVerifyLeafSignature: return "Certificate signature verification failed"
        case .noClientCertificate: return "SSL peer did not present a certificate"
        case .certRevoked: return "Certificate has been revoked"
        case .certCommonNameInvalid: return "Hostname/IP does not match certificate"
        case .selfSignedCertInChain: return "Certificate is not trusted"
        case .fingerprintMismatch: return "The device presented a CA other than the one in the QR code"
        case .deviceIDMismatch: return "The device's certificate names another device ID"
        case .notPaired: return "This device is not paired"
        case .clockSkew: return "The two devices' clocks disagree"
        case .timedOut: return "TLS handshake timed out"
        case .unsupportedProtocol: return "TLS protocol version mismatch"
        case .deviceNotFound: return "Device Not Found"
        case .protocolError: return "The peer sent a malformed message"
        case .payloadTooLarge: return "The message is larger than allowed"
        case .pairingTokenExpired: return "Pairing Token Expired"
        case .pairingTokenInvalid: return "The pairing token does not belong to the current session"
        case .invalidPairingCode: return "Invalid pairing code"
        case .pairingRejected: return "Pairing was rejected"
        case .pairingBusy: return "Another pairing session is already running"
        case .pairingRateLimited: return "Too many failed pairing codes"
        case .invalidQRPayload: return "The QR payload is not a HealthSync pairing code"
        case .configInvalid: return "The configuration is invalid"
        case .keystoreCorrupt: return "The keystore is corrupt"
        case .keystorePermissions: return "A keystore file or folder is readable by other users"
        case .storageFailure: return "Reading or writing local data failed"
        case .daemonUnreachable: return "Failed to connect to daemon"
        case .apiUnauthorized: return "The control API token is missing or wrong"
        case .daemonAlreadyRunning: return "A daemon is already running with this state directory"
        case .invalidArgument: return "Invalid argument"
        case .unknownDevice: return "No paired device matches"
        case .cryptoFailure: return "A cryptographic operation failed"
        }
    }

    /// What the user should do, in the guides' spirit.
    public var defaultHint: String {
        switch self {
        case .certHasExpired:
            return "Certificates are valid for 1 year. Re-pair: `healthsync unpair`, then `healthsync pair --code <code> --host <address>`."
        case .certNotYetValid:
            return "One of the two clocks is wrong: this one is behind, or the other device's was ahead when it made the certificate. Check `date` on both (`timedatectl set-ntp true`); a device whose clock was fixed reissues its certificate when its daemon restarts."
        case .unableToVerifyLeafSignature:
            return "The CA is missing or differs. Check `healthsync cert info --ca`; if wrong, `healthsync unpair` and re-pair."
        case .noClientCertificate:
            return "Check `healthsync cert info`; if the client certificate is missing, re-pair with `healthsync pair --code <code> --host <address>`."
        case .certRevoked:
            return "The sharing device revoked this device. Run `healthsync unpair`, then re-pair with `healthsync pair --code <code> --host <address>`."
        case .certCommonNameInvalid:
            return "Check `healthsync config show`; update with `healthsync config set server.host <ip>` or re-pair."
        case .selfSignedCertInChain:
            return "Verify the CA with `healthsync cert info --ca`; if it is missing, `healthsync unpair` and re-pair."
        case .fingerprintMismatch:
            return "Someone may be intercepting the connection. Scan the QR code again on a network you trust."
        case .deviceIDMismatch:
            return "The peer is not the device you paired with. Re-pair if the other device was reset."
        case .notPaired:
            return "Pair first: `healthsync pair --code <code> --host <address>` or `healthsync pair --token <payload>`."
        case .clockSkew:
            return "Set the clock of the device named above right (`timedatectl set-ntp true` on Linux), then try again."
        case .timedOut:
            return "Check the network (`ping`), or raise the limit: `healthsync fetch --timeout 30000`."
        case .unsupportedProtocol:
            return "HealthSync requires TLS 1.3. Check `openssl version` (3.0 or later) on both devices."
        case .deviceNotFound:
            return "Verify the sharing device is running (`healthsync daemon` or `healthsync share`), on the same network, with no VPN, and that the address is right (`--host`, `healthsync config show`)."
        case .protocolError:
            return "Make sure both devices run the same HealthSync version."
        case .payloadTooLarge:
            return "Ask for fewer samples (`--limit`) or a shorter date range."
        case .pairingTokenExpired:
            return "Generate a new code on the sharing device (`healthsync pair`) and use it immediately."
        case .pairingTokenInvalid:
            return "The QR code is from an older session. Scan the code shown now by `healthsync pair` or `healthsync share`."
        case .invalidPairingCode:
            return "Double-check the 6-digit code; it may have expired. Ask the other device to run `healthsync pair` again."
        case .pairingRejected:
            return "The other device answered no, or did not answer. Try again."
        case .pairingBusy:
            return "Finish or cancel the current pairing session first."
        case .pairingRateLimited:
            return "Wait a few minutes before starting a new pairing session."
        case .invalidQRPayload:
            return "Scan the QR code shown by `healthsync pair` or `healthsync share` again."
        case .configInvalid:
            return "Fix the key named above, or run `healthsync config reset`."
        case .keystoreCorrupt:
            return "Restore the file from a backup, or start over with `healthsync keychain clear` and re-pair."
        case .keystorePermissions:
            return "Run `chmod 700` on the state folders and `chmod 600` on the files in them."
        case .storageFailure:
            return "Check free disk space and the permissions of the state folder."
        case .daemonUnreachable:
            return "The daemon must be running: `healthsync daemon`."
        case .apiUnauthorized:
            return "Present the daemon's API token (<state_dir>/api.token) with the request."
        case .daemonAlreadyRunning:
            return "Stop it first (`kill <pid>`), or use another state directory (--state-dir)."
        case .invalidArgument:
            return "Run the command with --help to see its arguments."
        case .unknownDevice:
            return "List paired devices with `healthsync devices`."
        case .cryptoFailure:
            return "Check that OpenSSL 3 is installed (`openssl version`); run with --verbose for details."
        }
    }
}
