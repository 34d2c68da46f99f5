import ManifestEmission
import SpecModel

/// What the emitted NetworkPolicy objects allow, evaluated with Kubernetes' semantics for
/// `clusterspec graph --policy`: a pod is isolated for a direction once a policy of its namespace
/// selects it for that direction, and then only what a rule of such a policy allows gets through;
/// a connection needs both the source's egress and the destination's ingress. The objects are
/// read back as emitted (labels, selectors, peers, ports), not re-derived from the spec, so a
/// rule removed from the output removes its edge. Istio objects are not evaluated here.
///
/// The candidate ends are the system's pod groups and every outside end its traffic names
/// (namespaces, labelled pods, address ranges); each pair is evaluated, so the cost grows with
/// the number of pairs the picture can show.
struct PolicyReachability {
    struct AllowedFlow {
        var source: TrafficEndpoint
        var destination: TrafficEndpoint
        /// nil: every port.
        var ports: [TrafficPort]?
    }

    /// A set of ports: all of them, or the listed ones.
    private enum Ports: Equatable {
        case any
        case some(Set<TrafficPort>)

        static let none = Ports.some([])

        func union(_ other: Ports) -> Ports {
            guard case .some(let mine) = self, case .some(let theirs) = other else { return .any }
            return .some(mine.union(theirs))
        }

        func intersection(_ other: Ports) -> Ports {
            switch (self, other) {
            case (.any, _): return other
            case (_, .any): return self
            case (.some(let mine), .some(let theirs)): return .some(mine.intersection(theirs))
            }
        }
    }

    /// One end as the policies see it: its namespace's labels and its pods' labels.
    private struct End {
        var endpoint: TrafficEndpoint
        var namespace: String?
        var namespaceLabels: [String: String]
        /// nil when unknown (any pod of an outside namespace).
        var podLabels: [String: String]?
        var cidr: String?
    }

    private let ends: [End]
    private let policies: [Resource]

    init(system: SystemSpec, traffic: TrafficGraph, resources: [Resource]) {
        policies = resources.filter { $0.kind == "NetworkPolicy" && $0.group == "networking.k8s.io" }
        var namespaceLabels: [String: [String: String]] = [:]
        var templateLabels: [[String: String]: [String: String]] = [:]
        for resource in resources {
            if resource.kind == "Namespace" { namespaceLabels[resource.name] = Self.strings(resource.body["metadata"]?["labels"]) }
            let template = resource.kind == "CronJob" ? resource.body["spec"]?["jobTemplate"]?["spec"]?["template"] : resource.body["spec"]?["template"]
            if let labels = template?["metadata"]?["labels"], let selector = resource.body["spec"]?["selector"]?["matchLabels"] {
                templateLabels[Self.strings(selector)] = Self.strings(labels)
            }
        }
        func labels(of namespace: String) -> [String: String] {
            var labels = namespaceLabels[namespace] ?? [:]
            labels["kubernetes.io/metadata.name"] = namespace
            return labels
        }
        var seen = Set<TrafficEndpoint>()
        var ends: [End] = []
        let endpoints = traffic.groups.map(TrafficEndpoint.group) + traffic.flows.flatMap { [$0.source, $0.destination] }
        for endpoint in endpoints where seen.insert(endpoint).inserted {
            switch endpoint {
            case .group(let group):
                let selector = Dictionary(group.selector.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
                ends.append(End(endpoint: endpoint, namespace: group.namespace, namespaceLabels: labels(of: group.namespace),
                                podLabels: templateLabels[selector] ?? selector))
            case .namespace(let namespace):
                ends.append(End(endpoint: endpoint, namespace: namespace, namespaceLabels: labels(of: namespace), podLabels: nil))
            case .pods(let namespace, let selector):
                ends.append(End(endpoint: endpoint, namespace: namespace, namespaceLabels: labels(of: namespace),
                                podLabels: Dictionary(selector.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })))
            case .addresses(let cidr):
                ends.append(End(endpoint: endpoint, namespace: nil, namespaceLabels: [:], podLabels: nil, cidr: cidr))
            }
        }
        self.ends = ends
    }

    /// Every pair of ends with the ports the policies let through, in the order of the ends.
    func allowedFlows() -> [AllowedFlow] {
        var flows: [AllowedFlow] = []
        for source in ends {
            for destination in ends {
                // Address ranges outside (`from:` of a public Service) are sources only towards the system's pods.
                if source.cidr != nil, destination.endpoint.group == nil { continue }
                // Only ends the system runs are governed by its policies; a pair of outside ends is not its business.
                guard source.endpoint.group != nil || destination.endpoint.group != nil else { continue }
                let allowed = allowed(from: source, to: destination, direction: "Egress")
                    .intersection(allowed(from: source, to: destination, direction: "Ingress"))
                switch allowed {
                case .any: flows.append(AllowedFlow(source: source.endpoint, destination: destination.endpoint, ports: nil))
                case .some(let ports) where !ports.isEmpty:
                    flows.append(AllowedFlow(source: source.endpoint, destination: destination.endpoint, ports: ports.sorted()))
                case .some: break
                }
            }
        }
        return flows
    }

