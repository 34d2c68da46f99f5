import SpecModel
import SpecDiagnostics

/// Decoding of `stores:` (the five engines) and `statefulServices:` (generic StatefulSets).
extension SpecDecoder {
    /// Image repository, default version, UID/GID and default volume size of each engine.
    struct EngineDefaults {
        var repository: String
        var version: String
        var user: Int
        var group: Int
        var readOnlyRootFilesystem: Bool
        var storage: String

        static func of(_ engine: StoreEngine) -> EngineDefaults {
            switch engine {
            case .etcd: return EngineDefaults(repository: "quay.io/coreos/etcd", version: "v3.5.17", user: 65532, group: 65532, readOnlyRootFilesystem: true, storage: "10Gi")
            case .kafka: return EngineDefaults(repository: "apache/kafka", version: "3.9.0", user: 1000, group: 1000, readOnlyRootFilesystem: false, storage: "20Gi")
            case .vault: return EngineDefaults(repository: "hashicorp/vault", version: "1.19", user: 100, group: 1000, readOnlyRootFilesystem: true, storage: "10Gi")
            case .postgres: return EngineDefaults(repository: "postgres", version: "17", user: 999, group: 999, readOnlyRootFilesystem: true, storage: "20Gi")
            case .clickhouse: return EngineDefaults(repository: "clickhouse/clickhouse-server", version: "25.3", user: 101, group: 101, readOnlyRootFilesystem: false, storage: "50Gi")
            }
        }
    }

    static let keeperRepository = "clickhouse/clickhouse-keeper"

    func decodeStores(_ node: YAMLNode) -> [StoreSpec] {
        reader.namedEntries(node, "'stores'").compactMap { entry in
            guard checkedWorkloadName(entry.name, kind: "store") else { return nil }
            return decodeStore(entry.name, entry.value)
        }
    }

    private func decodeStore(_ name: Located<String>, _ node: YAMLNode) -> StoreSpec? {
        let owner = "store '\(name.value)'"
        // The engine decides which keys are valid, so read it before checking the rest.
        let engineNode = node.pairs?.first { $0.key.scalar == "engine" }?.value
        guard node.pairs != nil else {
            reader.error("type-mismatch", "expected a mapping for \(owner), found \(node.kindDescription)", at: node.location)
            return nil
        }
        guard let engineNode else {
            reader.error("missing-field", "\(owner) is missing required field 'engine' (one of \(StoreEngine.allCases.map(\.rawValue).joined(separator: ", ")))",
                         at: name.location)
            return nil
        }
        guard let engine = reader.choice(engineNode, "store engine", as: StoreEngine.self) else { return nil }
        let known = SpecKeys.storeCommon + (SpecKeys.storeEngine[engine.value.rawValue] ?? [])
        guard let fields = reader.mapping(node, owner, known: known),
              let namespace = resolveNamespace(fields, owner: owner, at: name.location) else { return nil }
        let defaults = EngineDefaults.of(engine.value)
        guard let image = storeImage(fields, repository: defaults.repository, version: defaults.version, at: name.location),
              let storage = decodeStorage(fields["storage"], defaultSize: defaults.storage, at: name.location) else { return nil }
        var security = decodeSecurity(fields["securityContext"], at: name.location)
        if fields["securityContext"].flatMap({ reader.mapping($0, "'securityContext'", known: SpecKeys.securityContext) })?.has("readOnlyRootFilesystem") != true {
            security.readOnlyRootFilesystem = Located(defaults.readOnlyRootFilesystem, at: name.location, isDefault: true)
        }
        // Stores run as their image's user, not the spec-wide default UID.
        security.runAsUser = security.runAsUser.flatMap { $0.isDefault ? nil : $0 } ?? Located(defaults.user, at: name.location, isDefault: true)
        security.runAsGroup = security.runAsGroup.flatMap { $0.isDefault ? nil : $0 } ?? Located(defaults.group, at: name.location, isDefault: true)
        security.fsGroup = security.fsGroup.flatMap { $0.isDefault ? nil : $0 } ?? Located(defaults.group, at: name.location, isDefault: true)

        let settings: StoreSettings?
        switch engine.value {
        case .etcd: settings = members(fields, default: 3, at: name.location).map { .etcd(EtcdSettings(members: $0)) }
        case .vault: settings = decodeVault(fields, at: name.location)
        case .kafka: settings = decodeKafka(fields, at: name.location)
        case .postgres: settings = decodePostgres(fields, store: name.value, at: name.location)
        case .clickhouse: settings = decodeClickHouse(fields, at: name.location)
        }
        guard let settings else { return nil }
        let replicated: Bool
        switch settings {
        case .postgres(let postgres): replicated = postgres.instances.value > 1
        case .clickhouse(let clickhouse): replicated = clickhouse.replicas.value > 1 || (clickhouse.keeper?.members.value ?? 1) > 1
        case .kafka(let kafka): replicated = kafka.controllerCount > 1 || kafka.brokerCount > 1
        case .etcd(let etcd): replicated = etcd.members.value > 1
        case .vault(let vault): replicated = vault.members.value > 1
        }
        var placement = decodePlacement(fields["placement"], at: name.location, replicated: replicated)
        if replicated, placement.hosts.isDefault {
            // Quorum members on one node fail together; keep them apart unless the spec says otherwise.
            placement.hosts = Located(.required, at: name.location, isDefault: true)
        }
        return StoreSpec(
            name: name, namespace: namespace, engine: engine, image: image, storage: storage,
            resources: fields["resources"].flatMap { decodeResources($0) },
            placement: placement,
            tls: fields["tls"].flatMap { decodeTLS($0) },
            pdb: fields["pdb"].map { decodeExplicitPDB($0) },
            security: security,
            labels: fields["labels"].map { reader.metadataEntries($0, "'labels'", areLabels: true) } ?? [],
            podAnnotations: fields["podAnnotations"].map { reader.metadataEntries($0, "'podAnnotations'", areLabels: false) } ?? [],
            settings: settings)
    }

