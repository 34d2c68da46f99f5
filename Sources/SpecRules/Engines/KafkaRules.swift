import SpecModel

/// Kafka's own rules: roles, the memory limit the heap comes from, and replication against the broker count.
extension KafkaSettings: EngineRules {
    public static let rules: [any Rule.Type] = [KafkaCombinedRoles.self, KafkaMemoryLimitSet.self, KafkaMinISRBelowRF.self,
                                                   KafkaReplicationWithinBrokers.self]
}
