/// A port and protocol traffic is allowed on.
public struct TrafficPort: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var number: Int
    public var portProtocol: PortProtocol

    public init(_ number: Int, _ portProtocol: PortProtocol = .tcp) {
        self.number = number
        self.portProtocol = portProtocol
    }

    public static func < (lhs: TrafficPort, rhs: TrafficPort) -> Bool {
        (lhs.number, lhs.portProtocol.rawValue) < (rhs.number, rhs.portProtocol.rawValue)
    }

    public var description: String { portProtocol == .tcp ? String(number) : "\(number)/\(portProtocol.rawValue)" }
}

/// Pods the system runs that share a selector and an identity: one workload, or one role of a
/// store (Kafka controllers, ClickHouse Keeper…). Network and authorization policies select them.
public struct PodGroup: Sendable, Hashable {
    /// Names the group's policies: the workload or StatefulSet name.
    public var name: String
    public var namespace: String
    /// Labels every pod of the group carries (and no pod outside it).
    public var selector: [Label]
    /// The ServiceAccount the pods run as (their mesh identity).
    public var serviceAccount: String
    /// The workload or store of the spec the group belongs to: what `uses:` names.
    public var owner: String
    public var origin: SourceLocation

    public init(name: String, namespace: String, selector: [Label], serviceAccount: String, owner: String, origin: SourceLocation) {
        self.name = name
        self.namespace = namespace
        self.selector = selector
        self.serviceAccount = serviceAccount
        self.owner = owner
        self.origin = origin
    }
}

/// One end of a traffic flow.
public enum TrafficEndpoint: Sendable, Hashable {
    /// Pods the system runs.
    case group(PodGroup)
    /// Every pod of a namespace the system does not describe (ingress controller, monitoring, callers).
    case namespace(String)
    /// Pods of another namespace picked by labels (the CloudNativePG operator, a shared collector).
    case pods(namespace: String, selector: [Label])
    /// Addresses outside the cluster (the API server, external endpoints).
    case addresses(cidr: String)

    /// The namespace the endpoint's pods live in, if it is pods.
    public var namespace: String? {
        switch self {
        case .group(let group): return group.namespace
        case .namespace(let namespace), .pods(let namespace, _): return namespace
        case .addresses: return nil
        }
    }

    public var group: PodGroup? {
        if case .group(let group) = self { return group }
        return nil
    }
}

/// Why a flow is allowed.
public enum TrafficReason: String, Sendable, Hashable {
    /// A `uses:` entry of a workload.
    case uses
    /// A `mesh.callers` entry.
    case caller
    /// Members of one store or stateful service talking among themselves (Raft, replication).
    case peers
    /// The ingress controller reaching an exposed service.
    case ingress
    /// The metrics scraper reaching a metrics port.
    case monitoring
    /// An operator managing the pods it runs (CloudNativePG).
    case operatorAccess
    /// Addresses outside the cluster reaching a LoadBalancer or NodePort Service (`from:`).
    case publicAccess
    /// A workload with API access talking to the Kubernetes API server.
    case apiServer
}

/// Traffic the system needs: `source` may open connections to `destination` on `ports`.
public struct TrafficFlow: Sendable {
    public var source: TrafficEndpoint
    public var destination: TrafficEndpoint
    public var ports: [TrafficPort]
    public var reason: TrafficReason
    /// Where the spec asks for it (the `uses:` entry, the `expose:`, the store).
    public var location: SourceLocation

    public init(source: TrafficEndpoint, destination: TrafficEndpoint, ports: [TrafficPort], reason: TrafficReason, location: SourceLocation) {
        self.source = source
        self.destination = destination
        self.ports = ports
        self.reason = reason
        self.location = location
    }
}

/// Who talks to whom, derived from the model: every pod group and every flow the declared
/// dependencies, store topologies, exposure, metrics and API access need. Network policy, Istio
/// authorization and the mesh rules are all computed from this one graph. DNS and the Istio
/// control plane are namespace-wide needs and not part of it.
public struct TrafficGraph: Sendable {
    public private(set) var groups: [PodGroup] = []
    public private(set) var flows: [TrafficFlow] = []

    /// Ports the Kubernetes API server listens on (443 behind the `kubernetes` Service, 6443 on
    /// most control planes after the Service's address translation).
    public static let apiServerPorts = [TrafficPort(443), TrafficPort(6443)]
    /// Where the Istio sidecar serves merged application metrics when scrape annotations are rewritten.
    public static let istioMergedMetricsPort = TrafficPort(15020)

    /// Whether the Istio sidecar intercepts traffic to `port`: TCP only, and not its own metrics port.
    public static func isInterceptedBySidecar(_ port: TrafficPort) -> Bool {
        port.portProtocol == .tcp && port != istioMergedMetricsPort
    }
    private var groupsByOwner: [String: [PodGroup]] = [:]
    /// The groups clients of a store connect to (brokers, not controllers; servers, not Keeper).
    private var clientGroups: [String: [PodGroup]] = [:]

