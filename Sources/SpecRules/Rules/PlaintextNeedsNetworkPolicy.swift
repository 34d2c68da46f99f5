import SpecModel
import SpecDiagnostics

/// A meshed workload that accepts plaintext is fenced by network policy.
struct PlaintextNeedsNetworkPolicy: Rule {
    static let description = RuleDescription(
        id: "plaintext-needs-network-policy",
        title: "Plaintext into the mesh is fenced by network policy",
        summary: "A meshed workload that accepts callers without a sidecar (on a PERMISSIVE namespace or a scraped metrics port) lives in a namespace that denies by default.",
        rationale: "A caller without a sidecar has no identity, so the workload's AuthorizationPolicy can only admit every such caller on those ports or none; only network policy narrows them to the declared ones.",
        remediation: "Set 'networkPolicy: deny-by-default' on the namespace (or 'mesh.networkPolicy'), or put the callers in the mesh.",
        severity: .warning,
        triggering: [
            RuleExample("  legacy: {mtls: off}\nmesh: {mtls: permissive}\nservices:\n  api: {image: x/api:1.0, namespace: apps, ports: {http: 8080}}\n  old: {image: x/old:1.0, namespace: legacy, uses: [↓api]}\n"),
        ],
        nonTriggering: [
            RuleExample("  legacy: {mtls: off}\nmesh: {mtls: permissive, networkPolicy: deny-by-default}\nservices:\n  api: {image: x/api:1.0, namespace: apps, ports: {http: 8080}}\n  old: {image: x/old:1.0, namespace: legacy, uses: [api]}\n"),
            RuleExample("mesh: {mtls: permissive}\nservices:\n  api: {image: x/api:1.0, ports: {http: 8080}}\n  web: {image: x/web:1.0, uses: [api]}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        let system = context.system
        var order: [PodGroup] = []
        var exposure: [PodGroup: (location: SourceLocation, ports: Set<TrafficPort>, sources: [String])] = [:]
        for flow in context.traffic.flows {
            guard let target = flow.destination.group, system.isMeshed(target.namespace), !system.isTrafficSource(target.namespace),
                  !system.deniesByDefault(target.namespace), let source = flow.source.namespace, !system.isMeshed(source),
                  // STRICT refuses plaintext except on a scraped metrics port (mesh-caller-outside-strict covers the rest).
                  system.mtls(of: target.namespace) == .permissive || flow.reason == .monitoring else { continue }
            let ports = flow.ports.filter(TrafficGraph.isInterceptedBySidecar)
            guard !ports.isEmpty else { continue }
            if exposure[target] == nil {
                order.append(target)
                exposure[target] = (flow.location, [], [])
            }
            exposure[target]?.ports.formUnion(ports)
            if exposure[target]?.sources.contains(source) == false { exposure[target]?.sources.append(source) }
        }
        return order.compactMap { target in
            guard let open = exposure[target] else { return nil }
            let ports = open.ports.sorted()
            return context.finding(
                "'\(target.owner)' accepts callers without a sidecar on port\(ports.count == 1 ? "" : "s") \(ports.map(\.description).joined(separator: ", ")) (for \(open.sources.map { "'\($0)'" }.joined(separator: ", "))), and namespace '\(target.namespace)' has no network policy: any pod outside the mesh can call it there",
                about: target.owner, at: open.location)
        }
    }
}
