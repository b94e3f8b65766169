/// Words and names the generator writes with, so that search finds things and hashtags
/// repeat the way real ones do.
enum CorpusVocabulary {
    static let words: [String] = """
    nostr bitcoin lightning relay zap coffee morning evening garden mountain river ocean \
    forest city village market bread cheese music guitar piano song concert festival \
    book library story poem writer reader article essay thread reply note post client \
    swift rust julia python server database cache index query search filter event kind \
    signature key wallet node channel invoice payment sats fee block miner hash chain \
    freedom privacy censorship protocol network peer follow friend community meetup \
    photo camera picture video stream podcast episode interview design art painting \
    weather rain snow sunshine cloud wind storm spring summer autumn winter holiday \
    travel train airport bicycle hiking camping cooking recipe soup pasta pizza tea \
    football tennis chess running yoga sleep dream idea question answer problem solution \
    today tomorrow yesterday week month year time history future past present moment \
    good great amazing beautiful simple strange quiet loud small large fast slow open \
    building learning reading writing testing shipping fixing thinking walking talking \
    cat dog bird horse garden flower tree leaf stone star moon sun planet sky light
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

    static let hashtags: [String] = [
        "nostr", "bitcoin", "zapathon", "coffeechain", "photography", "grownostr", "art",
        "music", "plebchain", "foodstr", "introductions", "swift", "dev", "gm", "asknostr",
    ]

    static let names: [String] = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
        "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yara",
    ]

    static let reactions: [(String, Double)] = [
        ("+", 0.70), ("🤙", 0.08), ("❤️", 0.08), ("", 0.02), ("-", 0.04), ("🔥", 0.04), ("😂", 0.04),
    ]

    static let relays: [String] = [
        "wss://relay.damus.io", "wss://nos.lol", "wss://relay.primal.net", "wss://relay.nostr.band",
        "wss://nostr.wine", "wss://relay.snort.social", "wss://offchain.pub", "wss://nostr.mom",
    ]

    static let zapAmountsSats: [UInt64] = [21, 21, 100, 210, 500, 1000, 1000, 2100, 5000, 10000, 21000, 100_000]
}
