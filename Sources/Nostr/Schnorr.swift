import CSecp256k1
import Synchronization

/// BIP-340 Schnorr signatures through the system libsecp256k1.
///
/// One context serves the whole process: created and randomized once (side-channel
/// blinding for signing), then only read, which libsecp256k1 allows from any thread.
public enum Schnorr {
    nonisolated(unsafe) static let context: OpaquePointer = {
        guard let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            preconditionFailure("libsecp256k1 could not create a context")
        }
        var seed = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in seed.indices { seed[i] = rng.next() }
        guard secp256k1_context_randomize(ctx, seed) == 1 else {
            preconditionFailure("libsecp256k1 could not randomize its context")
        }
        return ctx
    }()

    /// Verifies a signature over a 32-byte message. A public key that is not on the curve
    /// is simply a failed verification.
    public static func verify(signature: Signature, message: Bytes32, publicKey: PublicKey) -> Bool {
        guard var xonly = parsedKeys.lookup(publicKey) else { return false }
        return signature.withUnsafeBytes { sig in
            message.withUnsafeBytes { msg in
                secp256k1_schnorrsig_verify(
                    context, sig.bindMemory(to: UInt8.self).baseAddress!,
                    msg.bindMemory(to: UInt8.self).baseAddress!, 32, &xonly) == 1
            }
        }
    }

    /// Parsed public keys: lifting an x coordinate to a point costs a field square root,
    /// about a tenth of a verification, and the same authors sign most events.
    static let parsedKeys = ParsedKeyCache(capacity: 65_536)

    /// Signs a 32-byte message. `auxRand` is BIP-340's auxiliary randomness; a fixed value
    /// gives reproducible signatures (the corpus generator relies on that).
    public static func sign(message: Bytes32, keyPair: KeyPair, auxRand: Bytes32? = nil) -> Signature {
        var out = [UInt8](repeating: 0, count: 64)
        var pair = keyPair.storage
        let msg = message.bytes
        let ok: Int32
        if let auxRand {
            ok = secp256k1_schnorrsig_sign32(context, &out, msg, &pair, auxRand.bytes)
        } else {
            var fresh = [UInt8](repeating: 0, count: 32)
            var rng = SystemRandomNumberGenerator()
            for i in fresh.indices { fresh[i] = rng.next() }
            ok = secp256k1_schnorrsig_sign32(context, &out, msg, &pair, fresh)
        }
        precondition(ok == 1, "libsecp256k1 refused to sign with a valid key pair")
        return out.withUnsafeBytes { Signature(bytes: $0)! }
    }
}

/// A secret key with its public key, ready for signing.
public struct KeyPair: Sendable {
    let storage: secp256k1_keypair
    public let publicKey: PublicKey
    public let secretKey: Bytes32

    /// Fails when the secret key is zero or not below the curve order.
    public init?(secretKey: Bytes32) {
        var pair = secp256k1_keypair()
        let created = secretKey.withUnsafeBytes { key in
            secp256k1_keypair_create(Schnorr.context, &pair, key.bindMemory(to: UInt8.self).baseAddress!)
        }
        guard created == 1 else { return nil }
        var xonly = secp256k1_xonly_pubkey()
        guard secp256k1_keypair_xonly_pub(Schnorr.context, &xonly, nil, &pair) == 1 else { return nil }
        var serialized = [UInt8](repeating: 0, count: 32)
        guard secp256k1_xonly_pubkey_serialize(Schnorr.context, &serialized, &xonly) == 1 else { return nil }
        storage = pair
        publicKey = Bytes32(serialized)!
        self.secretKey = secretKey
    }

    /// A fresh random key pair.
    public static func random() -> KeyPair {
        var rng = SystemRandomNumberGenerator()
        while true {
            let key = Bytes32(w0: rng.next(), w1: rng.next(), w2: rng.next(), w3: rng.next())
            if let pair = KeyPair(secretKey: key) { return pair }
        }
    }
}

/// A bounded cache of parsed x-only public keys, shared by every verifying thread.
final class ParsedKeyCache: Sendable {
    private let keys: Mutex<[PublicKey: secp256k1_xonly_pubkey]>
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        keys = Mutex([:])
    }

    /// The parsed key, or nil when the bytes are not an x coordinate on the curve.
    func lookup(_ publicKey: PublicKey) -> secp256k1_xonly_pubkey? {
        if let cached = keys.withLock({ $0[publicKey] }) { return cached }
        var xonly = secp256k1_xonly_pubkey()
        let parsed = publicKey.withUnsafeBytes { key in
            secp256k1_xonly_pubkey_parse(Schnorr.context, &xonly, key.bindMemory(to: UInt8.self).baseAddress!)
        }
        guard parsed == 1 else { return nil }
        keys.withLock { keys in
            if keys.count >= capacity { keys.removeAll(keepingCapacity: true) }
            keys[publicKey] = xonly
        }
        return xonly
    }
}
