import SpecModel

/// Mesh policy, derived from the traffic graph: NetworkPolicies for namespaces that deny by default
/// (a default deny, DNS, the Istio control plane, then one policy per pod group allowing exactly its
/// flows), and Istio objects for meshed namespaces (PeerAuthentication, an ISTIO_MUTUAL
/// DestinationRule, and AuthorizationPolicies allowing only the identities of declared callers).
struct MeshEmitter {
    let system: SystemSpec
    let graph: TrafficGraph
    private var systemName: String { system.name.value }

    init(system: SystemSpec) {
        self.system = system
        self.graph = TrafficGraph(system)
    }

    /// Labels of the cluster DNS pods (CoreDNS keeps kube-dns's label for compatibility).
    static let dnsSelector = [Label("k8s-app", "kube-dns")]
    /// Labels of istiod's pods.
    static let istiodSelector = [Label("istio", "pilot")]
    /// istiod's port for sidecar configuration (xDS) and certificates.
    static let istiodPort = TrafficPort(15012)
    static let dnsPorts = [TrafficPort(53, .udp), TrafficPort(53, .tcp)]
    /// The label cert-manager puts on its ACME HTTP-01 solver pods, and the port they answer on.
    static let acmeSolverSelector = [Label("acme.cert-manager.io/http01-solver", "true")]
    static let acmeSolverPort = TrafficPort(8089)

    /// Namespaces whose Ingresses get certificates from cert-manager: its HTTP-01 solver pods run
    /// there and must be reachable from the ingress controller for certificates to be issued.
    private var acmeNamespaces: Set<String> {
        guard system.mesh.ingressNamespace != nil else { return [] }
        return Set(system.exposures.filter { $0.tls != nil }.map(\.namespace))
    }

    func resources() -> [Resource] {
        var incoming: [String: [TrafficFlow]] = [:], outgoing: [String: [TrafficFlow]] = [:]
        for flow in graph.flows {
            if let group = flow.destination.group { incoming[key(group), default: []].append(flow) }
            if let group = flow.source.group { outgoing[key(group), default: []].append(flow) }
        }
        var resources: [Resource] = []
        for namespace in system.namespaces where system.deniesByDefault(namespace.name.value) {
            resources += namespacePolicies(namespace)
        }
        for group in graph.groups where system.deniesByDefault(group.namespace) {
            if let policy = networkPolicy(group, ingress: incoming[key(group)] ?? [], egress: outgoing[key(group)] ?? []) {
                resources.append(policy)
            }
        }
        let groupsByNamespace = Dictionary(grouping: graph.groups, by: \.namespace)
        for namespace in system.namespaces where system.isMeshed(namespace.name.value) {
            resources += istioNamespaceObjects(namespace)
            guard !system.isTrafficSource(namespace.name.value) else { continue }
            for group in groupsByNamespace[namespace.name.value] ?? [] {
                let flows = incoming[key(group)] ?? []
                if let policy = authorizationPolicy(group, flows) { resources.append(policy) }
                if let exception = scrapePeerAuthentication(group, flows) { resources.append(exception) }
            }
        }
        return resources
    }

    private func key(_ group: PodGroup) -> String { "\(group.namespace)/\(group.name)" }

    private func metadata(_ name: String, _ namespace: String) -> ObjectMeta {
        ObjectMeta(name: name, namespace: namespace, labels: Labels.system(systemName))
    }

    // MARK: NetworkPolicy

    /// `default-deny` (nothing in or out), `allow-dns`, and `allow-istiod` when meshed.
    private func namespacePolicies(_ namespace: NamespaceSpec) -> [Resource] {
        let name = namespace.name.value, at = namespace.name.location
        var resources = [
            networkPolicyResource("default-deny", name, at, selector: [], types: ["Ingress", "Egress"], ingress: [], egress: []),
            networkPolicyResource("allow-dns", name, at, selector: [], types: ["Egress"], ingress: [], egress: [
                rule("to", [peer(.pods(namespace: system.mesh.dnsNamespace.value, selector: Self.dnsSelector), in: name)], Self.dnsPorts),
            ]),
        ]
        if let ingress = system.mesh.ingressNamespace?.value, acmeNamespaces.contains(name) {
            resources.append(networkPolicyResource("allow-acme-http01-solver", name, at, selector: Self.acmeSolverSelector, types: ["Ingress"],
                                                   ingress: [rule("from", [peer(.namespace(ingress), in: name)], [Self.acmeSolverPort])], egress: []))
        }
        if system.isMeshed(name) {
            resources.append(networkPolicyResource("allow-istiod", name, at, selector: [], types: ["Egress"], ingress: [], egress: [
                rule("to", [peer(.pods(namespace: system.mesh.istioNamespace.value, selector: Self.istiodSelector), in: name)], [Self.istiodPort]),
            ]))
        }
        return resources
    }