    /// `image:` as written, else `<repository>:<version>`.
    private func storeImage(_ fields: Fields, repository: String, version: String, at location: SourceLocation) -> Located<String>? {
        if fields.has("image"), fields.has("version") {
            reader.error("conflicting-fields", "give 'version' or 'image', not both", at: fields.keyLocation("image") ?? location)
            return nil
        }
        if let node = fields["image"] { return reader.nonEmptyString(node, "'image'") }
        if let node = fields["version"] {
            guard let version = reader.nonEmptyString(node, "'version'") else { return nil }
            return Located("\(repository):\(version.value)", at: version.location)
        }
        return Located("\(repository):\(version)", at: location, isDefault: true)
    }

    private func decodeStorage(_ node: YAMLNode?, defaultSize: String, at location: SourceLocation) -> StorageSpec? {
        let fields = node.flatMap { reader.mapping($0, "'storage'", known: SpecKeys.storage) }
        if node != nil, fields == nil { return nil }
        let size: Located<Quantity>
        if let sizeNode = fields?["size"] {
            guard let value = positiveQuantity(sizeNode, "'storage.size'") else { return nil }
            size = value
        } else {
            guard let quantity = Quantity(defaultSize) else { return nil }
            size = Located(quantity, at: location, isDefault: true)
        }
        return StorageSpec(size: size, storageClass: fields?["class"].flatMap { reader.nonEmptyString($0, "'storage.class'") })
    }

    private func members(_ fields: Fields, _ key: String = "members", default fallback: Int, at location: SourceLocation) -> Located<Int>? {
        guard let node = fields[key] else { return Located(fallback, at: location, isDefault: true) }
        return reader.int(node, "'\(key)'", in: 1...99)
    }

