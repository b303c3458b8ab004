import HealthSyncDomain

/// The JSON bodies of the `pair/*` routes: byte strings travel as hex,
/// certificates and CSRs as PEM. Each converts to and from the domain's
/// `PairingMessage`; malformed hex is `PROTOCOL_ERROR`.
enum PairingWire {
    struct TokenRequest: Codable {
        let proof: String
        let joiner: Joiner

        init(_ message: PairingMessage.TokenRequest) {
            proof = Hex.encode(message.proof)
            joiner = Joiner(message.joiner)
        }

        func message() throws -> PairingMessage.TokenRequest {
            PairingMessage.TokenRequest(proof: try bytes(proof, "proof"), joiner: joiner.message)
        }
    }

    struct Joiner: Codable {
        let name: String
        let csr: String
        let caCertificate: String

        init(_ joiner: PairingMessage.Joiner) {
            name = joiner.name
            csr = joiner.csr
            caCertificate = joiner.caCertificate
        }

        var message: PairingMessage.Joiner { PairingMessage.Joiner(name: name, csr: csr, caCertificate: caCertificate) }
    }

    struct CodeParameters: Codable {
        let salt: String
        let iterations: Int

        init(_ message: PairingMessage.CodeParameters) {
            salt = Hex.encode(message.salt)
            iterations = message.iterations
        }

        func message() throws -> PairingMessage.CodeParameters {
            PairingMessage.CodeParameters(salt: try bytes(salt, "salt"), iterations: iterations)
        }
    }

    struct CodeShare: Codable {
        let shareP: String
        let name: String

        init(_ message: PairingMessage.CodeShare) {
            shareP = Hex.encode(message.shareP)
            name = message.name
        }

        // Not hex: a share that cannot be valid, which the session counts as a used try.
        var message: PairingMessage.CodeShare { PairingMessage.CodeShare(shareP: Hex.decode(shareP) ?? [], name: name) }
    }

    struct CodeShareReply: Codable {
        let shareV: String
        let confirmV: String

        init(_ message: PairingMessage.CodeShareReply) {
            shareV = Hex.encode(message.shareV)
            confirmV = Hex.encode(message.confirmV)
        }

        func message() throws -> PairingMessage.CodeShareReply {
            PairingMessage.CodeShareReply(shareV: try bytes(shareV, "shareV"), confirmV: try bytes(confirmV, "confirmV"))
        }
    }

    struct CodeConfirm: Codable {
        let confirmP: String
        let joiner: Joiner

        init(_ message: PairingMessage.CodeConfirm) {
            confirmP = Hex.encode(message.confirmP)
            joiner = Joiner(message.joiner)
        }

        // Not hex: a confirmation that cannot verify, which the session judges.
        var message: PairingMessage.CodeConfirm {
            PairingMessage.CodeConfirm(confirmP: Hex.decode(confirmP) ?? [], joiner: joiner.message)
        }
    }

    struct Exchange: Codable {
        let name: String
        let clientCertificate: String
        let caCertificate: String
        let serverCertificate: String
        let csr: String
        /// Hex; the token path only.
        let serverProof: String?

        init(_ message: PairingMessage.Exchange) {
            name = message.name
            clientCertificate = message.clientCertificate
            caCertificate = message.caCertificate
            serverCertificate = message.serverCertificate
            csr = message.csr
            serverProof = message.serverProof.map(Hex.encode)
        }

        var message: PairingMessage.Exchange {
            PairingMessage.Exchange(name: name, clientCertificate: clientCertificate, caCertificate: caCertificate,
                                    serverCertificate: serverCertificate, csr: csr,
                                    serverProof: serverProof.flatMap { Hex.decode($0) })
        }
    }

    struct Finish: Codable {
        let clientCertificate: String
    }

    /// The answer of `pair/finish` and `unpair`.
    struct Done: Codable {
        let paired: Bool
    }
}

/// Hex from the wire as bytes; anything else is `PROTOCOL_ERROR`.
private func bytes(_ hex: String, _ name: String) throws -> [UInt8] {
    guard let bytes = Hex.decode(hex) else { throw HealthSyncError(.protocolError, "\(name) is not hex") }
    return bytes
}
