import Foundation
import Testing
@testable import Nostr

@Suite struct TestVectorTests {
    @Test func eventVectors() throws {
        let cases = try Fixtures.json("events.json")["cases"] as! [[String: Any]]
        #expect(cases.count >= 20)
        for testCase in cases {
            let name = testCase["name"] as! String
            let valid = testCase["valid"] as! Bool
            let bytes = try Fixtures.bytes(testCase["event"]!)
            let parsed = Result { try EventParser.parse(bytes) }
            if valid {
                let event = try parsed.get()
                #expect(event.validate() == nil, "\(name)")
                let canonical = testCase["canonical"] as! String
                #expect(event.canonicalSerialization == Array(canonical.utf8), "\(name)")
                // The writer's JSON parses back to the same event.
                #expect(try EventParser.parse(event.json) == event, "\(name)")
            } else {
                switch parsed {
                case .failure: break  // refused by the parser: wrong type or form
                case .success(let event): #expect(event.validate() != nil, "\(name) must not validate")
                }
            }
        }
    }

    @Test func specificInvalidReasons() throws {
        let cases = try Fixtures.json("events.json")["cases"] as! [[String: Any]]
        func reason(_ name: String) throws -> String {
            let testCase = cases.first { $0["name"] as? String == name }!
            let bytes = try Fixtures.bytes(testCase["event"]!)
            do {
                let event = try EventParser.parse(bytes)
                return event.validate()?.description ?? "valid"
            } catch {
                return "\(error)"
            }
        }
        #expect(try reason("content changed after signing (id mismatch)") == ValidationError.idMismatch.description)
        #expect(try reason("signature last nibble flipped") == ValidationError.badSignature.description)
        #expect(try reason("uppercase hex id") == "id must be 64 lowercase hex characters")
        #expect(try reason("created_at as string") == "created_at must be a non-negative integer")
        #expect(try reason("tags not a list of strings") == "tags must be an array of arrays of strings")
        #expect(try reason("sig too short") == "sig must be 128 lowercase hex characters")
    }

    @Test func bip340Vectors() throws {
        let text = String(decoding: try Fixtures.data("bip340.csv"), as: UTF8.self)
        let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count == 15)
        for row in rows {
            let index = row[0]
            let publicKey = Bytes32(Hex.decode(row[2], strict: false)!)!
            let message = Bytes32(Hex.decode(row[4], strict: false)!)!
            let signature = Signature(hex: row[5].lowercased())!
            let expected = row[6] == "TRUE"
            #expect(Schnorr.verify(signature: signature, message: message, publicKey: publicKey) == expected, "vector \(index)")
            if !row[1].isEmpty {
                let pair = try #require(KeyPair(secretKey: Bytes32(Hex.decode(row[1], strict: false)!)!))
                #expect(pair.publicKey == publicKey, "vector \(index) public key")
                let aux = Bytes32(Hex.decode(row[3], strict: false)!)!
                #expect(Schnorr.sign(message: message, keyPair: pair, auxRand: aux) == signature, "vector \(index) signature")
            }
        }
    }

    @Test func nip19Vectors() throws {
        let cases = try Fixtures.json("nip19.json")["cases"] as! [[String: Any]]
        for testCase in cases {
            let text = testCase["bech32"] as! String
            let entity = try NIP19(text)
            let relays = (testCase["relays"] as? [String]) ?? []
            switch testCase["type"] as! String {
            case "npub": #expect(entity == .npub(Bytes32(hex: testCase["hex"] as! String)!))
            case "nsec": #expect(entity == .nsec(Bytes32(hex: testCase["hex"] as! String)!))
            case "note": #expect(entity == .note(Bytes32(hex: testCase["hex"] as! String)!))
            case "nprofile":
                guard case .nprofile(let pubkey, let got) = entity else { Issue.record("not nprofile"); continue }
                #expect(pubkey.hex == testCase["pubkey"] as! String)
                #expect(got.map(normalize) == relays.map(normalize))
            case "nevent":
                guard case .nevent(let id, let got, let author, let kind) = entity else { Issue.record("not nevent"); continue }
                #expect(id.hex == testCase["id"] as! String)
                #expect(author?.hex == testCase["author"] as? String)
                #expect(kind == testCase["kind"] as? Int)
                #expect(got.map(normalize) == relays.map(normalize))
            case "naddr":
                guard case .naddr(let identifier, let pubkey, let kind, let got) = entity else { Issue.record("not naddr"); continue }
                #expect(identifier == testCase["identifier"] as! String)
                #expect(pubkey.hex == testCase["pubkey"] as! String)
                #expect(kind == testCase["kind"] as! Int)
                #expect(got.map(normalize) == relays.map(normalize))
            default: Issue.record("unknown type")
            }
            // Encoding back gives the same text.
            #expect(entity.encoded == text)
        }
    }

    /// The shared set's bip340.csv is an obsolete draft (see Fixtures/README.md): its
    /// signatures must not verify under final BIP-340, and signing its inputs gives the final
    /// standard's signatures instead.
    @Test func obsoleteDraftIsRejected() throws {
        let draft = String(decoding: try Fixtures.data("bip340-obsolete-draft.csv"), as: UTF8.self)
        let final = String(decoding: try Fixtures.data("bip340.csv"), as: UTF8.self)
        func rows(_ text: String) -> [[String]] {
            text.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        }
        for (old, new) in zip(rows(draft), rows(final)).prefix(5) {
            let publicKey = Bytes32(Hex.decode(old[2], strict: false)!)!
            let message = Bytes32(Hex.decode(old[4], strict: false)!)!
            #expect(!Schnorr.verify(signature: Signature(hex: old[5].lowercased())!, message: message, publicKey: publicKey))
            #expect(Schnorr.verify(signature: Signature(hex: new[5].lowercased())!, message: message, publicKey: publicKey))
        }
    }

    private func normalize(_ relay: String) -> String {
        relay.hasSuffix("/") ? String(relay.dropLast()) : relay
    }
}
