/// What a store engine is, stated once per engine in `Engines/<Engine>.swift` and read by every
/// stage: parsing takes its defaults and keys, the traffic graph and mesh policy its roles, ports
/// and flows, wiring its connection facts, rules its quorum groups, StatefulSets, images and
/// Secrets, golden summaries its quorum components. The engine's settings type conforms, so a
/// store's `settings` value is both the decoded engine-specific part and the way to its description.
///
/// The decoder, emitter and rules of an engine are conformances of the same type in the other
/// rooms (`EngineDecoding`, `EngineEmitting`, `EngineRules`); `Engines.all` registers the type once.
public protocol StoreEngine: Sendable {
    /// The `engine:` value.
    static var name: String { get }
    /// What the decoder fills in when the spec leaves it out.
    static var defaults: EngineDefaults { get }
    /// Keys a store of this engine accepts besides those every store takes (`engine`, `version`,
    /// `storage`, `tls`…).
    static var keys: [String] { get }
    /// Every kind of role the engine can run, for readers of emitted objects (which components
    /// are quorum members).
    static var roleKinds: [RoleKind] { get }
    /// Labels besides `app.kubernetes.io/name` whose value names a pod group in a selector.
    static var groupNameLabels: [String] { get }
    /// The kind of Secret the engine's operator keeps in sync from the engine (`secrets.<name>.<key>`).
    static var secretSync: (any SecretSync.Type)? { get }
    /// Why `tls:` is refused on this engine's stores (what to do instead); nil when the emitted
    /// objects serve TLS end to end.
    static var tlsUnsupported: String? { get }

    /// The roles the store runs, in emission order; empty when it runs nothing in the cluster.
    func roles(named store: String) -> [StoreRole]
    /// Traffic among the store's roles, and to the platform (the API server, an operator).
    func flows(of store: StoreSpec, in system: SystemSpec) -> [StoreFlow]
    /// The ports clients connect to, by the names the emitted Services use.
    func clientPorts(of store: StoreSpec) -> [ClientPort]
    /// The address range of a store that lives outside the cluster (clients get egress to it).
    func externalRange(of store: StoreSpec) -> String?
    /// What a client needs to reach the store.
    func connectionFacts(of store: StoreSpec, domain: String) -> [ConnectionFact]
    /// Whether the store accepts only clients presenting a certificate its CA signed (then every
    /// workload that `uses:` it mounts one; see `ClientCertificates`).
    func requiresClientCertificates(_ store: StoreSpec) -> Bool
    /// Secrets the store reads that the spec provides, with the key read when there is one.
    func secretReferences(of store: StoreSpec) -> [SecretReference]
    /// Secrets the store's own objects create (its TLS certificate's Secret aside).
    func generatedSecrets(of store: StoreSpec) -> [String]
    /// Spec values passed verbatim into the engine's configuration, which may be credentials.
    func verbatimSettings(of store: StoreSpec) -> [VerbatimSetting]
    /// What changing `change.role`'s member count takes on a running cluster: automatic, a
    /// reviewed step with the exact procedure (pods, peer URLs and TLS flags as emitted), or
    /// refused. Judged against the previous revision by the membership comparison.
    func membershipPolicy(for change: MembershipChange, of store: StoreSpec, domain: String) -> MembershipPolicy
}

extension StoreEngine {
    public static var groupNameLabels: [String] { [] }
    public static var secretSync: (any SecretSync.Type)? { nil }
    public static var tlsUnsupported: String? { nil }
    public func externalRange(of store: StoreSpec) -> String? { nil }
    public func requiresClientCertificates(_ store: StoreSpec) -> Bool { false }
    public func secretReferences(of store: StoreSpec) -> [SecretReference] { [] }
    public func generatedSecrets(of store: StoreSpec) -> [String] { [] }
    public func verbatimSettings(of store: StoreSpec) -> [VerbatimSetting] { [] }

