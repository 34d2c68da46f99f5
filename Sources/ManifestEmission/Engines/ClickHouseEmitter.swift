import SpecModel

extension ClickHouseSettings: EngineEmitting {
    func resources(of store: StoreSpec, kit: StatefulToolkit) -> [Resource] { ClickHouseEmitter(kit: kit).resources(store, self) }
}

/// ClickHouse: one StatefulSet per shard with `replicas` pods, and ClickHouse Keeper for
/// replication. Every server gets the same `remote_servers` and `zookeeper` configuration; the
/// `{shard}` and `{replica}` macros come from each pod's environment.
struct ClickHouseEmitter {
    let kit: StatefulToolkit

    static let configFile = "clusterspec.xml"
    /// The variables the image creates its user from; the configuration reads them with from_env.
    static let userVariable = "CLICKHOUSE_USER", passwordVariable = "CLICKHOUSE_PASSWORD"
    static let keeperConfigFile = "keeper_config.xml"

    func resources(_ store: StoreSpec, _ clickhouse: ClickHouseSettings) -> [Resource] {
        var resources = kit.identity(store: store)
        if let keeper = clickhouse.keeper {
            resources += keeperResources(store, keeper)
        }
        resources += serverResources(store, clickhouse)
        return resources
    }

    // MARK: Keeper

    private func keeperResources(_ store: StoreSpec, _ keeper: KeeperSettings) -> [Resource] {
        let name = ClickHouseSettings.keeper(store.name.value), namespace = store.namespace.value, at = keeper.location
        let headless = Topology.headless(name)
        let configName = Topology.configMap(name)
        let config = Self.keeperConfiguration(store: store, keeper: keeper, domain: kit.domain)
        let env = [StatefulToolkit.fieldEnv("POD_NAME", "metadata.name", at: at)]
        let volumes = [
            StatefulToolkit.volume(ClickHouseSettings.dataClaim, .claimTemplate(keeper.storage), at: "/var/lib/clickhouse-keeper", location: at),
            StatefulToolkit.volume("config", .configMap(Located(configName, at: at)), at: "/etc/clickhouse-keeper", readOnly: true, location: at),
            // Writable paths besides the volume, so the root filesystem stays read-only.
            StatefulToolkit.volume("logs", .emptyDir(sizeLimit: nil, inMemory: false), at: "/var/log/clickhouse-keeper", location: at),
            StatefulToolkit.volume("tmp", .emptyDir(sizeLimit: nil, inMemory: false), at: "/tmp", location: at),
        ]
        let health = HealthSpec(
            // /ready answers 200 only when this node is part of a working quorum (ruok/imok does not prove that).
            liveness: StatefulToolkit.probe(.tcp(port: StatefulToolkit.port(ClickHouseSettings.keeperClientPort.name, at: at)), initialDelay: 30, period: 10, timeout: 5, failures: 6, at: at),
            readiness: StatefulToolkit.probe(.http(path: Located("/ready", at: at), port: StatefulToolkit.port(ClickHouseSettings.keeperHTTPPort.name, at: at)),
                                             period: 5, timeout: 3, failures: 3, at: at),
            startup: nil, location: at)
        let ports = [ClickHouseSettings.keeperClientPort, ClickHouseSettings.keeperRaftPort, ClickHouseSettings.keeperHTTPPort]
        // server_id is this pod's ordinal + 1 (Keeper ids are positive), read by the config's from_env.
        let command = ["/bin/sh", "-ec", "export KEEPER_SERVER_ID=$((${POD_NAME##*-} + 1))\nexec clickhouse-keeper --config-file=/etc/clickhouse-keeper/\(Self.keeperConfigFile)"]
        let container = kit.container(store: store, image: keeper.image, command: command, ports: ports, env: env, volumes: volumes,
                                      health: health, resources: .some(keeper.resources ?? store.resources))
        let workload = kit.workload(store: store, statefulSet: name, container: container)
        let component = ClickHouseSettings.keeperNode.component
        let labels = kit.labels(store: store, name: name, component: component)
        let selector = Labels.selector(workload: name, system: kit.systemName)
        var resources = [
            Resource(apiVersion: "v1", kind: "ConfigMap", metadata: ObjectMeta(name: configName, namespace: namespace, labels: labels),
                     origin: at, fields: ["data": [Self.keeperConfigFile: .string(config)]]),
            kit.statefulSet(workload, replicas: keeper.members.value, serviceName: headless, component: component,
                            containerName: ClickHouseSettings.keeperContainer, extraAnnotations: [("clusterspec.io/config-hash", StableHash.hex(config))], origin: at),
            kit.service(name: headless, namespace: namespace, labels: labels, selector: selector, ports: ports, headless: true, origin: at),
            kit.service(name: name, namespace: namespace, labels: labels, selector: selector, ports: [ClickHouseSettings.keeperClientPort],
                        headless: false, origin: at),
        ]
        if let budget = StatefulToolkit.quorumBudget(members: keeper.members.value, explicit: nil) {
            resources.append(kit.disruptionBudget(name: name, namespace: namespace, labels: labels, selector: selector, budget: budget,
                                                  origin: keeper.members.location))
        }
        return resources
    }

