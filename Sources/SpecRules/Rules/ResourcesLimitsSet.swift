import SpecModel
import SpecDiagnostics

/// Every container has a ceiling on CPU and memory.
struct ResourcesLimitsSet: Rule {
    static let description = RuleDescription(
        id: "resources-limits-set",
        title: "CPU and memory limits are set",
        summary: "Every workload and store sets CPU and memory limits.",
        rationale: "Without a memory limit one leaking container takes the node's memory and the kernel kills its neighbours; without a CPU limit a busy container starves the others on the node.",
        remediation: "Add 'resources: {limits: {cpu: …, memory: …}}'.",
        severity: .error,
        severityByEnvironment: ["dev": .warning],
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, resources: ↓{requests: {cpu: 100m, memory: 64Mi}}}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, resources: ↓{requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 500m, memory: 128Mi}}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        func judge(_ name: String, _ resources: ResourcesSpec?, at location: SourceLocation) {
            // Missing requests are resources-requests-set's finding; report limits only where resources exist.
            guard let resources else { return }
            var missing: [String] = []
            if resources.limits.cpu == nil { missing.append("cpu") }
            if resources.limits.memory == nil { missing.append("memory") }
            guard !missing.isEmpty else { return }
            findings.append(context.finding("'\(name)' has no \(missing.joined(separator: " or ")) limit", about: name, at: resources.location))
        }
        for (owner, container, location) in context.configuredContainers { judge(owner, container.resources, at: location) }
        for store in context.system.stores { judge(store.name.value, store.resources, at: store.name.location) }
        return findings
    }
}
