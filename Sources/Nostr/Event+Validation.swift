/// Why an event failed validation; `description` is the sentence for NIP-01's `invalid:` reply.
public enum ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    case idMismatch
    case badSignature

    public var description: String {
        switch self {
        case .idMismatch: return "event id does not match the hash of its contents"
        case .badSignature: return "signature does not verify for this pubkey"
        }
    }
}

extension Event {
    /// Checks the id (cheap), then the signature (expensive). Returns nil when both hold.
    public func validate() -> ValidationError? {
        guard computeID() == id else { return .idMismatch }
        guard verifySignature() else { return .badSignature }
        return nil
    }

    /// Verifies only the signature over `id`; call `validate()` unless the id was just checked.
    public func verifySignature() -> Bool {
        Schnorr.verify(signature: sig, message: id, publicKey: pubkey)
    }

    /// Builds and signs an event; the id is computed from the fields.
    public static func signed(
        by keyPair: KeyPair, createdAt: Int64, kind: Int, tags: [[String]] = [], content: String,
        auxRand: Bytes32? = nil
    ) -> Event {
        let id = computeID(pubkey: keyPair.publicKey, createdAt: createdAt, kind: kind, tags: tags, content: content)
        let sig = Schnorr.sign(message: id, keyPair: keyPair, auxRand: auxRand ?? id)
        return Event(id: id, pubkey: keyPair.publicKey, createdAt: createdAt, kind: kind, tags: tags,
                     content: content, sig: sig)
    }
}
