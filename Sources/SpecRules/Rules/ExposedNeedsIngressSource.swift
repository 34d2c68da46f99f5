import SpecModel
import SpecDiagnostics

/// A Service reachable by design — exposed through an Ingress, or a LoadBalancer or NodePort — in a
/// namespace that restricts traffic says where that traffic comes from, or it receives none.
struct ExposedNeedsIngressSource: Rule {
    static let description = RuleDescription(
        id: "exposed-needs-ingress-source",
        title: "Services reachable from outside have a traffic source",
        summary: "When the namespace of an exposed service, or of a LoadBalancer or NodePort Service, denies undeclared traffic (network policy or mesh authorization), the spec names where that traffic comes from: 'mesh.ingressNamespace' for an Ingress, 'from:' on the Service for outside clients.",
        rationale: "The ingress controller and the clients of a load balancer are outside the spec; unless the spec says where they are, the generated policies cannot let them in: the Ingress answers every request with a gateway error and the load balancer's connections time out, with nothing in the build to say why.",
        remediation: "Set 'mesh.ingressNamespace' to the namespace your ingress controller runs in; give a LoadBalancer or NodePort Service 'from: anywhere' or the clients' address ranges.",
        severity: .error,
        triggering: [
            RuleExample("mesh: {networkPolicy: deny-by-default}\nservices:\n  web:\n    image: x/web:1.0\n    ports: {http: 8080}\n    expose: ↓{host: web.example.com, tls: {issuer: le}}\n"),
            RuleExample("mesh: {mtls: permissive}\nservices:\n  web:\n    image: x/web:1.0\n    ports: {http: 8080}\n    expose: ↓{host: web.example.com, tls: {issuer: le}}\n"),
            RuleExample("mesh: {networkPolicy: deny-by-default}\nservices:\n  gateway:\n    image: x/gateway:1.0\n    ports: {http: 8080}\n    service: {type: ↓LoadBalancer}\n"),
            RuleExample("mesh: {mtls: permissive}\nstatefulServices:\n  cache:\n    image: x/cache:1.0\n    ports: {client: 7000}\n    extraServices: {edge: {type: ↓NodePort, ports: [client]}}\n"),
            RuleExample("mesh: {networkPolicy: deny-by-default}\nservices:\n  web: {image: x/web:1.0, ports: {http: 8080}}\n  api: {image: x/api:1.0, ports: {http: 8080}}\nroutes:\n  app:\n    host: app.example.com\n    tls: {issuer: le}\n    paths: {↓/: web, ↓/api: api}\n"),
        ],
        nonTriggering: [
            RuleExample("mesh: {networkPolicy: deny-by-default, ingressNamespace: ingress-nginx}\nservices:\n  web:\n    image: x/web:1.0\n    ports: {http: 8080}\n    expose: {host: web.example.com, tls: {issuer: le}}\n"),
            RuleExample("services:\n  web:\n    image: x/web:1.0\n    ports: {http: 8080}\n    expose: {host: web.example.com, tls: {issuer: le}}\n"),
            RuleExample("mesh: {networkPolicy: deny-by-default}\nservices:\n  gateway:\n    image: x/gateway:1.0\n    ports: {http: 8080}\n    service: {type: LoadBalancer, from: anywhere}\n"),
            RuleExample("services:\n  gateway:\n    image: x/gateway:1.0\n    ports: {http: 8080}\n    service: {type: LoadBalancer}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        let system = context.system
        /// Why traffic nobody declared is dropped in `namespace`, or nil when it is not.
        func guarded(_ namespace: String) -> String? {
            if system.deniesByDefault(namespace) { return "denies undeclared traffic (networkPolicy: deny-by-default)" }
            if system.isMeshed(namespace) && !system.isTrafficSource(namespace) {
                return "is meshed and allows only declared callers (AuthorizationPolicy)"
            }
            return nil
        }
        var findings: [Diagnostic] = []
        if system.mesh.ingressNamespace == nil {
            for exposure in system.exposures {
                guard let why = guarded(exposure.namespace) else { continue }
                findings.append(context.finding(
                    "'\(exposure.service)' is exposed at \(exposure.host.value)\(exposure.path.isDefault ? "" : exposure.path.value), but namespace '\(exposure.namespace)' \(why) and 'mesh.ingressNamespace' names no ingress controller to let in",
                    about: exposure.service, at: exposure.location))
            }
        }
        let published = system.services.filter { !$0.isWorker }.map { ($0.workload, $0.serviceGroups) }
            + system.statefulServices.map { ($0.workload, $0.serviceGroups) }
        for (workload, groups) in published {
            for group in groups where group.isReachableFromOutside && group.from == nil {
                guard let why = guarded(workload.namespace.value) else { continue }
                let name = group.suffix.map { "\(workload.name.value)-\($0.value)" } ?? workload.name.value
                findings.append(context.finding(
                    "Service '\(name)' is a \(group.type.value.rawValue), but namespace '\(workload.namespace.value)' \(why) and nothing says where its outside clients are: it receives no traffic",
                    about: workload.name.value, at: group.type.location,
                    fix: "Add 'from: anywhere' or the clients' address ranges ('from: [203.0.113.0/24]') to this Service."))
            }
        }
        return findings
    }
}
