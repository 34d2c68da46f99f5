/// etcd: one Raft group of `members`.
public struct EtcdSettings: Sendable {
    public var members: Located<Int>

    public init(members: Located<Int>) {
        self.members = members
    }
}

extension EtcdSettings: StoreEngine {
    public static let name = "etcd"
    public static let defaults = EngineDefaults(repository: "quay.io/coreos/etcd", version: "v3.5.17", user: 65532, group: 65532,
                                                readOnlyRootFilesystem: true, storage: "10Gi")
    public static let keys = ["members"]

    public static let clientPort = NamedPort("client", 2379)
    public static let peerPort = NamedPort("peer", 2380)
    /// The plain-HTTP metrics listener, which also serves the health probes.
    public static let metricsPort = NamedPort("metrics", 2381)

    public static let members = RoleKind(component: "etcd", quorum: "etcd")
    public static let roleKinds = [members]

    public func roles(named store: String) -> [StoreRole] {
        [StoreRole(Self.members, statefulSet: store, replicas: members, ports: [Self.clientPort, Self.peerPort, Self.metricsPort],
                   servesClients: true)]
    }

    public func flows(of store: StoreSpec, in system: SystemSpec) -> [StoreFlow] {
        [.peers(store.name.value, store.name.value, [Self.peerPort])]
    }

    /// Clients get the client port; the metrics port is for scrapers and only opened when named.
    public func clientPorts(of store: StoreSpec) -> [ClientPort] {
        [ClientPort(Self.clientPort), ClientPort(Self.metricsPort, isDefault: false)]
    }

    /// `http` or `https`, as the members serve clients and peers.
    public static func scheme(_ store: StoreSpec) -> String { store.tls == nil ? "http" : "https" }

    public func connectionFacts(of store: StoreSpec, domain: String) -> [ConnectionFact] {
        let name = store.name.value, namespace = store.namespace.value, scheme = Self.scheme(store)
        let host = Topology.serviceFQDN(name, namespace: namespace, domain: domain)
        let addresses = (0..<members.value).map {
            "\(Topology.podFQDN(name, $0, namespace: namespace, domain: domain)):\(Self.clientPort.number)"
        }
        return [ConnectionFact("endpoints", .literal(addresses.map { "\(scheme)://\($0)" }.joined(separator: ","))),
                ConnectionFact("addresses", .literal(addresses.joined(separator: ","))),
                ConnectionFact("url", .literal("\(scheme)://\(host):\(Self.clientPort.number)")),
                ConnectionFact("host", .literal(host)), ConnectionFact("port", .literal(String(Self.clientPort.number)))]
    }
}
