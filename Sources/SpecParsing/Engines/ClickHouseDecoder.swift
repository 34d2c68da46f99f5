import SpecModel

/// ClickHouse: `shards` × `replicas` (1 × 1 by default), `keeper` (its members, image and volume),
/// `credentials` of the default user.
extension ClickHouseSettings: EngineDecoding {
    static func decode(_ fields: Fields, store: Located<String>, with decoder: SpecDecoder) -> ClickHouseSettings? {
        decoder.decodeClickHouse(fields, at: store.location)
    }

    static let keyDescriptions = [
        KeyDescription("shards", SpecKeys.memberCount, "Shards: one StatefulSet each.", default: .integer(1)),
        KeyDescription("replicas", SpecKeys.memberCount, "Replicas of each shard.", default: .integer(1)),
        KeyDescription("keeper", .object(SpecKeys.keeper), "ClickHouse Keeper, the coordination quorum replication needs."),
        KeyDescription("credentials", .object(SpecKeys.credentials), "An existing Secret with the default user's `username` and `password`."),
    ]
}

extension SpecKeys {
    static let keeper = KeyTable("keeper", "ClickHouse Keeper members.", [
        KeyDescription("members", memberCount, "Keeper members (odd).", default: .integer(3)),
        KeyDescription("version", .nonEmptyText, "Keeper's image tag (or give `image`)."),
        KeyDescription("image", .nonEmptyText, "A full Keeper image instead of `version`."),
        KeyDescription("storage", .object(storage), "The volume per Keeper member."),
        KeyDescription("resources", .object(resources), "Requests and limits of each Keeper member."),
    ])
}

extension SpecDecoder {
    fileprivate func decodeClickHouse(_ fields: Fields, at location: SourceLocation) -> ClickHouseSettings? {
        guard let shards = members(fields, "shards", default: 1, at: location),
              let replicas = members(fields, "replicas", default: 1, at: location) else { return nil }

        var keeper: KeeperSettings?
        if let node = fields["keeper"], let inner = reader.mapping(node, "'keeper'", known: SpecKeys.keeper) {
            let server = storeImage(fields, repository: ClickHouseSettings.defaults.repository, version: ClickHouseSettings.defaults.version,
                                    at: location)
            guard let count = members(inner, default: 3, at: node.location),
                  var image = storeImage(inner, repository: ClickHouseSettings.keeperRepository, version: ClickHouseSettings.defaults.version, at: node.location),
                  let storage = decodeStorage(inner["storage"], defaultSize: ClickHouseSettings.keeperStorage, at: node.location) else { return nil }
            if image.isDefault, let server, !server.isDefault {
                // Keeper follows the server's registry and version unless set.
                image = Located(ClickHouseSettings.keeperImage(following: server.value), at: server.location, isDefault: true)
            }
            keeper = KeeperSettings(members: count, image: image, storage: storage,
                                    resources: inner["resources"].flatMap { decodeResources($0) }, location: node.location)
        }
        let credentials = fields["credentials"].flatMap { reader.mapping($0, "'credentials'", known: SpecKeys.credentials) }
        return ClickHouseSettings(shards: shards, replicas: replicas, keeper: keeper,
                                  credentialsSecret: credentials?["secret"].flatMap { reader.nonEmptyString($0, "'credentials.secret'") })
    }
}
