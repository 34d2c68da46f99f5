/// Which build of the engine runs: Redis (the official `redis` image) or Valkey (`valkey/valkey`),
/// the same protocol, configuration and Sentinel.
public enum RedisFlavor: String, Sendable, CaseIterable {
    case redis, valkey

    /// The image repository of the flavour.
    public var repository: String {
        switch self {
        case .redis: return "redis"
        case .valkey: return "valkey/valkey"
        }
    }

    /// The default version of the flavour's image.
    public var version: String {
        switch self {
        case .redis: return "7.4"
        case .valkey: return "8.1"
        }
    }

    /// How messages and comments name it.
    public var title: String {
        switch self {
        case .redis: return "Redis"
        case .valkey: return "Valkey"
        }
    }

    /// A program of the flavour: `server` → `redis-server`, `valkey-server`.
    public func program(_ tool: String) -> String { "\(rawValue)-\(tool)" }
}

/// What a server keeps on its volume.
public enum RedisPersistence: String, Sendable, CaseIterable {
    /// The append-only file, fsynced every second (Redis's RDB snapshots as well).
    case aof
    /// RDB snapshots at Redis's default save points only.
    case rdb
    /// Nothing: a restarted server comes back empty.
    case none
}

/// How `maxmemory` makes room (Redis's `maxmemory-policy`).
public enum RedisEvictionPolicy: String, Sendable, CaseIterable {
    case noeviction
    case allkeysLRU = "allkeys-lru", allkeysLFU = "allkeys-lfu", allkeysRandom = "allkeys-random"
    case volatileLRU = "volatile-lru", volatileLFU = "volatile-lfu", volatileRandom = "volatile-random", volatileTTL = "volatile-ttl"
}

/// The sentinels' failure detection and failover (`sentinel monitor` and the options after it).
public struct RedisFailover: Sendable {
    /// Sentinels that must agree the primary is down (a majority by default).
    public var quorum: Located<Int>
    /// How long the primary must stay unreachable before a sentinel thinks it is down.
    public var downAfterMilliseconds: Located<Int>
    public var timeoutMilliseconds: Located<Int>
    /// Replicas resynchronising with a new primary at once.
    public var parallelSyncs: Located<Int>

    public init(quorum: Located<Int>, downAfterMilliseconds: Located<Int>, timeoutMilliseconds: Located<Int>, parallelSyncs: Located<Int>) {
        self.quorum = quorum
        self.downAfterMilliseconds = downAfterMilliseconds
        self.timeoutMilliseconds = timeoutMilliseconds
        self.parallelSyncs = parallelSyncs
    }
}

/// Redis or Valkey: one server (standalone), or one primary and replicas watched by sentinels that
/// promote a replica when the primary fails.
public struct RedisSettings: Sendable {
    public var flavor: Located<RedisFlavor>
    /// Server pods: 1 standalone; with sentinels one primary and `replicas − 1` replicas.
    public var replicas: Located<Int>
    /// Sentinel pods; nil for a standalone server.
    public var sentinels: Located<Int>?
    public var failover: RedisFailover
    /// The sentinels' resources; the store's when nil.
    public var sentinelResources: ResourcesSpec?
    /// Existing Secret whose `password` key every server and sentinel requires (`requirepass`, `masterauth`).
    public var authSecret: Located<String>?
    public var persistence: Located<RedisPersistence>
    public var maxmemory: Located<Quantity>?
    public var maxmemoryPolicy: Located<RedisEvictionPolicy>?

    public init(flavor: Located<RedisFlavor>, replicas: Located<Int>, sentinels: Located<Int>?, failover: RedisFailover,
                sentinelResources: ResourcesSpec?, authSecret: Located<String>?, persistence: Located<RedisPersistence>,
                maxmemory: Located<Quantity>?, maxmemoryPolicy: Located<RedisEvictionPolicy>?) {
        self.flavor = flavor
        self.replicas = replicas
        self.sentinels = sentinels
        self.failover = failover
        self.sentinelResources = sentinelResources
        self.authSecret = authSecret
        self.persistence = persistence
        self.maxmemory = maxmemory
        self.maxmemoryPolicy = maxmemoryPolicy
    }
}