    /// Without a description of its own: pods outside a quorum come and go freely; a quorum's
    /// member count is refused until the engine says how to change it safely.
    public func membershipPolicy(for change: MembershipChange, of store: StoreSpec, domain: String) -> MembershipPolicy {
        guard let quorum = change.role.kind.quorum else {
            return .automatic("\(change.role.name) pods are not quorum members")
        }
        return .refused("clusterspec does not know how the \(quorum) changes membership on a running cluster; keep \(change.from) "
                        + "members, or create a new store and move the data")
    }
}

/// Image repository, default version, UID/GID, root filesystem and default volume size of an engine.
public struct EngineDefaults: Sendable {
    public var repository: String
    public var version: String
    public var user: Int
    public var group: Int
    public var readOnlyRootFilesystem: Bool
    public var storage: String

    public init(repository: String, version: String, user: Int, group: Int, readOnlyRootFilesystem: Bool, storage: String) {
        self.repository = repository
        self.version = version
        self.user = user
        self.group = group
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
        self.storage = storage
    }
}

/// A port by the name the emitted container and Services give it.
public struct NamedPort: Sendable, Hashable {
    public var name: String
    public var number: Int

    public init(_ name: String, _ number: Int) {
        self.name = name
        self.number = number
    }
}

/// A port clients of a store may connect to.
public struct ClientPort: Sendable {
    public var name: String
    public var number: Int
    /// Whether a bare `uses:` opens it; otherwise only naming it does (etcd's metrics, for scrapers).
    public var isDefault: Bool
    /// The client-facing role whose pods serve it; nil when every client-facing role does.
    public var role: String?

    public init(_ port: NamedPort, isDefault: Bool = true, role: String? = nil) {
        self.name = port.name
        self.number = port.number
        self.isDefault = isDefault
        self.role = role
    }
}

/// What a role is, independent of one store: the component label its objects carry and, for a
/// Raft group, how findings name the group.
public struct RoleKind: Sendable, Hashable {
    /// `app.kubernetes.io/component` of the role's objects.
    public var component: String
    /// "Kafka controller quorum": set when the role's members form a quorum.
    public var quorum: String?

    public init(component: String, quorum: String? = nil) {
        self.component = component
        self.quorum = quorum
    }
}

/// One set of pods a store runs, with one selector and one identity: etcd's members, Kafka's
/// controllers, ClickHouse's servers across their shard StatefulSets, a CloudNativePG cluster.
public struct StoreRole: Sendable {
    public var kind: RoleKind
    /// The pod group's name (its NetworkPolicy's name); the StatefulSet's for a single StatefulSet.
    public var name: String
    /// The StatefulSets the role runs; none when an operator creates the pods.
    public var statefulSets: [String]
    /// Pods of each StatefulSet (a quorum's member count).
    public var replicas: Located<Int>
    /// Labels that select exactly the role's pods within the system (the system label is added by
    /// `selector(system:)`).
    public var labels: [Label]
    /// The role's container ports.
    public var ports: [NamedPort]
    /// Whether clients of the store connect to this role.
    public var servesClients: Bool
    /// The image, when it is not the store's (ClickHouse Keeper).
    public var image: Located<String>?

    /// A role of one StatefulSet named `statefulSet`, selected by its name.
    public init(_ kind: RoleKind, statefulSet: String, replicas: Located<Int>, ports: [NamedPort], servesClients: Bool,
                image: Located<String>? = nil) {
        self.init(kind, name: statefulSet, statefulSets: [statefulSet], replicas: replicas,
                  labels: [Label(Topology.nameLabel, statefulSet)], ports: ports, servesClients: servesClients, image: image)
    }

    public init(_ kind: RoleKind, name: String, statefulSets: [String], replicas: Located<Int>, labels: [Label], ports: [NamedPort],
                servesClients: Bool, image: Located<String>? = nil) {
        self.kind = kind
        self.name = name
        self.statefulSets = statefulSets
        self.replicas = replicas
        self.labels = labels
        self.ports = ports
        self.servesClients = servesClients
        self.image = image
    }

