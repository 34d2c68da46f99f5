import SpecModel
import SpecDiagnostics

/// A ServiceAccount token is mounted only when the workload talks to the Kubernetes API.
struct AutomountTokenNeeded: Rule {
    static let description = RuleDescription(
        id: "automount-token-needed",
        title: "API token mounted only when needed",
        summary: "A workload mounts its ServiceAccount token only when it is granted RBAC rules.",
        rationale: "A mounted token is a credential for the Kubernetes API waiting in the filesystem; a workload without rules has no use for it and an attacker in the pod does.",
        remediation: "Remove 'automountToken: true', or grant the rules the workload needs.",
        severity: .warning,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, serviceAccount: {automountToken: ↓true}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, serviceAccount: {rules: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]}}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.workloads.compactMap { workload, _ in
            let account = workload.serviceAccount
            guard account.automountToken.value, !account.automountToken.isDefault, account.rules.isEmpty else { return nil }
            return context.finding("'\(workload.name.value)' mounts an API token but has no RBAC rules to use it",
                                   about: workload.name.value, at: account.automountToken.location)
        }
    }
}
