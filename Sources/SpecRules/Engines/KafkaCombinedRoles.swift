import SpecModel
import SpecDiagnostics

/// Combined broker+controller nodes are for development only.
struct KafkaCombinedRoles: Rule {
    static let description = RuleDescription(
        id: "kafka-combined-roles",
        title: "Kafka combined mode only in dev",
        summary: "Kafka runs separate controller and broker sets outside dev.",
        rationale: "In combined mode a broker under load starves the controller in the same JVM, and a controller failover restarts the broker; Kafka documents combined mode as unsupported for production.",
        remediation: "Use 'controllers: 3' and 'brokers: N' instead of 'combined'.",
        severity: .warning,
        triggering: [
            RuleExample("stores:\n  kafka: {engine: kafka, combined: ↓3}\n"),
            RuleExample("stores:\n  kafka: {engine: kafka, combined: ↓3}\n", environment: "prod"),
        ],
        nonTriggering: [
            RuleExample("stores:\n  kafka: {engine: kafka, combined: 1}\n", environment: "dev"),
            RuleExample("stores:\n  kafka: {engine: kafka, controllers: 3, brokers: 3}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        guard !context.isDevelopment else { return [] }
        return context.system.stores.compactMap { store in
            guard let kafka = store.settings as? KafkaSettings, let combined = kafka.combined else { return nil }
            return context.finding("'\(store.name.value)' runs brokers and controllers in the same pods; this is not supported outside dev",
                                   about: store.name.value, at: combined.location)
        }
    }
}