extension RedisSettings: StoreEngine {
    public static let name = "redis"
    public static let defaults = EngineDefaults(repository: RedisFlavor.redis.repository, version: RedisFlavor.redis.version, user: 999,
                                                group: 999, readOnlyRootFilesystem: true, storage: "10Gi")
    public static let keys = ["flavor", "replicas", "sentinels", "failover", "sentinelResources", "auth", "persistence", "maxmemory",
                              "maxmemoryPolicy"]

    public static let serverPort = NamedPort("redis", 6379)
    public static let sentinelPort = NamedPort("sentinel", 26379)
    /// The key of the auth Secret that holds the password.
    public static let passwordKey = "password"

    public static let server = RoleKind(component: "redis")
    public static let sentinel = RoleKind(component: "redis-sentinel", quorum: "Redis sentinels")
    public static let roleKinds = [server, sentinel]

    /// The sentinels' StatefulSet (and their client Service).
    public static func sentinels(_ store: String) -> String { "\(store)-sentinel" }
    /// The name the sentinels monitor the servers by: the store's.
    public static func masterName(_ store: String) -> String { store }

    /// The sentinels' container.
    public static let sentinelContainer = "sentinel"
    /// The servers' volume claim template.
    public static let dataClaim = "data"
    /// Where the TLS Secret is mounted in servers and sentinels.
    public var tlsDirectory: String { "/etc/\(flavor.value.rawValue)-tls" }

    /// Whether sentinels watch the servers (otherwise one standalone server).
    public var hasSentinels: Bool { sentinels != nil }

    public func roles(named store: String) -> [StoreRole] {
        var roles = [StoreRole(Self.server, statefulSet: store, replicas: replicas, ports: [Self.serverPort], servesClients: true)]
        if let sentinels {
            roles.append(StoreRole(Self.sentinel, statefulSet: Self.sentinels(store), replicas: sentinels, ports: [Self.sentinelPort],
                                   servesClients: true))
        }
        return roles
    }

    /// Replicas follow the primary on 6379; sentinels watch and reconfigure the servers on 6379 and
    /// gossip on 26379; a starting server asks the sentinels on 26379 which server is the primary.
    public func flows(of store: StoreSpec, in system: SystemSpec) -> [StoreFlow] {
        let servers = store.name.value
        var flows: [StoreFlow] = replicas.value > 1 ? [.peers(servers, servers, [Self.serverPort])] : []
        if hasSentinels {
            let watchers = Self.sentinels(servers)
            flows += [.peers(watchers, watchers, [Self.sentinelPort]), .peers(watchers, servers, [Self.serverPort]),
                      .peers(servers, watchers, [Self.sentinelPort])]
        }
        return flows
    }

    /// Standalone: the server port. With sentinels clients ask a sentinel for the primary, then
    /// connect to it: each port on its own role.
    public func clientPorts(of store: StoreSpec) -> [ClientPort] {
        guard hasSentinels else { return [ClientPort(Self.serverPort)] }
        return [ClientPort(Self.serverPort, role: store.name.value), ClientPort(Self.sentinelPort, role: Self.sentinels(store.name.value))]
    }

    /// `redis` or `rediss` (TLS), the URL scheme clients understand.
    public static func scheme(_ store: StoreSpec) -> String { store.tls == nil ? "redis" : "rediss" }

