import SpecModel
import SpecDiagnostics

/// A PodDisruptionBudget must let at least one pod go, or node drains hang forever.
struct PDBAllowsDrain: Rule {
    static let description = RuleDescription(
        id: "pdb-allows-drain",
        title: "PodDisruptionBudget allows a drain",
        summary: "Every PodDisruptionBudget allows at least one disruption (minAvailable ≤ replicas − 1, maxUnavailable ≥ 1).",
        rationale: "A budget that allows no eviction blocks `kubectl drain`, cluster upgrades and autoscaler scale-down until someone deletes it by hand; on a single replica it protects nothing, since that pod goes down either way.",
        remediation: "Set minAvailable to replicas − 1 (or maxUnavailable to 1), or remove the budget from single-replica workloads.",
        severity: .error,
        severityByEnvironment: ["dev": .warning],
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, replicas: 3, pdb: {minAvailable: ↓3}}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, replicas: 2, pdb: {maxUnavailable: ↓0}}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, autoscale: {min: 2, max: 5, cpu: 80}, pdb: {minAvailable: ↓100%}}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, members: 3, pdb: {maxUnavailable: ↓0}}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, members: 1, pdb: {minAvailable: ↓1}}\n", environment: "dev"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, replicas: 3}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, replicas: 3, pdb: {minAvailable: 2}}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, members: 1}\n", environment: "dev"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        func judge(_ name: String, replicas: Int, budget: Located<DisruptionBudget>?, count: Located<Int>? = nil) {
            guard let budget, budget.value.allowedDisruptions(replicas: replicas) == 0 else { return }
            if replicas > 1 {
                let notes = count.flatMap { $0.isDefault ? nil : [DiagnosticNote("\(replicas) replicas", at: $0.location)] } ?? []
                findings.append(context.finding("PodDisruptionBudget for '\(name)' allows no disruption of its \(replicas) pods: node drains will hang",
                                                about: name, at: budget.location, notes: notes))
            } else {
                var finding = context.finding("PodDisruptionBudget for '\(name)' blocks every drain of its single pod and protects nothing",
                                              about: name, at: budget.location, fix: "Remove the budget, or run more than one replica.")
                finding.severity = .warning
                findings.append(finding)
            }
        }
        for service in context.system.services {
            let count = service.autoscale?.min ?? service.replicas
            judge(service.name.value, replicas: count.value, budget: service.pdb.budget, count: count)
        }
        for stateful in context.system.statefulServices {
            judge(stateful.name.value, replicas: stateful.replicas.value, budget: stateful.pdb.budget, count: stateful.replicas)
        }
        for store in context.system.stores {
            guard let budget = store.pdb?.budget else { continue }
            let sizes = store.quorumGroups.map { ($0.statefulSet, $0.members.value) }
            for (name, members) in sizes.isEmpty ? [(store.name.value, 1)] : sizes {
                judge(name, replicas: members, budget: budget)
            }
        }
        return findings
    }
}
