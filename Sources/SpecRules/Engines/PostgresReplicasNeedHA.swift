import SpecModel
import SpecDiagnostics

/// Several plain PostgreSQL pods are several independent primaries, not a replicated cluster.
struct PostgresReplicasNeedHA: Rule {
    static let description = RuleDescription(
        id: "postgres-replicas-need-ha",
        title: "Replicated PostgreSQL needs an HA manager",
        summary: "PostgreSQL with more than one instance runs under an HA manager (mode: cloudnative-pg).",
        rationale: "Each pod of a plain StatefulSet of the official image runs its own initdb and becomes an independent primary: writes land on whichever pod the Service picks and the data diverges silently (the Platform-Kernel seed's 'replicas: 2' has this defect).",
        remediation: "Set 'mode: cloudnative-pg' for replication and failover, or use 1 instance.",
        severity: .error,
        triggering: [
            RuleExample("secrets:\n  pg: {keys: [password]}\nstores:\n  postgres: {engine: postgres, instances: ↓2, credentials: {secret: pg}}\n"),
        ],
        nonTriggering: [
            RuleExample("secrets:\n  pg: {keys: [password]}\nstores:\n  postgres: {engine: postgres, credentials: {secret: pg}}\n"),
            RuleExample("stores:\n  postgres: {engine: postgres, mode: cloudnative-pg, instances: 3}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.stores.compactMap { store in
            guard let postgres = store.settings as? PostgresSettings, postgres.mode.value == .single, postgres.instances.value > 1 else { return nil }
            return context.finding("'\(store.name.value)' runs \(postgres.instances.value) independent PostgreSQL primaries: plain StatefulSet pods do not replicate",
                                   about: store.name.value, at: postgres.instances.location)
        }
    }
}
