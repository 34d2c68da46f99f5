import SpecModel

extension RedisSettings: EngineEmitting {
    func resources(of store: StoreSpec, kit: StatefulToolkit) -> [Resource] {
        RedisEmitter(kit: kit, store: store, redis: self).resources()
    }
}

/// Redis or Valkey: a StatefulSet of servers and, with sentinels, a StatefulSet of sentinels that
/// monitor them by hostname and promote a replica when the primary fails.
///
/// No server is a primary by its ordinal: each one's start script (`start.sh`, in the role's
/// ConfigMap) asks the sentinels which server is the primary and follows it, so a restarted former
/// primary comes back as a replica before it accepts a client. Only when no sentinel answers does
/// ordinal 0 start as the primary (a group's first start). A server the sentinels name primary
/// while its volume is empty and they know replicas waits for them to promote one instead of
/// replacing the replicas' data with nothing. Sentinels rewrite their configuration, so theirs is
/// copied into an emptyDir on a pod's first start; a new sentinel monitors the primary its peers
/// name (else the server reporting itself primary, else ordinal 0).
struct RedisEmitter {
    let kit: StatefulToolkit
    let store: StoreSpec
    let redis: RedisSettings

    static let dataDirectory = "/data"
    static let startScript = "start.sh"
    static let readyScript = "ready.sh"
    static let sentinelConfig = "sentinel.conf"

    private var name: String { store.name.value }
    private var namespace: String { store.namespace.value }
    private var at: SourceLocation { store.name.location }
    private var flavor: RedisFlavor { redis.flavor.value }
    /// The role's ConfigMap (read-only), the generated configuration (an emptyDir) and the TLS Secret.
    private var configDirectory: String { "/etc/\(flavor.rawValue)" }
    private var runDirectory: String { "/run/\(flavor.rawValue)" }
    private var tlsDirectory: String { redis.tlsDirectory }
    private var serverConfig: String { "\(flavor.rawValue).conf" }
    private var tlsSecret: String? { kit.tlsSecret(for: store.tls, owner: name) }
    private var masterName: String { RedisSettings.masterName(name) }

    func resources() -> [Resource] {
        var resources = kit.identity(store: store)
        let roles = redis.roles(named: name)
        for role in roles {
            resources += role.kind == RedisSettings.sentinel ? sentinelResources(role) : serverResources(role)
        }
        if case .issuer(let issuer, let kind) = store.tls?.source {
            resources.append(kit.certificate(name: Topology.tlsSecret(name), namespace: namespace,
                                             labels: kit.labels(store: store, name: name, component: RedisSettings.server.component),
                                             issuer: issuer.value, kind: kind.value, headless: roles.map(\.headless),
                                             clients: roles.filter { clientService(of: $0) }.map(\.name), origin: store.tls?.location ?? at))
        }
        return resources
    }

    /// Clients reach a standalone server and the sentinels through a Service; with sentinels no
    /// Service fronts the servers: it would send writes to replicas.
    private func clientService(of role: StoreRole) -> Bool { role.kind == RedisSettings.sentinel || !redis.hasSentinels }

    // MARK: Roles

    private func serverResources(_ role: StoreRole) -> [Resource] {
        let files = [(serverConfig, serverConfiguration()), (Self.startScript, serverStartScript()), (Self.readyScript, readyScript())]
        let ping = Located(cli(host: "127.0.0.1", port: RedisSettings.serverPort) + ["PING"], at: at)
        let health = HealthSpec(
            liveness: StatefulToolkit.probe(.exec(command: ping), period: 10, timeout: 5, failures: 6, at: at),
            // A replica is ready once its link to the primary is up: a rollout stops the next server only then.
            readiness: StatefulToolkit.probe(.exec(command: Located(["/bin/sh", "\(configDirectory)/\(Self.readyScript)"], at: at)),
                                             period: 5, timeout: 5, failures: 3, at: at),
            // Loading a large append-only file, or waiting for the sentinels to promote a replica, takes time.
            startup: StatefulToolkit.probe(.exec(command: ping), period: 5, timeout: 5, failures: 60, at: at),
            location: at)
        let data = StatefulToolkit.volume(RedisSettings.dataClaim, .claimTemplate(store.storage), at: Self.dataDirectory, location: at)
        let budget = store.pdb.map { $0.budget?.value } ?? (redis.replicas.value > 1 ? .maxUnavailable(.count(1)) : nil)
        return roleResources(role, files: files, volumes: [data], health: health, resources: store.resources, containerName: flavor.rawValue,
                             budget: budget, origin: redis.replicas.location)
    }

