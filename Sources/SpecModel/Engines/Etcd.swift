/// etcd: one Raft group of `members`.
public struct EtcdSettings: Sendable {
    public var members: Located<Int>
    /// The image of the static busybox the pods run their entrypoint script with (the etcd image has no shell).
    public var toolsImage: Located<String>
    /// Periodic snapshots to a volume, keeping the newest `keep`.
    public var backup: EtcdBackupSpec?

    public init(members: Located<Int>, toolsImage: Located<String>, backup: EtcdBackupSpec? = nil) {
        self.members = members
        self.toolsImage = toolsImage
        self.backup = backup
    }
}

/// `backup: {schedule, keep, storage}` of an etcd store: a CronJob saving `etcdctl snapshot save`
/// files to a claim of its own, keeping the newest `keep`.
public struct EtcdBackupSpec: Sendable {
    public var schedule: Located<String>
    public var keep: Located<Int>
    public var storage: StorageSpec
    public var location: SourceLocation

    public init(schedule: Located<String>, keep: Located<Int>, storage: StorageSpec, location: SourceLocation) {
        self.schedule = schedule
        self.keep = keep
        self.storage = storage
        self.location = location
    }
}

extension EtcdSettings: StoreEngine {
    public static let name = "etcd"
    public static let defaults = EngineDefaults(repository: "quay.io/coreos/etcd", version: "v3.5.17", user: 65532, group: 65532,
                                                readOnlyRootFilesystem: true, storage: "10Gi")
    public static let keys = ["members", "toolsImage", "backup"]
    /// A statically linked busybox (the musl build is `CONFIG_STATIC=y`): copied into the pod by an
    /// init container, it runs the entrypoint script in the shell-less etcd image.
    public static let defaultToolsImage = "busybox:1.36.1-musl"

    public static let clientPort = NamedPort("client", 2379)
    public static let peerPort = NamedPort("peer", 2380)
    /// The plain-HTTP metrics listener, which also serves the health probes.
    public static let metricsPort = NamedPort("metrics", 2381)

    public static let members = RoleKind(component: "etcd", quorum: "etcd")
    /// The pods of the backup CronJob (a client of the members).
    public static let backupRun = RoleKind(component: "etcd-backup")
    public static let roleKinds = [members, backupRun]

    // What the emitted pods and the printed procedures share.
    public static let containerName = "etcd"
    public static let dataClaim = "data"
    public static let dataDirectory = "/var/lib/etcd"
    public static let tlsDirectory = "/etc/etcd/tls"
    /// The busybox applets (an emptyDir the init container fills).
    public static let toolsDirectory = "/clusterspec/bin"
    /// The entrypoint script (a ConfigMap).
    public static let scriptDirectory = "/clusterspec/etcd"
    public static let scriptName = "member.sh"
    /// `sh member.sh …` as a command: how pods start and procedures change membership.
    public static var scriptCommand: [String] { ["\(toolsDirectory)/sh", "\(scriptDirectory)/\(scriptName)"] }
    /// The backup script in the same ConfigMap, and where the backup claim is mounted.
    public static let backupScriptName = "backup.sh"
    public static let backupDirectory = "/backup"
    /// The ConfigMap with the entrypoint script.
    public static func scriptConfigMap(_ store: String) -> String { "\(store)-scripts" }
    /// The backup CronJob and its claim.
    public static func backups(_ store: String) -> String { "\(store)-backup" }

    public func roles(named store: String) -> [StoreRole] {
        var roles = [StoreRole(Self.members, statefulSet: store, replicas: members, ports: [Self.clientPort, Self.peerPort, Self.metricsPort],
                               servesClients: true)]
        if let backup {
            // One pod per run, created by the CronJob; no StatefulSet.
            roles.append(StoreRole(Self.backupRun, name: Self.backups(store), statefulSets: [], replicas: Located(1, at: backup.location, isDefault: true),
                                   labels: [Label(Topology.nameLabel, Self.backups(store))], ports: [], servesClients: false, image: nil))
        }
        return roles
    }

    public func flows(of store: StoreSpec, in system: SystemSpec) -> [StoreFlow] {
        let name = store.name.value
        var flows = [StoreFlow.peers(name, name, [Self.peerPort])]
        if backup != nil { flows.append(.peers(Self.backups(name), name, [Self.clientPort])) }
        return flows
    }

    /// Clients get the client port; the metrics port is for scrapers and only opened when named.
    public func clientPorts(of store: StoreSpec) -> [ClientPort] {
        [ClientPort(Self.clientPort), ClientPort(Self.metricsPort, isDefault: false)]
    }

    /// Growth is automatic: each new pod adds itself (`member add`, retried until the previous new
    /// member has connected, so parallel pods go one at a time) and starts with the current
    /// membership. Shrinking needs the members removed first, highest ordinal first, while the
    /// remaining ones keep their quorum; their volumes are deleted after applying.
    public func membershipPolicy(for change: MembershipChange, of store: StoreSpec, domain: String) -> MembershipPolicy {
        let namespace = store.namespace.value
        switch change.direction {
        case .grow:
            return .automatic("each new member adds itself with 'etcdctl member add' (one at a time) and starts with the current membership")
        case .shrink:
            let survivor = "\(change.statefulSet)-0"
            return .needsStep(MembershipProcedure(
                reason: "members must leave the Raft group one at a time, highest ordinal first, before their pods go",
                beforeApplying: change.pods(change.leavingOrdinals).map {
                    Procedures.exec(namespace: namespace, pod: survivor, container: Self.containerName, Self.scriptCommand + ["remove", $0])
                },
                afterApplying: [Procedures.deleteClaims(namespace: namespace, claims: [Self.dataClaim], pods: change.pods(change.leavingOrdinals))]))
        }
    }

    /// `http` or `https`, as the members serve clients and peers.
    public static func scheme(_ store: StoreSpec) -> String { store.tls == nil ? "http" : "https" }

    /// With TLS the members set `--client-cert-auth`: clients need a certificate.
    public func requiresClientCertificates(_ store: StoreSpec) -> Bool { store.tls != nil }

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
