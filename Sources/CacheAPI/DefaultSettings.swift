/// The documents Hearth ships for clients that have not saved their own: default app
/// settings (PRIMAL_SETTINGS) and the home and reads feed lists. Every feed named is one
/// Hearth serves (a test runs each).
enum DefaultSettings {
    static let homeFeeds = """
    [{"name":"Latest","spec":"{\\"id\\":\\"latest\\",\\"kind\\":\\"notes\\"}","description":"Latest notes by people you follow","enabled":true},\
    {"name":"Trending 24h","spec":"{\\"id\\":\\"global-trending\\",\\"kind\\":\\"notes\\",\\"hours\\":24}","description":"The best-scored notes of the day","enabled":true},\
    {"name":"Most zapped 4h","spec":"{\\"id\\":\\"most-zapped\\",\\"kind\\":\\"notes\\",\\"hours\\":4}","description":"The most zapped notes of the last four hours","enabled":true},\
    {"name":"All notes","spec":"{\\"id\\":\\"all-notes\\",\\"kind\\":\\"notes\\"}","description":"Every note this cache holds, newest first","enabled":false}]
    """

    static let readsFeeds = """
    [{"name":"From people you follow","spec":"{\\"id\\":\\"reads-feed\\",\\"kind\\":\\"reads\\",\\"scope\\":\\"follows\\"}","description":"Articles by people you follow","enabled":true},\
    {"name":"Zapped by people you follow","spec":"{\\"id\\":\\"reads-feed\\",\\"kind\\":\\"reads\\",\\"scope\\":\\"zappedbyfollows\\"}","description":"Articles people you follow zapped","enabled":true},\
    {"name":"All reads","spec":"{\\"id\\":\\"reads-feed\\",\\"kind\\":\\"reads\\"}","description":"Every article of 100 words or more","enabled":true}]
    """

    static let appSettings = """
    {"feeds":[{"name":"Latest","spec":"{\\"id\\":\\"latest\\",\\"kind\\":\\"notes\\"}"},\
    {"name":"Trending 24h","spec":"{\\"id\\":\\"global-trending\\",\\"kind\\":\\"notes\\",\\"hours\\":24}"},\
    {"name":"Most zapped 4h","spec":"{\\"id\\":\\"most-zapped\\",\\"kind\\":\\"notes\\",\\"hours\\":4}"}],\
    "notifications":{"NEW_USER_FOLLOWED_YOU":true,"USER_UNFOLLOWED_YOU":true,"YOUR_POST_WAS_ZAPPED":true,\
    "YOUR_POST_WAS_LIKED":true,"YOUR_POST_WAS_REPOSTED":true,"YOUR_POST_WAS_REPLIED_TO":true,\
    "YOU_WERE_MENTIONED_IN_POST":true,"YOUR_POST_WAS_MENTIONED_IN_POST":true},\
    "defaultZapAmount":42,"zapOptions":[21,420,1000,5000,10000,100000],"theme":"sunset"}
    """
}
