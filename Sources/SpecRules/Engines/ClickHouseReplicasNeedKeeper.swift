import SpecModel
import SpecDiagnostics

/// Replicated ClickHouse tables coordinate through Keeper.
struct ClickHouseReplicasNeedKeeper: Rule {
    static let description = RuleDescription(
        id: "clickhouse-replicas-need-keeper",
        title: "Replicated ClickHouse needs Keeper",
        summary: "A ClickHouse store with more than one replica per shard declares 'keeper'.",
        rationale: "ReplicatedMergeTree tables keep their replication log in Keeper (or ZooKeeper); without it the replicas cannot create replicated tables and each holds its own copy of the data.",
        remediation: "Add 'keeper: {members: 3}' to the store.",
        severity: .error,
        triggering: [
            RuleExample("stores:\n  ch: {engine: clickhouse, replicas: ↓2}\n"),
        ],
        nonTriggering: [
            RuleExample("stores:\n  ch: {engine: clickhouse, replicas: 2, keeper: {members: 3}}\n"),
            RuleExample("stores:\n  ch: {engine: clickhouse, shards: 2}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.stores.compactMap { store in
            guard let clickhouse = store.settings as? ClickHouseSettings, clickhouse.replicas.value > 1, clickhouse.keeper == nil else { return nil }
            return context.finding("'\(store.name.value)' has \(clickhouse.replicas.value) replicas per shard but no Keeper to coordinate them",
                                   about: store.name.value, at: clickhouse.replicas.location)
        }
    }
}
