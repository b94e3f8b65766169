/// The fields clients show from a kind 0 profile's JSON content.
///
/// Content that is not a JSON object yields empty fields (the event itself is still valid
/// and stored). `displayName` falls back to the legacy `displayName` key.
public struct ProfileMetadata: Hashable, Sendable {
    public var name = ""
    public var displayName = ""
    public var picture = ""
    public var banner = ""
    public var about = ""
    public var nip05 = ""
    public var lud16 = ""
    public var lud06 = ""
    public var website = ""

    public init() {}

    public init(content: String) {
        guard let object = (try? JSONValue.parse(content))?.objectValue else { return }
        func field(_ key: String) -> String { object[key]?.stringValue ?? "" }
        name = field("name")
        displayName = field("display_name")
        if displayName.isEmpty { displayName = field("displayName") }
        picture = field("picture")
        banner = field("banner")
        about = field("about")
        nip05 = field("nip05")
        lud16 = field("lud16")
        lud06 = field("lud06")
        website = field("website")
    }
}
