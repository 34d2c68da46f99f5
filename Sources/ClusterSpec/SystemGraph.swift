import ManifestEmission
import SpecModel

/// The system as the compiler sees it, for `clusterspec graph`: namespaces as groups, workloads and
/// store roles as nodes (with replicas or members), and edges for the traffic — declared (`uses:`
/// with ports, store peers, exposure, scraping, API access, external endpoints) or, with
/// `policy`, what the emitted NetworkPolicy and Istio objects allow (`PolicyReachability`). Mermaid
/// and DOT are two renderings of the same value.
public struct SystemGraph: Sendable, Equatable {
    public struct Node: Sendable, Hashable, Comparable {
        /// Unique and stable: `<namespace>/<name>`, `external/<name>`, `namespace/<ns>`, `address/<cidr>`, `host/<host>`.
        public var id: String
        public var label: String
        /// The group it is drawn in (a namespace, "outside" for what the spec does not run).
        public var group: String

        public static func < (lhs: Node, rhs: Node) -> Bool { (lhs.group, lhs.id) < (rhs.group, rhs.id) }
    }

    public struct Edge: Sendable, Hashable, Comparable {
        public var from: String
        public var to: String
        /// Ports, and why when it is not a `uses:` (`2380 peers`).
        public var label: String

        public static func < (lhs: Edge, rhs: Edge) -> Bool { (lhs.from, lhs.to, lhs.label) < (rhs.from, rhs.to, rhs.label) }
    }

    public var name: String
    public var nodes: [Node]
    public var edges: [Edge]

    /// Groups in drawing order: the spec's namespaces by name, then "outside".
    public var groups: [String] {
        let names = Set(nodes.map(\.group))
        return names.filter { $0 != Self.outside }.sorted() + (names.contains(Self.outside) ? [Self.outside] : [])
    }

    /// The group of nodes outside the system's namespaces.
    public static let outside = "outside"

    init(name: String, nodes: Set<Node>, edges: [Edge]) {
        self.name = name
        self.nodes = nodes.sorted()
        // One edge per pair, its labels joined.
        var labels: [String: [String]] = [:]
        for edge in edges { labels["\(edge.from)\u{0}\(edge.to)", default: []].append(edge.label) }
        self.edges = labels.map { key, values in
            let ends = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            return Edge(from: ends[0], to: ends[1], label: Set(values).sorted().joined(separator: ", "))
        }.sorted()
    }
}

extension SystemGraph {
    /// The declared traffic of `system`.
    public static func declared(_ system: SystemSpec) -> SystemGraph {
        var builder = GraphBuilder(system)
        let traffic = TrafficGraph(system)
        for group in traffic.groups { builder.add(group) }
        for flow in traffic.flows {
            guard let source = builder.node(flow.source, at: flow.location),
                  let destination = builder.node(flow.destination, at: flow.location, apiServer: flow.reason == .apiServer) else { continue }
            let ports = flow.ports.map(\.description).joined(separator: ",")
            builder.edges.append(Edge(from: source, to: destination, label: flow.reason == .uses ? ports : "\(ports) \(Self.word(flow.reason))"))
        }
        // One node per Ingress host (`expose:` and `routes:`); a host with several paths names the
        // path on each edge.
        let exposures = system.exposures
        let byHost = Dictionary(grouping: exposures, by: \.host.value)
        for exposure in exposures {
            guard let service = system.services.first(where: { $0.name.value == exposure.service }),
                  let group = traffic.groups(of: exposure.service).first,
                  let port = service.workload.container.port(named: exposure.port) else { continue }
            let sameHost = byHost[exposure.host.value] ?? [exposure]
            let host = "host/\(exposure.host.value)", shared = sameHost.count > 1
            let scheme = sameHost[0].tls == nil ? "http" : "https"
            builder.nodes.insert(Node(id: host, label: "\(scheme)://\(exposure.host.value)\(shared ? "" : exposure.path.value)", group: outside))
            builder.edges.append(Edge(from: host, to: GraphBuilder.id(group),
                                      label: "\(port.number.value) ingress\(shared ? " \(exposure.path.value)" : "")"))
        }
        return SystemGraph(name: system.name.value, nodes: builder.nodes, edges: builder.edges)
    }

