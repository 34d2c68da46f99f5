import SpecModel
import SpecDiagnostics

/// No replication factor may exceed the number of brokers that could hold the replicas.
struct KafkaReplicationWithinBrokers: Rule {
    static let description = RuleDescription(
        id: "kafka-replication-within-brokers",
        title: "Kafka replication fits the brokers",
        summary: "The default, offsets-topic and transaction-log replication factors are at most the broker count.",
        rationale: "Kafka cannot place more replicas than there are brokers: topic creation fails, and the internal __consumer_offsets and transaction topics are never created, so consumers and transactions hang.",
        remediation: "Lower the replication factor to the broker count or add brokers.",
        severity: .error,
        triggering: [
            RuleExample("stores:\n  kafka: {engine: kafka, controllers: 3, brokers: 2, replication: {factor: ↓3}}\n"),
            RuleExample("stores:\n  kafka: {engine: kafka, combined: 1, replication: {factor: 1, offsetsFactor: ↓3, transactionFactor: ↓3}}\n"),
        ],
        nonTriggering: [
            RuleExample("stores:\n  kafka: {engine: kafka, controllers: 3, brokers: 3, replication: {factor: 3, minInSync: 2}}\n"),
            RuleExample("stores:\n  kafka: {engine: kafka, controllers: 3, brokers: 1}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.stores.flatMap { store -> [Diagnostic] in
            guard let kafka = store.settings as? KafkaSettings else { return [] }
            let brokers = kafka.brokerCount
            let factors = [("replication factor", kafka.replicationFactor), ("offsets topic replication factor", kafka.offsetsReplicationFactor),
                           ("transaction log replication factor", kafka.transactionReplicationFactor)]
            return factors.enumerated().compactMap { index, entry in
                let (label, factor) = entry
                // Derived factors (defaulted to the main one) are covered by its finding.
                guard factor.value > brokers, index == 0 || !factor.isDefault else { return nil }
                return context.finding("\(label) \(factor.value) needs \(factor.value) brokers, but '\(store.name.value)' has \(brokers)",
                                       about: store.name.value, at: factor.location)
            }
        }
    }
}
