/// A persistent volume per pod (a StatefulSet volume claim template).
public struct StorageSpec: Sendable {
    public var size: Located<Quantity>
    public var storageClass: Located<String>?

    public init(size: Located<Quantity>, storageClass: Located<String>?) {
        self.size = size
        self.storageClass = storageClass
    }
}

/// Where a store's (or stateful service's) TLS certificate comes from.
public enum TLSSource: Sendable {
    /// An existing Secret with `tls.crt`, `tls.key` and `ca.crt`.
    case secret(Located<String>)
    /// A cert-manager Certificate clusterspec emits, covering every peer and client name.
    case issuer(name: Located<String>, kind: Located<IssuerKind>)
}

/// TLS settings of a store.
public struct StoreTLSSpec: Sendable {
    public var source: TLSSource
    /// The declared Secret (`tls.crt`, `tls.key`, `ca.crt`) clients mount when the store
    /// authenticates clients by certificate and its own certificate is a declared Secret too.
    public var clientSecret: Located<String>?
    public var location: SourceLocation

    public init(source: TLSSource, clientSecret: Located<String>? = nil, location: SourceLocation) {
        self.source = source
        self.clientSecret = clientSecret
        self.location = location
    }
}

/// A stateful store (`stores:`): one declaration that compiles into a working, quorum-safe cluster.
public struct StoreSpec: Sendable {
    public var name: Located<String>
    public var namespace: Located<String>
    public var image: Located<String>
    public var storage: StorageSpec
    public var resources: ResourcesSpec?
    public var placement: PlacementSpec
    public var tls: StoreTLSSpec?
    /// A PodDisruptionBudget that overrides the computed one (checked by the quorum rules).
    public var pdb: PDBSpec?
    public var security: SecuritySpec
    public var labels: [KeyValue]
    public var podAnnotations: [KeyValue]
    /// The engine-specific settings; their type is the engine's description (`StoreEngine`).
    public var settings: any StoreEngine
    /// A reviewed member-count change of the running cluster (`membership: {from: N}`).
    public var membership: MembershipStep?

    public init(name: Located<String>, namespace: Located<String>, image: Located<String>,
                storage: StorageSpec, resources: ResourcesSpec?, placement: PlacementSpec, tls: StoreTLSSpec?, pdb: PDBSpec?,
                security: SecuritySpec, labels: [KeyValue], podAnnotations: [KeyValue], settings: any StoreEngine,
                membership: MembershipStep? = nil) {
        self.membership = membership
        self.name = name
        self.namespace = namespace
        self.image = image
        self.storage = storage
        self.resources = resources
        self.placement = placement
        self.tls = tls
        self.pdb = pdb
        self.security = security
        self.labels = labels
        self.podAnnotations = podAnnotations
        self.settings = settings
    }
}

/// A set of pods that must keep a Raft majority.
public struct QuorumGroup: Sendable {
    public var role: String
    public var statefulSet: String
    public var members: Located<Int>

    public init(role: String, statefulSet: String, members: Located<Int>) {
        self.role = role
        self.statefulSet = statefulSet
        self.members = members
    }

    /// Votes needed for a majority: ⌊n/2⌋ + 1.
    public var quorum: Int { Topology.quorum(members.value) }
    /// Members that may be down at once without losing the majority: n − q.
    public var tolerance: Int { members.value - quorum }
}

/// Peer wiring of a stateful service.
public struct PeersSpec: Sendable {
    /// The port peers talk on.
    public var port: Located<String>
    /// Variable that receives every peer's `host:port`, comma-separated.
    public var listEnv: Located<String>?
    /// Variable that receives this pod's own `host:port`.
    public var selfEnv: Located<String>?
    /// Whether the headless Service lists pods before they are Ready (peers must find each other
    /// to become Ready; turning it off is what the `headless-publishes-not-ready` rule catches).
    public var publishNotReady: Located<Bool>

    public init(port: Located<String>, listEnv: Located<String>?, selfEnv: Located<String>?, publishNotReady: Located<Bool>) {
        self.port = port
        self.listEnv = listEnv
        self.selfEnv = selfEnv
        self.publishNotReady = publishNotReady
    }
}

/// StatefulSet pod management.
public enum PodManagementPolicy: String, Sendable, CaseIterable {
    case parallel = "Parallel", orderedReady = "OrderedReady"
}

/// A stateful workload that is not a store engine (`statefulServices:`): a StatefulSet with
/// stable peer DNS through a headless Service, client Services and a PodDisruptionBudget.
public struct StatefulServiceSpec: Sendable {
    public var workload: WorkloadSpec
    public var replicas: Located<Int>
    public var storage: StorageSpec?
    /// Where the volume is mounted (required with `storage`).
    public var storageMountPath: Located<String>?
    public var peers: PeersSpec?
    public var pdb: PDBSpec
    public var serviceGroups: [ServicePortGroupSpec]
    public var tls: StoreTLSSpec?
    public var podManagementPolicy: Located<PodManagementPolicy>

    public init(workload: WorkloadSpec, replicas: Located<Int>, storage: StorageSpec?, storageMountPath: Located<String>?,
                peers: PeersSpec?, pdb: PDBSpec, serviceGroups: [ServicePortGroupSpec], tls: StoreTLSSpec?,
                podManagementPolicy: Located<PodManagementPolicy>) {
        self.workload = workload
        self.replicas = replicas
        self.storage = storage
        self.storageMountPath = storageMountPath
        self.peers = peers
        self.pdb = pdb
        self.serviceGroups = serviceGroups
        self.tls = tls
        self.podManagementPolicy = podManagementPolicy
    }

    public var name: Located<String> { workload.name }
}