    /// What the emitted policy objects of `resources` allow among the system's pods and the peers
    /// they name.
    public static func policy(_ system: SystemSpec, resources: [Resource]) -> SystemGraph {
        var builder = GraphBuilder(system)
        let traffic = TrafficGraph(system)
        for group in traffic.groups { builder.add(group) }
        let reachability = PolicyReachability(system: system, traffic: traffic, resources: resources)
        for allowed in reachability.allowedFlows() {
            let source = builder.node(allowed.source, at: nil), destination = builder.node(allowed.destination, at: nil)
            guard let source, let destination else { continue }
            builder.edges.append(Edge(from: source, to: destination, label: allowed.ports.map { $0.map(\.description).joined(separator: ",") } ?? "any port"))
        }
        return SystemGraph(name: system.name.value, nodes: builder.nodes, edges: builder.edges)
    }

    private static func word(_ reason: TrafficReason) -> String {
        switch reason {
        case .uses: return "uses"
        case .caller: return "caller"
        case .peers: return "peers"
        case .ingress: return "ingress"
        case .monitoring: return "metrics"
        case .publicAccess: return "public"
        case .operatorAccess: return "operator"
        case .apiServer: return "API"
        }
    }
}

/// Nodes of a system's pod groups and the endpoints flows name.
struct GraphBuilder {
    let system: SystemSpec
    var nodes = Set<SystemGraph.Node>()
    var edges: [SystemGraph.Edge] = []
    /// `uses:` entries naming something outside the cluster (an external endpoint, a store that
    /// lives elsewhere), by where they are written: the node they end at.
    private var externalUses: [SourceLocation: SystemGraph.Node] = [:]

    init(_ system: SystemSpec) {
        self.system = system
        var outside: [String: SystemGraph.Node] = [:]
        for external in system.external {
            let ports = external.ports.map { "\($0.number.value)" }.joined(separator: ",")
            let whereTo: String
            switch external.destination {
            case .cidr(let cidr): whereTo = cidr.value
            case .host(let host): whereTo = host.value
            case .namespace(let namespace, _): whereTo = "namespace \(namespace.value)"
            }
            outside[external.name.value] = SystemGraph.Node(id: "external/\(external.name.value)",
                                                            label: "\(external.name.value)\nexternal: \(whereTo) :\(ports)", group: SystemGraph.outside)
        }
        for store in system.stores {
            guard let range = store.settings.externalRange(of: store) else { continue }
            outside[store.name.value] = SystemGraph.Node(id: "external/\(store.name.value)",
                                                         label: "\(store.name.value)\n\(store.engine.name) outside the cluster: \(range)", group: SystemGraph.outside)
        }
        for dependency in system.workloads.flatMap(\.uses) + system.mesh.callers.flatMap(\.uses) {
            if let node = outside[dependency.target.value] { externalUses[dependency.location] = node }
        }
    }

    static func id(_ group: PodGroup) -> String { "\(group.namespace)/\(group.name)" }

    mutating func add(_ group: PodGroup) {
        nodes.insert(SystemGraph.Node(id: Self.id(group), label: "\(group.name)\n\(describe(group))", group: group.namespace))
    }

    /// The node of a flow's end, added when new; a `uses:` of an external endpoint ends at a node
    /// named for it.
    mutating func node(_ endpoint: TrafficEndpoint, at location: SourceLocation?, apiServer: Bool = false) -> String? {
        if let location, let external = externalUses[location], endpoint.group == nil {
            nodes.insert(external)
            return external.id
        }
        switch endpoint {
        case .group(let group):
            add(group)
            return Self.id(group)
        case .namespace(let namespace):
            let id = "namespace/\(namespace)"
            nodes.insert(SystemGraph.Node(id: id, label: "namespace \(namespace)\n(any pod)", group: SystemGraph.outside))
            return id
        case .pods(let namespace, let selector):
            let labels = selector.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let id = "pods/\(namespace)/\(labels)"
            nodes.insert(SystemGraph.Node(id: id, label: "pods \(labels)\nin \(namespace)", group: SystemGraph.outside))
            return id
        case .addresses(let cidr) where apiServer:
            let id = "api/\(cidr)"
            nodes.insert(SystemGraph.Node(id: id, label: "Kubernetes API\n\(cidr)", group: SystemGraph.outside))
            return id
        case .addresses(let cidr):
            let id = "address/\(cidr)"
            nodes.insert(SystemGraph.Node(id: id, label: "addresses \(cidr)", group: SystemGraph.outside))
            return id
        }
    }

