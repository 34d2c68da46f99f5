import SpecModel
import SpecDiagnostics

/// Workloads fenced by network policy that talk to the API server know where it is.
struct APIServerRangeSet: Rule {
    static let description = RuleDescription(
        id: "api-server-range-set",
        title: "The API server's address is declared",
        summary: "When a namespace denies by default and its workloads talk to the Kubernetes API (a mounted token, Vault, CloudNativePG), 'mesh.apiServer' names the API server's addresses.",
        rationale: "Without it their egress on 443 and 6443 is allowed to every address, inside the cluster and on the internet, which is most of what deny-by-default was meant to stop.",
        remediation: "Set 'mesh.apiServer' to the API server's address range (kubectl get endpoints kubernetes -n default).",
        severity: .warning,
        triggering: [
            RuleExample("mesh: {networkPolicy: deny-by-default}\nservices:\n  ↓operator: {image: x/operator:1.0, serviceAccount: {rules: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]}}\n"),
        ],
        nonTriggering: [
            RuleExample("mesh: {networkPolicy: deny-by-default, apiServer: 10.0.0.1/32}\nservices:\n  operator: {image: x/operator:1.0, serviceAccount: {rules: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]}}\n"),
            RuleExample("services:\n  operator: {image: x/operator:1.0, serviceAccount: {rules: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        let system = context.system
        guard system.mesh.apiServerCIDR.isDefault else { return [] }
        let fenced = context.traffic.flows.filter { flow in
            flow.reason == .apiServer && flow.source.group.map { system.deniesByDefault($0.namespace) } == true
        }
        guard let first = fenced.first, let group = first.source.group else { return [] }
        var owners: [String] = []
        for flow in fenced { if let owner = flow.source.group?.owner, !owners.contains(owner) { owners.append(owner) } }
        return [context.finding(
            "'\(group.owner)' talks to the Kubernetes API from a namespace that denies by default, but 'mesh.apiServer' is not set: its egress on 443 and 6443 is open to every address",
            about: group.owner, at: first.location,
            notes: owners.count > 1 ? [DiagnosticNote("also: \(owners.dropFirst().joined(separator: ", "))")] : [])]
    }
}
