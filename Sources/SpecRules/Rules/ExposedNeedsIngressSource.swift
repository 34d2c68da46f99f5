import SpecModel
import SpecDiagnostics

/// An exposed service whose namespace restricts traffic names where ingress traffic comes from.
struct ExposedNeedsIngressSource: Rule {
    static let description = RuleDescription(
        id: "exposed-needs-ingress-source",
        title: "Exposed services have an ingress source",
        summary: "When an exposed service's namespace denies undeclared traffic (network policy or mesh authorization), 'mesh.ingressNamespace' names the ingress controller's namespace.",
        rationale: "The ingress controller runs outside the spec; unless the spec says where it is, the generated policies cannot let it in, and the Ingress answers every request with a gateway error.",
        remediation: "Set 'mesh.ingressNamespace' to the namespace your ingress controller runs in.",
        severity: .error,
        triggering: [
            RuleExample("mesh: {networkPolicy: deny-by-default}\nservices:\n  web:\n    image: x/web:1.0\n    ports: {http: 8080}\n    expose: ↓{host: web.example.com, tls: {issuer: le}}\n"),
            RuleExample("mesh: {mtls: permissive}\nservices:\n  web:\n    image: x/web:1.0\n    ports: {http: 8080}\n    expose: ↓{host: web.example.com, tls: {issuer: le}}\n"),
        ],
        nonTriggering: [
            RuleExample("mesh: {networkPolicy: deny-by-default, ingressNamespace: ingress-nginx}\nservices:\n  web:\n    image: x/web:1.0\n    ports: {http: 8080}\n    expose: {host: web.example.com, tls: {issuer: le}}\n"),
            RuleExample("services:\n  web:\n    image: x/web:1.0\n    ports: {http: 8080}\n    expose: {host: web.example.com, tls: {issuer: le}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        let system = context.system
        guard system.mesh.ingressNamespace == nil else { return [] }
        return system.services.compactMap { service in
            guard let expose = service.expose else { return nil }
            let namespace = service.workload.namespace.value
            let guarded: String
            if system.deniesByDefault(namespace) {
                guarded = "denies undeclared traffic (networkPolicy: deny-by-default)"
            } else if system.isMeshed(namespace) && !system.isTrafficSource(namespace) {
                guarded = "is meshed and allows only declared callers (AuthorizationPolicy)"
            } else {
                return nil
            }
            return context.finding(
                "'\(service.name.value)' is exposed at \(expose.host.value), but namespace '\(namespace)' \(guarded) and 'mesh.ingressNamespace' names no ingress controller to let in",
                about: service.name.value, at: expose.location)
        }
    }
}