    /// `Deployment ×3`, `StatefulSet, 3 members`, `CronJob 0 3 * * *`.
    private func describe(_ group: PodGroup) -> String {
        if let service = system.services.first(where: { $0.name.value == group.owner }) {
            if let autoscale = service.autoscale { return "Deployment ×\(autoscale.min.value)–\(autoscale.max.value)" }
            return "Deployment ×\(service.replicas.value)"
        }
        if let stateful = system.statefulServices.first(where: { $0.name.value == group.owner }) { return "StatefulSet ×\(stateful.replicas.value)" }
        if let job = system.jobs.first(where: { $0.name.value == group.owner }) { return job.schedule.map { "CronJob \($0.value)" } ?? "Job" }
        if let store = system.stores.first(where: { $0.name.value == group.owner }),
           let role = store.roles.first(where: { $0.name == group.name }) {
            let count = role.replicas.value
            let what = role.kind.quorum != nil ? "\(count) member\(count == 1 ? "" : "s")" : "×\(count)"
            return "\(store.engine.name) \(role.kind.component), \(what)"
        }
        return group.owner
    }
}

// MARK: Rendering

extension SystemGraph {
    public enum Format: String, CaseIterable, Sendable { case mermaid, dot }

    public func render(_ format: Format) -> String {
        format == .mermaid ? mermaid() : dot()
    }

    /// Mermaid `flowchart LR`: GitHub renders it in Markdown. Nodes whose id is in `highlighted`
    /// are drawn with a thick red border (the pull-request report marks changed objects so).
    public func mermaid(highlighting highlighted: Set<String> = []) -> String {
        var ids: [String: String] = [:]
        for (index, node) in nodes.enumerated() { ids[node.id] = "n\(index)" }
        var lines = ["flowchart LR"]
        for (index, group) in groups.enumerated() {
            lines.append("  subgraph g\(index)[\"\(Self.mermaidText(group == Self.outside ? "outside the system" : "namespace \(group)"))\"]")
            for node in nodes where node.group == group {
                lines.append("    \(ids[node.id] ?? "")[\"\(Self.mermaidText(node.label))\"]")
            }
            lines.append("  end")
        }
        for edge in edges {
            lines.append("  \(ids[edge.from] ?? "") -->|\"\(Self.mermaidText(edge.label))\"| \(ids[edge.to] ?? "")")
        }
        let marked = nodes.filter { highlighted.contains($0.id) }.compactMap { ids[$0.id] }
        if !marked.isEmpty {
            lines.append("  classDef changed stroke:#d73a49,stroke-width:3px")
            lines.append("  class \(marked.joined(separator: ",")) changed")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Graphviz DOT: `dot -Tsvg` draws it.
    public func dot() -> String {
        var lines = ["digraph \(Self.dotText(name)) {", "  rankdir=LR;", "  node [shape=box, fontname=\"Helvetica\"];",
                     "  edge [fontname=\"Helvetica\", fontsize=10];"]
        for (index, group) in groups.enumerated() {
            lines.append("  subgraph cluster_\(index) {")
            lines.append("    label=\(Self.dotText(group == Self.outside ? "outside the system" : "namespace \(group)"));")
            for node in nodes where node.group == group {
                lines.append("    \(Self.dotText(node.id)) [label=\(Self.dotText(node.label))];")
            }
            lines.append("  }")
        }
        for edge in edges {
            lines.append("  \(Self.dotText(edge.from)) -> \(Self.dotText(edge.to)) [label=\(Self.dotText(edge.label))];")
        }
        return lines.joined(separator: "\n") + "\n}\n"
    }

    /// Mermaid label text: quotes and markup characters as entities, line breaks as `<br/>`.
    static func mermaidText(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\"": result += "#quot;"
            case "<": result += "#lt;"
            case ">": result += "#gt;"
            case "\n": result += "<br/>"
            case "#": result += "#35;"
            default: result.append(character)
            }
        }
        return result
    }

    /// A DOT string literal.
    static func dotText(_ text: String) -> String {
        var result = "\""
        for character in text {
            switch character {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result + "\""
    }
}
