/// A picture, video or audio file a note shows, from its content and NIP-92 `imeta` tags.
public struct MediaReference: Hashable, Sendable {
    public var url: String
    /// MIME type from `imeta`, else guessed from the file extension.
    public var mime: String
    public var width = 0
    public var height = 0
    public var blurhash = ""

    public init(url: String, mime: String, width: Int = 0, height: Int = 0, blurhash: String = "") {
        self.url = url
        self.mime = mime
        self.width = width
        self.height = height
        self.blurhash = blurhash
    }

    static let extensions: [String: String] = [
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif",
        "webp": "image/webp", "avif": "image/avif", "svg": "image/svg+xml",
        "mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm", "m3u8": "application/x-mpegURL",
        "mp3": "audio/mpeg", "ogg": "audio/ogg", "wav": "audio/wav", "m4a": "audio/mp4",
    ]

    /// The MIME type a URL's extension suggests, nil when it does not look like media.
    public static func mime(forURL url: String) -> String? {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        return extensions[path[path.index(after: dot)...].lowercased()]
    }

    /// Media of an event, each URL once: `imeta` entries first (they carry dimensions),
    /// then media-looking URLs of the content. Other URLs are in `links(of:)`.
    public static func media(of event: Event, content: ContentReferences) -> [MediaReference] {
        var found: [MediaReference] = []
        var seen = Set<String>()
        for tag in event.tags where tag.first == "imeta" {
            var fields: [String: String] = [:]
            for entry in tag.dropFirst() {
                guard let space = entry.firstIndex(of: " ") else { continue }
                fields[String(entry[..<space])] = String(entry[entry.index(after: space)...])
            }
            guard let url = fields["url"], seen.insert(url).inserted else { continue }
            var media = MediaReference(url: url, mime: fields["m"] ?? mime(forURL: url) ?? "")
            if let dim = fields["dim"]?.split(separator: "x"), dim.count == 2 {
                media.width = Int(dim[0]) ?? 0
                media.height = Int(dim[1]) ?? 0
            }
            media.blurhash = fields["blurhash"] ?? ""
            found.append(media)
        }
        for url in content.urls where !seen.contains(url) {
            guard let mime = mime(forURL: url) else { continue }
            seen.insert(url)
            found.append(MediaReference(url: url, mime: mime))
        }
        return found
    }

    /// The content's URLs that are not media.
    public static func links(content: ContentReferences, media: [MediaReference]) -> [String] {
        let mediaURLs = Set(media.map(\.url))
        var seen = Set<String>()
        return content.urls.filter { !mediaURLs.contains($0) && seen.insert($0).inserted }
    }
}
