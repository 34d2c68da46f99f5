/// ClickHouse Keeper, the Raft coordination service of replicated ClickHouse.
public struct KeeperSettings: Sendable {
    public var members: Located<Int>
    public var image: Located<String>
    public var storage: StorageSpec
    public var resources: ResourcesSpec?
    public var location: SourceLocation

    public init(members: Located<Int>, image: Located<String>, storage: StorageSpec, resources: ResourcesSpec?, location: SourceLocation) {
        self.members = members
        self.image = image
        self.storage = storage
        self.resources = resources
        self.location = location
    }
}

/// ClickHouse: `shards` × `replicas` servers, with Keeper when replicated.
public struct ClickHouseSettings: Sendable {
    public var shards: Located<Int>
    public var replicas: Located<Int>
    public var keeper: KeeperSettings?
    /// Existing Secret with `username` and `password` for the default user.
    public var credentialsSecret: Located<String>?

    public init(shards: Located<Int>, replicas: Located<Int>, keeper: KeeperSettings?, credentialsSecret: Located<String>?) {
        self.shards = shards
        self.replicas = replicas
        self.keeper = keeper
        self.credentialsSecret = credentialsSecret
    }
}

extension ClickHouseSettings: StoreEngine {
    public static let name = "clickhouse"
    public static let defaults = EngineDefaults(repository: "clickhouse/clickhouse-server", version: "25.3", user: 101, group: 101,
                                                readOnlyRootFilesystem: true, storage: "50Gi")
    public static let keys = ["shards", "replicas", "keeper", "credentials"]
    public static let tlsUnsupported: String? = "clusterspec emits ClickHouse's plaintext listeners only (no https_port, tcp_port_secure or secure Keeper); remove 'tls' and fence the store's namespace with 'networkPolicy: deny-by-default'"
    /// Keeper's image repository; its version defaults to the server's.
    public static let keeperRepository = "clickhouse/clickhouse-keeper"

    /// Keeper's image when the spec does not set one: the server image's registry and tag with
    /// `clickhouse-keeper` for `clickhouse-server`, so a mirrored or pinned server brings its Keeper along.
    public static func keeperImage(following server: String) -> String {
        let serverRepository = defaults.repository.split(separator: "/").last.map(String.init) ?? defaults.repository
        let keeperName = keeperRepository.split(separator: "/").last.map(String.init) ?? keeperRepository
        guard let colon = server.lastIndex(of: ":"), !server[colon...].contains("/") else { return "\(keeperRepository):\(defaults.version)" }
        let repository = String(server[..<colon]), tag = String(server[server.index(after: colon)...])
        if repository.hasSuffix("/\(serverRepository)") || repository == serverRepository {
            return String(repository.dropLast(serverRepository.count)) + keeperName + ":" + tag
        }
        return "\(keeperRepository):\(tag)"
    }
    public static let keeperStorage = "10Gi"

    public static let httpPort = NamedPort("http", 8123)
    /// The native protocol: clients, distributed queries.
    public static let tcpPort = NamedPort("tcp", 9000)
    /// Replicas fetch parts from each other here.
    public static let interserverPort = NamedPort("interserver", 9009)
    public static let keeperClientPort = NamedPort("client", 9181)
    public static let keeperRaftPort = NamedPort("raft", 9234)
    /// Keeper's http_control listener (`/ready`).
    public static let keeperHTTPPort = NamedPort("http", 9182)

    public static let server = RoleKind(component: "clickhouse")
    public static let keeperNode = RoleKind(component: "clickhouse-keeper", quorum: "ClickHouse Keeper")
    public static let roleKinds = [server, keeperNode]

    /// Keeper's StatefulSet.
    public static func keeper(_ store: String) -> String { "\(store)-keeper" }
    /// The StatefulSet of shard `shard` (1-based).
    public static func shard(_ store: String, _ shard: Int) -> String { "\(store)-shard\(shard)" }

    public func roles(named store: String) -> [StoreRole] {
        // One pod group across the shards' StatefulSets, selected by the store and component labels.
        var roles = [StoreRole(Self.server, name: store, statefulSets: (1...max(1, shards.value)).map { Self.shard(store, $0) },
                               replicas: replicas, labels: [Label(Topology.storeLabel, store), Label(Topology.componentLabel, Self.server.component)],
                               ports: [Self.httpPort, Self.tcpPort, Self.interserverPort], servesClients: true)]
        if let keeper {
            roles.append(StoreRole(Self.keeperNode, statefulSet: Self.keeper(store), replicas: keeper.members,
                                   ports: [Self.keeperClientPort, Self.keeperRaftPort, Self.keeperHTTPPort], servesClients: false, image: keeper.image))
        }
        return roles
    }

