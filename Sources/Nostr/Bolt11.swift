/// The amount of a BOLT-11 Lightning invoice, read from its human-readable part.
///
/// `lnbc2500u1…` is 2500 micro-bitcoin. The signature and tagged fields are not checked:
/// a zap receipt is trusted as far as its signer, and only the amount matters here.
public enum Bolt11 {
    /// Millisatoshis the invoice asks for; nil when it names no amount. Throws when the
    /// invoice is not of the form `ln<currency>[amount[multiplier]]1<data>`.
    public static func amountMillisats(_ invoice: String) throws -> UInt64? {
        let text = invoice.lowercased()
        guard text.hasPrefix("ln"), let separator = text.utf8.lastIndex(of: 0x31) else {
            throw JSONError("not a bolt11 invoice")
        }
        let hrp = Array(text.utf8[text.utf8.index(text.utf8.startIndex, offsetBy: 2)..<separator])
        guard text.utf8.distance(from: separator, to: text.utf8.endIndex) > 7 else {
            throw JSONError("bolt11 invoice has no data part")
        }
        // Currency prefix: letters up to the first digit ("bc", "tb", "bcrt", …).
        var i = 0
        while i < hrp.count, (0x61...0x7A).contains(hrp[i]) { i += 1 }
        guard i > 0 else { throw JSONError("bolt11 invoice has no currency prefix") }
        if i == hrp.count { return nil }
        let digitsStart = i
        while i < hrp.count, (0x30...0x39).contains(hrp[i]) { i += 1 }
        guard i > digitsStart else { throw JSONError("malformed bolt11 amount") }
        guard hrp[digitsStart] != 0x30 else { throw JSONError("bolt11 amount has a leading zero") }
        var amount: UInt64 = 0
        for digit in hrp[digitsStart..<i] {
            let (times10, o1) = amount.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit - 0x30))
            guard !o1, !o2 else { throw JSONError("bolt11 amount out of range") }
            amount = sum
        }
        let multiplier: UInt8? = i < hrp.count ? hrp[i] : nil
        guard i + (multiplier == nil ? 0 : 1) == hrp.count else { throw JSONError("malformed bolt11 amount") }
        // 1 BTC = 10^11 msat; m, u, n, p scale by 10^-3, 10^-6, 10^-9, 10^-12.
        let (msat, overflow): (UInt64, Bool)
        switch multiplier {
        case nil: (msat, overflow) = amount.multipliedReportingOverflow(by: 100_000_000_000)
        case 0x6D: (msat, overflow) = amount.multipliedReportingOverflow(by: 100_000_000)  // m
        case 0x75: (msat, overflow) = amount.multipliedReportingOverflow(by: 100_000)  // u
        case 0x6E: (msat, overflow) = amount.multipliedReportingOverflow(by: 100)  // n
        case 0x70:  // p: tenths of a millisatoshi, which must come out whole
            guard amount % 10 == 0 else { throw JSONError("bolt11 pico amount is not a whole millisatoshi") }
            (msat, overflow) = (amount / 10, false)
        default: throw JSONError("unknown bolt11 multiplier")
        }
        guard !overflow else { throw JSONError("bolt11 amount out of range") }
        return msat
    }

    /// Builds the human-readable part for an amount in millisatoshis ("lnbc21u" style), for
    /// tests and the corpus generator.
    public static func humanReadablePart(millisats: UInt64, currency: String = "bc") -> String {
        let units: [(UInt64, String)] = [(100_000_000_000, ""), (100_000_000, "m"), (100_000, "u"), (100, "n")]
        for (scale, suffix) in units where millisats % scale == 0 && millisats > 0 {
            return "ln\(currency)\(millisats / scale)\(suffix)"
        }
        return "ln\(currency)\(millisats * 10)p"
    }
}