    func decodeTLS(_ node: YAMLNode) -> StoreTLSSpec? {
        guard let fields = reader.mapping(node, "'tls'", known: SpecKeys.tls) else { return nil }
        if let secret = fields["secret"].flatMap({ reader.nonEmptyString($0, "'tls.secret'") }) {
            if fields.has("issuer") {
                reader.error("conflicting-fields", "'tls' takes an existing 'secret' or a cert-manager 'issuer', not both", at: node.location)
                return nil
            }
            return StoreTLSSpec(source: .secret(secret), location: node.location)
        }
        if let issuer = fields["issuer"].flatMap({ reader.nonEmptyString($0, "'tls.issuer'") }) {
            let kind = fields["kind"].flatMap { reader.choice($0, "issuer kind", as: IssuerKind.self) }
                ?? Located(.clusterIssuer, at: node.location, isDefault: true)
            return StoreTLSSpec(source: .issuer(name: issuer, kind: kind), location: node.location)
        }
        if !fields.has("secret"), !fields.has("issuer") {
            reader.error("missing-field", "'tls' needs 'secret' (an existing TLS Secret) or 'issuer' (a cert-manager issuer)", at: node.location)
        }
        return nil
    }

    /// A PDB written on a store: `{maxUnavailable}`, `{minAvailable}` or `none`.
    private func decodeExplicitPDB(_ node: YAMLNode) -> PDBSpec {
        if node.scalar == "none" { return PDBSpec(budget: nil, location: node.location) }
        guard let fields = reader.mapping(node, "'pdb'", known: SpecKeys.pdb) else { return PDBSpec(budget: nil) }
        let given = SpecKeys.pdb.filter { fields.has($0) }
        guard given.count == 1, let key = given.first else {
            reader.error("invalid-value", "'pdb' takes exactly one of 'minAvailable' or 'maxUnavailable' (or 'pdb: none')", at: node.location)
            return PDBSpec(budget: nil)
        }
        guard let value = fields[key].flatMap({ reader.intOrPercent($0, "'pdb.\(key)'") }) else { return PDBSpec(budget: nil) }
        return PDBSpec(budget: value.map { key == "minAvailable" ? .minAvailable($0) : .maxUnavailable($0) }, location: node.location)
    }

    // MARK: Engines

