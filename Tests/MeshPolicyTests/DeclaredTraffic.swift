import Testing
import SpecModel

/// What a spec declares, restated by the test from the spec's own terms and the engines' documented
/// topologies (../shared/design/stores.md), independently of the compiler's traffic graph: who may
/// reach whom on which port. The reachability tests compare it with what the emitted policies allow.
struct DeclaredTraffic {
    /// One allowance: sources matching `from` may connect to destinations matching `to` on `ports`.
    struct Grant {
        var what: String
        var from: (Endpoint) -> Bool
        var to: (Endpoint) -> Bool
        var ports: Set<Port>
        /// An allowance to an address range: it lets the source out, but admits nobody into the pods
        /// that happen to have addresses in the range.
        var toAddresses = false
        /// An allowance from an address range (the outside clients of a public Service): a sidecar
        /// tells its sources by address, not by identity.
        var fromAddresses = false
    }

    let spec: SystemSpec
    private(set) var grants: [Grant] = []
    /// Workload name → ports that a scraper outside the mesh may use although the namespace is STRICT.
    private(set) var scrapePorts: [String: Set<Port>] = [:]

    init(_ spec: SystemSpec) {
        self.spec = spec
        let mesh = spec.mesh
        let workloads = spec.services.map(\.workload) + spec.statefulServices.map(\.workload) + spec.jobs.map(\.workload)

        // Namespace-wide needs: DNS for everyone, istiod for meshed pods.
        grant("DNS", from: { _ in true },
              to: { $0.namespace == mesh.dnsNamespace.value && $0.labels["k8s-app"] == "kube-dns" }, [Port(53, "UDP"), Port(53, "TCP")])
        grant("istiod", from: { [self] in self.mode(of: $0.namespace ?? "") != .off },
              to: { $0.namespace == mesh.istioNamespace.value && $0.labels["istio"] == "pilot" }, [Port(15012)])

        for workload in workloads {
            let me = pods(of: workload.name.value, in: workload.namespace.value)
            for dependency in workload.uses { use(dependency, from: me, what: "\(workload.name.value) uses \(dependency.target.value)") }
            if workload.serviceAccount.automountToken.value { apiServer(from: me, what: "\(workload.name.value) → API") }
            if let metrics = workload.metrics, let monitoring = mesh.monitoringNamespace?.value,
               let port = workload.container.port(named: metrics.port.value) {
                let scrape = Port(port.number.value, port.portProtocol.value.rawValue)
                var ports: Set<Port> = [scrape]
                if mode(of: workload.namespace.value) != .off { ports.insert(Port(15020)) }
                grant("scrape \(workload.name.value)", from: { $0.namespace == monitoring }, to: me, ports)
                if mode(of: monitoring) == .off { scrapePorts[workload.name.value, default: []].insert(scrape) }
            }
        }
        // The ingress controller reaches each exposed service, and each service a route's path names, on that port.
        let exposed = spec.services.compactMap { service in service.expose.map { (service.name.value, $0.port.value) } }
            + spec.routes.flatMap { $0.paths.map { ($0.service.value, $0.port.value) } }
        for (name, portName) in exposed {
            guard let ingress = mesh.ingressNamespace?.value, let service = spec.services.first(where: { $0.name.value == name }),
                  let port = service.workload.container.port(named: portName) else { continue }
            grant("ingress → \(name)", from: { $0.namespace == ingress },
                  to: pods(of: name, in: service.workload.namespace.value), [Port(port.number.value, port.portProtocol.value.rawValue)])
        }
        // cert-manager's HTTP-01 solver pods answer the ingress controller in each namespace with TLS Ingresses.
        if let ingress = mesh.ingressNamespace?.value {
            for namespace in Self.tlsIngressNamespaces(spec) {
                grant("ACME HTTP-01 solver in \(namespace)", from: { $0.namespace == ingress },
                      to: { $0.isPod && $0.namespace == namespace && $0.labels["acme.cert-manager.io/http01-solver"] == "true" }, [Port(8089)])
            }
        }
        // A LoadBalancer or NodePort Service with 'from:' admits those ranges on its ports.
        let published = spec.services.filter { $0.kind == .service }.map { ($0.workload, $0.serviceGroups) }
            + spec.statefulServices.map { ($0.workload, $0.serviceGroups) }
        for (workload, groups) in published {
            for group in groups where group.type.value != .clusterIP {
                guard let from = group.from else { continue }
                let ports = Set(group.ports.compactMap { workload.container.port(named: $0.value) }.map { Port($0.number.value, $0.portProtocol.value.rawValue) })
                for range in from.ranges {
                    grant("\(range.value) → \(workload.name.value)", from: Self.inRange(range.value),
                          to: pods(of: workload.name.value, in: workload.namespace.value), ports, fromAddresses: true)
                }
            }
        }
        for stateful in spec.statefulServices {
            guard let peers = stateful.peers, let port = stateful.workload.container.port(named: peers.port.value) else { continue }
            let members = pods(of: stateful.name.value, in: stateful.workload.namespace.value)
            grant("\(stateful.name.value) peers", from: members, to: members, [Port(port.number.value, port.portProtocol.value.rawValue)])
        }
        for caller in mesh.callers {
            let namespace = caller.namespace.value
            for dependency in caller.uses {
                use(dependency, from: { $0.namespace == namespace }, what: "callers in \(namespace) use \(dependency.target.value)")
            }
        }
        for store in spec.stores { storeTopology(store) }
    }