    /// The policy of one pod group: who may connect to it and where it may connect, one rule per
    /// set of ports listing every peer allowed on exactly those ports.
    private func networkPolicy(_ group: PodGroup, ingress: [TrafficFlow], egress: [TrafficFlow]) -> Resource? {
        let ingressRules = grouped(ingress.map { ($0.source, $0.ports) }).map {
            rule("from", $0.endpoints.map { peer($0, in: group.namespace) }, $0.ports)
        }
        let egressRules = grouped(egress.map { ($0.destination, $0.ports) }).map {
            rule("to", $0.endpoints.map { peer($0, in: group.namespace) }, $0.ports)
        }
        guard !ingressRules.isEmpty || !egressRules.isEmpty else { return nil }
        var types: [String] = []
        if !ingressRules.isEmpty { types.append("Ingress") }
        if !egressRules.isEmpty { types.append("Egress") }
        return networkPolicyResource(group.name, group.namespace, group.origin, selector: group.selector, types: types,
                                     ingress: ingressRules, egress: egressRules)
    }

    private func networkPolicyResource(_ name: String, _ namespace: String, _ origin: SourceLocation, selector: [Label], types: [String],
                                       ingress: [ManifestValue], egress: [ManifestValue]) -> Resource {
        Resource(apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: metadata(name, namespace), origin: origin,
                 fields: ["spec": [
                    "podSelector": matchLabels(selector),
                    "policyTypes": .list(types.map(ManifestValue.string)),
                    "ingress": .nonEmpty(ingress),
                    "egress": .nonEmpty(egress),
                 ]])
    }

    /// Flows folded per peer (the union of their ports), then peers with the same ports folded into
    /// one rule; both in first-seen order, so the output follows the spec.
    private func grouped<Peer: Hashable>(_ flows: [(Peer, [TrafficPort])]) -> [(endpoints: [Peer], ports: [TrafficPort])] {
        var order: [Peer] = []
        var ports: [Peer: Set<TrafficPort>] = [:]
        for (peer, flowPorts) in flows where !flowPorts.isEmpty {
            if ports[peer] == nil { order.append(peer) }
            ports[peer, default: []].formUnion(flowPorts)
        }
        var portSets: [[TrafficPort]] = []
        var peers: [[TrafficPort]: [Peer]] = [:]
        for peer in order {
            let set = ports[peer, default: []].sorted()
            if peers[set] == nil { portSets.append(set) }
            peers[set, default: []].append(peer)
        }
        return portSets.map { (peers[$0] ?? [], $0) }
    }

    private func rule(_ direction: String, _ peers: [ManifestValue], _ ports: [TrafficPort]) -> ManifestValue {
        .map([
            .init(direction, .list(peers)),
            .init("ports", .list(ports.map { ["port": .int($0.number), "protocol": .string($0.portProtocol.rawValue)] })),
        ])
    }

    /// A NetworkPolicy peer for `endpoint`, seen from a policy in `namespace` (pods of the same
    /// namespace need no namespace selector).
    private func peer(_ endpoint: TrafficEndpoint, in namespace: String) -> ManifestValue {
        switch endpoint {
        case .group(let group):
            return pods(group.namespace, group.selector, in: namespace)
        case .pods(let podNamespace, let selector):
            return pods(podNamespace, selector, in: namespace)
        case .namespace(let name):
            return ["namespaceSelector": matchLabels([Label(Topology.namespaceNameLabel, name)])]
        case .addresses(let cidr):
            return ["ipBlock": ["cidr": .string(cidr)]]
        }
    }

    private func pods(_ podNamespace: String, _ selector: [Label], in namespace: String) -> ManifestValue {
        if podNamespace == namespace { return ["podSelector": matchLabels(selector)] }
        return [
            "namespaceSelector": matchLabels([Label(Topology.namespaceNameLabel, podNamespace)]),
            "podSelector": matchLabels(selector),
        ]
    }

    private func matchLabels(_ labels: [Label]) -> ManifestValue {
        labels.isEmpty ? .map([]) : ["matchLabels": .sortedStrings(labels.map { ($0.key, $0.value) })]
    }

    // MARK: Istio

    /// The namespace's PeerAuthentication (`default`), its ISTIO_MUTUAL DestinationRule and, unless
    /// it runs pods the spec does not describe, an `allow-nothing` AuthorizationPolicy that the
    /// per-workload policies open up.
    private func istioNamespaceObjects(_ namespace: NamespaceSpec) -> [Resource] {
        let name = namespace.name.value, at = namespace.mtls?.location ?? namespace.name.location
        var resources = [
            Resource(apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: metadata("default", name), origin: at,
                     fields: ["spec": ["mtls": ["mode": .string(system.mtls(of: name).rawValue.uppercased())]]]),
            Resource(apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: metadata("\(name)-mtls", name), origin: at,
                     fields: ["spec": [
                        "host": .string("*.\(name).svc.\(system.clusterDomain.value)"),
                        "trafficPolicy": ["tls": ["mode": "ISTIO_MUTUAL"]],
                     ]]),
        ]
        if !system.isTrafficSource(name) {
            resources.append(Resource(apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: metadata("allow-nothing", name),
                                      origin: at, fields: ["spec": .map([])]))
            if let ingress = system.mesh.ingressNamespace?.value, acmeNamespaces.contains(name) {
                resources.append(authorizationResource("acme-http01-solver", name, at, selector: Self.acmeSolverSelector,
                                                       rules: [([identity(.namespace(ingress))], [Self.acmeSolverPort])]))
            }
        }
        return resources
    }

