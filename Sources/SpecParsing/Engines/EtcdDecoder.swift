import SpecModel

/// etcd: `members` (3 by default).
extension EtcdSettings: EngineDecoding {
    static func decode(_ fields: Fields, store: Located<String>, with decoder: SpecDecoder) -> EtcdSettings? {
        decoder.members(fields, default: 3, at: store.location).map { EtcdSettings(members: $0) }
    }
}
