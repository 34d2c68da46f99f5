import SpecModel
import SpecDiagnostics

/// min.insync.replicas must leave room for one replica to be down.
struct KafkaMinISRBelowRF: Rule {
    static let description = RuleDescription(
        id: "kafka-min-isr-below-rf",
        title: "Kafka min.insync.replicas is below the replication factor",
        summary: "1 ≤ min.insync.replicas ≤ replication factor − 1 (RF 3 with min ISR 2).",
        rationale: "With min ISR equal to the replication factor, a single broker restart makes every partition it hosts reject acks=all writes; the broker budget (RF − min ISR) would be 0, so no broker could ever be drained.",
        remediation: "Use replication factor 3 with minInSync 2.",
        severity: .error,
        severityByEnvironment: ["dev": .warning],
        triggering: [
            RuleExample("stores:\n  kafka: {engine: kafka, controllers: 3, brokers: 3, replication: {factor: 3, minInSync: ↓3}}\n"),
            RuleExample("stores:\n  kafka: {engine: kafka, controllers: 3, brokers: 3, replication: ↓{factor: 1}}\n"),
        ],
        nonTriggering: [
            RuleExample("stores:\n  kafka: {engine: kafka, controllers: 3, brokers: 3}\n"),
            RuleExample("stores:\n  kafka: {engine: kafka, controllers: 3, brokers: 5, replication: {factor: 3, minInSync: 2}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.stores.compactMap { store in
            guard let kafka = store.settings as? KafkaSettings else { return nil }
            let rf = kafka.replicationFactor.value, isr = kafka.minInSyncReplicas.value
            guard isr >= rf else { return nil }
            return context.finding("min.insync.replicas \(isr) with replication factor \(rf): one broker down stops acks=all writes",
                                   about: store.name.value, at: kafka.minInSyncReplicas.location)
        }
    }
}
