/// Applies NetworkPolicies the way Kubernetes defines them (networking.k8s.io/v1):
/// - a pod is isolated for a direction when some policy in its namespace selects it and lists that
///   direction in `policyTypes`; a pod no policy selects allows everything in that direction;
/// - an isolated pod allows what the union of the selecting policies' rules allows;
/// - a connection needs the source's egress and the destination's ingress to allow it;
/// - a peer is an `ipBlock` (address in `cidr`, not in `except`), a `podSelector` alone (pods of the
///   policy's namespace), a `namespaceSelector` alone (every pod of matching namespaces), or both
///   (matching pods in matching namespaces); an absent peer list or port list matches everything.
/// Addresses outside the cluster are only ever matched by `ipBlock`. Pod addresses are matched by
/// `ipBlock` too (implementation-defined in Kubernetes; the strictest reading for the test).
/// Fields the evaluator does not know are reported, so nothing is silently ignored.
struct NetworkPolicyEvaluator {
    struct Selector {
        var matchLabels: [String: String]

        func matches(_ labels: [String: String]) -> Bool {
            matchLabels.allSatisfy { labels[$0.key] == $0.value }
        }
    }

    struct Peer {
        var podSelector: Selector?
        var namespaceSelector: Selector?
        var cidr: IPv4Range?
        var except: [IPv4Range] = []
        /// An IPv6 `ipBlock`: it matches no endpoint of the (IPv4) test cluster.
        var isIPv6 = false
    }

    struct Rule {
        /// nil: every peer.
        var peers: [Peer]?
        /// nil: every port.
        var ports: [Port]?
    }

    struct Policy {
        var name: String
        var namespace: String
        var podSelector: Selector
        var types: Set<String>
        var ingress: [Rule]
        var egress: [Rule]
    }

    var policies: [Policy] = []
    private(set) var problems: [String] = []

    init(_ cluster: ClusterModel) {
        for object in cluster.objects(kind: "NetworkPolicy") { parse(object) }
    }

    private mutating func parse(_ object: [String: Any]) {
        let metadata = object["metadata"] as? [String: Any] ?? [:]
        let name = metadata["name"] as? String ?? "?", namespace = metadata["namespace"] as? String ?? "?"
        let spec = object["spec"] as? [String: Any] ?? [:]
        unknown(spec, ["podSelector", "policyTypes", "ingress", "egress"], in: name)
        let ingress = (spec["ingress"] as? [[String: Any]] ?? []).map { rule($0, peerKey: "from", in: name) }
        let egress = (spec["egress"] as? [[String: Any]] ?? []).map { rule($0, peerKey: "to", in: name) }
        var types = Set(spec["policyTypes"] as? [String] ?? [])
        if spec["policyTypes"] == nil {
            types = ["Ingress"]
            if spec["egress"] != nil { types.insert("Egress") }
        }
        policies.append(Policy(name: name, namespace: namespace, podSelector: selector(spec["podSelector"], in: name) ?? Selector(matchLabels: [:]),
                               types: types, ingress: ingress, egress: egress))
    }

    private mutating func rule(_ value: [String: Any], peerKey: String, in policy: String) -> Rule {
        unknown(value, [peerKey, "ports"], in: policy)
        let peers = (value[peerKey] as? [[String: Any]])?.map { peer($0, in: policy) }
        let ports = (value["ports"] as? [[String: Any]])?.compactMap { port -> Port? in
            unknown(port, ["port", "protocol"], in: policy)
            guard let number = port["port"] as? Int else {
                problems.append("\(policy): port \(port["port"] ?? "nil") is not a number")
                return nil
            }
            return Port(number, port["protocol"] as? String ?? "TCP")
        }
        return Rule(peers: peers, ports: ports)
    }

    private mutating func peer(_ value: [String: Any], in policy: String) -> Peer {
        unknown(value, ["podSelector", "namespaceSelector", "ipBlock"], in: policy)
        var peer = Peer(podSelector: selector(value["podSelector"], in: policy), namespaceSelector: selector(value["namespaceSelector"], in: policy))
        if let block = value["ipBlock"] as? [String: Any] {
            unknown(block, ["cidr", "except"], in: policy)
            let cidr = block["cidr"] as? String ?? ""
            peer.isIPv6 = cidr.contains(":")
            peer.cidr = IPv4Range(cidr)
            if peer.cidr == nil && !peer.isIPv6 { problems.append("\(policy): ipBlock cidr \(block["cidr"] ?? "nil") is not an IPv4 range") }
            peer.except = (block["except"] as? [String] ?? []).compactMap(IPv4Range.init)
        }
        return peer
    }

    private mutating func selector(_ value: Any?, in policy: String) -> Selector? {
        guard let value else { return nil }
        guard let map = value as? [String: Any] else {
            problems.append("\(policy): selector is not a mapping")
            return nil
        }
        unknown(map, ["matchLabels"], in: policy)
        return Selector(matchLabels: map["matchLabels"] as? [String: String] ?? [:])
    }

    private mutating func unknown(_ map: [String: Any], _ known: Set<String>, in policy: String) {
        for key in map.keys where !known.contains(key) { problems.append("\(policy): field '\(key)' is not understood by the evaluator") }
    }

    // MARK: Evaluation

    /// Whether `source` may open a connection to `destination` on `port`.
    func allows(_ source: Endpoint, _ destination: Endpoint, _ port: Port, in cluster: ClusterModel) -> Bool {
        direction("Egress", of: source, peer: destination, port: port, cluster: cluster)
            && direction("Ingress", of: destination, peer: source, port: port, cluster: cluster)
    }

    private func direction(_ type: String, of subject: Endpoint, peer: Endpoint, port: Port, cluster: ClusterModel) -> Bool {
        guard subject.isPod, let namespace = subject.namespace else { return true }  // addresses run no policy
        let selecting = policies.filter { $0.namespace == namespace && $0.types.contains(type) && $0.podSelector.matches(subject.labels) }
        guard !selecting.isEmpty else { return true }
        return selecting.contains { policy in
            (type == "Ingress" ? policy.ingress : policy.egress).contains { rule in
                (rule.ports?.contains(port) ?? true)
                    && (rule.peers?.contains { matches($0, peer, policyNamespace: namespace, cluster: cluster) } ?? true)
            }
        }
    }

    private func matches(_ peer: Peer, _ endpoint: Endpoint, policyNamespace: String, cluster: ClusterModel) -> Bool {
        if peer.isIPv6 { return false }
        if let cidr = peer.cidr {
            return cidr.contains(endpoint.ip) && !peer.except.contains { $0.contains(endpoint.ip) }
        }
        guard endpoint.isPod, let namespace = endpoint.namespace else { return false }
        if let namespaceSelector = peer.namespaceSelector {
            guard namespaceSelector.matches(cluster.namespaceLabels[namespace] ?? [:]) else { return false }
        } else if namespace != policyNamespace {
            return false
        }
        return peer.podSelector?.matches(endpoint.labels) ?? true
    }
}
