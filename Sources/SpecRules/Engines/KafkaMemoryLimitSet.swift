import SpecModel
import SpecDiagnostics

/// A Kafka store has a memory limit, which its JVM heap is derived from.
struct KafkaMemoryLimitSet: Rule {
    static let description = RuleDescription(
        id: "kafka-memory-limit-set",
        title: "Kafka has a memory limit",
        summary: "A Kafka store sets 'resources.limits.memory', so the JVM heap can be sized from it (half the limit).",
        rationale: "Without KAFKA_HEAP_OPTS the start script runs the JVM with -Xmx1G whatever the container may use: above a smaller limit the pod is OOM-killed under load, below a larger one the broker wastes its memory. clusterspec gives the heap half the limit and leaves the rest to the page cache; without a limit there is nothing to derive it from.",
        remediation: "Set 'resources: {limits: {memory: …}}' on the store (for example 4Gi, giving a 2 GiB heap).",
        severity: .error,
        triggering: [
            RuleExample("stores:\n  ↓kafka: {engine: kafka, controllers: 3, brokers: 3}\n"),
            RuleExample("stores:\n  kafka:\n    engine: kafka\n    resources: ↓{requests: {memory: 2Gi}}\n"),
        ],
        nonTriggering: [
            RuleExample("stores:\n  kafka: {engine: kafka, resources: {limits: {memory: 4Gi}}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.stores.compactMap { store in
            guard store.settings is KafkaSettings, KafkaSettings.heapMebibytes(store) == nil else { return nil }
            return context.finding("'\(store.name.value)' has no memory limit, so its JVM heap cannot be derived (the image's default is -Xmx1G)",
                                   about: store.name.value, at: store.resources?.location ?? store.name.location)
        }
    }
}
