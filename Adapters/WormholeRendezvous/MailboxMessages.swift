/// What a mailbox client sends (the fields each `type` needs; nil ones are left out).
struct ClientMessage: Encodable, Sendable {
    var type: String
    var appid: String?
    var side: String?
    var nameplate: String?
    var mailbox: String?
    var phase: String?
    var body: String?
    var mood: String?
    var id: String?

    init(type: String, appid: String? = nil, side: String? = nil, nameplate: String? = nil, mailbox: String? = nil,
         phase: String? = nil, body: String? = nil, mood: String? = nil) {
        self.type = type
        self.appid = appid
        self.side = side
        self.nameplate = nameplate
        self.mailbox = mailbox
        self.phase = phase
        self.body = body
        self.mood = mood
    }
}

/// What a mailbox server sends, read as a stranger's JSON: every field
/// optional, only the ones a type is expected to carry are looked at.
struct ServerMessage: Decodable, Sendable {
    struct Welcome: Decodable, Sendable {
        /// A server that refuses every client says why here.
        let error: String?
    }

    let type: String
    let welcome: Welcome?
    let nameplate: String?
    let mailbox: String?
    let side: String?
    let phase: String?
    let body: String?
    /// An `error` message's explanation.
    let error: String?
}
