import SpecModel
import SpecDiagnostics

/// Exposed services terminate TLS.
struct IngressTLS: Rule {
    static let description = RuleDescription(
        id: "ingress-tls",
        title: "Exposed services use TLS",
        summary: "Every 'expose' and every route names a cert-manager issuer for TLS.",
        rationale: "An Ingress without TLS serves credentials and session cookies in clear text to anyone on the path, and browsers mark the site insecure.",
        remediation: "Add 'tls: {issuer: letsencrypt-prod}' to 'expose'.",
        severity: .error,
        severityByEnvironment: ["dev": .warning],
        triggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, ports: {http: 8080}, expose: ↓{host: api.example.com}}\n"),
            RuleExample("services:\n  api: {image: x/api:1.0, ports: {http: 8080}}\nroutes:\n  ↓app: {host: app.example.com, paths: {/api: api}}\n"),
        ],
        nonTriggering: [
            RuleExample("services:\n  api: {image: x/api:1.0, ports: {http: 8080}, expose: {host: api.example.com, tls: {issuer: letsencrypt-prod}}}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.services.compactMap { service in
            guard let expose = service.expose, expose.tls == nil else { return nil }
            return context.finding("'\(service.name.value)' is exposed at \(expose.host.value) without TLS", about: service.name.value, at: expose.location)
        } + context.system.routes.compactMap { route in
            guard route.tls == nil else { return nil }
            return context.finding("route '\(route.name.value)' serves \(route.host.value) without TLS", about: route.name.value, at: route.name.location,
                                   fix: "Add 'tls: {issuer: letsencrypt-prod}' to the route.")
        }
    }
}