    /// Namespaces with an Ingress that asks cert-manager for a certificate: an `expose:` or a route with `tls`.
    static func tlsIngressNamespaces(_ spec: SystemSpec) -> Set<String> {
        Set(spec.services.filter { $0.expose?.tls != nil }.map(\.workload.namespace.value) + spec.routes.filter { $0.tls != nil }.map(\.namespace.value))
    }

    // MARK: Namespace modes, restated from the spec's settings as the README defines them

    /// The ingress, monitoring and caller namespaces: they run pods the spec does not describe.
    func isTrafficSource(_ namespace: String) -> Bool {
        let mesh = spec.mesh
        return namespace == mesh.ingressNamespace?.value || namespace == mesh.monitoringNamespace?.value
            || mesh.callers.contains { $0.namespace.value == namespace }
    }

    /// A namespace's own setting wins; namespaces the spec does not declare or create, and traffic
    /// sources, are otherwise left alone; everything else takes the mesh-wide default.
    private func resolved<T>(_ namespace: String, own: (NamespaceSpec) -> T?, default value: T, off: T) -> T {
        guard let declared = spec.namespaces.first(where: { $0.name.value == namespace }) else { return off }
        if let own = own(declared) { return own }
        return declared.create.value && !isTrafficSource(namespace) ? value : off
    }

    func mode(of namespace: String) -> MTLSMode {
        resolved(namespace, own: { $0.mtls?.value }, default: spec.mesh.mtls.value, off: .off)
    }

    func denies(_ namespace: String) -> Bool {
        resolved(namespace, own: { $0.networkPolicy?.value }, default: spec.mesh.networkPolicy.value, off: .off) == .denyByDefault
    }

    // MARK: Queries

    /// Whether some grant allows `source` → `destination` on `port` (`intoPods`: only grants that
    /// name their destination pods, as a destination's ingress sees it; `byAddress`: only grants
    /// from address ranges, or only the others).
    func declares(_ source: Endpoint, _ destination: Endpoint, _ port: Port, intoPods: Bool = true, byAddress: Bool? = nil) -> Bool {
        grants.contains {
            let grant = $0
            return (!intoPods || !grant.toAddresses) && (byAddress.map { grant.fromAddresses == $0 } ?? true)
                && grant.ports.contains(port) && grant.from(source) && grant.to(destination)
        }
    }

    /// What Kubernetes NetworkPolicy should allow: each side that denies by default allows only what
    /// is declared; a side without policy allows everything. An allowance from an address range
    /// admits the range into its pods but lets no fenced pod out, even one whose address is in it.
    func networkAllows(_ source: Endpoint, _ destination: Endpoint, _ port: Port) -> Bool {
        let egress = !denies(source.namespace ?? "") || declares(source, destination, port, intoPods: false, byAddress: false)
        let ingress = !destination.isPod || !denies(destination.namespace ?? "") || declares(source, destination, port)
        return egress && ingress
    }

    /// Whether the destination's sidecar takes plaintext on `port`: its namespace is PERMISSIVE, or
    /// the port is one a scraper outside the mesh reads.
    func isPermissive(_ destination: Endpoint, _ port: Port) -> Bool {
        mode(of: destination.namespace ?? "") == .permissive || (destination.owner.flatMap { scrapePorts[$0] }?.contains(port) ?? false)
    }

    /// What the destination's sidecar should accept. A caller with a sidecar is known by its identity
    /// (namespace and ServiceAccount): the declared callers, and any pod sharing a declared caller's
    /// identity (`identityDeclared`), which the sidecar cannot tell apart. A caller without one is
    /// anonymous: on a plaintext port the sidecar can only admit every anonymous caller or none, so it
    /// admits them when some declared caller that is a pod is anonymous (`anonymousDeclared`) —
    /// network policy narrows that down — and it admits the address ranges declared for a public
    /// Service by address. In a namespace that runs pods the spec does not describe, there is no
    /// authorization at all.
    func meshAllows(_ source: Endpoint, sourceMeshed: Bool, _ destination: Endpoint, _ port: Port,
                    identityDeclared: Bool, anonymousDeclared: Bool) -> Bool {
        if !sourceMeshed && !isPermissive(destination, port) { return false }
        if isTrafficSource(destination.namespace ?? "") { return true }
        return sourceMeshed ? declares(source, destination, port) || identityDeclared
            : anonymousDeclared || declares(source, destination, port, byAddress: true)
    }

