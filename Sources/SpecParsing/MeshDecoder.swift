import SpecModel
import SpecDiagnostics

/// Decoding of `mesh:` (mutual TLS, network policy and the traffic sources outside the spec) and of
/// `external:` (destinations the system uses but does not run).
extension SpecDecoder {
    func decodeMesh(_ node: YAMLNode?, at location: SourceLocation) -> MeshSpec {
        var mesh = MeshSpec.defaults(at: location)
        guard let node, let fields = reader.mapping(node, "'mesh'", known: SpecKeys.mesh) else { return mesh }
        if let value = fields["mtls"].flatMap({ reader.choice($0, "mTLS mode", as: MTLSMode.self) }) { mesh.mtls = value }
        if let value = fields["networkPolicy"].flatMap({ reader.choice($0, "network policy mode", as: NetworkPolicyMode.self) }) {
            mesh.networkPolicy = value
        }
        mesh.ingressNamespace = fields["ingressNamespace"].flatMap { namespaceName($0, "'ingressNamespace'") }
        mesh.monitoringNamespace = fields["monitoringNamespace"].flatMap { namespaceName($0, "'monitoringNamespace'") }
        for (key, path) in [("istioNamespace", \MeshSpec.istioNamespace), ("dnsNamespace", \.dnsNamespace),
                            ("cnpgOperatorNamespace", \.cnpgOperatorNamespace)] {
            if let value = fields[key].flatMap({ namespaceName($0, "'\(key)'") }) { mesh[keyPath: path] = value }
        }
        if let value = fields["apiServer"].flatMap({ cidr($0, "'apiServer'") }) { mesh.apiServerCIDR = value }
        if let value = fields["trustDomain"].flatMap({ reader.nonEmptyString($0, "'trustDomain'") }) {
            if KubernetesName.isDNSSubdomain(value.value) {
                mesh.trustDomain = value
            } else {
                reader.error("invalid-value", "'\(value.value)' is not a trust domain (a DNS name such as cluster.local)", at: value.location)
            }
        }
        mesh.callers = fields["callers"].map(decodeCallers) ?? []
        return mesh
    }

    /// `callers: {<namespace>: [<uses entries>]}`.
    private func decodeCallers(_ node: YAMLNode) -> [CallerSpec] {
        reader.namedEntries(node, "'callers'").compactMap { entry in
            guard checkedLabel(entry.name, kind: "namespace") else { return nil }
            let uses = decodeUses(entry.value)
            for dependency in uses where dependency.env != nil {
                reader.error("conflicting-fields",
                             "callers in namespace '\(entry.name.value)' run no pods of this spec, so 'env' has nothing to inject into",
                             at: dependency.location, fix: "Remove 'env' from this entry.")
            }
            return CallerSpec(namespace: entry.name, uses: uses)
        }
    }

    private func namespaceName(_ node: YAMLNode, _ what: String) -> Located<String>? {
        guard let value = reader.string(node, what) else { return nil }
        return checkedLabel(value, kind: "namespace") ? value : nil
    }

    /// An address range in CIDR notation.
    func cidr(_ node: YAMLNode, _ what: String) -> Located<String>? {
        guard let value = reader.nonEmptyString(node, what) else { return nil }
        guard CIDR(value.value) != nil else {
            reader.error("invalid-value", "'\(value.value)' is not an address range: expected CIDR notation such as 10.0.0.0/16 or 2001:db8::/32",
                         at: value.location)
            return nil
        }
        return value
    }

    func decodeExternal(_ node: YAMLNode) -> [ExternalEndpointSpec] {
        reader.namedEntries(node, "'external'").compactMap { entry in
            let what = "external endpoint '\(entry.name.value)'"
            guard checkedLabel(entry.name, kind: "external endpoint"),
                  let fields = reader.mapping(entry.value, what, known: SpecKeys.external) else { return nil }
            let kinds = ["cidr", "host", "namespace"].filter(fields.has)
            guard kinds.count == 1 else {
                if kinds.isEmpty {
                    reader.error("missing-field", "\(what) needs one of 'cidr', 'host' or 'namespace': where the traffic goes",
                                 at: entry.name.location)
                } else {
                    reader.error("conflicting-fields", "\(what) gives \(kinds.map { "'\($0)'" }.joined(separator: " and ")); give exactly one",
                                 at: fields.keyLocation(kinds[1]) ?? entry.name.location)
                }
                return nil
            }
            if fields.has("podLabels") && kinds[0] != "namespace" {
                reader.error("conflicting-fields", "'podLabels' selects pods of a 'namespace' endpoint; \(what) has none",
                             at: fields.keyLocation("podLabels") ?? entry.name.location)
            }
            let destination: ExternalDestination
            switch kinds[0] {
            case "cidr":
                guard let value = fields["cidr"].flatMap({ cidr($0, "'cidr'") }) else { return nil }
                destination = .cidr(value)
            case "host":
                guard let value = fields["host"].flatMap({ reader.nonEmptyString($0, "'host'") }) else { return nil }
                guard KubernetesName.isDNSSubdomain(value.value.lowercased()) else {
                    reader.error("invalid-value", "'\(value.value)' is not a host name", at: value.location)
                    return nil
                }
                destination = .host(value)
            default:
                guard let value = fields["namespace"].flatMap({ namespaceName($0, "'namespace'") }) else { return nil }
                destination = .namespace(value, podLabels: fields["podLabels"].map {
                    reader.metadataEntries($0, "podLabels of \(what)", areLabels: true)
                } ?? [])
            }
            let ports = fields["ports"].map { decodePorts($0, owner: what) } ?? []
            if ports.isEmpty && !fields.has("ports") {
                reader.error("missing-field", "\(what) needs 'ports': the ports traffic to it may use (e.g. {https: 443})",
                             at: entry.name.location)
            }
            return ExternalEndpointSpec(name: entry.name, destination: destination, ports: ports)
        }
    }
}