    public func flows(of store: StoreSpec, in system: SystemSpec) -> [StoreFlow] {
        let name = store.name.value
        var flows = [StoreFlow.peers(name, name, [Self.tcpPort, Self.interserverPort])]
        if keeper != nil {
            let keeper = Self.keeper(name)
            flows += [.peers(keeper, keeper, [Self.keeperRaftPort]), .peers(name, keeper, [Self.keeperClientPort])]
        }
        return flows
    }

    public func clientPorts(of store: StoreSpec) -> [ClientPort] { [ClientPort(Self.httpPort), ClientPort(Self.tcpPort)] }

    public func connectionFacts(of store: StoreSpec, domain: String) -> [ConnectionFact] {
        let host = Topology.serviceFQDN(store.name.value, namespace: store.namespace.value, domain: domain)
        var facts = [ConnectionFact("host", .literal(host)), ConnectionFact("port", .literal(String(Self.tcpPort.number))),
                     ConnectionFact("httpPort", .literal(String(Self.httpPort.number)))]
        if let secret = credentialsSecret {
            facts += [ConnectionFact("user", .secretKey(secret: secret.value, key: "username")),
                      ConnectionFact("password", .secretKey(secret: secret.value, key: "password"))]
        }
        return facts
    }

    public func secretReferences(of store: StoreSpec) -> [SecretReference] {
        credentialsSecret.map { [SecretReference($0)] } ?? []
    }

    public static let serverContainer = "clickhouse"
    public static let keeperContainer = "keeper"
    public static let dataClaim = "data"

    /// Servers: a new replica starts empty and fetches the parts of the replicated tables once
    /// they exist on it; a removed replica's metadata stays in Keeper until dropped. Keeper: one
    /// member per revision, each direction (Keeper's leader applies raft_configuration changes one
    /// server at a time); more at once is refused.
    public func membershipPolicy(for change: MembershipChange, of store: StoreSpec, domain: String) -> MembershipPolicy {
        let namespace = store.namespace.value
        if change.role.kind == Self.server {
            switch change.direction {
            case .grow:
                return .automatic("new replicas start empty and fetch the replicated tables' parts from the others (tables created ON CLUSTER or in a Replicated database)")
            case .shrink:
                let survivor = "\(change.statefulSet)-0"
                return .needsStep(MembershipProcedure(
                    reason: "a removed replica's metadata stays in Keeper and blocks its tables' queue until it is dropped",
                    beforeApplying: [],
                    afterApplying: change.pods(change.leavingOrdinals).map {
                        Procedures.exec(namespace: namespace, pod: survivor, container: Self.serverContainer,
                                        ["clickhouse-client", "--query", "SYSTEM DROP REPLICA '\($0)'"])
                    } + [Procedures.deleteClaims(namespace: namespace, claims: [Self.dataClaim], pods: change.pods(change.leavingOrdinals))]))
            }
        }
        guard abs(change.to - change.from) == 1 else {
            return .refused("ClickHouse Keeper changes its raft configuration one server at a time; change 'keeper.members' by one per revision "
                            + "(\(change.from) → \(change.from + (change.to > change.from ? 1 : -1)) first)")
        }
        let check = Procedures.exec(namespace: namespace, pod: "\(change.statefulSet)-0", container: Self.keeperContainer,
                                    ["clickhouse-keeper-client", "--host", "localhost", "--port", String(Self.keeperClientPort.number),
                                     "--query", "get '/keeper/config'"])
        return .needsStep(MembershipProcedure(
            reason: "the Keeper leader must apply the new raft_configuration (one server) before the next change",
            beforeApplying: [check + "   # the running configuration: \(change.from) servers"],
            afterApplying: [check + "   # wait until it lists \(change.to) servers"]
                + (change.direction == .shrink
                   ? [Procedures.deleteClaims(namespace: namespace, claims: [Self.dataClaim], pods: change.pods(change.leavingOrdinals))] : [])))
    }
}
