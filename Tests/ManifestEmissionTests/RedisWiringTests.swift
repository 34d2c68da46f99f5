import Foundation
import Testing
import SpecModel
import SpecParsing
import SpecRules
import ManifestEmission

/// Redis with Sentinel, read back from the emitted YAML, and its start scripts run with `/bin/sh`
/// against a scripted CLI (`ShellSandbox`): which server each pod follows, what each sentinel
/// monitors, the quorum and the budgets.
@Suite("Redis wiring for 1 and 3 servers, 3 and 5 sentinels, TLS on and off")
struct RedisWiringTests {
    static let domain = "apps.svc.cluster.local"
    static func server(_ ordinal: Int) -> String { "cache-\(ordinal).cache-headless.\(domain)" }
    static func sentinel(_ ordinal: Int) -> String { "cache-sentinel-\(ordinal).cache-sentinel-headless.\(domain)" }

    private static func manifests(_ settings: String, secret: Bool = true) throws -> ParsedManifests {
        try ParsedManifests(spec((secret ? "secrets:\n  cache-auth: {keys: [password]}\n" : "") + "stores:\n  cache: {engine: redis, \(settings)}\n"))
    }

    private static func file(_ manifests: ParsedManifests, _ configMap: String, _ key: String) throws -> String {
        try #require(try manifests.one("ConfigMap", configMap).string("data", key), "ConfigMap \(configMap) has no \(key)")
    }