    /// The ports the policies of the governed end (the source for egress, the destination for
    /// ingress) allow; every port when none selects it, or when it is not the system's.
    private func allowed(from source: End, to destination: End, direction: String) -> Ports {
        let (own, peer) = direction == "Egress" ? (source, destination) : (destination, source)
        guard own.endpoint.group != nil, let namespace = own.namespace, let labels = own.podLabels else { return .any }
        let rulesKey = direction == "Egress" ? "egress" : "ingress", peersKey = direction == "Egress" ? "to" : "from"
        var isolated = false
        var ports = Ports.none
        for policy in policies where policy.namespace == namespace {
            guard let spec = policy.body["spec"], Self.selects(spec["podSelector"], labels) else { continue }
            let types = spec["policyTypes"].map(Self.list)?.compactMap(\.stringValue) ?? ["Ingress"]
            guard types.contains(direction) else { continue }
            isolated = true
            for rule in spec[rulesKey].map(Self.list) ?? [] {
                let peers = rule[peersKey].map(Self.list) ?? []
                guard peers.isEmpty || peers.contains(where: { matches($0, peer, policyNamespace: namespace) }) else { continue }
                ports = ports.union(Self.ports(rule["ports"]))
            }
        }
        return isolated ? ports : .any
    }

    /// Whether a `from`/`to` peer names `end`.
    private func matches(_ peer: ManifestValue, _ end: End, policyNamespace: String) -> Bool {
        if let block = peer["ipBlock"] {
            guard let cidr = end.cidr, let allowed = block["cidr"]?.stringValue else { return false }
            let excepted = (block["except"].map(Self.list) ?? []).compactMap(\.stringValue)
            guard let range = IPv4Range(allowed), let addresses = IPv4Range(cidr), range.contains(addresses) else { return false }
            return !excepted.contains { IPv4Range($0)?.overlaps(addresses) ?? true }
        }
        guard let namespace = end.namespace else { return false }
        let namespaceSelector = peer["namespaceSelector"]
        if let namespaceSelector {
            guard Self.selects(namespaceSelector, end.namespaceLabels) else { return false }
        } else if namespace != policyNamespace {
            return false
        }
        guard let podSelector = peer["podSelector"] else { return true }
        guard let labels = end.podLabels else { return Self.isEmptySelector(podSelector) }
        return Self.selects(podSelector, labels)
    }

    // MARK: Reading the objects

    private static func list(_ value: ManifestValue) -> [ManifestValue] {
        if case .list(let items) = value { return items }
        return []
    }

    private static func strings(_ value: ManifestValue?) -> [String: String] {
        guard case .map(let entries)? = value else { return [:] }
        var result: [String: String] = [:]
        for entry in entries { if let text = entry.value.stringValue { result[entry.key] = text } }
        return result
    }

    private static func isEmptySelector(_ selector: ManifestValue) -> Bool {
        strings(selector["matchLabels"]).isEmpty && (selector["matchExpressions"].map(list) ?? []).isEmpty
    }

    /// A label selector (`matchLabels` and `matchExpressions`) against labels; `{}` selects all.
    private static func selects(_ selector: ManifestValue?, _ labels: [String: String]) -> Bool {
        guard let selector else { return false }
        for (key, value) in strings(selector["matchLabels"]) where labels[key] != value { return false }
        for expression in selector["matchExpressions"].map(list) ?? [] {
            guard let key = expression["key"]?.stringValue, let operation = expression["operator"]?.stringValue else { return false }
            let values = (expression["values"].map(list) ?? []).compactMap(\.stringValue)
            switch operation {
            case "In": if !values.contains(labels[key] ?? "\u{0}") { return false }
            case "NotIn": if let value = labels[key], values.contains(value) { return false }
            case "Exists": if labels[key] == nil { return false }
            case "DoesNotExist": if labels[key] != nil { return false }
            default: return false
            }
        }
        return true
    }

    /// A rule's `ports` (absent or empty: every port). Named ports are not emitted; a range
    /// (`endPort`) lists its ports.
    private static func ports(_ value: ManifestValue?) -> Ports {
        let items = value.map(list) ?? []
        guard !items.isEmpty else { return .any }
        var ports = Set<TrafficPort>()
        for item in items {
            let portProtocol = item["protocol"]?.stringValue.flatMap { PortProtocol(rawValue: $0) } ?? .tcp
            guard case .int(let number)? = item["port"] else { return .any }
            var last = number
            if case .int(let end)? = item["endPort"] { last = max(number, min(end, number + 65535)) }
            for port in number...last { ports.insert(TrafficPort(port, portProtocol)) }
        }
        return .some(ports)
    }
}

/// An IPv4 CIDR range, for `ipBlock` peers.
struct IPv4Range {
    var base: UInt32
    var prefix: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return nil }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 < 256 }) else { return nil }
        let prefix = parts.count == 2 ? Int(parts[1]) : 32
        guard let prefix, (0...32).contains(prefix) else { return nil }
        self.prefix = prefix
        self.base = octets.reduce(0) { $0 << 8 | $1 } & Self.mask(prefix)
    }

    private static func mask(_ prefix: Int) -> UInt32 { prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix) }

    /// Whether every address of `other` is in this range.
    func contains(_ other: IPv4Range) -> Bool { other.prefix >= prefix && other.base & Self.mask(prefix) == base }

    func overlaps(_ other: IPv4Range) -> Bool { contains(other) || other.contains(self) }
}