    public init(_ system: SystemSpec) {
        let systemName = system.name.value
        for workload in system.workloads {
            let group = PodGroup(name: workload.name.value, namespace: workload.namespace.value,
                                 selector: Topology.podSelector(workload.name.value, system: systemName),
                                 serviceAccount: workload.name.value, owner: workload.name.value, origin: workload.name.location)
            add(group, client: true)
            if workload.serviceAccount.automountToken.value {
                flow(.group(group), .addresses(cidr: system.mesh.apiServerCIDR.value), Self.apiServerPorts, .apiServer, workload.name.location)
            }
        }
        for store in system.stores { addStore(store, system: system) }

        for stateful in system.statefulServices {
            guard let peers = stateful.peers, let port = stateful.workload.container.port(named: peers.port.value),
                  let group = groupsByOwner[stateful.name.value]?.first else { continue }
            flow(.group(group), .group(group), [TrafficPort(port.number.value, port.portProtocol.value)], .peers, peers.port.location)
        }
        let targets = Targets(system)
        for workload in system.workloads {
            guard let group = groupsByOwner[workload.name.value]?.first else { continue }
            for dependency in workload.uses {
                addUse(from: .group(group), dependency, reason: .uses, targets: targets)
            }
        }
        for caller in system.mesh.callers {
            for dependency in caller.uses {
                addUse(from: .namespace(caller.namespace.value), dependency, reason: .caller, targets: targets)
            }
        }
        if let ingress = system.mesh.ingressNamespace?.value {
            for exposure in system.exposures {
                guard let (workload, _) = targets.workloads[exposure.service], let port = workload.container.port(named: exposure.port),
                      let group = groupsByOwner[exposure.service]?.first else { continue }
                flow(.namespace(ingress), .group(group), [TrafficPort(port.number.value, port.portProtocol.value)], .ingress, exposure.location)
            }
        }
        for (workload, serviceGroups) in system.services.filter({ !$0.isWorker }).map({ ($0.workload, $0.serviceGroups) })
            + system.statefulServices.map({ ($0.workload, $0.serviceGroups) }) {
            guard let group = groupsByOwner[workload.name.value]?.first else { continue }
            for serviceGroup in serviceGroups where serviceGroup.isReachableFromOutside {
                guard let from = serviceGroup.from else { continue }
                let ports = serviceGroup.ports.compactMap { workload.container.port(named: $0.value) }
                    .map { TrafficPort($0.number.value, $0.portProtocol.value) }
                for range in from.ranges { flow(.addresses(cidr: range.value), .group(group), ports, .publicAccess, from.location) }
            }
        }
        if let monitoring = system.mesh.monitoringNamespace?.value {
            for workload in system.workloads {
                guard let metrics = workload.metrics, let port = workload.container.port(named: metrics.port.value),
                      let group = groupsByOwner[workload.name.value]?.first else { continue }
                var ports = [TrafficPort(port.number.value, port.portProtocol.value)]
                if system.isMeshed(group.namespace) { ports.append(Self.istioMergedMetricsPort) }
                flow(.namespace(monitoring), .group(group), ports, .monitoring, metrics.location)
            }
        }
    }

    /// The pod groups of a workload or store.
    public func groups(of owner: String) -> [PodGroup] { groupsByOwner[owner] ?? [] }

    /// The ports a `uses:` entry opens on its target: the named ones, else the ones the target's
    /// Services publish (stores: their client ports). Empty when the target is unknown or has none
    /// of them (the dependency rules report those).
    private func ports(of dependency: DependencySpec, in targets: Targets) -> [PortSpec] {
        let target = dependency.target.value
        let wanted = Set(dependency.ports.map(\.value))
        func pick(_ ports: [PortSpec], defaults: [PortSpec]) -> [PortSpec] {
            wanted.isEmpty ? defaults : ports.filter { wanted.contains($0.name.value) }
        }
        if let (workload, groups) = targets.workloads[target] {
            return pick(workload.container.ports, defaults: Self.published(workload, groups))
        }
        if let store = targets.stores[target] {
            let at = dependency.target.location
            let ports = store.clientPorts.map {
                PortSpec(name: Located($0.name, at: at), number: Located($0.number, at: at), portProtocol: Located(.tcp, at: at))
            }
            let defaults = Set(store.clientPorts.filter(\.isDefault).map(\.name))
            return pick(ports, defaults: ports.filter { defaults.contains($0.name.value) })
        }
        if let external = targets.external[target] { return pick(external.ports, defaults: external.ports) }
        return []
    }

