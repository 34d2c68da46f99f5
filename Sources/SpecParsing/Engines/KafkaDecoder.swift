import SpecModel

/// Kafka: separate `controllers` and `brokers` (3 each by default) or `combined`, replication
/// factors derived from the broker count, extra broker `config` that may not override what the
/// topology sets, and an optional fixed `clusterId`.
extension KafkaSettings: EngineDecoding {
    static func decode(_ fields: Fields, store: Located<String>, with decoder: SpecDecoder) -> KafkaSettings? {
        decoder.decodeKafka(fields, at: store.location)
    }

    static let keyDescriptions = [
        KeyDescription("controllers", SpecKeys.memberCount, "KRaft controllers (a quorum: odd).", default: .integer(3)),
        KeyDescription("brokers", SpecKeys.memberCount, "Brokers.", default: .integer(3)),
        KeyDescription("combined", SpecKeys.memberCount, "Pods that are broker and controller at once, instead of both (dev)."),
        KeyDescription("replication", .object(SpecKeys.replication), "Replication factors (default: from the broker count)."),
        KeyDescription("partitions", .integer(1...100_000), "Default partitions of new topics."),
        KeyDescription("config", .textMap(.any), "Broker properties, passed as KAFKA_* variables."),
        KeyDescription("clusterId", .nonEmptyText, "An existing cluster's id (22 characters of base64url)."),
    ]
}

extension SpecKeys {
    static let replication = KeyTable("replication", "Replication factors.", [
        KeyDescription("factor", memberCount, "Default replication factor (default: min(3, brokers))."),
        KeyDescription("minInSync", memberCount, "Minimum in-sync replicas (default: factor − 1)."),
        KeyDescription("offsetsFactor", memberCount, "Replication of the offsets topic (default: factor)."),
        KeyDescription("transactionFactor", memberCount, "Replication of the transaction log (default: factor)."),
    ])
}

extension SpecDecoder {
    fileprivate func decodeKafka(_ fields: Fields, at location: SourceLocation) -> KafkaSettings? {
        var controllers: Located<Int>?, brokers: Located<Int>?, combined: Located<Int>?
        if fields.has("combined") {
            for key in ["controllers", "brokers"] where fields.has(key) {
                reader.error("conflicting-fields", "'combined' runs brokers and controllers in the same pods; remove '\(key)' or 'combined'",
                             at: fields.keyLocation(key) ?? location)
                return nil
            }
            guard let value = members(fields, "combined", default: 1, at: location) else { return nil }
            combined = value
        } else {
            guard let controllerCount = members(fields, "controllers", default: 3, at: location),
                  let brokerCount = members(fields, "brokers", default: 3, at: location) else { return nil }
            controllers = controllerCount
            brokers = brokerCount
        }
        let brokerCount = combined?.value ?? brokers?.value ?? 1
        let replication = fields["replication"].flatMap { reader.mapping($0, "'replication'", known: SpecKeys.replication) }
        let replicationAt = fields["replication"]?.location ?? location
        let factor = replication?["factor"].flatMap { reader.int($0, "'replication.factor'", in: 1...99) }
            ?? Located(min(3, brokerCount), at: replicationAt, isDefault: true)
        let minInSync = replication?["minInSync"].flatMap { reader.int($0, "'replication.minInSync'", in: 1...99) }
            ?? Located(max(1, factor.value - 1), at: replicationAt, isDefault: true)
        let offsets = replication?["offsetsFactor"].flatMap { reader.int($0, "'replication.offsetsFactor'", in: 1...99) }
            ?? Located(factor.value, at: factor.location, isDefault: true)
        let transactions = replication?["transactionFactor"].flatMap { reader.int($0, "'replication.transactionFactor'", in: 1...99) }
            ?? Located(factor.value, at: factor.location, isDefault: true)
        let config = fields["config"].map { reader.keyValues($0, "'config'") } ?? []
        for entry in config {
            let key = entry.key.value
            if key.isEmpty || !key.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" }) {
                reader.error("invalid-name", "'\(key)' is not a Kafka property name (lowercase, dot-separated)", at: entry.key.location)
            }
            if Self.kafkaManagedProperties.contains(key) {
                reader.error("conflicting-fields", "'\(key)' is set by clusterspec from the store's topology; remove it from 'config'",
                             at: entry.key.location)
            }
        }
        var clusterId = fields["clusterId"].flatMap { reader.nonEmptyString($0, "'clusterId'") }
        if let id = clusterId, !(id.value.count == 22 && id.value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })) {
            reader.error("invalid-value", "a Kafka cluster id is 22 characters of base64url (a UUID), found '\(id.value)'", at: id.location)
            clusterId = nil
        }
        return KafkaSettings(controllers: controllers, brokers: brokers, combined: combined, replicationFactor: factor,
                             minInSyncReplicas: minInSync, offsetsReplicationFactor: offsets,
                             transactionReplicationFactor: transactions,
                             partitions: fields["partitions"].flatMap { reader.int($0, "'partitions'", in: 1...100_000) },
                             config: config, clusterId: clusterId)
    }

    /// Kafka properties derived from the topology; a `config` entry may not override them.
    fileprivate static let kafkaManagedProperties: Set<String> = [
        "process.roles", "node.id", "controller.quorum.voters", "controller.quorum.bootstrap.servers", "listeners",
        "advertised.listeners", "controller.listener.names", "inter.broker.listener.name", "listener.security.protocol.map",
        "log.dirs", "default.replication.factor", "min.insync.replicas", "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor", "transaction.state.log.min.isr", "num.partitions",
    ]
}