    static func keeperConfiguration(store: StoreSpec, keeper: KeeperSettings, domain: String) -> String {
        let name = ClickHouseSettings.keeper(store.name.value), namespace = store.namespace.value
        var lines = [
            "<clickhouse>",
            "    <listen_host>0.0.0.0</listen_host>",
            "    <logger>",
            "        <level>information</level>",
            "        <console>true</console>",
            "    </logger>",
            "    <keeper_server>",
            "        <tcp_port>\(ClickHouseSettings.keeperClientPort.number)</tcp_port>",
            "        <server_id from_env=\"KEEPER_SERVER_ID\"/>",
            "        <log_storage_path>/var/lib/clickhouse-keeper/coordination/log</log_storage_path>",
            "        <snapshot_storage_path>/var/lib/clickhouse-keeper/coordination/snapshots</snapshot_storage_path>",
            "        <http_control>",
            "            <port>\(ClickHouseSettings.keeperHTTPPort.number)</port>",
            "            <readiness>",
            "                <endpoint>/ready</endpoint>",
            "            </readiness>",
            "        </http_control>",
            "        <raft_configuration>",
        ]
        for index in 0..<keeper.members.value {
            lines += [
                "            <server>",
                "                <id>\(index + 1)</id>",
                "                <hostname>\(Topology.podFQDN(name, index, namespace: namespace, domain: domain))</hostname>",
                "                <port>\(ClickHouseSettings.keeperRaftPort.number)</port>",
                "            </server>",
            ]
        }
        lines += ["        </raft_configuration>", "    </keeper_server>", "</clickhouse>"]
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Servers

    private func serverResources(_ store: StoreSpec, _ clickhouse: ClickHouseSettings) -> [Resource] {
        let name = store.name.value, namespace = store.namespace.value, at = store.name.location
        let headless = Topology.headless(name)
        let configName = Topology.configMap(name)
        let config = Self.serverConfiguration(store: store, clickhouse: clickhouse, domain: kit.domain)
        let servers = clickhouse.roles(named: name).filter { $0.kind == ClickHouseSettings.server }
        let serverSelector = servers.flatMap { $0.selector(system: kit.systemName) }.map { ($0.key, $0.value) }
        let component = ClickHouseSettings.server.component
        let labels = kit.labels(store: store, name: name, component: component)
        let ports = servers.flatMap(\.ports)
        var resources = [
            Resource(apiVersion: "v1", kind: "ConfigMap", metadata: ObjectMeta(name: configName, namespace: namespace, labels: labels),
                     origin: at, fields: ["data": [Self.configFile: .string(config)]]),
            kit.service(name: headless, namespace: namespace, labels: labels, selector: serverSelector, ports: ports, headless: true, origin: at),
            kit.service(name: name, namespace: namespace, labels: labels, selector: serverSelector,
                        ports: [ClickHouseSettings.httpPort, ClickHouseSettings.tcpPort], headless: false, origin: at),
        ]
        for shard in 1...clickhouse.shards.value {
            let statefulSet = ClickHouseSettings.shard(name, shard)
            var env = [
                StatefulToolkit.fieldEnv("POD_NAME", "metadata.name", at: at),
                StatefulToolkit.env("CLICKHOUSE_SHARD", String(shard), at: at),
                StatefulToolkit.env("CLICKHOUSE_REPLICA", "$(POD_NAME)", at: at),
                StatefulToolkit.env("CLICKHOUSE_INTERSERVER_HOST", Topology.selfFQDN(statefulSet, headless: headless, namespace: namespace, domain: kit.domain), at: at),
            ]
            if let secret = clickhouse.credentialsSecret {
                // The image replaces the default user with this one; remote_servers and the
                // interserver endpoint read the same credentials (from_env, never literal XML).
                env += [StatefulToolkit.secretEnv(Self.userVariable, secret: secret.value, key: "username", at: secret.location),
                        StatefulToolkit.secretEnv(Self.passwordVariable, secret: secret.value, key: "password", at: secret.location)]
            }
            let volumes = [
                StatefulToolkit.volume(ClickHouseSettings.dataClaim, .claimTemplate(store.storage), at: "/var/lib/clickhouse", location: at),
                StatefulToolkit.volume("config", .configMap(Located(configName, at: at)), at: "/etc/clickhouse-server/config.d/\(Self.configFile)",
                                       readOnly: true, subPath: Self.configFile, location: at),
                // Writable paths besides the volume (logs; users.d, where the entrypoint writes the
                // user from CLICKHOUSE_USER), so the root filesystem stays read-only.
                StatefulToolkit.volume("logs", .emptyDir(sizeLimit: nil, inMemory: false), at: "/var/log/clickhouse-server", location: at),
                StatefulToolkit.volume("users", .emptyDir(sizeLimit: nil, inMemory: false), at: "/etc/clickhouse-server/users.d", location: at),
                StatefulToolkit.volume("tmp", .emptyDir(sizeLimit: nil, inMemory: false), at: "/tmp", location: at),
            ]
            let ping = Located("/ping", at: at), http = StatefulToolkit.port(ClickHouseSettings.httpPort.name, at: at)
            let health = HealthSpec(
                liveness: StatefulToolkit.probe(.http(path: ping, port: http), initialDelay: 30, period: 10, timeout: 5, failures: 6, at: at),
                readiness: StatefulToolkit.probe(.http(path: ping, port: http), period: 5, timeout: 3, failures: 3, at: at),
                startup: StatefulToolkit.probe(.http(path: ping, port: http), period: 5, timeout: 3, failures: 60, at: at),
                location: at)
            let container = kit.container(store: store, ports: ports, env: env, volumes: volumes, health: health)
            let workload = kit.workload(store: store, statefulSet: statefulSet, container: container)
            let shardSelector = Labels.selector(workload: statefulSet, system: kit.systemName)
            resources.append(kit.statefulSet(workload, replicas: clickhouse.replicas.value, serviceName: headless, component: component,
                                             containerName: ClickHouseSettings.serverContainer, selector: nil,
                                             extraAnnotations: [("clusterspec.io/config-hash", StableHash.hex(config))],
                                             origin: clickhouse.shards.location))
            // Replicas of a shard leave one at a time, so every shard keeps a serving replica.
            let budget = store.pdb.map { $0.budget?.value } ?? (clickhouse.replicas.value > 1 ? .maxUnavailable(.count(1)) : nil)
            if let budget {
                resources.append(kit.disruptionBudget(name: statefulSet, namespace: namespace,
                                                      labels: kit.labels(store: store, name: statefulSet, component: component),
                                                      selector: shardSelector, budget: budget, origin: clickhouse.replicas.location))
            }
        }
        return resources
    }

    static func serverConfiguration(store: StoreSpec, clickhouse: ClickHouseSettings, domain: String) -> String {
        let name = store.name.value, namespace = store.namespace.value
        let headless = Topology.headless(name)
        var lines = [
            "<clickhouse>",
            "    <listen_host>0.0.0.0</listen_host>",
            "    <interserver_http_port>\(ClickHouseSettings.interserverPort.number)</interserver_http_port>",
            "    <interserver_http_host from_env=\"CLICKHOUSE_INTERSERVER_HOST\"/>",
        ]
        let credentials = clickhouse.credentialsSecret != nil
        if credentials {
            lines += [
                "    <interserver_http_credentials>",
                "        <user from_env=\"\(userVariable)\"/>",
                "        <password from_env=\"\(passwordVariable)\"/>",
                "    </interserver_http_credentials>",
            ]
        }
        lines += [
            "    <macros>",
            "        <cluster>\(name)</cluster>",
            "        <shard from_env=\"CLICKHOUSE_SHARD\"/>",
            "        <replica from_env=\"CLICKHOUSE_REPLICA\"/>",
            "    </macros>",
            "    <remote_servers>",
            "        <\(name)>",
        ]
        for shard in 1...clickhouse.shards.value {
            let statefulSet = ClickHouseSettings.shard(name, shard)
            lines.append("            <shard>")
            lines.append("                <internal_replication>\(clickhouse.replicas.value > 1)</internal_replication>")
            for replica in 0..<clickhouse.replicas.value {
                lines += [
                    "                <replica>",
                    "                    <host>\(Topology.podFQDN(statefulSet, replica, headless: headless, namespace: namespace, domain: domain))</host>",
                    "                    <port>\(ClickHouseSettings.tcpPort.number)</port>",
                ]
                if credentials {
                    lines += ["                    <user from_env=\"\(userVariable)\"/>", "                    <password from_env=\"\(passwordVariable)\"/>"]
                }
                lines.append("                </replica>")
            }
            lines.append("            </shard>")
        }
        lines += ["        </\(name)>", "    </remote_servers>"]
        if let keeper = clickhouse.keeper {
            let keeperName = ClickHouseSettings.keeper(name)
            lines.append("    <zookeeper>")
            for index in 0..<keeper.members.value {
                lines += [
                    "        <node>",
                    "            <host>\(Topology.podFQDN(keeperName, index, namespace: namespace, domain: domain))</host>",
                    "            <port>\(ClickHouseSettings.keeperClientPort.number)</port>",
                    "        </node>",
                ]
            }
            lines += ["    </zookeeper>", "    <distributed_ddl>", "        <path>/clickhouse/task_queue/ddl</path>", "    </distributed_ddl>"]
        }
        lines.append("</clickhouse>")
        return lines.joined(separator: "\n") + "\n"
    }
}