    /// Standalone: `host`, `port`, `url`. With sentinels: `sentinels` (every sentinel's
    /// `host:26379`) and `masterName`; clients must not connect to a fixed server. `password`
    /// (the auth Secret's key) in both modes.
    public func connectionFacts(of store: StoreSpec, domain: String) -> [ConnectionFact] {
        let name = store.name.value, namespace = store.namespace.value
        var facts: [ConnectionFact]
        if let sentinels {
            let statefulSet = Self.sentinels(name)
            let addresses = (0..<sentinels.value).map {
                "\(Topology.podFQDN(statefulSet, $0, namespace: namespace, domain: domain)):\(Self.sentinelPort.number)"
            }
            facts = [ConnectionFact("sentinels", .literal(addresses.joined(separator: ","))),
                     ConnectionFact("masterName", .literal(Self.masterName(name)))]
        } else {
            let host = Topology.serviceFQDN(name, namespace: namespace, domain: domain)
            facts = [ConnectionFact("host", .literal(host)), ConnectionFact("port", .literal(String(Self.serverPort.number))),
                     ConnectionFact("url", .literal("\(Self.scheme(store))://\(host):\(Self.serverPort.number)"))]
        }
        if let secret = authSecret {
            facts.append(ConnectionFact("password", .secretKey(secret: secret.value, key: Self.passwordKey)))
        }
        return facts
    }

    public func secretReferences(of store: StoreSpec) -> [SecretReference] {
        authSecret.map { [SecretReference($0, key: Located(Self.passwordKey, at: $0.location))] } ?? []
    }
}

extension RedisSettings {
    /// Servers: a new one asks the sentinels for the primary and starts as its replica; a leaving
    /// one must not be the primary, and the sentinels forget it only on `SENTINEL RESET`.
    /// Sentinels: one per revision (Sentinel's documentation adds them one at a time); a new one
    /// finds the others through the primary, the remaining ones forget a removed one on
    /// `SENTINEL RESET`, sent to one sentinel after the other.
    public func membershipPolicy(for change: MembershipChange, of store: StoreSpec, domain: String) -> MembershipPolicy {
        let name = store.name.value, namespace = store.namespace.value
        guard let sentinels else { return .automatic("a standalone server has no replicas to change") }
        let master = Self.masterName(name)
        let cli = [flavor.value.program("cli")] + (store.tls == nil ? [] : ["--tls", "--cacert", "\(tlsDirectory)/ca.crt"])
        func sentinel(_ ordinal: Int, _ command: [String]) -> String {
            Procedures.exec(namespace: namespace, pod: "\(Self.sentinels(name))-\(ordinal)", container: Self.sentinelContainer,
                            cli + ["-p", String(Self.sentinelPort.number)] + command)
        }
        let remainingSentinels = change.role.kind == Self.sentinel ? min(change.from, change.to) : sentinels.value
        let resets = (0..<remainingSentinels).map { sentinel($0, ["SENTINEL", "RESET", master]) + "   # 30 s apart" }
        if change.role.kind == Self.server {
            switch change.direction {
            case .grow:
                return .automatic("new servers ask the sentinels for the primary and start as its replicas")
            case .shrink:
                let leaving = change.pods(change.leavingOrdinals)
                return .needsStep(MembershipProcedure(
                    reason: "a leaving server must not be the primary, and the sentinels keep counting removed replicas until they are reset",
                    beforeApplying: [sentinel(0, ["SENTINEL", "get-master-addr-by-name", master])
                                     + "   # must not name \(leaving.joined(separator: ", ")); if it does: SENTINEL FAILOVER \(master), then check again"],
                    afterApplying: resets + [Procedures.deleteClaims(namespace: namespace, claims: [Self.dataClaim], pods: leaving)]))
            }
        }
        guard abs(change.to - change.from) == 1 else {
            return .refused("sentinels are added and removed one at a time; change 'sentinels' by one per revision "
                            + "(\(change.from) → \(change.from + (change.to > change.from ? 1 : -1)) first)")
        }
        switch change.direction {
        case .grow:
            return .automatic("the new sentinel finds the others through the primary's hello channel")
        case .shrink:
            return .needsStep(MembershipProcedure(
                reason: "the remaining sentinels keep counting the removed one toward the majority until they are reset",
                beforeApplying: [], afterApplying: resets))
        }
    }
}
