import SpecModel

/// Kafka's own rules: roles, and replication against the broker count.
extension KafkaSettings: EngineRules {
    public static let rules: [any Rule.Type] = [KafkaCombinedRoles.self, KafkaMinISRBelowRF.self, KafkaReplicationWithinBrokers.self]
}
