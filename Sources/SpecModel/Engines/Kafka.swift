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
}

extension KafkaSettings: StoreEngine {
    public static let name = "kafka"
    public static let defaults = EngineDefaults(repository: "apache/kafka", version: "3.9.0", user: 1000, group: 1000,
                                                readOnlyRootFilesystem: true, storage: "20Gi")
    public static let keys = ["controllers", "brokers", "combined", "replication", "partitions", "config", "clusterId"]

    public static let clientPort = NamedPort("client", 9092)
    public static let controllerPort = NamedPort("controller", 9093)
    /// The inter-broker listener.
    public static let internalPort = NamedPort("internal", 9094)

    public static let controller = RoleKind(component: "kafka-controller", quorum: "Kafka controller quorum")
    public static let broker = RoleKind(component: "kafka-broker")
    /// Brokers and controllers in the same pods (dev only).
    public static let combinedNode = RoleKind(component: "kafka", quorum: "Kafka controller quorum")
    public static let roleKinds = [controller, broker, combinedNode]

    /// The controller StatefulSet of separate mode.
    public static func controllers(_ store: String) -> String { "\(store)-controller" }
    /// The broker StatefulSet of separate mode.
    public static func brokers(_ store: String) -> String { "\(store)-broker" }
    /// The immutable Secret holding the cluster id every node reads.
    public static func clusterIdSecret(_ store: String) -> String { "\(store)-cluster-id" }

    /// First node id of brokers in separate mode; controllers count from 0, so the ranges stay
    /// disjoint for any quorum size clusterspec accepts (at most 7).
    public static let brokerIdBase = 100

    public func roles(named store: String) -> [StoreRole] {
        if let combined {
            return [StoreRole(Self.combinedNode, statefulSet: store, replicas: combined,
                              ports: [Self.clientPort, Self.internalPort, Self.controllerPort], servesClients: true)]
        }
        var roles: [StoreRole] = []
        if let controllers {
            roles.append(StoreRole(Self.controller, statefulSet: Self.controllers(store), replicas: controllers, ports: [Self.controllerPort],
                                   servesClients: false))
        }
        if let brokers {
            roles.append(StoreRole(Self.broker, statefulSet: Self.brokers(store), replicas: brokers, ports: [Self.clientPort, Self.internalPort],
                                   servesClients: true))
        }
        return roles
    }

    public func flows(of store: StoreSpec, in system: SystemSpec) -> [StoreFlow] {
        let name = store.name.value
        if combined != nil { return [.peers(name, name, [Self.controllerPort, Self.internalPort])] }
        let controllers = Self.controllers(name), brokers = Self.brokers(name)
        return [.peers(controllers, controllers, [Self.controllerPort]), .peers(brokers, controllers, [Self.controllerPort]),
                .peers(brokers, brokers, [Self.internalPort])]
    }

    public func clientPorts(of store: StoreSpec) -> [ClientPort] { [ClientPort(Self.clientPort)] }

    public func connectionFacts(of store: StoreSpec, domain: String) -> [ConnectionFact] {
        let host = Topology.serviceFQDN(store.name.value, namespace: store.namespace.value, domain: domain)
        return [ConnectionFact("bootstrapServers", .literal("\(host):\(Self.clientPort.number)"))]
    }

    public func generatedSecrets(of store: StoreSpec) -> [String] { [Self.clusterIdSecret(store.name.value)] }

    // What the emitted pods and the printed procedures share.
    public static let containerName = "kafka"
    public static let dataClaim = "data"
    public static let tlsDirectory = "/etc/kafka/tls"
    /// A client configuration the procedures write for the tools when the listeners use TLS.
    static let clientConfig = "/tmp/clusterspec-client.properties"

    /// The share of the container's memory limit given to the JVM heap (the rest is page cache,
    /// metaspace and direct buffers), in MiB; nil without a memory limit.
    public static func heapMebibytes(_ store: StoreSpec) -> Int? {
        guard let limit = store.resources?.limits.memory?.value.value else { return nil }
        return max(64, Int(limit / 1_048_576 / 2))
    }

    /// Brokers join by themselves; removing them needs their partitions moved first and their
    /// registrations dropped after. The controllers' static `controller.quorum.voters` can never
    /// change on a running cluster (Kafka 3.9 cannot turn a static quorum into a dynamic one).
    public func membershipPolicy(for change: MembershipChange, of store: StoreSpec, domain: String) -> MembershipPolicy {
        guard change.role.kind == Self.broker else {
            return .refused("the controllers' static controller.quorum.voters cannot change on a running cluster (Kafka cannot convert a static "
                            + "quorum to a dynamic one); keep \(change.from), or create a new store and move the topics")
        }
        switch change.direction {
        case .grow:
            return .automatic("new brokers register with the controllers by themselves; existing partitions stay where they are until reassigned")
        case .shrink:
            let namespace = store.namespace.value, pod = "\(change.statefulSet)-0"
            let remaining = (0..<change.to).map { String(Self.brokerIdBase + $0) }.joined(separator: ",")
            let tools = "/opt/kafka/bin"
            var setup = "cd /tmp"
            var bootstrap = "--bootstrap-server localhost:\(Self.clientPort.number)"
            // kafka-cluster.sh names its client configuration --config, the other tools --command-config.
            var clusterTool = bootstrap
            if store.tls != nil {
                setup += " && printf 'security.protocol=SSL\\nssl.truststore.type=PEM\\nssl.truststore.location=\(Self.tlsDirectory)/ca.crt\\n' > \(Self.clientConfig)"
                bootstrap += " --command-config \(Self.clientConfig)"
                clusterTool += " --config \(Self.clientConfig)"
            }
            let topics = "\(tools)/kafka-topics.sh \(bootstrap) --list | awk 'BEGIN { printf \"{\\\"version\\\":1,\\\"topics\\\":[\" } "
                + "{ printf \"%s{\\\"topic\\\":\\\"%s\\\"}\", (NR > 1 ? \",\" : \"\"), $0 } END { print \"]}\" }' > move.json"
            let plan = "\(tools)/kafka-reassign-partitions.sh \(bootstrap) --topics-to-move-json-file move.json --broker-list \(remaining) --generate"
                + " | sed -n '/Proposed partition reassignment configuration/{n;p}' > plan.json"
            let execute = "\(tools)/kafka-reassign-partitions.sh \(bootstrap) --reassignment-json-file plan.json --execute"
            let verify = "\(tools)/kafka-reassign-partitions.sh \(bootstrap) --reassignment-json-file plan.json --verify"
            let leaving = change.leavingOrdinals.map { Self.brokerIdBase + $0 }
            return .needsStep(MembershipProcedure(
                reason: "the removed brokers' partitions must move to the remaining brokers first, and their registrations be dropped after",
                beforeApplying: [
                    Procedures.exec(namespace: namespace, pod: pod, container: Self.containerName,
                                    ["sh", "-ec", [setup, topics, plan, execute].joined(separator: " && ")]),
                    Procedures.exec(namespace: namespace, pod: pod, container: Self.containerName,
                                    ["sh", "-ec", "\(setup) && \(verify)"]) + "   # repeat until every reassignment is complete",
                ],
                afterApplying: leaving.map {
                    Procedures.exec(namespace: namespace, pod: pod, container: Self.containerName,
                                    ["sh", "-ec", "\(setup) && \(tools)/kafka-cluster.sh unregister \(clusterTool) --id \($0)"])
                } + [Procedures.deleteClaims(namespace: namespace, claims: [Self.dataClaim], pods: change.pods(change.leavingOrdinals))]))
        }
    }
}
