import SpecModel
import SpecDiagnostics

/// Nothing outside the mesh is expected to call a workload that only accepts mutual TLS.
struct MeshCallerOutsideStrict: Rule {
    static let description = RuleDescription(
        id: "mesh-caller-outside-strict",
        title: "Callers of STRICT workloads are in the mesh",
        summary: "A workload, caller namespace, ingress controller, operator or outside client of a public Service ('from:') — all without a sidecar — does not call a workload whose namespace requires mutual TLS (mtls: strict).",
        rationale: "With PeerAuthentication STRICT the sidecar refuses plaintext connections, and a caller without a sidecar can only send plaintext: the declared dependency is refused on every request although network policy allows it.",
        remediation: "Put the caller's namespace in the mesh (mtls: permissive or strict), or relax the target's namespace to mtls: permissive.",
        severity: .error,
        triggering: [
            RuleExample("  legacy: {mtls: off}\nmesh: {mtls: strict}\nservices:\n  api: {image: x/api:1.0, namespace: apps, ports: {http: 8080}}\n  old: {image: x/old:1.0, namespace: legacy, uses: [↓api]}\n"),
            RuleExample("  edge: {}\nmesh: {mtls: strict, ingressNamespace: edge}\nservices:\n  web:\n    image: x/web:1.0\n    namespace: apps\n    ports: {http: 8080}\n    expose: ↓{host: web.example.com, tls: {issuer: le}}\n"),
            RuleExample("mesh:\n  mtls: strict\n  callers:\n    reporting: [↓api]\nservices:\n  api: {image: x/api:1.0, ports: {http: 8080}}\n"),
            RuleExample("mesh: {mtls: strict}\nservices:\n  gateway: {image: x/gw:1.0, ports: {http: 8080}, service: {type: LoadBalancer, from: ↓anywhere}}\n"),
        ],
        nonTriggering: [
            RuleExample("  legacy: {mtls: off}\n  edge: {mtls: permissive}\nmesh: {mtls: strict, ingressNamespace: edge, monitoringNamespace: monitoring}\nservices:\n  api: {image: x/api:1.0, namespace: apps, ports: {http: 8080, metrics: 9090}, metrics: {port: metrics}, uses: [old]}\n  old: {image: x/old:1.0, namespace: legacy, ports: {http: 8080}}\n  ui: {image: x/ui:1.0, namespace: apps, ports: {http: 8080}, uses: [api], expose: {host: ui.example.com, tls: {issuer: le}}}\n"),
            RuleExample("  legacy: {mtls: off}\nmesh: {mtls: permissive}\nservices:\n  api: {image: x/api:1.0, namespace: apps, ports: {http: 8080}}\n  old: {image: x/old:1.0, namespace: legacy, uses: [api]}\n"),
            RuleExample("mesh: {mtls: permissive}\nservices:\n  gateway: {image: x/gw:1.0, ports: {http: 8080}, service: {type: LoadBalancer, from: anywhere}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        let system = context.system
        var findings: [Diagnostic] = []
        var reported = Set<SourceLocation>()
        for flow in context.traffic.flows {
            guard let target = flow.destination.group, system.mtls(of: target.namespace) == .strict,
                  flow.reason != .monitoring, flow.reason != .peers,  // scrapes get a PERMISSIVE port; peers share the namespace
                  flow.ports.contains(where: TrafficGraph.isInterceptedBySidecar) else { continue }  // UDP passes the sidecar untouched
            let strict = "'\(target.owner)' in namespace '\(target.namespace)', which requires mutual TLS (mtls: strict)"
            let refused = "its sidecar refuses the plaintext connections"
            if flow.reason == .publicAccess {
                guard reported.insert(flow.location).inserted else { continue }
                findings.append(context.finding(
                    "clients outside the cluster reach a public Service of \(strict), but they have no sidecar: \(refused)",
                    about: target.owner, at: flow.location,
                    fix: "Set 'mtls: permissive' on namespace '\(target.namespace)' (authorization still admits only the 'from' ranges), or put an Istio ingress gateway in front."))
                continue
            }
            guard let sourceNamespace = flow.source.namespace, !system.isMeshed(sourceNamespace),
                  reported.insert(flow.location).inserted else { continue }
            let fix = "Put namespace '\(sourceNamespace)' in the mesh (mtls: permissive or strict), or set 'mtls: permissive' on namespace '\(target.namespace)'."
            switch (flow.reason, flow.source) {
            case (.ingress, _):
                findings.append(context.finding(
                    "the ingress controller's namespace '\(sourceNamespace)' is outside the mesh, but it must reach exposed \(strict): \(refused)",
                    about: target.owner, at: flow.location, fix: fix))
            case (.operatorAccess, _):
                findings.append(context.finding(
                    "the operator in namespace '\(sourceNamespace)' is outside the mesh, but it must reach \(strict): \(refused)",
                    about: target.owner, at: flow.location, fix: fix))
            case (_, .group(let source)):
                findings.append(context.finding(
                    "'\(source.owner)' runs outside the mesh (namespace '\(sourceNamespace)') and calls \(strict): \(refused)",
                    about: source.owner, at: flow.location, fix: fix))
            default:
                findings.append(context.finding(
                    "callers in namespace '\(sourceNamespace)' are outside the mesh and call \(strict): \(refused)",
                    about: sourceNamespace, at: flow.location, fix: fix))
            }
        }
        return findings
    }
}
