import Foundation
import Testing
import SpecParsing
import SpecRules
import ManifestEmission

/// Quorum arithmetic, independently of the code under test.
func tolerance(_ n: Int) -> Int { n - (n / 2 + 1) }

func expectQuorumBudget(_ manifests: ParsedManifests, _ name: String, members n: Int, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let pdb = manifests.find("PodDisruptionBudget", name)
    if n == 1 {
        #expect(pdb == nil, "a single member must not get a budget that blocks drains", sourceLocation: sourceLocation)
    } else {
        let budget = try #require(pdb, sourceLocation: sourceLocation)
        #expect(budget.int("spec", "maxUnavailable") == tolerance(n), sourceLocation: sourceLocation)
        #expect(budget.map("spec", "selector", "matchLabels")["app.kubernetes.io/name"] as? String == name, sourceLocation: sourceLocation)
    }
}

func expectGoverningService(_ manifests: ParsedManifests, statefulSet: [String: Any], peerPort: Int,
                                    sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let serviceName = try #require(statefulSet.string("spec", "serviceName"), sourceLocation: sourceLocation)
    let headless = try manifests.one("Service", serviceName, sourceLocation: sourceLocation)
    #expect(headless.string("spec", "clusterIP") == "None", sourceLocation: sourceLocation)
    #expect(headless["spec", "publishNotReadyAddresses"] as? Bool == true, sourceLocation: sourceLocation)
    #expect(headless.list("spec", "ports").contains { $0["port"] as? Int == peerPort }, sourceLocation: sourceLocation)
    #expect(statefulSet.string("spec", "podManagementPolicy") == "Parallel", sourceLocation: sourceLocation)
    let selector = headless.map("spec", "selector")
    let podLabels = statefulSet.map("spec", "template", "metadata", "labels")
    #expect(selector.allSatisfy { podLabels[$0.key] as? String == $0.value as? String }, "headless Service does not select the pods", sourceLocation: sourceLocation)
}

@Suite("Store wiring for 1, 3 and 5 members, read back from the emitted YAML")
struct StoreWiringTests {
    @Test(arguments: [1, 3, 5])
    func etcd(members n: Int) throws {
        let manifests = try ParsedManifests(spec("stores:\n  etcd: {engine: etcd, members: \(n)}\n"))
        let sts = try manifests.one("StatefulSet", "etcd")
        #expect(sts.int("spec", "replicas") == n)
        try expectGoverningService(manifests, statefulSet: sts, peerPort: 2380)
        let client = try manifests.one("Service", "etcd")
        #expect(client["spec", "publishNotReadyAddresses"] == nil)

        let pods = (0..<n).map { SimulatedPod(statefulSet: sts, ordinal: $0) }
        let cluster = try #require(pods[0].env["ETCD_INITIAL_CLUSTER"])
        let entries = cluster.split(separator: ",").map(String.init)
        #expect(entries.count == n)
        #expect(Set(entries.map { $0.split(separator: "=")[0] }).count == n, "member names are unique")
        for (index, entry) in entries.enumerated() {
            #expect(entry == "etcd-\(index)=http://etcd-\(index).etcd-headless.apps.svc.cluster.local:2380")
        }
        for pod in pods {
            #expect(pod.env["ETCD_INITIAL_CLUSTER"] == cluster, "every pod reads the same member list")
            #expect(pod.env["ETCD_NAME"] == pod.name)
            #expect(entries.contains("\(pod.name)=\(pod.env["ETCD_INITIAL_ADVERTISE_PEER_URLS"] ?? "")"), "a pod advertises its own entry")
            #expect(pod.env["ETCD_ADVERTISE_CLIENT_URLS"] == "http://\(pod.name).etcd-headless.apps.svc.cluster.local:2379")
            #expect(pod.env["ETCD_INITIAL_CLUSTER_STATE"] == "new")
            #expect(pod.env["ETCD_INITIAL_CLUSTER_TOKEN"] == "apps-etcd")
            #expect(pod.env["ETCD_DATA_DIR"] == "/var/lib/etcd/data")
        }
        let container = sts.list("spec", "template", "spec", "containers")[0]
        #expect(container.string("livenessProbe", "httpGet", "path") == "/livez")
        #expect(container.string("readinessProbe", "httpGet", "path") == "/readyz")
        #expect(container.string("readinessProbe", "httpGet", "port") == "metrics")
        #expect((container["ports"] as? [[String: Any]])?.contains { $0["name"] as? String == "metrics" && $0["containerPort"] as? Int == 2381 } == true)
        try expectQuorumBudget(manifests, "etcd", members: n)
    }