    private func sentinelResources(_ role: StoreRole) -> [Resource] {
        let files = [(Self.sentinelConfig, sentinelConfiguration()), (Self.startScript, sentinelStartScript())]
        let ping = cli(host: "127.0.0.1", port: RedisSettings.sentinelPort) + ["PING"]
        let pong = Located(["/bin/sh", "-c", Self.shellWords(ping) + " | grep -qx PONG"], at: at)
        let health = HealthSpec(
            liveness: StatefulToolkit.probe(.exec(command: Located(ping, at: at)), period: 10, timeout: 5, failures: 6, at: at),
            readiness: StatefulToolkit.probe(.exec(command: pong), period: 5, timeout: 5, failures: 3, at: at),
            startup: StatefulToolkit.probe(.exec(command: Located(ping, at: at)), period: 2, timeout: 5, failures: 60, at: at),
            location: at)
        let budget = StatefulToolkit.quorumBudget(members: role.replicas.value, explicit: store.pdb)
        return roleResources(role, files: files, volumes: [], health: health, resources: redis.sentinelResources ?? store.resources,
                             containerName: RedisSettings.sentinelContainer, budget: budget, origin: role.replicas.location)
    }

    /// A role's ConfigMap, StatefulSet, headless Service, client Service and budget.
    private func roleResources(_ role: StoreRole, files: [(String, String)], volumes extra: [VolumeSpec], health: HealthSpec,
                               resources: ResourcesSpec?, containerName: String, budget: DisruptionBudget?, origin: SourceLocation) -> [Resource] {
        let statefulSet = role.name, component = role.kind.component
        let configMap = Topology.configMap(statefulSet)
        var env = [
            StatefulToolkit.fieldEnv("POD_NAME", "metadata.name", at: at),
            // The name this pod announces to the sentinels and replicas (Sentinel's hostname support).
            StatefulToolkit.env("POD_FQDN", Topology.selfFQDN(statefulSet, namespace: namespace, domain: kit.domain), at: at),
        ]
        if let secret = redis.authSecret {
            // Read by the start script for the configuration, and by the CLI in scripts and probes.
            env.append(StatefulToolkit.secretEnv(Self.passwordVariable, secret: secret.value, key: RedisSettings.passwordKey, at: secret.location))
        }
        var volumes = extra + [
            StatefulToolkit.volume("config", .configMap(Located(configMap, at: at)), at: configDirectory, readOnly: true, location: at),
            StatefulToolkit.volume("run", .emptyDir(sizeLimit: nil, inMemory: false), at: runDirectory, location: at),
        ]
        if let tlsSecret {
            volumes.append(StatefulToolkit.volume("tls", .secret(Located(tlsSecret, at: store.tls?.location ?? at)), at: tlsDirectory,
                                                  readOnly: true, location: at))
        }
        let container = kit.container(store: store, command: ["/bin/sh", "\(configDirectory)/\(Self.startScript)"], ports: role.ports, env: env,
                                      volumes: volumes, health: health, resources: .some(resources))
        let workload = kit.workload(store: store, statefulSet: statefulSet, container: container)
        let labels = kit.labels(store: store, name: statefulSet, component: component)
        let selector = Labels.selector(workload: statefulSet, system: kit.systemName)
        let hash = StableHash.hex(files.map { "\($0.0)\n\($0.1)" }.joined(separator: "\n"))
        var resources = [
            Resource(apiVersion: "v1", kind: "ConfigMap", metadata: ObjectMeta(name: configMap, namespace: namespace, labels: labels), origin: origin,
                     fields: ["data": .map(files.map { ManifestValue.Entry($0.0, .string($0.1)) })]),
            kit.statefulSet(workload, replicas: role.replicas.value, serviceName: role.headless, component: component, containerName: containerName,
                            extraAnnotations: [("clusterspec.io/config-hash", hash)], origin: origin),
            kit.service(name: role.headless, namespace: namespace, labels: labels, selector: selector, ports: role.ports, headless: true,
                        origin: origin),
        ]
        if clientService(of: role) {
            resources.append(kit.service(name: statefulSet, namespace: namespace, labels: labels, selector: selector, ports: role.ports,
                                         headless: false, origin: origin))
        }
        if let budget {
            resources.append(kit.disruptionBudget(name: statefulSet, namespace: namespace, labels: labels, selector: selector, budget: budget,
                                                  origin: store.pdb?.budget?.location ?? origin))
        }
        return resources
    }

