import SpecModel
import Crypto

extension KafkaSettings: EngineEmitting {
    func resources(of store: StoreSpec, kit: StatefulToolkit) -> [Resource] { KafkaEmitter(kit: kit).resources(store, self) }
}

/// Kafka in KRaft mode. Controllers take node ids 0…c−1, brokers 100…; every node gets the same
/// `controller.quorum.voters` list and the same cluster id, kept in an immutable Secret.
struct KafkaEmitter {
    let kit: StatefulToolkit

    static let dataDirectory = "/var/lib/kafka/data"
    /// Where the image's configure step writes server.properties and the log4j files (it checks
    /// the directory is writable), and where the start command composes the PEM keystore.
    static let configDirectory = "/opt/kafka/config"
    /// kafka-run-class.sh creates it and writes the GC log there.
    static let logDirectory = "/opt/kafka/logs"
    /// Key and certificate chain in one file, as Kafka's PEM keystore reads them.
    static let keystore = "\(configDirectory)/keystore.pem"

    /// What a node of each of the description's roles runs.
    private enum Role {
        case controller, broker, combined

        init(_ kind: RoleKind) {
            switch kind {
            case KafkaSettings.controller: self = .controller
            case KafkaSettings.broker: self = .broker
            default: self = .combined
            }
        }

        var processRoles: String {
            switch self {
            case .controller: return "controller"
            case .broker: return "broker"
            case .combined: return "broker,controller"
            }
        }

        /// Brokers count their node ids from `brokerIdBase`, disjoint from the voters' ids.
        var idBase: Int { self == .broker ? KafkaSettings.brokerIdBase : 0 }
    }

    func resources(_ store: StoreSpec, _ kafka: KafkaSettings) -> [Resource] {
        let name = store.name.value, namespace = store.namespace.value, at = store.name.location
        let labels = kit.labels(store: store, name: name, component: KafkaSettings.name)
        var resources = kit.identity(store: store)
        let idSecret = KafkaSettings.clusterIdSecret(name)
        resources.append(Resource(
            apiVersion: "v1", kind: "Secret",
            metadata: ObjectMeta(name: idSecret, namespace: namespace, labels: labels),
            origin: kafka.clusterId?.location ?? at,
            fields: [
                // Immutable: the API server refuses any change, so a cluster id can never drift.
                "immutable": true,
                "type": "Opaque",
                "stringData": ["cluster-id": .string(clusterId(store, kafka))],
            ]))
        let roles = kafka.roles(named: name)
        let voterRole = roles.first { $0.kind.quorum != nil }
        let voters = (0..<(voterRole?.replicas.value ?? 0)).map {
            "\($0)@\(Topology.podFQDN(voterRole?.name ?? name, $0, namespace: namespace, domain: kit.domain)):\(KafkaSettings.controllerPort.number)"
        }.joined(separator: ",")
        for role in roles {
            resources += roleResources(store, kafka, role: role, voters: voters, idSecret: idSecret)
        }
        // The bootstrap Service clients use: brokers' client listener.
        let brokerSet = roles.first(where: \.servesClients)?.name ?? name
        resources.append(kit.service(name: name, namespace: namespace, labels: labels,
                                     selector: Labels.selector(workload: brokerSet, system: kit.systemName),
                                     ports: [KafkaSettings.clientPort], headless: false, origin: at))
        if case .issuer(let issuer, let kind) = store.tls?.source {
            // Kafka's PEM keystore reads PKCS#8 keys only (cert-manager's default is PKCS#1).
            resources.append(kit.certificate(name: Topology.tlsSecret(name), namespace: namespace, labels: labels,
                                             issuer: issuer.value, kind: kind.value, headless: roles.map(\.headless), clients: [name],
                                             keyEncoding: "PKCS8", origin: store.tls?.location ?? at))
        }
        return resources
    }