    /// `key value…` lines of a Redis configuration file, comments left out.
    private static func directives(_ config: String) -> [String] {
        config.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty }
    }

    /// Runs a server pod's start script; `answers` prepares the sentinels' replies.
    private static func startServer(_ manifests: ParsedManifests, ordinal: Int, data: Bool = false,
                                     answers: (ShellSandbox) throws -> Void = { _ in }) throws -> (sandbox: ShellSandbox, config: String, output: String) {
        let sts = try manifests.one("StatefulSet", "cache")
        let pod = SimulatedPod(statefulSet: sts, ordinal: ordinal)
        let sandbox = try ShellSandbox()
        try sandbox.write("etc/redis.conf", try file(manifests, "cache-config", "redis.conf"))
        if data { try sandbox.write("data/dump.rdb", "REDIS0011") }
        try answers(sandbox)
        // A standalone server's script has no data directory to look at.
        let standalone = manifests.find("StatefulSet", "cache-sentinel") == nil
        let run = try sandbox.run(try file(manifests, "cache-config", "start.sh"),
                                  relocating: ["template": "etc/redis.conf", "config": "run/redis.conf"].merging(standalone ? [:] : ["data": "data"]) { $1 },
                                  environment: ["POD_FQDN": try #require(pod.env["POD_FQDN"]), "REDISCLI_AUTH": "s3cret \"quoted\" \\ back"])
        #expect(run.status == 0, "start.sh of \(pod.name) failed:\n\(run.output)")
        #expect(sandbox.log("exec.log") == ["redis-server \(sandbox.path("run/redis.conf"))"], "\(run.output)")
        return (sandbox, sandbox.read("run/redis.conf") ?? "", run.output)
    }

    /// Runs a sentinel pod's start script.
    private static func startSentinel(_ manifests: ParsedManifests, ordinal: Int,
                                      answers: (ShellSandbox) throws -> Void = { _ in }) throws -> (sandbox: ShellSandbox, config: String) {
        let sts = try manifests.one("StatefulSet", "cache-sentinel")
        let pod = SimulatedPod(statefulSet: sts, ordinal: ordinal)
        let sandbox = try ShellSandbox()
        try sandbox.write("etc/sentinel.conf", try file(manifests, "cache-sentinel-config", "sentinel.conf"))
        try answers(sandbox)
        let run = try sandbox.run(try file(manifests, "cache-sentinel-config", "start.sh"),
                                  relocating: ["template": "etc/sentinel.conf", "config": "run/sentinel.conf"],
                                  environment: ["POD_FQDN": try #require(pod.env["POD_FQDN"]), "REDISCLI_AUTH": "s3cret"])
        #expect(run.status == 0, "start.sh of \(pod.name) failed:\n\(run.output)")
        #expect(sandbox.log("exec.log") == ["redis-sentinel \(sandbox.path("run/sentinel.conf"))"], "\(run.output)")
        return (sandbox, sandbox.read("run/sentinel.conf") ?? "")
    }

    /// A sentinel's reply to `SENTINEL get-master-addr-by-name cache`.
    private static func names(_ sandbox: ShellSandbox, sentinel ordinal: Int, primary: String, call: Int? = nil) throws {
        try sandbox.answer(sentinel(ordinal), 26379, "SENTINEL get-master-addr-by-name cache", "\(primary)\n6379\n", call: call)
    }

    // MARK: Standalone

    @Test func standaloneServer() throws {
        let manifests = try Self.manifests("auth: {secret: cache-auth}")
        let sts = try manifests.one("StatefulSet", "cache")
        #expect(sts.int("spec", "replicas") == 1)
        try expectGoverningService(manifests, statefulSet: sts, peerPort: 6379)
        let client = try manifests.one("Service", "cache")
        #expect(client["spec", "publishNotReadyAddresses"] == nil)
        #expect(manifests.find("StatefulSet", "cache-sentinel") == nil && manifests.find("ConfigMap", "cache-sentinel-config") == nil)
        #expect(manifests.find("PodDisruptionBudget", "cache") == nil, "a single server must not get a budget that blocks drains")
        let start = try Self.startServer(manifests, ordinal: 0)
        #expect(start.sandbox.log("calls.log").isEmpty, "a standalone server asks nobody")
        let directives = Self.directives(start.config)
        #expect(!directives.contains { $0.hasPrefix("replicaof") || $0.hasPrefix("replica-announce-ip") })
        #expect(directives.contains(#"requirepass "s3cret \"quoted\" \\ back""#), "the password, quoted as Redis reads it")
        #expect(directives.contains("appendonly yes") && directives.contains("appendfsync everysec"), "AOF by default")
        #expect(directives.contains("port 6379") && directives.contains("dir /data") && directives.contains("protected-mode no"))
    }

    // MARK: Sentinel mode

    @Test(arguments: [(3, 3), (3, 5), (2, 3)])
    func sentinelGroup(replicas: Int, sentinels: Int) throws {
        let manifests = try Self.manifests("replicas: \(replicas), sentinels: \(sentinels), auth: {secret: cache-auth}")
        let servers = try manifests.one("StatefulSet", "cache"), watchers = try manifests.one("StatefulSet", "cache-sentinel")
        #expect(servers.int("spec", "replicas") == replicas && watchers.int("spec", "replicas") == sentinels)
        try expectGoverningService(manifests, statefulSet: servers, peerPort: 6379)
        try expectGoverningService(manifests, statefulSet: watchers, peerPort: 26379)
        #expect(manifests.find("Service", "cache") == nil, "no Service in front of the servers: it would send writes to replicas")
        #expect(try manifests.one("Service", "cache-sentinel").list("spec", "ports").map { $0["port"] as? Int } == [26379])
        try expectQuorumBudget(manifests, "cache-sentinel", members: sentinels)
        #expect(try manifests.one("PodDisruptionBudget", "cache").int("spec", "maxUnavailable") == 1, "servers leave one at a time")

        // The configuration: hostnames on, then one monitor line with a majority quorum, then its options.
        let quorum = sentinels / 2 + 1
        let template = Self.directives(try Self.file(manifests, "cache-sentinel-config", "sentinel.conf"))
        let monitor = "sentinel monitor cache \(Self.server(0)) 6379 \(quorum)"
        let expectedOrder = ["sentinel resolve-hostnames yes", "sentinel announce-hostnames yes", monitor,
                             "sentinel down-after-milliseconds cache 30000", "sentinel failover-timeout cache 180000", "sentinel parallel-syncs cache 1"]
        #expect(template.filter { $0.hasPrefix("sentinel ") } == expectedOrder)

        // A group's first start: no sentinel answers yet, so every sentinel monitors ordinal 0, identically.
        var monitors: Set<String> = []
        for ordinal in 0..<sentinels {
            let start = try Self.startSentinel(manifests, ordinal: ordinal)
            let config = Self.directives(start.config)
            monitors.formUnion(config.filter { $0.hasPrefix("sentinel monitor ") })
            #expect(config.contains("sentinel announce-ip \(Self.sentinel(ordinal))"), "each sentinel announces its own hostname")
            #expect(config.contains(#"requirepass "s3cret""#) && config.contains(#"sentinel auth-pass cache "s3cret""#))
            let asked = start.sandbox.log("calls.log")
            #expect(!asked.contains { $0.hasPrefix(Self.sentinel(ordinal) + " ") }, "a sentinel does not ask itself")
            #expect(Set(asked) == Set((0..<sentinels).filter { $0 != ordinal }.map { "\(Self.sentinel($0)) 26379 SENTINEL get-master-addr-by-name cache" }
                                      + (0..<replicas).map { "\(Self.server($0)) 6379 ROLE" }))
        }
        #expect(monitors == [monitor], "every sentinel monitors the same primary with the same quorum")

        // A sentinel joining a running group monitors the primary its peers name…
        let peer = (sentinels - 1) % sentinels
        let joining = try Self.startSentinel(manifests, ordinal: 0) { try Self.names($0, sentinel: peer, primary: Self.server(replicas - 1)) }
        #expect(Self.directives(joining.config).contains("sentinel monitor cache \(Self.server(replicas - 1)) 6379 \(quorum)"))
        // …and, when no sentinel answers, the server that reports itself primary.
        let recovering = try Self.startSentinel(manifests, ordinal: 0) {
            try $0.answer(Self.server(1), 6379, "ROLE", "master\n120\n")
            try $0.answer(Self.server(0), 6379, "ROLE", "slave\n\(Self.server(1))\n6379\nconnected\n120\n")
        }
        #expect(Self.directives(recovering.config).contains("sentinel monitor cache \(Self.server(1)) 6379 \(quorum)"))

        // Servers: with no sentinel answering, ordinal 0 bootstraps and every other server follows it.
        for ordinal in 0..<replicas {
            let start = try Self.startServer(manifests, ordinal: ordinal)
            let config = Self.directives(start.config)
            #expect(config.contains("replica-announce-ip \(Self.server(ordinal))"))
            #expect(config.filter { $0.hasPrefix("replicaof") } == (ordinal == 0 ? [] : ["replicaof \(Self.server(0)) 6379"]))
            #expect(config.contains(#"masterauth "s3cret \"quoted\" \\ back""#))
            let asked = Set(start.sandbox.log("calls.log").filter { $0.hasSuffix("get-master-addr-by-name cache") })
            #expect(asked == Set((0..<sentinels).map { "\(Self.sentinel($0)) 26379 SENTINEL get-master-addr-by-name cache" }), "every sentinel is asked")
        }
        // After a failover the sentinels name another server: the former primary (ordinal 0) follows it.
        let promoted = replicas - 1
        for ordinal in 0..<replicas {
            let start = try Self.startServer(manifests, ordinal: ordinal, data: true) { try Self.names($0, sentinel: sentinels - 1, primary: Self.server(promoted)) }
            let replicaof = Self.directives(start.config).filter { $0.hasPrefix("replicaof") }
            #expect(replicaof == (ordinal == promoted ? [] : ["replicaof \(Self.server(promoted)) 6379"]), "\(ordinal): \(replicaof)")
        }
    }

    @Test func anEmptyServerNamedPrimaryWaitsForTheSentinelsToPromoteAReplica() throws {
        let manifests = try Self.manifests("replicas: 3, auth: {secret: cache-auth}")
        // The sentinels still name cache-1 (whose volume was lost) twice, then cache-0 after the failover.
        let lost = try Self.startServer(manifests, ordinal: 1) { sandbox in
            try Self.names(sandbox, sentinel: 0, primary: Self.server(1), call: 1)
            try Self.names(sandbox, sentinel: 0, primary: Self.server(1), call: 2)
            try Self.names(sandbox, sentinel: 0, primary: Self.server(0))
            try sandbox.answer(Self.sentinel(0), 26379, "SENTINEL replicas cache", "name\n\(Self.server(0)):6379\nflags\nslave\n")
        }
        #expect(lost.output.contains("waiting for them to promote a replica"), "\(lost.output)")
        #expect(Self.directives(lost.config).filter { $0.hasPrefix("replicaof") } == ["replicaof \(Self.server(0)) 6379"])
        // With its data it restarts as the primary; in a group's first start (no replicas known) ordinal 0 starts empty.
        let restarted = try Self.startServer(manifests, ordinal: 1, data: true) { try Self.names($0, sentinel: 0, primary: Self.server(1)) }
        #expect(Self.directives(restarted.config).filter { $0.hasPrefix("replicaof") }.isEmpty)
        let first = try Self.startServer(manifests, ordinal: 0) { try Self.names($0, sentinel: 2, primary: Self.server(0)) }
        #expect(Self.directives(first.config).filter { $0.hasPrefix("replicaof") }.isEmpty && !first.output.contains("waiting"))
    }

    @Test func failoverSettingsReachEverySentinel() throws {
        let manifests = try Self.manifests("replicas: 3, sentinels: 5, failover: {quorum: 2, downAfter: 5s, timeout: 1m30s, parallelSyncs: 2}")
        let sentinel = Self.directives(try Self.file(manifests, "cache-sentinel-config", "sentinel.conf"))
        #expect(sentinel.contains("sentinel monitor cache \(Self.server(0)) 6379 2"))
        #expect(sentinel.contains("sentinel down-after-milliseconds cache 5000") && sentinel.contains("sentinel failover-timeout cache 90000"))
        #expect(sentinel.contains("sentinel parallel-syncs cache 2"))
    }

    // MARK: TLS, flavour, persistence

    @Test(arguments: [false, true])
    func tls(enabled: Bool) throws {
        let manifests = try Self.manifests("replicas: 3" + (enabled ? ", tls: {issuer: ca, kind: Issuer}" : ""), secret: false)
        let server = Self.directives(try Self.file(manifests, "cache-config", "redis.conf"))
        let sentinel = Self.directives(try Self.file(manifests, "cache-sentinel-config", "sentinel.conf"))
        let tlsLines = ["tls-cert-file /etc/redis-tls/tls.crt", "tls-key-file /etc/redis-tls/tls.key", "tls-ca-cert-file /etc/redis-tls/ca.crt",
                        "tls-replication yes", "tls-auth-clients optional"]
        if enabled {
            #expect(server.contains("port 0") && server.contains("tls-port 6379") && Set(tlsLines).isSubset(of: Set(server)))
            #expect(sentinel.contains("port 0") && sentinel.contains("tls-port 26379") && Set(tlsLines).isSubset(of: Set(sentinel)))
            let certificate = try manifests.one("Certificate", "cache-tls")
            let names = Set(certificate["spec", "dnsNames"] as? [String] ?? [])
            #expect(names.isSuperset(of: ["*.cache-headless.apps.svc.cluster.local", "*.cache-sentinel-headless.apps.svc.cluster.local",
                                          "cache-sentinel.apps.svc.cluster.local", "localhost"]))
        } else {
            #expect(server.contains("port 6379") && sentinel.contains("port 26379"))
            #expect(!(server + sentinel).contains { $0.hasPrefix("tls-") })
            #expect(manifests.find("Certificate", "cache-tls") == nil)
        }
        for name in ["cache", "cache-sentinel"] {
            let container = try manifests.one("StatefulSet", name).list("spec", "template", "spec", "containers")[0]
            let mounts = container.list("volumeMounts").compactMap { $0["mountPath"] as? String }
            #expect(mounts.contains("/etc/redis-tls") == enabled, "\(name) mounts \(mounts)")
            let probe = (container["livenessProbe", "exec", "command"] as? [String]) ?? []
            #expect(probe.contains("--tls") == enabled && probe.contains("--cacert") == enabled, "\(probe)")
        }
        // The scripts' own CLI calls use TLS as well.
        let start = try Self.startServer(manifests, ordinal: 1)
        #expect(!start.sandbox.log("argv.log").isEmpty && start.sandbox.log("argv.log").allSatisfy { $0.hasPrefix("--tls --cacert /etc/redis-tls/ca.crt ") == enabled })
    }

    @Test func standaloneURLFollowsTLS() throws {
        func facts(_ settings: String) throws -> [String: String] {
            let text = spec("stores:\n  cache: {engine: redis\(settings)}\n")
            let system = try #require(SpecParser.parse(file: "x.cluster.yaml", bytes: Array(text.utf8)).spec)
            let facts = try #require(Connections.facts(for: "cache", in: SystemIndex(system), domain: system.clusterDomain.value)).facts
            return Dictionary(uniqueKeysWithValues: facts.map { fact -> (String, String) in
                switch fact.value {
                case .literal(let value): return (fact.name, value)
                case .secretKey(let secret, let key): return (fact.name, "<\(secret)/\(key)>")
                }
            })
        }
        #expect(try facts("") == ["host": "cache.apps.svc.cluster.local", "port": "6379", "url": "redis://cache.apps.svc.cluster.local:6379"])
        #expect(try facts(", tls: {secret: cache-tls}")["url"] == "rediss://cache.apps.svc.cluster.local:6379")
        #expect(try facts(", replicas: 3, sentinels: 5, auth: {secret: cache-auth}") == [
            "sentinels": (0..<5).map { "\(Self.sentinel($0)):26379" }.joined(separator: ","), "masterName": "cache", "password": "<cache-auth/password>",
        ])
    }

    @Test func valkeyFlavour() throws {
        let manifests = try Self.manifests("flavor: valkey, replicas: 3, tls: {issuer: ca, kind: Issuer}")
        for (name, program) in [("cache", "valkey-server"), ("cache-sentinel", "valkey-sentinel")] {
            let sts = try manifests.one("StatefulSet", name)
            let container = sts.list("spec", "template", "spec", "containers")[0]
            #expect(container.string("image") == "valkey/valkey:8.1")
            #expect((container["command"] as? [String]) == ["/bin/sh", "/etc/valkey/start.sh"])
            #expect((container["livenessProbe", "exec", "command"] as? [String])?.first == "valkey-cli")
            let mounts = Set(container.list("volumeMounts").compactMap { $0["mountPath"] as? String })
            #expect(mounts.isSuperset(of: ["/etc/valkey", "/run/valkey", "/etc/valkey-tls"]))
            let script = try Self.file(manifests, "\(name)-config", "start.sh")
            #expect(script.contains("exec \(program) \"$config\"") && script.contains("timeout 3 valkey-cli --tls") && !script.contains("redis-"))
        }
        #expect(Self.directives(try Self.file(manifests, "cache-config", "valkey.conf")).contains("tls-port 6379"))
        let pinned = try Self.manifests("flavor: valkey, version: \"8.0\"", secret: false)
        #expect(try pinned.one("StatefulSet", "cache").list("spec", "template", "spec", "containers")[0].string("image") == "valkey/valkey:8.0")
        #expect(try Self.manifests("version: \"7.2\"", secret: false).one("StatefulSet", "cache")
            .list("spec", "template", "spec", "containers")[0].string("image") == "redis:7.2")
    }

    @Test func persistenceAndMemory() throws {
        let none = Self.directives(try Self.file(try Self.manifests("persistence: none, maxmemory: 1Gi, maxmemoryPolicy: allkeys-lfu", secret: false),
                                                 "cache-config", "redis.conf"))
        #expect(none.contains("appendonly no") && none.contains("save \"\""))
        #expect(none.contains("maxmemory 1073741824") && none.contains("maxmemory-policy allkeys-lfu"))
        let rdb = Self.directives(try Self.file(try Self.manifests("persistence: rdb", secret: false), "cache-config", "redis.conf"))
        #expect(rdb.contains("appendonly no") && !rdb.contains { $0.hasPrefix("save") || $0.hasPrefix("maxmemory") })
    }

    /// The root filesystem is read-only: everything the scripts and servers write is a writable mount.
    @Test func everyWrittenPathIsAMount() throws {
        let manifests = try Self.manifests("replicas: 3")
        for (name, written) in [("cache", ["/data", "/run/redis"]), ("cache-sentinel", ["/run/redis"])] {
            let pod = try manifests.one("StatefulSet", name).map("spec", "template", "spec")
            let container = pod.list("containers")[0]
            #expect(container.map("securityContext")["readOnlyRootFilesystem"] as? Bool == true)
            let writable = Set(container.list("volumeMounts").filter { $0["readOnly"] as? Bool != true }.compactMap { $0["mountPath"] as? String })
            #expect(writable == Set(written), "\(name) writes \(written), mounts \(writable) writable")
            let script = try Self.file(manifests, "\(name)-config", "start.sh")
            let config = try #require(script.split(separator: "\n").first { $0.hasPrefix("config=") })
            #expect(written.contains { config.dropFirst("config=".count).hasPrefix($0 + "/") }, "\(config)")
        }
        let sentinel = Self.directives(try Self.file(manifests, "cache-sentinel-config", "sentinel.conf"))
        #expect(sentinel.contains("dir /run/redis"))
    }

    // MARK: Decoding

    @Test(arguments: [
        ("sentinels: 3, replicas: 1, failover: {quorum: 0}", "'failover.quorum' must be"),
        ("failover: {downAfter: 5s}", "'failover' configures the sentinels"),
        ("sentinelResources: {requests: {cpu: 10m}}", "'sentinelResources' configures the sentinels"),
        ("maxmemoryPolicy: allkeys-lru", "'maxmemoryPolicy' only applies with a 'maxmemory'"),
        ("maxmemory: 100m", "'maxmemory' is a number of bytes"),
        ("auth: {}", "'auth' needs 'secret'"),
        ("flavor: keydb", "'keydb' is not a valid Redis flavor"),
        ("persistence: always", "'always' is not a valid Redis persistence"),
        ("replicas: 3, failover: {timeout: 0s}", "'failover.timeout' must be a positive duration"),
        ("replicas: 3, failover: {downAfter: soon}", "'soon' is not a duration"),
        ("members: 3", "unknown key 'members'"),
    ])
    func badSettingsAreInputErrors(settings: String, message: String) {
        let text = spec("stores:\n  cache: {engine: redis, \(settings)}\n")
        let diagnostics = SpecParser.parse(file: "x.cluster.yaml", bytes: Array(text.utf8)).diagnostics
        #expect(diagnostics.contains { $0.severity == .error && $0.message.contains(message) }, "\(diagnostics.map(\.message))")
    }

    // MARK: Rules

    /// Sentinels are a quorum group: the generic quorum rules judge them without Redis-specific copies.
    @Test func genericQuorumRulesJudgeTheSentinels() throws {
        func findings(_ settings: String, environment: String? = "prod") throws -> [String] {
            let text = spec("secrets:\n  cache-auth: {keys: [password]}\nstores:\n  cache: {engine: redis, auth: {secret: cache-auth}, resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 100m, memory: 64Mi}}, \(settings)}\n")
            let system = try #require(SpecParser.parse(file: "x.cluster.yaml", bytes: Array(text.utf8)).spec)
            // store-plaintext (a store outside a deny-by-default namespace) has its own tests.
            return RuleRegistry.check(system, environment: environment).filter { $0.id != "store-plaintext" }.map { "\($0.id): \($0.message)" }
        }
        let clean = try findings("replicas: 3")
        #expect(clean.isEmpty, "\(clean)")
        #expect(try findings("replicas: 3, sentinels: 4").contains { $0.hasPrefix("quorum-size-odd: Redis sentinels 'cache-sentinel' has 4 members") })
        #expect(try findings("replicas: 3, sentinels: 1").contains { $0.hasPrefix("quorum-size-odd: Redis sentinels 'cache-sentinel' has 1 member") })
        #expect(try findings("replicas: 3, sentinels: 3, pdb: {maxUnavailable: 2}").contains { $0.hasPrefix("pdb-keeps-quorum: PodDisruptionBudget for 'cache-sentinel'") })
        #expect(try findings("replicas: 3, sentinels: 3, placement: {zones: required, zoneCount: 2}").contains { $0.hasPrefix("zone-loss-keeps-quorum:") && $0.contains("cache-sentinel") })
        #expect(try findings("replicas: 3, sentinels: 3, placement: {zones: required, zoneCount: 3}").isEmpty)
        #expect(try findings("sentinels: 3").map { $0.components(separatedBy: ":")[0] } == ["redis-sentinels-need-replicas"])
    }
}