    // MARK: Building

    private mutating func grant(_ what: String, from: @escaping (Endpoint) -> Bool, to: @escaping (Endpoint) -> Bool, _ ports: Set<Port>,
                                toAddresses: Bool = false, fromAddresses: Bool = false) {
        grants.append(Grant(what: what, from: from, to: to, ports: ports, toAddresses: toAddresses, fromAddresses: fromAddresses))
    }

    private func pods(of owner: String, in namespace: String) -> (Endpoint) -> Bool {
        { $0.isPod && $0.namespace == namespace && $0.owner == owner }
    }

    private static func inRange(_ cidr: String) -> (Endpoint) -> Bool {
        let range = IPv4Range(cidr)
        return { range?.contains($0.ip) ?? false }
    }

    private mutating func apiServer(from: @escaping (Endpoint) -> Bool, what: String) {
        grant(what, from: from, to: Self.inRange(spec.mesh.apiServerCIDR.value), [Port(443), Port(6443)], toAddresses: true)
    }

    /// One `uses:` entry: the target's pods (or addresses) on the named ports, else on the ports its
    /// Services publish (all its ports when it has no Service); for stores, the client ports.
    private mutating func use(_ dependency: DependencySpec, from: @escaping (Endpoint) -> Bool, what: String) {
        let target = dependency.target.value
        let named = Set(dependency.ports.map(\.value))
        func choose(_ ports: [PortSpec], published: Set<String>) -> Set<Port> {
            let picked = named.isEmpty ? (published.isEmpty ? ports : ports.filter { published.contains($0.name.value) }) : ports.filter { named.contains($0.name.value) }
            return Set(picked.map { Port($0.number.value, $0.portProtocol.value.rawValue) })
        }
        if let service = spec.services.first(where: { $0.name.value == target && $0.kind == .service }) {
            let published = Set(service.serviceGroups.flatMap { $0.ports.map(\.value) })
            grant(what, from: from, to: pods(of: target, in: service.workload.namespace.value), choose(service.workload.container.ports, published: published))
        } else if let stateful = spec.statefulServices.first(where: { $0.name.value == target }) {
            let published = Set(stateful.serviceGroups.flatMap { $0.ports.map(\.value) })
            grant(what, from: from, to: pods(of: target, in: stateful.workload.namespace.value), choose(stateful.workload.container.ports, published: published))
        } else if let store = spec.stores.first(where: { $0.name.value == target }) {
            storeClient(store, named: named, from: from, what: what)
        } else if let external = spec.external.first(where: { $0.name.value == target }) {
            let ports = choose(external.ports, published: [])
            switch external.destination {
            case .cidr(let cidr): grant(what, from: from, to: Self.inRange(cidr.value), ports, toAddresses: true)
            case .host: grant(what, from: from, to: { _ in true }, ports, toAddresses: true)
            case .namespace(let namespace, let labels):
                grant(what, from: from, to: { endpoint in
                    endpoint.namespace == namespace.value && labels.allSatisfy { endpoint.labels[$0.key.value] == $0.value.value }
                }, ports)
            }
        }
    }