    /// The immutable selector of the role's pods.
    public func selector(system: String) -> [Label] { labels + [Label(Topology.partOfLabel, system)] }

    /// The governing headless Service of the role's StatefulSets.
    public var headless: String { Topology.headless(name) }

    /// The quorum group the role forms, if it is one.
    public var quorumGroup: QuorumGroup? {
        guard let title = kind.quorum, let statefulSet = statefulSets.first else { return nil }
        return QuorumGroup(role: title, statefulSet: statefulSet, members: replicas)
    }
}

/// Traffic a store needs among its roles or with the platform, before it becomes a `TrafficFlow`.
public struct StoreFlow: Sendable {
    public enum Endpoint: Sendable {
        /// The pods of the role with this name.
        case role(String)
        /// The Kubernetes API server (`mesh.apiServer`).
        case apiServer
        /// Pods of another namespace picked by labels (an operator).
        case pods(namespace: String, selector: [Label])
    }

    public var source: Endpoint
    public var destination: Endpoint
    public var ports: [TrafficPort]
    public var reason: TrafficReason
    /// Where the spec asks for it; the store's name when nil.
    public var location: SourceLocation?

    public init(_ source: Endpoint, _ destination: Endpoint, ports: [TrafficPort], reason: TrafficReason, at location: SourceLocation? = nil) {
        self.source = source
        self.destination = destination
        self.ports = ports
        self.reason = reason
        self.location = location
    }

    /// Members of `from` connecting to `to` on `ports` (Raft, replication).
    public static func peers(_ from: String, _ to: String, _ ports: [NamedPort]) -> StoreFlow {
        StoreFlow(.role(from), .role(to), ports: ports.map { TrafficPort($0.number) }, reason: .peers)
    }

    /// Pods of `role` talking to the Kubernetes API.
    public static func apiServer(from role: String, at location: SourceLocation? = nil) -> StoreFlow {
        StoreFlow(.role(role), .apiServer, ports: TrafficGraph.apiServerPorts, reason: .apiServer, at: location)
    }
}

/// A Secret a store reads, and the key when it reads one.
public struct SecretReference: Sendable {
    public var secret: Located<String>
    public var key: Located<String>?

    public init(_ secret: Located<String>, key: Located<String>? = nil) {
        self.secret = secret
        self.key = key
    }
}

/// A spec value the engine's configuration receives verbatim (Vault's seal parameters).
public struct VerbatimSetting: Sendable {
    /// How a finding names it: "seal setting".
    public var kind: String
    public var entry: KeyValue
    /// Whether the engine itself takes the key for a credential, whatever its name looks like.
    public var isCredential: Bool
    /// How to keep such a value out of the spec.
    public var fix: String

    public init(kind: String, entry: KeyValue, isCredential: Bool, fix: String) {
        self.kind = kind
        self.entry = entry
        self.isCredential = isCredential
        self.fix = fix
    }
}

/// A Secret kept in sync from an engine by its operator (`secrets.<name>.<key>`), declared by the
/// engine's `secretSync`.
public protocol SecretSync: Sendable {
    /// The key under `secrets.<name>` that declares it.
    static var key: String { get }
    var location: SourceLocation { get }
}

extension StoreSpec {
    /// The roles the store runs (its description's).
    public var roles: [StoreRole] { settings.roles(named: name.value) }

    /// Every Raft/quorum group the store runs, with its member count (for the quorum rules).
    public var quorumGroups: [QuorumGroup] { roles.compactMap(\.quorumGroup) }

    /// Every StatefulSet the store runs.
    public var statefulSets: [String] { roles.flatMap(\.statefulSets) }

    /// The ports clients connect to.
    public var clientPorts: [ClientPort] { settings.clientPorts(of: self) }

    /// The engine's description.
    public var engine: any StoreEngine.Type { type(of: settings) }
}