    /// What `uses:` can name, by name, so each dependency is resolved in constant time.
    private struct Targets {
        var workloads: [String: (WorkloadSpec, [ServicePortGroupSpec])] = [:]
        var stores: [String: StoreSpec] = [:]
        var external: [String: ExternalEndpointSpec] = [:]

        init(_ system: SystemSpec) {
            for service in system.services where !service.isWorker { workloads[service.name.value] = (service.workload, service.serviceGroups) }
            for stateful in system.statefulServices { workloads[stateful.name.value] = (stateful.workload, stateful.serviceGroups) }
            for store in system.stores { stores[store.name.value] = store }
            for endpoint in system.external { external[endpoint.name.value] = endpoint }
        }
    }

    /// Ports a workload publishes through its Services; all its ports when it has no Service.
    private static func published(_ workload: WorkloadSpec, _ groups: [ServicePortGroupSpec]) -> [PortSpec] {
        let names = Set(groups.flatMap { $0.ports.map(\.value) })
        let ports = workload.container.ports.filter { names.contains($0.name.value) }
        return ports.isEmpty ? workload.container.ports : ports
    }

    // MARK: Building

    private mutating func add(_ group: PodGroup, client: Bool) {
        groups.append(group)
        groupsByOwner[group.owner, default: []].append(group)
        if client { clientGroups[group.owner, default: []].append(group) }
    }

    private mutating func flow(_ source: TrafficEndpoint, _ destination: TrafficEndpoint, _ ports: [TrafficPort], _ reason: TrafficReason,
                               _ location: SourceLocation) {
        guard !ports.isEmpty else { return }
        flows.append(TrafficFlow(source: source, destination: destination, ports: ports, reason: reason, location: location))
    }

    private mutating func addUse(from source: TrafficEndpoint, _ dependency: DependencySpec, reason: TrafficReason, targets: Targets) {
        let target = dependency.target.value
        let ports = ports(of: dependency, in: targets)
        guard !ports.isEmpty else { return }
        let trafficPorts = ports.map { TrafficPort($0.number.value, $0.portProtocol.value) }
        if let groups = clientGroups[target] {
            // A store port that one role serves (a sentinel's) opens on that role's pods only.
            let storePorts = targets.stores[target]?.clientPorts ?? []
            func serves(_ group: PodGroup, _ port: PortSpec) -> Bool {
                guard let role = storePorts.first(where: { $0.name == port.name.value })?.role else { return true }
                return role == group.name
            }
            for group in groups {
                let served = zip(ports, trafficPorts).filter { serves(group, $0.0) }.map(\.1)
                flow(source, .group(group), served, reason, dependency.location)
            }
            return
        }
        if let store = targets.stores[target], let range = store.settings.externalRange(of: store) {
            flow(source, .addresses(cidr: range), trafficPorts, reason, dependency.location)
            return
        }
        guard let external = targets.external[target] else { return }
        switch external.destination {
        case .cidr(let cidr): flow(source, .addresses(cidr: cidr.value), trafficPorts, reason, dependency.location)
        case .host: flow(source, .addresses(cidr: "0.0.0.0/0"), trafficPorts, reason, dependency.location)
        case .namespace(let namespace, let labels):
            let endpoint: TrafficEndpoint = labels.isEmpty
                ? .namespace(namespace.value)
                : .pods(namespace: namespace.value, selector: labels.map { Label($0.key.value, $0.value.value) }.sorted())
            flow(source, endpoint, trafficPorts, reason, dependency.location)
        }
    }

    /// The pod groups of a store's roles and the traffic its description lists among them and with
    /// the platform (stores.md: who talks to whom on which port).
    private mutating func addStore(_ store: StoreSpec, system: SystemSpec) {
        let name = store.name.value, namespace = store.namespace.value, systemName = system.name.value
        var roles: [String: PodGroup] = [:]
        for role in store.roles {
            let group = PodGroup(name: role.name, namespace: namespace, selector: role.selector(system: systemName),
                                 serviceAccount: name, owner: name, origin: store.name.location)
            add(group, client: role.servesClients)
            roles[role.name] = group
        }
        func endpoint(_ end: StoreFlow.Endpoint) -> TrafficEndpoint? {
            switch end {
            case .role(let role): return roles[role].map { .group($0) }
            case .apiServer: return .addresses(cidr: system.mesh.apiServerCIDR.value)
            case .pods(let namespace, let selector): return .pods(namespace: namespace, selector: selector)
            }
        }
        for storeFlow in store.settings.flows(of: store, in: system) {
            guard let source = endpoint(storeFlow.source), let destination = endpoint(storeFlow.destination) else { continue }
            flow(source, destination, storeFlow.ports, storeFlow.reason, storeFlow.location ?? store.name.location)
        }
    }
}
