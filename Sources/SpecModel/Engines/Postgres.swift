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

/// `backup:` of a CloudNativePG cluster: base backups and WAL archiving to an object store
/// (`barmanObjectStore`), a retention policy, and a `ScheduledBackup`.
public struct PostgresBackupSpec: Sendable {
    /// `s3://bucket/path`.
    public var destination: Located<String>
    /// Secret with `ACCESS_KEY_ID` and `ACCESS_SECRET_KEY`.
    public var secret: Located<String>
    /// CloudNativePG's six-field cron (seconds first), e.g. "0 0 3 * * *".
    public var schedule: Located<String>
    /// How long backups are kept, e.g. "30d".
    public var retention: Located<String>
    public var location: SourceLocation

    public init(destination: Located<String>, secret: Located<String>, schedule: Located<String>, retention: Located<String>, location: SourceLocation) {
        self.destination = destination
        self.secret = secret
        self.schedule = schedule
        self.retention = retention
        self.location = location
    }

    public static let accessKeyID = "ACCESS_KEY_ID", secretAccessKey = "ACCESS_SECRET_KEY"
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
    /// CloudNativePG: commits wait for one standby (quorum-based synchronous replication).
    public var synchronous: Located<Bool>?
    public var backup: PostgresBackupSpec?

    public init(mode: Located<PostgresMode>, instances: Located<Int>, database: Located<String>, user: Located<String>,
                credentialsSecret: Located<String>?, external: ExternalDatabaseSpec?, synchronous: Located<Bool>? = nil,
                backup: PostgresBackupSpec? = nil) {
        self.synchronous = synchronous
        self.backup = backup
        self.mode = mode
        self.instances = instances
        self.database = database
        self.user = user
        self.credentialsSecret = credentialsSecret
        self.external = external
    }
}

extension PostgresSettings: StoreEngine {
    public static let name = "postgres"
    public static let defaults = EngineDefaults(repository: "postgres", version: "17", user: 999, group: 999,
                                                readOnlyRootFilesystem: true, storage: "20Gi")
    public static let keys = ["mode", "instances", "database", "user", "credentials", "external", "synchronous", "backup"]
    public static let tlsUnsupported: String? = "CloudNativePG issues and rotates its own server certificates (clients verify them with the <name>-ca Secret), a single-mode pod serves plaintext only, and an external database's TLS is its provider's; remove 'tls'"

    public static let port = NamedPort("postgres", 5432)
    /// The CloudNativePG instance manager's status port.
    public static let statusPort = NamedPort("status", 8000)

    /// Single-mode pods and CloudNativePG instances alike.
    public static let server = RoleKind(component: "postgres")
    public static let roleKinds = [server]

    /// The label CloudNativePG puts on every pod of a `Cluster`, valued with the cluster's name.
    public static let clusterLabel = "cnpg.io/cluster"
    public static let groupNameLabels = [clusterLabel]
    /// Selector of the CloudNativePG operator's pods.
    public static let operatorSelector = [Label(Topology.nameLabel, "cloudnative-pg")]

    /// The credentials Secret CloudNativePG creates (`username`, `password`, `uri`).
    public static func appSecret(_ store: String) -> String { "\(store)-app" }
    /// CloudNativePG's scheduled base backup.
    public static func scheduledBackup(_ store: String) -> String { "\(store)-backup" }
    /// CloudNativePG's Service pointing at the primary.
    public static func readWriteService(_ store: String) -> String { "\(store)-rw" }

    public func roles(named store: String) -> [StoreRole] {
        switch mode.value {
        case .single:
            return [StoreRole(Self.server, statefulSet: store, replicas: instances, ports: [Self.port], servesClients: true)]
        case .cloudnativePG:
            // The operator creates the pods, selected by its cluster label; no StatefulSet.
            return [StoreRole(Self.server, name: store, statefulSets: [], replicas: instances, labels: [Label(Self.clusterLabel, store)],
                              ports: [Self.port, Self.statusPort], servesClients: true)]
        case .external:
            return []
        }
    }

    /// CloudNativePG instances replicate among themselves, the operator reaches each instance
    /// manager and PostgreSQL, and the instance managers watch their cluster through the API.
    public func flows(of store: StoreSpec, in system: SystemSpec) -> [StoreFlow] {
        guard mode.value == .cloudnativePG else { return [] }
        let name = store.name.value
        let operatorPods = StoreFlow.Endpoint.pods(namespace: system.mesh.cnpgOperatorNamespace.value, selector: Self.operatorSelector)
        return [.peers(name, name, [Self.port, Self.statusPort]),
                StoreFlow(operatorPods, .role(name), ports: [Self.statusPort, Self.port].map { TrafficPort($0.number) }, reason: .operatorAccess,
                          at: mode.location),
                .apiServer(from: name, at: mode.location)]
    }

    public func clientPorts(of store: StoreSpec) -> [ClientPort] {
        [ClientPort(NamedPort(Self.port.name, external?.port.value ?? Self.port.number))]
    }

    public func externalRange(of store: StoreSpec) -> String? {
        external.map { $0.cidr?.value ?? "0.0.0.0/0" }
    }

    public func connectionFacts(of store: StoreSpec, domain: String) -> [ConnectionFact] {
        let name = store.name.value, namespace = store.namespace.value
        func host(_ service: String) -> String { Topology.serviceFQDN(service, namespace: namespace, domain: domain) }
        let port = ConnectionFact("port", .literal(String(external?.port.value ?? Self.port.number)))
        let db = ConnectionFact("db", .literal(database.value))
        switch mode.value {
        case .single:
            var facts = [ConnectionFact("host", .literal(host(name))), port, db, ConnectionFact("user", .literal(user.value))]
            if let secret = credentialsSecret {
                facts.append(ConnectionFact("password", .secretKey(secret: secret.value, key: "password")))
            }
            return facts
        case .cloudnativePG:
            let secret = Self.appSecret(name)
            return [ConnectionFact("host", .literal(host(Self.readWriteService(name)))), port, db,
                    ConnectionFact("user", .secretKey(secret: secret, key: "username")),
                    ConnectionFact("password", .secretKey(secret: secret, key: "password")),
                    ConnectionFact("uri", .secretKey(secret: secret, key: "uri"))]
        case .external:
            guard let external else { return [] }
            return [ConnectionFact("host", .literal(external.host.value)), port, db,
                    ConnectionFact("user", .secretKey(secret: external.secret.value, key: "username")),
                    ConnectionFact("password", .secretKey(secret: external.secret.value, key: "password"))]
        }
    }

    public func secretReferences(of store: StoreSpec) -> [SecretReference] {
        var references: [SecretReference] = []
        if let secret = credentialsSecret { references.append(SecretReference(secret, key: Located("password", at: secret.location))) }
        if let external { references.append(SecretReference(external.secret)) }
        if let backup {
            references += [PostgresBackupSpec.accessKeyID, PostgresBackupSpec.secretAccessKey].map {
                SecretReference(backup.secret, key: Located($0, at: backup.secret.location))
            }
        }
        return references
    }

    public func generatedSecrets(of store: StoreSpec) -> [String] {
        mode.value == .cloudnativePG ? [Self.appSecret(store.name.value)] : []
    }
}