    // MARK: Configuration files

    /// The variable holding the password: the CLI reads it (`REDISCLI_AUTH`, which valkey-cli also honours).
    static let passwordVariable = "REDISCLI_AUTH"

    /// Listener and TLS lines shared by servers and sentinels.
    private func listener(_ port: NamedPort) -> [String] {
        guard tlsSecret != nil else { return ["port \(port.number)"] }
        return ["port 0", "tls-port \(port.number)", "tls-cert-file \(tlsDirectory)/tls.crt", "tls-key-file \(tlsDirectory)/tls.key",
                "tls-ca-cert-file \(tlsDirectory)/ca.crt",
                // Servers and sentinels present their certificate to each other; clients may bring one.
                "tls-auth-clients optional", "tls-replication yes"]
    }

    /// The servers' configuration, identical in every pod; `start.sh` adds the pod's own lines.
    func serverConfiguration() -> String {
        var lines = ["# \(flavor.title) server of store '\(name)', written by clusterspec. \(Self.startScript) copies it to",
                     "# \(runDirectory)/\(serverConfig) and adds this pod's announced hostname, the password and the primary it follows."]
        lines += listener(RedisSettings.serverPort)
        lines += ["protected-mode no", "dir \(Self.dataDirectory)"]
        switch redis.persistence.value {
        case .aof: lines += ["appendonly yes", "appendfsync everysec"]
        case .rdb: lines += ["appendonly no"]
        case .none: lines += ["appendonly no", "save \"\""]
        }
        if let bytes = redis.maxmemory { lines.append("maxmemory \(Int(bytes.value.value))") }
        if let policy = redis.maxmemoryPolicy { lines.append("maxmemory-policy \(policy.value.rawValue)") }
        if redis.hasSentinels {
            // Equal priorities: the sentinels promote the replica with the most data.
            lines += ["replica-priority 100", "replica-read-only yes"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The sentinels' configuration, identical in every pod: every sentinel monitors ordinal 0 on a
    /// group's first start; `start.sh` names the current primary instead when the group already runs.
    func sentinelConfiguration() -> String {
        let failover = redis.failover
        var lines = ["# Sentinel of store '\(name)', written by clusterspec. \(Self.startScript) copies it to \(runDirectory)/\(Self.sentinelConfig)",
                     "# on the pod's first start (Sentinel rewrites that file) with the pod's announced hostname and the password."]
        lines += listener(RedisSettings.sentinelPort)
        lines += [
            "protected-mode no",
            "dir \(runDirectory)",
            // Hostnames everywhere, as Sentinel's documentation asks: pod addresses change, names do not.
            "sentinel resolve-hostnames yes",
            "sentinel announce-hostnames yes",
            "sentinel monitor \(masterName) \(bootstrapServer) \(RedisSettings.serverPort.number) \(failover.quorum.value)",
            "sentinel down-after-milliseconds \(masterName) \(failover.downAfterMilliseconds.value)",
            "sentinel failover-timeout \(masterName) \(failover.timeoutMilliseconds.value)",
            "sentinel parallel-syncs \(masterName) \(failover.parallelSyncs.value)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Scripts

    private var bootstrapServer: String { Topology.podFQDN(name, 0, namespace: namespace, domain: kit.domain) }

    private func pods(_ statefulSet: String, _ count: Int) -> String {
        (0..<count).map { Topology.podFQDN(statefulSet, $0, namespace: namespace, domain: kit.domain) }.joined(separator: " ")
    }

    /// The CLI with the TLS options.
    private var cliProgram: [String] {
        [flavor.program("cli")] + (tlsSecret == nil ? [] : ["--tls", "--cacert", "\(tlsDirectory)/ca.crt"])
    }

    /// The CLI talking to `host` on `port`.
    private func cli(host: String, port: NamedPort) -> [String] { cliProgram + ["-h", host, "-p", String(port.number)] }

    /// Shell words joined for a command line (every word here is a plain path, name or number).
    private static func shellWords(_ words: [String]) -> String { words.joined(separator: " ") }

    /// The head of a start script: strict mode, no globbing, its variables; with sentinels the CLI
    /// with a timeout and how to read the primary a sentinel names; with auth the password as a
    /// configuration value.
    private func scriptHead(_ summary: [String], variables: [(String, String)]) -> [String] {
        var lines = ["#!/bin/sh"] + summary.map { "# \($0)" } + ["set -eu", "set -f"]
        lines += variables.map { "\($0.0)=\($0.1)" }
        if redis.hasSentinels {
            lines += [
                "",
                "cli() { timeout 3 \(Self.shellWords(cliProgram)) \"$@\" 2>/dev/null || true; }",
                "",
                "# The primary the sentinel at $1 names (it answers its host and port), or nothing.",
                "named_by() {",
                "  set -- $(cli -h \"$1\" -p \(RedisSettings.sentinelPort.number) SENTINEL get-master-addr-by-name \"$master\")",
                "  if [ $# -eq 2 ] && [ \"$2\" = \(RedisSettings.serverPort.number) ]; then echo \"$1\"; fi",
                "}",
            ]
        }
        if let secret = redis.authSecret {
            lines += [
                "",
                "# The password from the auth Secret as a quoted configuration value.",
                "quoted_password() {",
                "  case \"$\(Self.passwordVariable)\" in",
                "    *\"",
                "\"*) echo \"the password in Secret '\(secret.value)' (key '\(RedisSettings.passwordKey)') contains a line break\" >&2; exit 1 ;;",
                "  esac",
                "  printf '\"%s\"' \"$(printf '%s' \"$\(Self.passwordVariable)\" | sed 's/[\\\\\"]/\\\\&/g')\"",
                "}",
            ]
        }
        return lines
    }

    /// Starts a server: standalone, it writes its configuration and runs; with sentinels it first
    /// finds the primary to follow.
    func serverStartScript() -> String {
        let server = flavor.program("server")
        let summary = redis.hasSentinels
            ? ["Starts a \(flavor.title) server of store '\(name)' (clusterspec). The sentinels know which server is the primary:",
               "follow it. Only when no sentinel answers does ordinal 0 start as the primary, so a restarted former",
               "primary never takes writes next to the new one."]
            : ["Starts the standalone \(flavor.title) server of store '\(name)' (clusterspec)."]
        var variables = [("template", "\(configDirectory)/\(serverConfig)"), ("config", "\(runDirectory)/\(serverConfig)")]
        if let sentinels = redis.sentinels {
            variables += [("data", Self.dataDirectory), ("master", masterName), ("self", "\"$POD_FQDN\""), ("bootstrap", bootstrapServer),
                          ("sentinels", "\"\(pods(RedisSettings.sentinels(name), sentinels.value))\"")]
        }
        var lines = scriptHead(summary, variables: variables)
        var configuration = ["{", "  cat \"$template\""]
        if redis.authSecret != nil {
            // printf, not echo: dash's echo would turn the password's backslashes into escapes.
            configuration += ["  password=$(quoted_password)", "  printf 'requirepass %s\\nmasterauth %s\\n' \"$password\" \"$password\""]
        }
        if redis.hasSentinels {
            lines += [
                "",
                "# The primary the first answering sentinel names, asking each in turn for up to 15 rounds.",
                "current_primary() {",
                "  round=0",
                "  while [ $round -lt 15 ]; do",
                "    for sentinel in $sentinels; do",
                "      primary=$(named_by \"$sentinel\")",
                "      if [ -n \"$primary\" ]; then echo \"$primary\"; return; fi",
                "    done",
                "    round=$((round + 1))",
                "    sleep 1",
                "  done",
                "}",
                "",
                "has_data() { [ -e \"$data/appendonlydir\" ] || [ -e \"$data/dump.rdb\" ]; }",
                "",
                "# Whether a sentinel has seen replicas of the primary: the group ran before.",
                "replicas_known() {",
                "  for sentinel in $sentinels; do",
                "    if cli -h \"$sentinel\" -p \(RedisSettings.sentinelPort.number) SENTINEL replicas \"$master\" | grep -qx flags; then return 0; fi",
                "  done",
                "  return 1",
                "}",
                "",
                "primary=$(current_primary)",
                "if [ -z \"$primary\" ]; then",
                "  echo \"no sentinel answers: $bootstrap is the primary\"",
                "  primary=$bootstrap",
                "fi",
                "# Named the primary with an empty volume while replicas hold the data: starting now would replace",
                "# their data with nothing. Wait until the sentinels promote a replica, then follow it.",
                "if [ \"$primary\" = \"$self\" ] && ! has_data && replicas_known; then",
                "  echo \"the sentinels name this server the primary, but its volume is empty: waiting for them to promote a replica\"",
                "  while [ \"$primary\" = \"$self\" ]; do",
                "    sleep 2",
                "    next=$(current_primary)",
                "    if [ -n \"$next\" ]; then primary=$next; fi",
                "  done",
                "fi",
            ]
            configuration += ["  echo \"replica-announce-ip $self\"",
                              "  if [ \"$primary\" != \"$self\" ]; then echo \"replicaof $primary \(RedisSettings.serverPort.number)\"; fi"]
        }
        configuration += ["} > \"$config\""]
        lines += [""] + configuration
        if redis.hasSentinels {
            lines += ["if [ \"$primary\" = \"$self\" ]; then echo \"starting as the primary\"; else echo \"starting as a replica of $primary\"; fi"]
        }
        lines.append("exec \(server) \"$config\"")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Starts a sentinel: on the pod's first start it writes its configuration, monitoring the
    /// primary the group already has; after a container restart it keeps the file Sentinel rewrote.
    func sentinelStartScript() -> String {
        let sentinels = redis.sentinels?.value ?? 0
        let summary = ["Starts a sentinel of store '\(name)' (clusterspec). Sentinel rewrites its configuration as it learns",
                       "the group, so the file lives in an emptyDir: written on the pod's first start, kept across restarts.",
                       "A new sentinel monitors the primary its peers name, else the server reporting itself primary, else ordinal 0."]
        var lines = scriptHead(summary, variables: [
            ("template", "\(configDirectory)/\(Self.sentinelConfig)"), ("config", "\(runDirectory)/\(Self.sentinelConfig)"),
            ("master", masterName), ("self", "\"$POD_FQDN\""), ("bootstrap", bootstrapServer),
            ("peers", "\"\(pods(RedisSettings.sentinels(name), sentinels))\""), ("servers", "\"\(pods(name, redis.replicas.value))\""),
        ])
        lines += [
            "",
            "group_primary() {",
            "  for peer in $peers; do",
            "    if [ \"$peer\" = \"$self\" ]; then continue; fi",
            "    primary=$(named_by \"$peer\")",
            "    if [ -n \"$primary\" ]; then echo \"$primary\"; return; fi",
            "  done",
            "  for server in $servers; do",
            "    if [ \"$(cli -h \"$server\" -p \(RedisSettings.serverPort.number) ROLE | head -n 1)\" = master ]; then echo \"$server\"; return; fi",
            "  done",
            "}",
            "",
            "if [ ! -s \"$config\" ]; then",
            "  primary=$(group_primary)",
            "  if [ -z \"$primary\" ]; then primary=$bootstrap; fi",
            "  echo \"monitoring $primary\"",
            "  {",
            "    sed \"s/^sentinel monitor $master [^ ]* /sentinel monitor $master $primary /\" \"$template\"",
            "    echo \"sentinel announce-ip $self\"",
        ]
        if redis.authSecret != nil {
            lines += ["    password=$(quoted_password)", "    printf 'requirepass %s\\nsentinel auth-pass %s %s\\n' \"$password\" \"$master\" \"$password\""]
        }
        lines += [
            "  } > \"$config.new\"",
            "  mv \"$config.new\" \"$config\"",
            "fi",
            "exec \(flavor.program("sentinel")) \"$config\"",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Readiness of a server: a primary that answers, or a replica whose link to its primary is up.
    func readyScript() -> String {
        let lines = [
            "#!/bin/sh",
            "# Ready: a primary that answers, or a replica whose link to its primary is up.",
            "info=$(\(Self.shellWords(cli(host: "127.0.0.1", port: RedisSettings.serverPort))) INFO replication 2>/dev/null) || exit 1",
            "case \"$info\" in",
            "  *role:master*|*master_link_status:up*) exit 0 ;;",
            "esac",
            "exit 1",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
