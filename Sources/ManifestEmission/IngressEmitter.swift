import SpecModel

/// Ingresses: one per `expose:` (one path to its service) and one per route (one host, several
/// paths to different services), with cert-manager's annotation when TLS is asked for.
enum IngressEmitter {
    static func ingress(metadata: ObjectMeta, host: String, className: String?, tls: IngressTLSSpec?, annotations: [KeyValue],
                        paths: [(path: String, service: String, port: String)], origin: SourceLocation) -> Resource {
        var metadata = metadata
        metadata.annotations = annotations.map { ($0.key.value, $0.value.value) }
        if let tls {
            let key = tls.issuerKind.value == .clusterIssuer ? "cert-manager.io/cluster-issuer" : "cert-manager.io/issuer"
            metadata.annotations.append((key, tls.issuer.value))
        }
        return Resource(
            apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: metadata, origin: origin,
            fields: ["spec": [
                "ingressClassName": .optional(className),
                "tls": .optional(tls.map { tls in [["hosts": [.string(host)], "secretName": .string(tls.secretName.value)]] }),
                "rules": [[
                    "host": .string(host),
                    "http": ["paths": .list(paths.map { path in
                        [
                            "path": .string(path.path),
                            "pathType": "Prefix",
                            "backend": ["service": ["name": .string(path.service), "port": ["name": .string(path.port)]]],
                        ]
                    })],
                ]],
            ]])
    }

    /// The Ingress of a route, named after it; each path goes to the Service publishing its port.
    static func route(_ route: RouteSpec, system: SystemSpec) -> Resource {
        let services = Dictionary(system.services.map { ($0.name.value, $0) }, uniquingKeysWith: { first, _ in first })
        return ingress(
            metadata: ObjectMeta(name: route.name.value, namespace: route.namespace.value, labels: Labels.system(system.name.value)),
            host: route.host.value, className: route.className?.value, tls: route.tls, annotations: route.annotations,
            paths: route.paths.map { path in
                let service = services[path.service.value].map { ServiceEmitter.serviceName(publishing: path.port.value, of: $0) } ?? path.service.value
                return (path.path.value, service, path.port.value)
            },
            origin: route.location)
    }
}
