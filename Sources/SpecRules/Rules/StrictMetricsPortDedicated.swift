import SpecModel
import SpecDiagnostics

/// In a STRICT namespace scraped from outside the mesh, the metrics port serves nothing else.
struct StrictMetricsPortDedicated: Rule {
    static let description = RuleDescription(
        id: "strict-metrics-port-dedicated",
        title: "Scraped ports in STRICT namespaces serve only metrics",
        summary: "When a scraper outside the mesh reads a workload in a STRICT namespace, its metrics port is not also a port its callers, the ingress controller or its peers use.",
        rationale: "A scraper without a sidecar can only speak plaintext, so clusterspec makes the metrics port alone PERMISSIVE; if that port also serves the application, every pod without a sidecar may call the application in plaintext there, silently undoing mtls: strict.",
        remediation: "Serve metrics on a port of their own (ports: {metrics: 9090}, metrics: {port: metrics}), or put the monitoring namespace in the mesh.",
        severity: .error,
        triggering: [
            RuleExample("mesh: {mtls: strict, monitoringNamespace: monitoring}\nservices:\n  api: {image: x/api:1.0, ports: {http: 8080}, metrics: ↓{port: http}}\n  web: {image: x/web:1.0, namespace: apps, uses: [api]}\n"),
        ],
        nonTriggering: [
            RuleExample("mesh: {mtls: strict, monitoringNamespace: monitoring}\nservices:\n  api: {image: x/api:1.0, namespace: apps, ports: {http: 8080, metrics: 9090}, metrics: {port: metrics}}\n  web: {image: x/web:1.0, namespace: apps, uses: [{target: api, ports: [http]}]}\n"),
            RuleExample("  monitoring: {mtls: strict}\nmesh: {mtls: strict, monitoringNamespace: monitoring}\nservices:\n  api: {image: x/api:1.0, namespace: apps, ports: {http: 8080}, metrics: {port: http}}\n  web: {image: x/web:1.0, namespace: apps, uses: [api]}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        let system = context.system
        var served: [PodGroup: Set<Int>] = [:]
        var scrapes: [(group: PodGroup, flow: TrafficFlow)] = []
        for flow in context.traffic.flows {
            guard let group = flow.destination.group else { continue }
            if flow.reason == .monitoring {
                if system.mtls(of: group.namespace) == .strict, let source = flow.source.namespace, !system.isMeshed(source) {
                    scrapes.append((group, flow))
                }
            } else {
                served[group, default: []].formUnion(flow.ports.filter(TrafficGraph.isInterceptedBySidecar).map(\.number))
            }
        }
        return scrapes.compactMap { group, flow in
            let shared = flow.ports.filter(TrafficGraph.isInterceptedBySidecar).map(\.number).filter { served[group]?.contains($0) ?? false }
            guard let port = shared.first else { return nil }
            return context.finding(
                "'\(group.owner)' is scraped from outside the mesh on port \(port), which also serves its callers: making it PERMISSIVE for the scraper lets any pod without a sidecar call '\(group.owner)' there in plaintext",
                about: group.owner, at: flow.location)
        }
    }
}
