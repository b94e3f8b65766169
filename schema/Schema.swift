/// The SQL migrations in `schema/`, compiled into the binary so a deployed `hearth` needs
/// no files beside it. Every file must be listed here; a test checks the list against the
/// directory.
public enum Schema {
    /// A numbered migration.
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    /// SQLite migrations, in order.
    public static let sqlite: [Migration] = [
        Migration(version: 1, name: "0001_events", sql: text(PackageResources._001_events_sql)),
        Migration(version: 2, name: "0002_derived", sql: text(PackageResources._002_derived_sql)),
        Migration(version: 3, name: "0003_posts", sql: text(PackageResources._003_posts_sql)),
        Migration(version: 4, name: "0004_relays", sql: text(PackageResources._004_relays_sql)),
        Migration(version: 5, name: "0005_accounts", sql: text(PackageResources._005_accounts_sql)),
        Migration(version: 6, name: "0006_app_subsettings", sql: text(PackageResources._006_app_subsettings_sql)),
        Migration(version: 7, name: "0007_follows_index", sql: text(PackageResources._007_follows_index_sql)),
        Migration(version: 8, name: "0008_backfill", sql: text(PackageResources._008_backfill_sql)),
    ]

    private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