    private func roleResources(_ store: StoreSpec, _ kafka: KafkaSettings, role description: StoreRole, voters: String,
                               idSecret: String) -> [Resource] {
        let namespace = store.namespace.value, at = store.name.location
        let role = Role(description.kind), statefulSet = description.name, count = description.replicas.value
        let countLocation = description.replicas.location
        let headless = description.headless
        let tlsSecret = kit.tlsSecret(for: store.tls, owner: store.name.value)
        let protocolName = tlsSecret == nil ? "PLAINTEXT" : "SSL"
        let selfHost = Topology.selfFQDN(statefulSet, namespace: namespace, domain: kit.domain)

        var env = [
            StatefulToolkit.fieldEnv("POD_NAME", "metadata.name", at: at),
            StatefulToolkit.secretEnv("CLUSTER_ID", secret: idSecret, key: "cluster-id", at: at),
            StatefulToolkit.env("KAFKA_PROCESS_ROLES", role.processRoles, at: at),
            StatefulToolkit.env("KAFKA_CONTROLLER_QUORUM_VOTERS", voters, at: at),
            StatefulToolkit.env("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER", at: at),
        ]
        switch role {
        case .controller:
            env.append(StatefulToolkit.env("KAFKA_LISTENERS", "CONTROLLER://:\(KafkaSettings.controllerPort.number)", at: at))
        case .broker, .combined:
            var listeners = "CLIENT://:\(KafkaSettings.clientPort.number),INTERNAL://:\(KafkaSettings.internalPort.number)"
            if role == .combined { listeners += ",CONTROLLER://:\(KafkaSettings.controllerPort.number)" }
            env += [
                StatefulToolkit.env("KAFKA_LISTENERS", listeners, at: at),
                StatefulToolkit.env("KAFKA_ADVERTISED_LISTENERS",
                                    "CLIENT://\(selfHost):\(KafkaSettings.clientPort.number),INTERNAL://\(selfHost):\(KafkaSettings.internalPort.number)", at: at),
                StatefulToolkit.env("KAFKA_INTER_BROKER_LISTENER_NAME", "INTERNAL", at: at),
            ]
        }
        env += [
            StatefulToolkit.env("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                                "CONTROLLER:\(protocolName),CLIENT:\(protocolName),INTERNAL:\(protocolName)", at: at),
            StatefulToolkit.env("KAFKA_LOG_DIRS", "\(Self.dataDirectory)/logs", at: at),
        ]
        if role != .controller {
            env += [
                StatefulToolkit.env("KAFKA_DEFAULT_REPLICATION_FACTOR", String(kafka.replicationFactor.value), at: at),
                StatefulToolkit.env("KAFKA_MIN_INSYNC_REPLICAS", String(kafka.minInSyncReplicas.value), at: at),
                StatefulToolkit.env("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", String(kafka.offsetsReplicationFactor.value), at: at),
                StatefulToolkit.env("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", String(kafka.transactionReplicationFactor.value), at: at),
                StatefulToolkit.env("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
                                    String(min(kafka.minInSyncReplicas.value, kafka.transactionReplicationFactor.value)), at: at),
            ]
            if let partitions = kafka.partitions {
                env.append(StatefulToolkit.env("KAFKA_NUM_PARTITIONS", String(partitions.value), at: at))
            }
            for entry in kafka.config {
                env.append(EnvVarSpec(name: Located(Self.environmentName(entry.key.value), at: entry.key.location),
                                      source: .literal(entry.value)))
            }
        }
        if let heap = KafkaSettings.heapMebibytes(store) {
            // Half the memory limit: without it the start script picks -Xmx1G whatever the limit.
            env.append(StatefulToolkit.env("KAFKA_HEAP_OPTS", "-Xms\(heap)m -Xmx\(heap)m", at: store.resources?.limits.memory?.location ?? at))
        }
        // Every path the image writes at start is a volume, so the root filesystem stays read-only.
        var volumes = [
            StatefulToolkit.volume(KafkaSettings.dataClaim, .claimTemplate(store.storage), at: Self.dataDirectory, location: at),
            StatefulToolkit.volume("config", .emptyDir(sizeLimit: nil, inMemory: false), at: Self.configDirectory, location: at),
            StatefulToolkit.volume("logs", .emptyDir(sizeLimit: nil, inMemory: false), at: Self.logDirectory, location: at),
            StatefulToolkit.volume("tmp", .emptyDir(sizeLimit: nil, inMemory: false), at: "/tmp", location: at),
        ]
        var start = "export KAFKA_NODE_ID=$((\(role.idBase) + ${POD_NAME##*-}))\n"
        if let tlsSecret {
            // PEM files, not values: the image writes each KAFKA_* variable as one line of
            // server.properties, which would cut a multi-line PEM at its first line.
            let directory = KafkaSettings.tlsDirectory
            env += [
                StatefulToolkit.env("KAFKA_SSL_KEYSTORE_TYPE", "PEM", at: at),
                StatefulToolkit.env("KAFKA_SSL_KEYSTORE_LOCATION", Self.keystore, at: at),
                StatefulToolkit.env("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM", at: at),
                StatefulToolkit.env("KAFKA_SSL_TRUSTSTORE_LOCATION", "\(directory)/ca.crt", at: at),
            ]
            volumes.append(StatefulToolkit.volume("tls", .secret(Located(tlsSecret, at: at)), at: directory, readOnly: true, location: at))
            start += "umask 077\ncat \(directory)/tls.key \(directory)/tls.crt > \(Self.keystore)\n"
        }
        let probePort = StatefulToolkit.port(role == .controller ? KafkaSettings.controllerPort.name : KafkaSettings.clientPort.name, at: at)
        let health = HealthSpec(
            liveness: StatefulToolkit.probe(.tcp(port: probePort), initialDelay: 30, period: 10, timeout: 5, failures: 6, at: at),
            readiness: StatefulToolkit.probe(.tcp(port: probePort), period: 10, timeout: 5, failures: 3, at: at),
            startup: StatefulToolkit.probe(.tcp(port: probePort), period: 5, timeout: 5, failures: 60, at: at),
            location: at)
        // The node id comes from the pod's ordinal (its name's suffix) plus the role's base.
        let command = ["/bin/sh", "-ec", start + "exec /etc/kafka/docker/run"]
        let container = kit.container(store: store, command: command, ports: description.ports, env: env, volumes: volumes, health: health)
        let workload = kit.workload(store: store, statefulSet: statefulSet, container: container)
        let component = description.kind.component
        let labels = kit.labels(store: store, name: statefulSet, component: component)
        let selector = Labels.selector(workload: statefulSet, system: kit.systemName)
        var resources = [
            kit.statefulSet(workload, replicas: count, serviceName: headless, component: component, containerName: KafkaSettings.containerName,
                            origin: countLocation),
            kit.service(name: headless, namespace: namespace, labels: labels, selector: selector, ports: description.ports, headless: true,
                        origin: countLocation),
        ]
        if let budget = budget(store, kafka, role: role, count: count) {
            resources.append(kit.disruptionBudget(name: statefulSet, namespace: namespace, labels: labels, selector: selector,
                                                  budget: budget, origin: store.pdb?.budget?.location ?? countLocation))
        }
        return resources
    }

    /// Controllers keep their quorum (n − q); brokers may lose RF − minISR replicas of a partition
    /// before producers with acks=all stop; combined nodes must satisfy both.
    private func budget(_ store: StoreSpec, _ kafka: KafkaSettings, role: Role, count: Int) -> DisruptionBudget? {
        if let explicit = store.pdb { return explicit.budget?.value }
        let quorumTolerance = count - Topology.quorum(count)
        let replicaTolerance = kafka.replicationFactor.value - kafka.minInSyncReplicas.value
        let tolerance: Int
        switch role {
        case .controller: tolerance = quorumTolerance
        case .broker: tolerance = min(replicaTolerance, count - 1)
        case .combined: tolerance = min(quorumTolerance, replicaTolerance)
        }
        return tolerance > 0 ? .maxUnavailable(.count(tolerance)) : nil
    }

    /// The apache/kafka image's variable for a property: `KAFKA_` + upper case, `.` → `_`,
    /// `_` → `__`, `-` → `___`.
    static func environmentName(_ property: String) -> String {
        var name = "KAFKA_"
        for character in property {
            switch character {
            case ".": name += "_"
            case "_": name += "__"
            case "-": name += "___"
            default: name += character.uppercased()
            }
        }
        return name
    }

    /// The spec's cluster id, or a name-based UUID (RFC 9562 version 5) of the system, namespace and
    /// store in base64url: stable across builds and machines, different per cluster, never random.
    func clusterId(_ store: StoreSpec, _ kafka: KafkaSettings) -> String {
        if let fixed = kafka.clusterId { return fixed.value }
        return Self.derivedClusterId(system: kit.systemName, namespace: store.namespace.value, store: store.name.value)
    }

    /// The clusterspec namespace UUID for name-based cluster ids.
    static let namespaceUUID: [UInt8] = [0x5d, 0x3a, 0x8c, 0x4e, 0x1f, 0x6b, 0x4c, 0x2a, 0x9e, 0x07, 0x3b, 0x81, 0xc6, 0x52, 0xd9, 0x40]

    static func derivedClusterId(system: String, namespace: String, store: String) -> String {
        var hasher = Insecure.SHA1()
        hasher.update(data: namespaceUUID)
        hasher.update(data: Array("kafka/\(system)/\(namespace)/\(store)".utf8))
        var bytes = Array(hasher.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50  // version 5
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC variant
        return base64URL(bytes)
    }

    /// Unpadded base64url, as Kafka prints cluster ids.
    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var output = ""
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = 0
            for byte in chunk { value = value << 8 | Int(byte) }
            value <<= 8 * (3 - chunk.count)
            for position in 0..<(chunk.count + 1) {
                output.append(alphabet[(value >> (18 - 6 * position)) & 0x3F])
            }
            index += 3
        }
        return output
    }
}
