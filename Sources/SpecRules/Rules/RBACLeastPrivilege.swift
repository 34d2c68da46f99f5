import SpecModel
import SpecDiagnostics

/// RBAC rules grant named verbs on named resources, and never exec or secrets by accident.
struct RBACLeastPrivilege: Rule {
    static let description = RuleDescription(
        id: "rbac-least-privilege",
        title: "RBAC grants least privilege",
        summary: "ServiceAccount rules use no wildcards and grant no pods/exec, pods/attach or read access to Secrets.",
        rationale: "A wildcard grants permissions added to the API later; exec and attach run code in other pods; reading Secrets hands out every credential in the namespace — each turns one compromised pod into the whole namespace.",
        remediation: "List the exact apiGroups, resources and verbs the workload needs.",
        severity: .error,
        triggering: [
            RuleExample("services:\n  op: {image: x/op:1.0, serviceAccount: {rules: [{apiGroups: [\"\"], resources: [pods], verbs: [↓\"*\"]}]}}\n"),
            RuleExample("services:\n  op: {image: x/op:1.0, serviceAccount: {rules: [{apiGroups: [\"\"], resources: [↓pods/exec], verbs: [create]}]}}\n"),
            RuleExample("services:\n  op: {image: x/op:1.0, serviceAccount: {rules: [{apiGroups: [\"\"], resources: [↓secrets], verbs: [get, list]}]}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  op: {image: x/op:1.0, serviceAccount: {rules: [{apiGroups: [\"\"], resources: [pods, configmaps], verbs: [get, list, watch]}]}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        for (workload, _) in context.workloads {
            let owner = workload.name.value
            for rule in workload.serviceAccount.rules {
                for wildcard in (rule.apiGroups + rule.resources + rule.verbs) where wildcard.value == "*" {
                    findings.append(context.finding("'\(owner)' is granted a wildcard", about: owner, at: wildcard.location))
                }
                for resource in rule.resources where ["pods/exec", "pods/attach", "pods/portforward"].contains(resource.value) {
                    findings.append(context.finding("'\(owner)' may run code in other pods (\(resource.value))", about: owner, at: resource.location))
                }
                let reads = rule.verbs.contains { ["get", "list", "watch", "*"].contains($0.value) }
                for resource in rule.resources where resource.value == "secrets" && reads {
                    findings.append(context.finding("'\(owner)' may read every Secret in its namespace", about: owner, at: resource.location))
                }
            }
        }
        return findings
    }
}
