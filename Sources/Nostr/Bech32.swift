/// Bech32 (BIP-173) encoding as NIP-19 uses it: the original checksum (not bech32m) and no
/// 90-character limit, since TLV entities run longer.
public enum Bech32 {
    static let charset: [UInt8] = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    static let charsetValues: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (i, c) in charset.enumerated() {
            table[Int(c)] = Int8(i)
            table[Int(Character(Unicode.Scalar(c)).uppercased().utf8.first!)] = Int8(i)
        }
        return table
    }()

    /// The longest string NIP-19 decoding accepts.
    public static let maxLength = 5000

    static func polymod(_ values: [UInt8]) -> UInt32 {
        let generators: [UInt32] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
        var check: UInt32 = 1
        for value in values {
            let top = check >> 25
            check = (check & 0x1ffffff) << 5 ^ UInt32(value)
            for i in 0..<5 where (top >> i) & 1 == 1 { check ^= generators[i] }
        }
        return check
    }

    static func expandHRP(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    /// Encodes 8-bit `data` under the human-readable part `hrp`.
    public static func encode(hrp: String, data: [UInt8]) -> String {
        let hrpBytes = Array(hrp.utf8)
        let values = convertBits(data, from: 8, to: 5, pad: true)!
        let mod = polymod(expandHRP(hrpBytes) + values + [0, 0, 0, 0, 0, 0]) ^ 1
        let checksum = (0..<6).map { UInt8((mod >> (5 * (5 - UInt32($0)))) & 31) }
        return hrp + "1" + String(decoding: (values + checksum).map { charset[Int($0)] }, as: UTF8.self)
    }

    /// Decodes to the human-readable part (lowercased) and the 8-bit data.
    public static func decode(_ text: String) throws -> (hrp: String, data: [UInt8]) {
        guard text.utf8.count <= maxLength else { throw JSONError("bech32 string longer than \(maxLength) characters") }
        let bytes = Array(text.utf8)
        let hasLower = bytes.contains { (0x61...0x7A).contains($0) }
        let hasUpper = bytes.contains { (0x41...0x5A).contains($0) }
        guard !(hasLower && hasUpper) else { throw JSONError("bech32 string mixes upper and lower case") }
        guard let separator = bytes.lastIndex(of: 0x31), separator >= 1, bytes.count - separator - 1 >= 6 else {
            throw JSONError("malformed bech32 string")
        }
        let hrp = bytes[..<separator].map { (0x41...0x5A).contains($0) ? $0 + 32 : $0 }
        guard hrp.allSatisfy({ (33...126).contains($0) }) else { throw JSONError("malformed bech32 prefix") }
        var values: [UInt8] = []
        values.reserveCapacity(bytes.count - separator - 1)
        for c in bytes[(separator + 1)...] {
            let v = charsetValues[Int(c)]
            guard v >= 0 else { throw JSONError("invalid bech32 character") }
            values.append(UInt8(v))
        }
        guard polymod(expandHRP(hrp) + values) == 1 else { throw JSONError("bech32 checksum does not match") }
        guard let data = convertBits(Array(values.dropLast(6)), from: 5, to: 8, pad: false) else {
            throw JSONError("bech32 data has invalid padding")
        }
        return (String(decoding: hrp, as: UTF8.self), data)
    }

    /// Regroups bits (8→5 to encode, 5→8 to decode); nil when padding is not zero.
    static func convertBits(_ data: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var acc = 0
        var bits = 0
        let maxValue = (1 << to) - 1
        var out: [UInt8] = []
        out.reserveCapacity(data.count * from / to + 1)
        for value in data {
            acc = (acc << from) | Int(value)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((acc >> bits) & maxValue))
            }
            acc &= (1 << bits) - 1
        }
        if pad {
            if bits > 0 { out.append(UInt8((acc << (to - bits)) & maxValue)) }
        } else if bits >= from || (acc << (to - bits)) & maxValue != 0 {
            return nil
        }
        return out
    }
}
