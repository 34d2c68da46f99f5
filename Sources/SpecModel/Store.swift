/// The engine a store runs.
public enum StoreEngine: String, Sendable, CaseIterable {
    case postgres, clickhouse, kafka, vault, etcd
}

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
    public var location: SourceLocation

    public init(source: TLSSource, location: SourceLocation) {
        self.source = source
        self.location = location
    }
}

/// etcd: one Raft group of `members`.
public struct EtcdSettings: Sendable {
    public var members: Located<Int>

    public init(members: Located<Int>) {
        self.members = members
    }
}

/// Kafka in KRaft mode: separate controller and broker sets, or one combined set (dev only).
public struct KafkaSettings: Sendable {
    /// Controller quorum size (separate mode), nil in combined mode.
    public var controllers: Located<Int>?
    /// Broker count (separate mode), nil in combined mode.
    public var brokers: Located<Int>?
    /// Node count of combined broker+controller mode, nil in separate mode.
    public var combined: Located<Int>?
    /// Default replication factor of topics.
    public var replicationFactor: Located<Int>
    public var minInSyncReplicas: Located<Int>
    public var offsetsReplicationFactor: Located<Int>
    public var transactionReplicationFactor: Located<Int>
    public var partitions: Located<Int>?
    /// Further broker settings (`message.max.bytes: 1048576`), passed as `KAFKA_*` variables.
    public var config: [KeyValue]
    /// A fixed cluster id; derived from the system, namespace and store names when nil.
    public var clusterId: Located<String>?

    public init(controllers: Located<Int>?, brokers: Located<Int>?, combined: Located<Int>?, replicationFactor: Located<Int>,
                minInSyncReplicas: Located<Int>, offsetsReplicationFactor: Located<Int>, transactionReplicationFactor: Located<Int>,
                partitions: Located<Int>?, config: [KeyValue], clusterId: Located<String>?) {
        self.controllers = controllers
        self.brokers = brokers
        self.combined = combined
        self.replicationFactor = replicationFactor
        self.minInSyncReplicas = minInSyncReplicas
        self.offsetsReplicationFactor = offsetsReplicationFactor
        self.transactionReplicationFactor = transactionReplicationFactor
        self.partitions = partitions
        self.config = config
        self.clusterId = clusterId
    }

    /// Nodes that can host partition replicas.
    public var brokerCount: Int { combined?.value ?? brokers?.value ?? 0 }
    /// Nodes that vote in the controller quorum.
    public var controllerCount: Int { combined?.value ?? controllers?.value ?? 0 }
}

/// An auto-unseal `seal` stanza for Vault (`seal "awskms" { … }`).
public struct VaultSealSpec: Sendable {
    public var type: Located<String>
    public var config: [KeyValue]

    public init(type: Located<String>, config: [KeyValue]) {
        self.type = type
        self.config = config
    }
}

/// Vault with integrated Raft storage.
public struct VaultSettings: Sendable {
    public var members: Located<Int>
    /// Auto-unseal; nil means Shamir (every restarted pod needs unsealing by hand).
    public var seal: VaultSealSpec?
    public var ui: Located<Bool>

    public init(members: Located<Int>, seal: VaultSealSpec?, ui: Located<Bool>) {
        self.members = members
        self.seal = seal
        self.ui = ui
    }
}

/// How PostgreSQL is run.
public enum PostgresMode: String, Sendable, CaseIterable {
    /// One StatefulSet pod of the official image. Cannot replicate.
    case single
    /// A CloudNativePG `Cluster`: streaming replication and failover by the operator.
    case cloudnativePG = "cloudnative-pg"
    /// A managed database outside the cluster; only its Secret is referenced.
    case external
}

/// The managed database of `external` mode.
public struct ExternalDatabaseSpec: Sendable {
    public var host: Located<String>
    public var port: Located<Int>
    /// Secret holding the credentials (`username`, `password`, optionally `uri`).
    public var secret: Located<String>
    /// The database's address range, for egress network policy (any address when nil).
    public var cidr: Located<String>?

    public init(host: Located<String>, port: Located<Int>, secret: Located<String>, cidr: Located<String>? = nil) {
        self.host = host
        self.port = port
        self.secret = secret
        self.cidr = cidr
    }
}

/// PostgreSQL.
public struct PostgresSettings: Sendable {
    public var mode: Located<PostgresMode>
    /// Server pods: 1 in single mode; the cluster size with CloudNativePG.
    public var instances: Located<Int>
    public var database: Located<String>
    public var user: Located<String>
    /// Existing Secret with the password (`password` key) for single mode; CloudNativePG creates its own.
    public var credentialsSecret: Located<String>?
    public var external: ExternalDatabaseSpec?

    public init(mode: Located<PostgresMode>, instances: Located<Int>, database: Located<String>, user: Located<String>,
                credentialsSecret: Located<String>?, external: ExternalDatabaseSpec?) {
        self.mode = mode
        self.instances = instances
        self.database = database
        self.user = user
        self.credentialsSecret = credentialsSecret
        self.external = external
    }
}

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

/// Engine-specific settings.
public enum StoreSettings: Sendable {
    case etcd(EtcdSettings)
    case kafka(KafkaSettings)
    case vault(VaultSettings)
    case postgres(PostgresSettings)
    case clickhouse(ClickHouseSettings)
}

/// A stateful store (`stores:`): one declaration that compiles into a working, quorum-safe cluster.
public struct StoreSpec: Sendable {
    public var name: Located<String>
    public var namespace: Located<String>
    public var engine: Located<StoreEngine>
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
    public var settings: StoreSettings

    public init(name: Located<String>, namespace: Located<String>, engine: Located<StoreEngine>, image: Located<String>,
                storage: StorageSpec, resources: ResourcesSpec?, placement: PlacementSpec, tls: StoreTLSSpec?, pdb: PDBSpec?,
                security: SecuritySpec, labels: [KeyValue], podAnnotations: [KeyValue], settings: StoreSettings) {
        self.name = name
        self.namespace = namespace
        self.engine = engine
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

    /// Every Raft/quorum group the store runs, with its member count (for the quorum rules).
    public var quorumGroups: [QuorumGroup] {
        switch settings {
        case .etcd(let etcd):
            return [QuorumGroup(role: "etcd", statefulSet: name.value, members: etcd.members)]
        case .vault(let vault):
            return [QuorumGroup(role: "Vault Raft", statefulSet: name.value, members: vault.members)]
        case .kafka(let kafka):
            if let combined = kafka.combined {
                return [QuorumGroup(role: "Kafka controller quorum", statefulSet: name.value, members: combined)]
            }
            guard let controllers = kafka.controllers else { return [] }
            return [QuorumGroup(role: "Kafka controller quorum", statefulSet: Topology.kafkaControllers(name.value), members: controllers)]
        case .clickhouse(let clickhouse):
            guard let keeper = clickhouse.keeper else { return [] }
            return [QuorumGroup(role: "ClickHouse Keeper", statefulSet: Topology.keeper(name.value), members: keeper.members)]
        case .postgres:
            return []
        }
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

/// A stateful workload that is not one of the five engines (`statefulServices:`): a StatefulSet with
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