    /// Who a source is to Istio: a workload principal or a namespace when it sends mutual TLS, or
    /// "no principal" (plaintext) when it is outside the mesh.
    private enum Identity: Hashable {
        case principal(String)
        case namespace(String)
        case plaintext
        /// Clients outside the cluster, known only by their address (`from:` of a public Service).
        case addresses(String)
    }

    private func identity(_ endpoint: TrafficEndpoint) -> Identity {
        switch endpoint {
        case .group(let group):
            guard system.isMeshed(group.namespace) else { return .plaintext }
            return .principal("\(system.mesh.trustDomain.value)/ns/\(group.namespace)/sa/\(group.serviceAccount)")
        case .namespace(let namespace), .pods(let namespace, _):
            return system.isMeshed(namespace) ? .namespace(namespace) : .plaintext
        case .addresses(let cidr):
            return .addresses(cidr)
        }
    }

    /// An ALLOW policy for one pod group: one rule per distinct port set, naming the principals,
    /// namespaces and (for sources outside the mesh) plaintext callers allowed on those ports.
    private func authorizationPolicy(_ group: PodGroup, _ flows: [TrafficFlow]) -> Resource? {
        // Authorization applies where the sidecar intercepts: TCP, not its own merged-metrics port.
        let sources: [(Identity, [TrafficPort])] = flows.map { flow in
            (identity(flow.source), flow.ports.filter(TrafficGraph.isInterceptedBySidecar))
        }
        let portSets = grouped(sources)
        guard !portSets.isEmpty else { return nil }
        return authorizationResource(group.name, group.namespace, group.origin, selector: group.selector, rules: portSets)
    }

    /// An ALLOW AuthorizationPolicy: per rule, the principals, namespaces and (for sources outside
    /// the mesh) plaintext callers allowed on its ports.
    private func authorizationResource(_ name: String, _ namespace: String, _ origin: SourceLocation, selector: [Label],
                                       rules: [(endpoints: [Identity], ports: [TrafficPort])]) -> Resource {
        let rendered: [ManifestValue] = rules.map { members, set in
            var sources: [ManifestValue] = []
            let principals = members.compactMap { if case .principal(let name) = $0 { return name } else { return nil } }
            let namespaces = members.compactMap { if case .namespace(let name) = $0 { return name } else { return nil } }
            if !principals.isEmpty { sources.append(["source": ["principals": .list(principals.map(ManifestValue.string))]]) }
            if !namespaces.isEmpty { sources.append(["source": ["namespaces": .list(namespaces.map(ManifestValue.string))]]) }
            if members.contains(.plaintext) { sources.append(["source": ["notPrincipals": ["*"]]]) }
            let ranges = members.compactMap { if case .addresses(let cidr) = $0 { return cidr } else { return nil } }
            if !ranges.isEmpty { sources.append(["source": ["ipBlocks": .list(ranges.map(ManifestValue.string))]]) }
            return [
                "from": .list(sources),
                "to": [["operation": ["ports": .list(set.map { .string(String($0.number)) })]]],
            ]
        }
        return Resource(apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: metadata(name, namespace), origin: origin,
                        fields: ["spec": [
                            "selector": matchLabels(selector),
                            "action": "ALLOW",
                            "rules": .list(rendered),
                        ]])
    }

    /// In a STRICT namespace, a scraper outside the mesh cannot speak mutual TLS: the metrics port
    /// alone is made PERMISSIVE for the scraped workload.
    private func scrapePeerAuthentication(_ group: PodGroup, _ flows: [TrafficFlow]) -> Resource? {
        guard system.mtls(of: group.namespace) == .strict else { return nil }
        let ports = flows.filter { $0.reason == .monitoring && identity($0.source) == .plaintext }
            .flatMap(\.ports).filter(TrafficGraph.isInterceptedBySidecar)
        guard !ports.isEmpty else { return nil }
        let unique = Set(ports).sorted()
        return Resource(apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: metadata("\(group.name)-metrics", group.namespace),
                        origin: group.origin,
                        fields: ["spec": [
                            "selector": matchLabels(group.selector),
                            "mtls": ["mode": "STRICT"],
                            "portLevelMtls": .map(unique.map { .init(String($0.number), ["mode": "PERMISSIVE"]) }),
                        ]])
    }
}