    private func decodeVault(_ fields: Fields, at location: SourceLocation) -> StoreSettings? {
        guard let members = members(fields, default: 3, at: location) else { return nil }
        var seal: VaultSealSpec?
        if let node = fields["seal"], let inner = reader.mapping(node, "'seal'", known: SpecKeys.seal) {
            if let type = inner["type"].flatMap({ reader.nonEmptyString($0, "'seal.type'") }) {
                if !type.value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                    reader.error("invalid-value", "'\(type.value)' is not a Vault seal type (awskms, gcpckms, azurekeyvault, transit, pkcs11…)", at: type.location)
                }
                let config = inner["config"].map { reader.keyValues($0, "'seal.config'") } ?? []
                for entry in config where !entry.key.value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                    reader.error("invalid-name", "'\(entry.key.value)' is not a Vault seal parameter name", at: entry.key.location)
                }
                seal = VaultSealSpec(type: type, config: config)
            } else if !inner.has("type") {
                reader.error("missing-field", "'seal' needs 'type' (awskms, gcpckms, azurekeyvault, transit…)", at: node.location)
            }
        }
        return .vault(VaultSettings(members: members, seal: seal,
                                    ui: fields["ui"].flatMap { reader.bool($0, "'ui'") } ?? Located(true, at: location, isDefault: true)))
    }

    private func decodeKafka(_ fields: Fields, at location: SourceLocation) -> StoreSettings? {
        var controllers: Located<Int>?, brokers: Located<Int>?, combined: Located<Int>?
        if fields.has("combined") {
            for key in ["controllers", "brokers"] where fields.has(key) {
                reader.error("conflicting-fields", "'combined' runs brokers and controllers in the same pods; remove '\(key)' or 'combined'",
                             at: fields.keyLocation(key) ?? location)
                return nil
            }
            guard let value = members(fields, "combined", default: 1, at: location) else { return nil }
            combined = value
        } else {
            guard let controllerCount = members(fields, "controllers", default: 3, at: location),
                  let brokerCount = members(fields, "brokers", default: 3, at: location) else { return nil }
            controllers = controllerCount
            brokers = brokerCount
        }
        let brokerCount = combined?.value ?? brokers?.value ?? 1
        let replication = fields["replication"].flatMap { reader.mapping($0, "'replication'", known: SpecKeys.replication) }
        let replicationAt = fields["replication"]?.location ?? location
        let factor = replication?["factor"].flatMap { reader.int($0, "'replication.factor'", in: 1...99) }
            ?? Located(min(3, brokerCount), at: replicationAt, isDefault: true)
        let minInSync = replication?["minInSync"].flatMap { reader.int($0, "'replication.minInSync'", in: 1...99) }
            ?? Located(max(1, factor.value - 1), at: replicationAt, isDefault: true)
        let offsets = replication?["offsetsFactor"].flatMap { reader.int($0, "'replication.offsetsFactor'", in: 1...99) }
            ?? Located(factor.value, at: factor.location, isDefault: true)
        let transactions = replication?["transactionFactor"].flatMap { reader.int($0, "'replication.transactionFactor'", in: 1...99) }
            ?? Located(factor.value, at: factor.location, isDefault: true)
        let config = fields["config"].map { reader.keyValues($0, "'config'") } ?? []
        for entry in config {
            let key = entry.key.value
            if key.isEmpty || !key.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" }) {
                reader.error("invalid-name", "'\(key)' is not a Kafka property name (lowercase, dot-separated)", at: entry.key.location)
            }
            if Self.kafkaManagedProperties.contains(key) {
                reader.error("conflicting-fields", "'\(key)' is set by clusterspec from the store's topology; remove it from 'config'",
                             at: entry.key.location)
            }
        }
        var clusterId = fields["clusterId"].flatMap { reader.nonEmptyString($0, "'clusterId'") }
        if let id = clusterId, !(id.value.count == 22 && id.value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })) {
            reader.error("invalid-value", "a Kafka cluster id is 22 characters of base64url (a UUID), found '\(id.value)'", at: id.location)
            clusterId = nil
        }
        return .kafka(KafkaSettings(controllers: controllers, brokers: brokers, combined: combined, replicationFactor: factor,
                                    minInSyncReplicas: minInSync, offsetsReplicationFactor: offsets,
                                    transactionReplicationFactor: transactions,
                                    partitions: fields["partitions"].flatMap { reader.int($0, "'partitions'", in: 1...100_000) },
                                    config: config, clusterId: clusterId))
    }

    /// Kafka properties derived from the topology; a `config` entry may not override them.
    static let kafkaManagedProperties: Set<String> = [
        "process.roles", "node.id", "controller.quorum.voters", "controller.quorum.bootstrap.servers", "listeners",
        "advertised.listeners", "controller.listener.names", "inter.broker.listener.name", "listener.security.protocol.map",
        "log.dirs", "default.replication.factor", "min.insync.replicas", "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor", "transaction.state.log.min.isr", "num.partitions",
    ]

    private func decodePostgres(_ fields: Fields, store: String, at location: SourceLocation) -> StoreSettings? {
        let mode = fields["mode"].flatMap { reader.choice($0, "PostgreSQL mode", as: PostgresMode.self) }
            ?? Located(.single, at: location, isDefault: true)
        let instances = fields["instances"].flatMap { reader.int($0, "'instances'", in: 1...99) }
            ?? Located(mode.value == .cloudnativePG ? 3 : 1, at: mode.location, isDefault: true)
        let database = fields["database"].flatMap { reader.nonEmptyString($0, "'database'") }
            ?? Located(Topology.identifier(store), at: location, isDefault: true)
        let user = fields["user"].flatMap { reader.nonEmptyString($0, "'user'") } ?? Located("app", at: location, isDefault: true)
        for value in [database, user] where !value.value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            reader.error("invalid-value", "'\(value.value)' is not a plain PostgreSQL identifier (letters, digits, '_')", at: value.location)
        }
        let credentials = fields["credentials"].flatMap { reader.mapping($0, "'credentials'", known: SpecKeys.credentials) }
        let secret = credentials?["secret"].flatMap { reader.nonEmptyString($0, "'credentials.secret'") }
        var external: ExternalDatabaseSpec?
        switch mode.value {
        case .single:
            if secret == nil {
                reader.error("missing-field",
                             "single-mode PostgreSQL needs 'credentials.secret': an existing Secret with a 'password' key (clusterspec never generates passwords)",
                             at: fields.keyLocation("credentials") ?? location)
            }
        case .cloudnativePG:
            if fields.has("credentials") {
                reader.error("conflicting-fields", "CloudNativePG creates the '\(store)-app' Secret itself; remove 'credentials'",
                             at: fields.keyLocation("credentials") ?? location)
            }
        case .external:
            guard let node = fields["external"], let inner = reader.mapping(node, "'external'", known: SpecKeys.externalDatabase) else {
                reader.error("missing-field", "external PostgreSQL needs 'external: {host, port, secret}'", at: mode.location)
                return nil
            }
            guard let host = inner["host"].flatMap({ reader.nonEmptyString($0, "'external.host'") }),
                  let secretName = inner["secret"].flatMap({ reader.nonEmptyString($0, "'external.secret'") }) else {
                reader.error("missing-field", "'external' needs 'host' and 'secret' (a Secret with 'username' and 'password')", at: node.location)
                return nil
            }
            external = ExternalDatabaseSpec(host: host, port: inner["port"].flatMap { reader.int($0, "'external.port'", in: 1...65535) }
                                                ?? Located(5432, at: node.location, isDefault: true), secret: secretName,
                                            cidr: inner["cidr"].flatMap { cidr($0, "'external.cidr'") })
            for key in ["instances", "storage", "version", "image", "credentials"] where fields.has(key) {
                reader.error("conflicting-fields", "'\(key)' has no effect on an external database; remove it", at: fields.keyLocation(key) ?? location)
            }
        }
        return .postgres(PostgresSettings(mode: mode, instances: instances, database: database, user: user,
                                          credentialsSecret: secret, external: external))
    }

    private func decodeClickHouse(_ fields: Fields, at location: SourceLocation) -> StoreSettings? {
        guard let shards = members(fields, "shards", default: 1, at: location),
              let replicas = members(fields, "replicas", default: 1, at: location) else { return nil }
        var keeper: KeeperSettings?
        if let node = fields["keeper"], let inner = reader.mapping(node, "'keeper'", known: SpecKeys.keeper) {
            guard let count = members(inner, default: 3, at: node.location),
                  let image = storeImage(inner, repository: Self.keeperRepository, version: EngineDefaults.of(.clickhouse).version, at: node.location),
                  let storage = decodeStorage(inner["storage"], defaultSize: "10Gi", at: node.location) else { return nil }
            keeper = KeeperSettings(members: count, image: image, storage: storage,
                                    resources: inner["resources"].flatMap { decodeResources($0) }, location: node.location)
        }
        let credentials = fields["credentials"].flatMap { reader.mapping($0, "'credentials'", known: SpecKeys.credentials) }
        return .clickhouse(ClickHouseSettings(shards: shards, replicas: replicas, keeper: keeper,
                                              credentialsSecret: credentials?["secret"].flatMap { reader.nonEmptyString($0, "'credentials.secret'") }))
    }

    // MARK: Stateful services

    func decodeStatefulServices(_ node: YAMLNode) -> [StatefulServiceSpec] {
        reader.namedEntries(node, "'statefulServices'").compactMap { entry in
            guard checkedWorkloadName(entry.name, kind: "stateful service"),
                  let fields = reader.mapping(entry.value, "stateful service '\(entry.name.value)'", known: SpecKeys.statefulService) else { return nil }
            let owner = "stateful service '\(entry.name.value)'"
            let replicas = fields["replicas"].flatMap { reader.int($0, "'replicas'", in: 1...10_000) }
                ?? Located(1, at: entry.name.location, isDefault: true)
            guard var workload = decodeWorkload(entry.name, fields, kind: "stateful service", replicated: replicas.value > 1, allowsPorts: true) else {
                return nil
            }
            let ports = workload.container.ports
            var storage: StorageSpec?, mountPath: Located<String>?
            if let storageNode = fields["storage"], let inner = reader.mapping(storageNode, "'storage'", known: SpecKeys.statefulStorage) {
                guard let sizeNode = inner["size"], let size = positiveQuantity(sizeNode, "'storage.size'") else {
                    if !inner.has("size") { reader.error("missing-field", "'storage' needs 'size'", at: storageNode.location) }
                    return nil
                }
                guard let path = inner["mountPath"].flatMap({ reader.nonEmptyString($0, "'storage.mountPath'") }), path.value.hasPrefix("/") else {
                    reader.error("missing-field", "'storage' needs an absolute 'mountPath'", at: storageNode.location)
                    return nil
                }
                let claim = StorageSpec(size: size, storageClass: inner["class"].flatMap { reader.nonEmptyString($0, "'storage.class'") })
                storage = claim
                mountPath = path
                workload.container.volumes.append(VolumeSpec(name: Located("data", at: storageNode.location, isDefault: true),
                                                             source: .claimTemplate(claim), mountPath: path, readOnly: false))
            }
            var peers: PeersSpec?
            if let peersNode = fields["peers"], let inner = reader.mapping(peersNode, "'peers'", known: SpecKeys.peers) {
                let port = inner["port"].flatMap { namedPort($0, ports: ports, owner: owner) }
                    ?? defaultPort(ports).map { Located($0.name.value, at: peersNode.location, isDefault: true) }
                if let port {
                    let listEnv = inner["listEnv"].flatMap { reader.nonEmptyString($0, "'listEnv'") }
                    let selfEnv = inner["selfEnv"].flatMap { reader.nonEmptyString($0, "'selfEnv'") }
                    for name in [listEnv, selfEnv].compactMap({ $0 }) where !KubernetesName.isEnvName(name.value) {
                        reader.error("invalid-name", "'\(name.value)' is not a valid environment variable name", at: name.location)
                    }
                    peers = PeersSpec(port: port, listEnv: listEnv, selfEnv: selfEnv,
                                      publishNotReady: inner["publishNotReady"].flatMap { reader.bool($0, "'publishNotReady'") }
                                          ?? Located(true, at: peersNode.location, isDefault: true))
                } else if !inner.has("port") {
                    reader.error("missing-field", "'peers' needs a port: \(owner) declares none", at: peersNode.location)
                }
            }
            let pdb: PDBSpec
            if let node = fields.entries["pdb"]?.value {
                pdb = decodeExplicitPDB(node)
            } else {
                // Stateful peers leave one at a time: safe for any replication factor of two or more.
                pdb = PDBSpec(budget: replicas.value > 1 ? Located(.maxUnavailable(.count(1)), at: replicas.location, isDefault: true) : nil)
            }
            return StatefulServiceSpec(
                workload: workload, replicas: replicas, storage: storage, storageMountPath: mountPath, peers: peers, pdb: pdb,
                serviceGroups: decodeServiceGroups(fields, ports: ports, owner: owner, at: entry.name.location),
                tls: fields["tls"].flatMap { decodeTLS($0) },
                podManagementPolicy: fields["podManagementPolicy"].flatMap { reader.choice($0, "pod management policy", as: PodManagementPolicy.self) }
                    ?? Located(.parallel, at: entry.name.location, isDefault: true))
        }
    }
}
