import SpecModel

/// etcd: `members` (3 by default).
extension EtcdSettings: EngineDecoding {
    static func decode(_ fields: Fields, store: Located<String>, with decoder: SpecDecoder) -> EtcdSettings? {
        decoder.members(fields, default: 3, at: store.location).map { EtcdSettings(members: $0) }
    }

    static let keyDescriptions = [
        KeyDescription("members", SpecKeys.memberCount, "Raft members (odd: 3 or 5).", default: .integer(3)),
    ]
}
