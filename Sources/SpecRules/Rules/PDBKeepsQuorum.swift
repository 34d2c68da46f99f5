import SpecModel
import SpecDiagnostics

/// A quorum store's PodDisruptionBudget may never allow more evictions than the quorum tolerates.
struct PDBKeepsQuorum: Rule {
    static let description = RuleDescription(
        id: "pdb-keeps-quorum",
        title: "PodDisruptionBudget keeps the quorum",
        summary: "A PodDisruptionBudget written on a quorum store allows at most n − q disruptions (q = ⌊n/2⌋+1).",
        rationale: "Node drains evict as many pods as the budget allows; if that exceeds n − q the Raft group loses its majority and stops accepting writes until the pods come back.",
        remediation: "Remove the explicit 'pdb' (clusterspec computes n − q) or lower maxUnavailable to n − q.",
        severity: .error,
        triggering: [
            RuleExample("stores:\n  etcd: {engine: etcd, members: 3, pdb: {maxUnavailable: ↓2}}\n"),
            RuleExample("stores:\n  vault: {engine: vault, members: 5, pdb: {minAvailable: ↓2}}\n"),
            RuleExample("stores:\n  kafka: {engine: kafka, controllers: 3, brokers: 5, pdb: {maxUnavailable: ↓50%}}\n"),
        ],
        nonTriggering: [
            RuleExample("stores:\n  etcd: {engine: etcd, members: 3, pdb: {maxUnavailable: 1}}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, members: 5, pdb: {minAvailable: 3}}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, members: 3}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.stores.flatMap { store -> [Diagnostic] in
            guard let budget = store.pdb?.budget else { return [] }
            return store.quorumGroups.compactMap { group in
                let n = group.members.value
                let allowed = budget.value.allowedDisruptions(replicas: n)
                guard allowed > group.tolerance else { return nil }
                return context.finding(
                    "PodDisruptionBudget for '\(group.statefulSet)' allows \(allowed) disruption\(allowed == 1 ? "" : "s") but a \(n)-member quorum tolerates \(group.tolerance)",
                    about: store.name.value, at: budget.location,
                    notes: [DiagnosticNote("'\(group.statefulSet)' has \(n) members; a majority is \(group.quorum)", at: group.members.location)])
            }
        }
    }
}
