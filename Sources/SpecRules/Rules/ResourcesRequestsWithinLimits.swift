import SpecModel
import SpecDiagnostics

/// A request above its limit is rejected by the API server.
struct ResourcesRequestsWithinLimits: Rule {
    static let description = RuleDescription(
        id: "resources-requests-within-limits",
        title: "Requests do not exceed limits",
        summary: "For CPU, memory and ephemeral storage, the request is at most the limit.",
        rationale: "The API server rejects a pod whose request exceeds its limit, so the Deployment or StatefulSet never creates pods; the error appears only in the controller's events.",
        remediation: "Lower the request or raise the limit.",
        severity: .error,
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, resources: {requests: {cpu: 100m, memory: ↓256Mi}, limits: {cpu: 500m, memory: 128Mi}}}\n"),
            RuleExample("stores:\n  etcd: {engine: etcd, resources: {requests: {cpu: ↓\"2\", memory: 64Mi}, limits: {cpu: 1500m, memory: 128Mi}}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, resources: {requests: {cpu: \"0.5\", memory: 1Gi}, limits: {cpu: 500m, memory: 1024Mi}}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        func judge(_ name: String, _ resources: ResourcesSpec?) {
            guard let resources else { return }
            let pairs: [(String, Located<Quantity>?, Located<Quantity>?)] = [
                ("cpu", resources.requests.cpu, resources.limits.cpu), ("memory", resources.requests.memory, resources.limits.memory),
                ("ephemeral storage", resources.requests.ephemeralStorage, resources.limits.ephemeralStorage),
            ]
            for (label, request, limit) in pairs {
                guard let request, let limit, request.value.value > limit.value.value else { continue }
                findings.append(context.finding("'\(name)' requests \(request.value.text) \(label) but is limited to \(limit.value.text)",
                                                about: name, at: request.location, notes: [DiagnosticNote("the limit", at: limit.location)]))
            }
        }
        for (owner, _, container, isInit) in context.containers where !isInit || container.resources?.location != nil {
            judge(owner, container.resources)
        }
        for store in context.system.stores { judge(store.name.value, store.resources) }
        return findings.uniqued()
    }
}
