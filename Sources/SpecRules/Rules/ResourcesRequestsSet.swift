import SpecModel
import SpecDiagnostics

/// Every container states the CPU and memory it needs.
struct ResourcesRequestsSet: Rule {
    static let description = RuleDescription(
        id: "resources-requests-set",
        title: "CPU and memory requests are set",
        summary: "Every workload and store sets CPU and memory requests.",
        rationale: "The scheduler places pods by their requests; without them pods pile onto nodes that cannot hold them, get the lowest eviction priority (BestEffort) and make HPA utilisation targets meaningless.",
        remediation: "Add 'resources: {requests: {cpu: …, memory: …}}'.",
        severity: .error,
        severityByEnvironment: ["dev": .warning],
        triggering: [
            RuleExample("services:\n  ↓api: {image: x/api:1.0}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, resources: ↓{requests: {cpu: 100m}, limits: {cpu: 500m, memory: 128Mi}}}\n"),
            RuleExample("stores:\n  ↓etcd: {engine: etcd}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, resources: {requests: {cpu: 100m, memory: 64Mi}}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        func judge(_ name: String, _ resources: ResourcesSpec?, at location: SourceLocation) {
            var missing: [String] = []
            if resources?.requests.cpu == nil { missing.append("cpu") }
            if resources?.requests.memory == nil { missing.append("memory") }
            guard !missing.isEmpty else { return }
            findings.append(context.finding("'\(name)' requests no \(missing.joined(separator: " or "))", about: name,
                                            at: resources?.location ?? location))
        }
        for (owner, container, location) in context.configuredContainers { judge(owner, container.resources, at: location) }
        // A store whose roles are all outside the cluster (an external database) runs no pods to size.
        for store in context.system.stores where !store.roles.isEmpty { judge(store.name.value, store.resources, at: store.name.location) }
        return findings
    }
}
