import SpecModel
import SpecDiagnostics

/// Decoding of `routes:`: one host, several paths, each to a service's port.
extension SpecDecoder {
    /// Routes against the decoded `services` (their ports and the Services that publish them).
    func decodeRoutes(_ node: YAMLNode, services: [ServiceSpec]) -> [RouteSpec] {
        let byName = Dictionary(services.map { ($0.name.value, $0) }, uniquingKeysWith: { first, _ in first })
        return reader.namedEntries(node, "'routes'").compactMap { entry in
            let what = "route '\(entry.name.value)'"
            guard checkedLabel(entry.name, kind: "route"), let fields = reader.mapping(entry.value, what, known: SpecKeys.route) else { return nil }
            guard let hostNode = fields["host"], let pathsNode = fields["paths"] else {
                reader.error("missing-field", "\(what) needs 'host' and 'paths' (path → service)", at: entry.name.location)
                return nil
            }
            let host = ingressHost(hostNode)
            let entries = reader.namedEntries(pathsNode, "paths of \(what)")
            if entries.isEmpty, pathsNode.pairs != nil {
                reader.error("invalid-value", "\(what) routes no path", at: pathsNode.location)
            }
            let paths = entries.compactMap { path in routePath(path.name, path.value, services: byName, route: what) }
            let namespace: Located<String>?
            if fields.has("namespace") {
                namespace = resolveNamespace(fields, owner: what, at: entry.name.location)
            } else if let first = paths.first, let service = byName[first.service.value] {
                namespace = Located(service.workload.namespace.value, at: entry.name.location, isDefault: true)
            } else {
                namespace = nil
            }
            guard let host, let namespace, !paths.isEmpty else { return nil }
            for path in paths {
                guard let service = byName[path.service.value], service.workload.namespace.value != namespace.value else { continue }
                reader.error("conflicting-fields",
                             "'\(path.service.value)' runs in namespace '\(service.workload.namespace.value)', but \(what) is an Ingress in '\(namespace.value)': an Ingress routes only to Services of its own namespace",
                             at: path.service.location, fix: "Give each namespace its own route for the same host.")
            }
            return RouteSpec(name: entry.name, namespace: namespace, host: host,
                             className: fields["className"].flatMap { reader.nonEmptyString($0, "'className'") } ?? defaults.ingressClass,
                             tls: fields["tls"].flatMap { ingressTLS($0, "'tls' of \(what)", defaultSecret: "\(entry.name.value)-tls") },
                             annotations: fields["annotations"].map { reader.metadataEntries($0, "annotations of \(what)", areLabels: false) } ?? [],
                             paths: paths, location: entry.name.location)
        }
    }

    /// `/path: service` or `/path: {service, port}`; the port defaults as `expose`'s does and must be
    /// one a Service of the service publishes.
    private func routePath(_ path: Located<String>, _ node: YAMLNode, services: [String: ServiceSpec], route: String) -> RoutePathSpec? {
        guard path.value.hasPrefix("/") else {
            reader.error("invalid-value", "ingress path must start with '/', found '\(path.value)'", at: path.location)
            return nil
        }
        let serviceName: Located<String>?
        var portNode: YAMLNode?
        if node.pairs != nil {
            guard let fields = reader.mapping(node, "path '\(path.value)' of \(route)", known: SpecKeys.routePath) else { return nil }
            serviceName = fields["service"].flatMap { reader.nonEmptyString($0, "'service'") }
            if serviceName == nil, !fields.has("service") {
                reader.error("missing-field", "path '\(path.value)' of \(route) needs 'service'", at: node.location)
            }
            portNode = fields["port"]
        } else {
            serviceName = reader.nonEmptyString(node, "the service of path '\(path.value)'")
        }
        guard let serviceName else { return nil }
        guard let service = services[serviceName.value], !service.isWorker else {
            let names = services.values.filter { !$0.isWorker }.map(\.name.value).sorted()
            let isWorker = services[serviceName.value]?.isWorker == true
            reader.error("unknown-service",
                         isWorker ? "'\(serviceName.value)' is a worker: it serves no traffic to route to"
                                  : "\(route) routes '\(path.value)' to '\(serviceName.value)', which is not a service of this spec\(NameSuggestion.hint(for: serviceName.value, in: names))",
                         at: serviceName.location)
            return nil
        }
        let owner = "service '\(serviceName.value)'"
        let ports = service.workload.container.ports
        guard let port = namedOrDefaultPort(portNode, ports: ports, owner: owner, at: serviceName.location,
                                            noPorts: "\(route) routes '\(path.value)' to \(owner), which declares no ports") else { return nil }
        guard service.serviceGroups.contains(where: { group in group.ports.contains { $0.value == port.value } }) else {
            reader.error("unknown-port", "\(route) routes '\(path.value)' to port '\(port.value)' of \(owner), which none of its Services publishes",
                         at: port.location, fix: "Publish the port ('service: {ports: [...]}') or route to another one.")
            return nil
        }
        return RoutePathSpec(path: path, service: serviceName, port: port)
    }

    /// Two Ingress paths for the same host and path: the controller would pick one of them.
    func checkUniqueRoutes(_ exposures: [Exposure]) {
        var seen: [String: SourceLocation] = [:]
        for exposure in exposures {
            let key = "\(exposure.host.value)\(exposure.path.value)"
            if let first = seen[key] {
                reader.error("duplicate-route", "\(exposure.host.value)\(exposure.path.value) is routed twice: an ingress controller would pick one of them",
                             at: exposure.location, notes: [DiagnosticNote("first routed here", at: first)])
            } else {
                seen[key] = exposure.location
            }
        }
    }
}