    /// The client side of each engine: which pods clients connect to, on which named ports.
    private mutating func storeClient(_ store: StoreSpec, named: Set<String>, from: @escaping (Endpoint) -> Bool, what: String) {
        let name = store.name.value, namespace = store.namespace.value
        func ports(_ offered: [String: Int], default defaults: [String]) -> Set<Port> {
            Set((named.isEmpty ? defaults : Array(named)).compactMap { offered[$0] }.map { Port($0) })
        }
        switch store.settings {
        case is EtcdSettings:
            grant(what, from: from, to: pods(of: name, in: namespace), ports(["client": 2379, "metrics": 2381], default: ["client"]))
        case let kafka as KafkaSettings:
            let brokers = kafka.combined != nil ? name : "\(name)-broker"
            grant(what, from: from, to: pods(of: brokers, in: namespace), ports(["client": 9092], default: ["client"]))
        case is VaultSettings:
            grant(what, from: from, to: pods(of: name, in: namespace), ports(["api": 8200], default: ["api"]))
        case is ClickHouseSettings:
            grant(what, from: from, to: { $0.isPod && $0.namespace == namespace && ($0.owner ?? "").hasPrefix("\(name)-shard") },
                  ports(["http": 8123, "tcp": 9000], default: ["http", "tcp"]))
        case let postgres as PostgresSettings:
            if let external = postgres.external {
                grant(what, from: from, to: Self.inRange(external.cidr?.value ?? "0.0.0.0/0"), ports(["postgres": external.port.value], default: ["postgres"]),
                      toAddresses: true)
            } else {
                grant(what, from: from, to: pods(of: name, in: namespace), ports(["postgres": 5432], default: ["postgres"]))  // single or CloudNativePG
            }
        case let redis as RedisSettings:
            // Standalone: the server. With sentinels, clients ask a sentinel (26379) for the primary and then
            // connect to that server (6379); each port only on its own pods.
            if redis.sentinels == nil {
                grant(what, from: from, to: pods(of: name, in: namespace), ports(["redis": 6379], default: ["redis"]))
            } else {
                grant(what, from: from, to: pods(of: name, in: namespace), ports(["redis": 6379], default: ["redis", "sentinel"]))
                grant(what, from: from, to: pods(of: "\(name)-sentinel", in: namespace), ports(["sentinel": 26379], default: ["redis", "sentinel"]))
            }
        default:
            Issue.record("no declared client traffic for engine '\(store.engine.name)'")
        }
    }

    /// Traffic inside each store, per stores.md, and what its operator or the API server needs.
    private mutating func storeTopology(_ store: StoreSpec) {
        let name = store.name.value, namespace = store.namespace.value
        func tcp(_ numbers: Int...) -> Set<Port> { Set(numbers.map { Port($0) }) }
        switch store.settings {
        case is EtcdSettings:
            grant("\(name) raft", from: pods(of: name, in: namespace), to: pods(of: name, in: namespace), tcp(2380))
        case let kafka as KafkaSettings:
            if kafka.combined != nil {
                grant("\(name) quorum and replication", from: pods(of: name, in: namespace), to: pods(of: name, in: namespace), tcp(9093, 9094))
            } else {
                let controllers = pods(of: "\(name)-controller", in: namespace), brokers = pods(of: "\(name)-broker", in: namespace)
                grant("\(name) controller quorum", from: controllers, to: controllers, tcp(9093))
                grant("\(name) brokers → controllers", from: brokers, to: controllers, tcp(9093))
                grant("\(name) replication", from: brokers, to: brokers, tcp(9094))
            }
        case is VaultSettings:
            grant("\(name) raft and forwarding", from: pods(of: name, in: namespace), to: pods(of: name, in: namespace), tcp(8200, 8201))
            apiServer(from: pods(of: name, in: namespace), what: "\(name) service registration")
        case let clickhouse as ClickHouseSettings:
            let servers: (Endpoint) -> Bool = { $0.isPod && $0.namespace == namespace && ($0.owner ?? "").hasPrefix("\(name)-shard") }
            grant("\(name) distributed queries and replication", from: servers, to: servers, tcp(9000, 9009))
            if clickhouse.keeper != nil {
                let keeper = pods(of: "\(name)-keeper", in: namespace)
                grant("\(name) keeper raft", from: keeper, to: keeper, tcp(9234))
                grant("\(name) → keeper", from: servers, to: keeper, tcp(9181))
            }
        case let postgres as PostgresSettings:
            guard postgres.mode.value == .cloudnativePG else { return }
            let instances = pods(of: name, in: namespace)
            grant("\(name) replication", from: instances, to: instances, tcp(5432, 8000))
            let operatorNamespace = spec.mesh.cnpgOperatorNamespace.value
            grant("CloudNativePG operator → \(name)", from: { $0.namespace == operatorNamespace && $0.labels["app.kubernetes.io/name"] == "cloudnative-pg" },
                  to: instances, tcp(8000, 5432))
            apiServer(from: instances, what: "\(name) instance manager → API")
        case let redis as RedisSettings:
            let servers = pods(of: name, in: namespace), sentinels = pods(of: "\(name)-sentinel", in: namespace)
            if redis.replicas.value > 1 { grant("\(name) replication", from: servers, to: servers, tcp(6379)) }
            guard redis.sentinels != nil else { return }
            // Sentinels gossip among themselves and watch and reconfigure the servers; a starting server
            // asks them which server is the primary.
            grant("\(name) sentinel gossip", from: sentinels, to: sentinels, tcp(26379))
            grant("\(name) sentinels → servers", from: sentinels, to: servers, tcp(6379))
            grant("\(name) servers → sentinels", from: servers, to: sentinels, tcp(26379))
        default:
            Issue.record("no declared store traffic for engine '\(store.engine.name)'")
        }
    }
}