    /// With TLS the members demand client certificates: a workload that `uses:` the store gets a
    /// Certificate of its own (client auth only), its Secret mounted without subPath, and the files
    /// as connection facts; without TLS none of it.
    @Test(arguments: [(1, false), (3, false), (3, true), (5, true)])
    func etcdClients(members n: Int, tls: Bool) throws {
        let tlsText = tls ? ", tls: {issuer: ca}" : ""
        let manifests = try ParsedManifests(spec("stores:\n  etcd: {engine: etcd, members: \(n)\(tlsText)}\nservices:\n  api: {image: x/api:1.0, uses: [etcd]}\n"))
        let deployment = try manifests.one("Deployment", "api")
        let pod = deployment.map("spec", "template", "spec")
        let container = pod.list("containers")[0]
        let env = Dictionary(uniqueKeysWithValues: (container["env"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0["value"] as? String) })
        let endpoints = try #require(env["ETCD_ENDPOINTS"] ?? nil).split(separator: ",")
        #expect(endpoints.count == n && endpoints.allSatisfy { $0.hasPrefix(tls ? "https://" : "http://") })
        let mount = (container["volumeMounts"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "etcd-client-tls" }
        let certificate = manifests.find("Certificate", "etcd-client-api")
        guard tls else {
            #expect(mount == nil && certificate == nil && env["ETCD_CERT_FILE"] == nil)
            return
        }
        let directory = try #require(mount?["mountPath"] as? String)
        #expect(mount?["readOnly"] as? Bool == true && mount?["subPath"] == nil)
        #expect(env["ETCD_CERT_FILE"] == "\(directory)/tls.crt" && env["ETCD_KEY_FILE"] == "\(directory)/tls.key" && env["ETCD_CA_FILE"] == "\(directory)/ca.crt")
        let volume = pod.list("volumes").first { $0["name"] as? String == "etcd-client-tls" }
        let issued = try #require(certificate)
        #expect(volume?.string("secret", "secretName") == issued.string("spec", "secretName"))
        #expect(issued.string("spec", "commonName") == "api" && issued.string("spec", "issuerRef", "name") == "ca")
        #expect(issued["spec", "usages"] as? [String] == ["client auth", "digital signature", "key encipherment"])
        #expect(issued.string("spec", "privateKey", "encoding") == "PKCS8")
    }

    @Test(arguments: [1, 3, 5])
    func kafkaSeparateRoles(controllers n: Int) throws {
        let manifests = try ParsedManifests(spec("stores:\n  kafka: {engine: kafka, controllers: \(n), brokers: 3, replication: {factor: 3, minInSync: 2}}\n"))
        let controllers = try manifests.one("StatefulSet", "kafka-controller")
        let brokers = try manifests.one("StatefulSet", "kafka-broker")
        #expect(controllers.int("spec", "replicas") == n)
        try expectGoverningService(manifests, statefulSet: controllers, peerPort: 9093)
        try expectGoverningService(manifests, statefulSet: brokers, peerPort: 9094)
        let controllerPods = (0..<n).map { SimulatedPod(statefulSet: controllers, ordinal: $0) }
        let brokerPods = (0..<3).map { SimulatedPod(statefulSet: brokers, ordinal: $0) }

        let voters = try #require(controllerPods[0].env["KAFKA_CONTROLLER_QUORUM_VOTERS"])
        let voterEntries = voters.split(separator: ",").map(String.init)
        #expect(voterEntries.count == n)
        var voterIds = Set<Int>()
        for (index, entry) in voterEntries.enumerated() {
            #expect(entry == "\(index)@kafka-controller-\(index).kafka-controller-headless.apps.svc.cluster.local:9093")
            voterIds.insert(try #require(Int(entry.split(separator: "@")[0])))
        }
        var allIds = Set<Int>()
        for pod in controllerPods + brokerPods {
            #expect(pod.env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == voters, "identical voters on every node, brokers included")
            #expect(pod.env["CLUSTER_ID"] == "<secret kafka-cluster-id/cluster-id>")
            #expect(pod.env["KAFKA_CONTROLLER_QUORUM_BOOTSTRAP_SERVERS"] == nil, "exactly one of voters or bootstrap servers")
            let id = try #require(pod.exportedInteger("KAFKA_NODE_ID"))
            #expect(allIds.insert(id).inserted, "node id \(id) is unique")
        }
        for pod in controllerPods {
            #expect(voterIds.contains(pod.exportedInteger("KAFKA_NODE_ID") ?? -1), "every controller is a voter")
            #expect(pod.env["KAFKA_PROCESS_ROLES"] == "controller")
        }
        for pod in brokerPods {
            let id = try #require(pod.exportedInteger("KAFKA_NODE_ID"))
            #expect(id >= 100 && !voterIds.contains(id), "brokers are never voters")
            #expect(pod.env["KAFKA_PROCESS_ROLES"] == "broker")
            let host = "\(pod.name).kafka-broker-headless.apps.svc.cluster.local"
            #expect(pod.env["KAFKA_ADVERTISED_LISTENERS"] == "CLIENT://\(host):9092,INTERNAL://\(host):9094")
            #expect(pod.env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3")
            #expect(pod.env["KAFKA_MIN_INSYNC_REPLICAS"] == "2")
            #expect(pod.env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3")
            #expect(pod.env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == "3")
        }
        let secret = try manifests.one("Secret", "kafka-cluster-id")
        #expect(secret["immutable"] as? Bool == true)
        let id = try #require(secret.string("stringData", "cluster-id"))
        #expect(id.count == 22 && id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        try expectQuorumBudget(manifests, "kafka-controller", members: n)
        #expect(try manifests.one("PodDisruptionBudget", "kafka-broker").int("spec", "maxUnavailable") == 3 - 2, "brokers: RF − minISR")
        let bootstrap = try manifests.one("Service", "kafka")
        #expect(bootstrap.map("spec", "selector")["app.kubernetes.io/name"] as? String == "kafka-broker")
    }

    @Test(arguments: [1, 3, 5])
    func kafkaCombined(nodes n: Int) throws {
        let manifests = try ParsedManifests(spec("stores:\n  kafka: {engine: kafka, combined: \(n)}\n"))
        let sts = try manifests.one("StatefulSet", "kafka")
        let pods = (0..<n).map { SimulatedPod(statefulSet: sts, ordinal: $0) }
        let voters = try #require(pods[0].env["KAFKA_CONTROLLER_QUORUM_VOTERS"]).split(separator: ",").map(String.init)
        #expect(voters == (0..<n).map { "\($0)@kafka-\($0).kafka-headless.apps.svc.cluster.local:9093" })
        #expect(Set(pods.compactMap { $0.exportedInteger("KAFKA_NODE_ID") }) == Set(0..<n), "ids are the voters' ids")
        #expect(pods.allSatisfy { $0.env["KAFKA_PROCESS_ROLES"] == "broker,controller" })
        let rf = min(3, n), isr = max(1, rf - 1)
        #expect(pods[0].env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == String(rf), "default RF fits the brokers")
        let expected = min(tolerance(n), rf - isr)
        let pdb = manifests.find("PodDisruptionBudget", "kafka")
        #expect(expected > 0 ? pdb?.int("spec", "maxUnavailable") == expected : pdb == nil)
    }

    @Test(arguments: [1, 3, 5])
    func vault(members n: Int) throws {
        let manifests = try ParsedManifests(spec("stores:\n  vault: {engine: vault, members: \(n), tls: {issuer: ca, kind: Issuer}}\n"))
        let sts = try manifests.one("StatefulSet", "vault")
        #expect(sts.string("spec", "updateStrategy", "type") == "OnDelete")
        try expectGoverningService(manifests, statefulSet: sts, peerPort: 8201)
        let hcl = try #require(try manifests.one("ConfigMap", "vault-config").string("data", "vault.hcl"))
        // The raft stanza, by brace matching, must hold every retry_join; none may sit outside it.
        let stanza = try #require(Self.block(named: "storage \"raft\"", in: hcl))
        #expect(stanza.contains("path = \"/vault/data\""))
        let joins = stanza.components(separatedBy: "retry_join {").count - 1
        #expect(joins == n)
        #expect(hcl.components(separatedBy: "retry_join {").count - 1 == n, "no retry_join outside the storage stanza")
        for index in 0..<n {
            #expect(stanza.contains("leader_api_addr = \"https://vault-\(index).vault-headless.apps.svc.cluster.local:8200\""))
        }
        #expect(hcl.contains("disable_mlock = true"))
        #expect(hcl.contains("service_registration \"kubernetes\" {}"))
        #expect(!hcl.contains("ha_storage"))
        for ordinal in 0..<n {
            let pod = SimulatedPod(statefulSet: sts, ordinal: ordinal)
            #expect(pod.env["VAULT_RAFT_NODE_ID"] == pod.name, "node_id is the pod name")
            #expect(pod.env["VAULT_CLUSTER_ADDR"] == "https://\(pod.name).vault-headless.apps.svc.cluster.local:8201")
            #expect(pod.env["VAULT_API_ADDR"] == "https://\(pod.name).vault-headless.apps.svc.cluster.local:8200")
        }
        let container = sts.list("spec", "template", "spec", "containers")[0]
        #expect(container.string("readinessProbe", "httpGet", "scheme") == "HTTPS")
        #expect(container.string("readinessProbe", "httpGet", "path") == "/v1/sys/health?standbyok=true")
        #expect((container.map("securityContext", "capabilities")["add"]) == nil, "no IPC_LOCK: mlock is disabled")
        #expect(try manifests.one("Service", "vault-active").map("spec", "selector")["vault-active"] as? String == "true")
        let role = try manifests.one("Role", "vault")
        #expect((role.list("rules").first?["verbs"] as? [String]) == ["get", "update", "patch"])
        #expect(try manifests.one("ServiceAccount", "vault")["automountServiceAccountToken"] as? Bool == true)
        let certificate = try manifests.one("Certificate", "vault-tls")
        #expect((certificate["spec", "dnsNames"] as? [String])?.contains("*.vault-headless.apps.svc.cluster.local") == true)
        try expectQuorumBudget(manifests, "vault", members: n)
    }

    @Test(arguments: [1, 3, 5])
    func clickhouseWithKeeper(keeperMembers n: Int) throws {
        let manifests = try ParsedManifests(spec("stores:\n  ch: {engine: clickhouse, shards: 2, replicas: 2, keeper: {members: \(n)}}\n"))
        let keeper = try manifests.one("StatefulSet", "ch-keeper")
        try expectGoverningService(manifests, statefulSet: keeper, peerPort: 9234)
        let keeperXML = try #require(try manifests.one("ConfigMap", "ch-keeper-config").string("data", "keeper_config.xml"))
        let ids = Self.values(of: "id", in: keeperXML).compactMap(Int.init)
        #expect(ids.count == n && Set(ids).count == n, "raft ids unique")
        #expect(Self.values(of: "hostname", in: keeperXML) == (0..<n).map { "ch-keeper-\($0).ch-keeper-headless.apps.svc.cluster.local" })
        #expect(keeperXML.contains("<server_id from_env=\"KEEPER_SERVER_ID\"/>"))
        for ordinal in 0..<n {
            let pod = SimulatedPod(statefulSet: keeper, ordinal: ordinal)
            let serverId = try #require(pod.exportedInteger("KEEPER_SERVER_ID"))
            #expect(ids.contains(serverId), "a Keeper pod's server_id is one of the raft ids")
            let position = try #require(ids.firstIndex(of: serverId))
            #expect(Self.values(of: "hostname", in: keeperXML)[position].hasPrefix(pod.name + "."), "its own entry")
        }
        try expectQuorumBudget(manifests, "ch-keeper", members: n)

        let serverXML = try #require(try manifests.one("ConfigMap", "ch-config").string("data", "clusterspec.xml"))
        #expect(Self.values(of: "host", in: serverXML).filter { $0.contains("keeper") }
                == (0..<n).map { "ch-keeper-\($0).ch-keeper-headless.apps.svc.cluster.local" }, "zookeeper lists every Keeper")
        let replicaHosts = Self.values(of: "host", in: serverXML).filter { $0.contains("shard") }
        #expect(replicaHosts == [1, 2].flatMap { shard in (0..<2).map { "ch-shard\(shard)-\($0).ch-headless.apps.svc.cluster.local" } })
        #expect(serverXML.components(separatedBy: "<internal_replication>true</internal_replication>").count - 1 == 2)
        var replicaNames = Set<String>()
        for shard in [1, 2] {
            let sts = try manifests.one("StatefulSet", "ch-shard\(shard)")
            #expect(sts.string("spec", "serviceName") == "ch-headless")
            for ordinal in 0..<2 {
                let pod = SimulatedPod(statefulSet: sts, ordinal: ordinal)
                #expect(pod.env["CLICKHOUSE_SHARD"] == String(shard), "{shard} constant within a shard")
                #expect(replicaNames.insert(pod.env["CLICKHOUSE_REPLICA"] ?? "").inserted, "{replica} unique per pod")
                #expect(replicaHosts.contains(pod.env["CLICKHOUSE_INTERSERVER_HOST"] ?? ""), "interserver host is its remote_servers entry")
            }
            #expect(try manifests.one("PodDisruptionBudget", "ch-shard\(shard)").int("spec", "maxUnavailable") == 1)
        }
        let headless = try manifests.one("Service", "ch-headless")
        #expect(headless.map("spec", "selector")["app.kubernetes.io/component"] as? String == "clickhouse", "servers only, not Keeper")
    }

    @Test(arguments: [1, 3, 5])
    func postgres(instances n: Int) throws {
        if n == 1 {
            let manifests = try ParsedManifests(spec("secrets:\n  pg: {keys: [password]}\nstores:\n  pg: {engine: postgres, credentials: {secret: pg}}\n"))
            let sts = try manifests.one("StatefulSet", "pg")
            #expect(sts.int("spec", "replicas") == 1)
            let pod = SimulatedPod(statefulSet: sts, ordinal: 0)
            #expect(pod.env["PGDATA"] == "/var/lib/postgresql/data/pgdata", "PGDATA below the mount root (lost+found)")
            #expect(pod.env["POSTGRES_PASSWORD"] == "<secret pg/password>")
            let container = sts.list("spec", "template", "spec", "containers")[0]
            #expect(container.list("volumeMounts").contains { $0["mountPath"] as? String == "/var/lib/postgresql/data" })
            #expect((container["readinessProbe", "exec", "command"] as? [String]) == ["pg_isready", "-h", "127.0.0.1", "-U", "app", "-d", "pg"],
                    "over TCP: the entrypoint's init-only server listens on the Unix socket only")
            let shm = container.list("volumeMounts").first { $0["mountPath"] as? String == "/dev/shm" }?["name"] as? String
            let volumes = sts.list("spec", "template", "spec", "volumes")
            #expect(volumes.contains { $0["name"] as? String == shm && ($0["emptyDir"] as? [String: Any])?["medium"] as? String == "Memory" },
                    "/dev/shm is a memory emptyDir (the runtime's default is 64 MiB)")
            #expect((sts.int("spec", "template", "spec", "terminationGracePeriodSeconds") ?? 0) >= 90)
            #expect(manifests.find("PodDisruptionBudget", "pg") == nil)
        } else {
            let manifests = try ParsedManifests(spec("stores:\n  pg: {engine: postgres, mode: cloudnative-pg, instances: \(n)}\n"))
            let cluster = try manifests.one("Cluster", "pg")
            #expect(cluster.int("spec", "instances") == n)
            #expect(cluster["spec", "enablePDB"] as? Bool == true)
            #expect(cluster.string("spec", "bootstrap", "initdb", "database") == "pg")
            #expect(manifests.all("StatefulSet").isEmpty, "the operator runs the pods")
        }
    }

    @Test func replicatedPostgresWithoutHAIsAnError() throws {
        let text = spec("secrets:\n  pg: {keys: [password]}\nstores:\n  pg: {engine: postgres, instances: 3, credentials: {secret: pg}}\n")
        let spec = try #require(SpecParser.parse(file: "x.cluster.yaml", bytes: Array(text.utf8)).spec)
        #expect(RuleRegistry.check(spec).map(\.id).filter { !$0.hasPrefix("resources-") } == ["postgres-replicas-need-ha"])
    }

    @Test func statefulServicePeersAreRenderedFromTheTopology() throws {
        let manifests = try ParsedManifests(spec("""
            statefulServices:
              cache:
                image: x/cache:1.0
                replicas: 5
                ports: {client: 8080, dist: 7946}
                peers: {port: dist, listEnv: SEEDS, selfEnv: SELF}
            """))
        let sts = try manifests.one("StatefulSet", "cache")
        try expectGoverningService(manifests, statefulSet: sts, peerPort: 7946)
        let seeds = (0..<5).map { "cache-\($0).cache-headless.apps.svc.cluster.local:7946" }
        for ordinal in 0..<5 {
            let pod = SimulatedPod(statefulSet: sts, ordinal: ordinal)
            #expect(pod.env["SEEDS"] == seeds.joined(separator: ","))
            #expect(pod.env["SELF"] == seeds[ordinal])
        }
        #expect(try manifests.one("PodDisruptionBudget", "cache").int("spec", "maxUnavailable") == 1)
    }

    @Test func kafkaClusterIdIsDerivedNotRandom() throws {
        let first = try ParsedManifests(spec("stores:\n  kafka: {engine: kafka}\n"))
        let second = try ParsedManifests(spec("stores:\n  kafka: {engine: kafka}\n"))
        let id = try first.one("Secret", "kafka-cluster-id").string("stringData", "cluster-id")
        #expect(id == (try second.one("Secret", "kafka-cluster-id").string("stringData", "cluster-id")))
        let other = try ParsedManifests(spec("stores:\n  events: {engine: kafka}\n"))
        #expect(id != (try other.one("Secret", "events-cluster-id").string("stringData", "cluster-id")), "another cluster gets another id")
        let fixed = try ParsedManifests(spec("stores:\n  kafka: {engine: kafka, clusterId: MkU3OEVBNTcwNTJENDM2Qk}\n"))
        #expect(try fixed.one("Secret", "kafka-cluster-id").string("stringData", "cluster-id") == "MkU3OEVBNTcwNTJENDM2Qk")
    }

    /// The text between the braces of the first `<name> {` block.
    static func block(named name: String, in text: String) -> String? {
        guard let start = text.range(of: name + " {") else { return nil }
        var depth = 1
        var index = start.upperBound
        while index < text.endIndex {
            if text[index] == "{" { depth += 1 }
            if text[index] == "}" {
                depth -= 1
                if depth == 0 { return String(text[start.upperBound..<index]) }
            }
            index = text.index(after: index)
        }
        return nil
    }

    /// Every `<tag>value</tag>` value, in order.
    static func values(of tag: String, in xml: String) -> [String] {
        xml.components(separatedBy: "<\(tag)>").dropFirst().compactMap { $0.components(separatedBy: "</\(tag)>").first }
    }
}
