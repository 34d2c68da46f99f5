import SpecModel
import SpecDiagnostics

/// At the autoscaler's minimum the PodDisruptionBudget must still allow an eviction.
struct HPAMinAbovePDB: Rule {
    static let description = RuleDescription(
        id: "hpa-min-above-pdb",
        title: "Autoscaler minimum above the disruption budget",
        summary: "An autoscaled service's HPA minReplicas is greater than its PodDisruptionBudget minAvailable.",
        rationale: "When load is low the HPA scales down to minReplicas; if minAvailable equals it, no pod may be evicted and every node drain blocks until traffic rises again.",
        remediation: "Set minAvailable below autoscale.min, or use the default budget (maxUnavailable 1).",
        severity: .error,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, autoscale: {min: 2, max: 10, cpu: 70}, pdb: {minAvailable: ↓2}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, autoscale: {min: 3, max: 10, cpu: 70}, pdb: {minAvailable: 2}}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, autoscale: {min: 2, max: 10, cpu: 70}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.services.compactMap { service in
            guard let autoscale = service.autoscale, let budget = service.pdb.budget,
                  case .minAvailable(let value) = budget.value else { return nil }
            let minAvailable = value.resolved(total: autoscale.min.value, roundUp: true)
            guard minAvailable >= autoscale.min.value else { return nil }
            return context.finding("'\(service.name.value)' scales down to \(autoscale.min.value) pods, but its budget keeps \(minAvailable) available: drains block at low load",
                                   about: service.name.value, at: budget.location, notes: [DiagnosticNote("autoscale minimum", at: autoscale.min.location)])
        }
    }
}
