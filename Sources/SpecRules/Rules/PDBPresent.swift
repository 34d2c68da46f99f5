import SpecModel
import SpecDiagnostics

/// Replicated workloads keep their PodDisruptionBudget.
struct PDBPresent: Rule {
    static let description = RuleDescription(
        id: "pdb-present",
        title: "Replicated workloads have a disruption budget",
        summary: "A workload with more than one pod does not turn its PodDisruptionBudget off.",
        rationale: "Without a budget a node drain or cluster upgrade may evict every replica at once; the budget is what makes voluntary disruptions one pod at a time.",
        remediation: "Remove 'pdb: none' (clusterspec computes a safe budget).",
        severity: .warning,
        severityByEnvironment: ["dev": .note],
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, replicas: 3, pdb: ↓none}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, replicas: 3}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, pdb: none}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var candidates: [(String, Int, PDBSpec)] = context.system.services.map { ($0.name.value, $0.autoscale?.min.value ?? $0.replicas.value, $0.pdb) }
        candidates += context.system.statefulServices.map { ($0.name.value, $0.replicas.value, $0.pdb) }
        return candidates.compactMap { name, replicas, pdb in
            guard replicas > 1, pdb.budget == nil, let location = pdb.location else { return nil }
            return context.finding("'\(name)' runs \(replicas) pods without a disruption budget", about: name, at: location)
        }
    }
}
