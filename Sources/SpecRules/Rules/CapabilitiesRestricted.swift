import SpecModel
import SpecDiagnostics

/// Only NET_BIND_SERVICE may be added back after dropping ALL.
struct CapabilitiesRestricted: Rule {
    static let description = RuleDescription(
        id: "capabilities-restricted",
        title: "No added Linux capabilities beyond NET_BIND_SERVICE",
        summary: "Containers add no capability other than NET_BIND_SERVICE.",
        rationale: "Capabilities such as SYS_ADMIN, NET_ADMIN or IPC_LOCK hand parts of root back to the container; Pod Security 'restricted' rejects every one except NET_BIND_SERVICE (Vault needs no IPC_LOCK with disable_mlock).",
        remediation: "Remove the capability; bind to a port above 1024 or use NET_BIND_SERVICE.",
        severity: .error,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, securityContext: {capabilities: [↓IPC_LOCK]}}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, securityContext: {capabilities: [↓SYS_ADMIN]}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, securityContext: {capabilities: [NET_BIND_SERVICE]}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var capabilities: [(String, Located<String>)] = []
        for (workload, _) in context.workloads { capabilities += workload.container.security.addCapabilities.map { (workload.name.value, $0) } }
        for store in context.system.stores { capabilities += store.security.addCapabilities.map { (store.name.value, $0) } }
        return capabilities.compactMap { owner, capability in
            guard capability.value != "NET_BIND_SERVICE" else { return nil }
            return context.finding("'\(owner)' adds capability \(capability.value)", about: owner, at: capability.location)
        }
    }
}
