import SpecModel

/// Redis (or Valkey with `flavor: valkey`): `replicas` (1 = standalone), `sentinels` (3 by default
/// once there are replicas), `failover` timings and quorum, `auth: {secret}`, `persistence`,
/// `maxmemory` and `maxmemoryPolicy`.
extension RedisSettings: EngineDecoding {
    /// Valkey's image when `flavor: valkey`; the user and group (999) are the same in both images.
    static func defaults(for fields: Fields) -> EngineDefaults {
        guard let flavor = fields["flavor"]?.scalar.flatMap(RedisFlavor.init(rawValue:)) else { return defaults }
        var chosen = defaults
        chosen.repository = flavor.repository
        chosen.version = flavor.version
        return chosen
    }

    static func decode(_ fields: Fields, store: Located<String>, with decoder: SpecDecoder) -> RedisSettings? {
        decoder.decodeRedis(fields, at: store.location)
    }

    static let keyDescriptions = [
        KeyDescription("flavor", .choice(of: RedisFlavor.self), "redis (the `redis` image) or valkey (`valkey/valkey`).",
                       default: .text(RedisFlavor.redis.rawValue)),
        KeyDescription("replicas", SpecKeys.memberCount, "Server pods: 1 is a standalone server, more are a primary and its replicas.",
                       default: .integer(1)),
        KeyDescription("sentinels", SpecKeys.memberCount, "Sentinel pods (default: 3 once there are replicas, none for a standalone server)."),
        KeyDescription("failover", .object(SpecKeys.redisFailover), "How the sentinels detect a failed primary and promote a replica."),
        KeyDescription("sentinelResources", .object(SpecKeys.resources), "Requests and limits of each sentinel (default: the store's)."),
        KeyDescription("auth", .object(SpecKeys.credentials),
                       "An existing Secret whose `\(RedisSettings.passwordKey)` every server and sentinel requires."),
        KeyDescription("persistence", .choice(of: RedisPersistence.self), "What a server keeps on its volume: aof, rdb or none.",
                       default: .text(RedisPersistence.aof.rawValue)),
        KeyDescription("maxmemory", .quantity, "Most memory the data set may use, in bytes (`512Mi`)."),
        KeyDescription("maxmemoryPolicy", .choice(of: RedisEvictionPolicy.self), "How `maxmemory` makes room (Redis's `maxmemory-policy`)."),
    ]
}

extension SpecKeys {
    static let redisFailover = KeyTable("redisFailover", "The sentinels' failure detection and failover.", [
        KeyDescription("quorum", memberCount, "Sentinels that must agree the primary is down (default: a majority)."),
        KeyDescription("downAfter", .duration, "How long the primary stays unreachable before a sentinel thinks it down.",
                       default: .text("30s")),
        KeyDescription("timeout", .duration, "The failover timeout.", default: .text("3m")),
        KeyDescription("parallelSyncs", memberCount, "Replicas resynchronising with a new primary at once.", default: .integer(1)),
    ])
}

extension SpecDecoder {
    fileprivate func decodeRedis(_ fields: Fields, at location: SourceLocation) -> RedisSettings? {
        let flavor = fields["flavor"].flatMap { reader.choice($0, "Redis flavor", as: RedisFlavor.self) }
            ?? Located(.redis, at: location, isDefault: true)
        guard let replicas = members(fields, "replicas", default: 1, at: location) else { return nil }
        var sentinels: Located<Int>?
        if let node = fields["sentinels"] {
            guard let count = reader.int(node, "'sentinels'", in: 1...99) else { return nil }
            sentinels = count
        } else if replicas.value > 1 {
            // Replicas without sentinels would have no failover: three watch them unless the spec says otherwise.
            sentinels = Located(3, at: replicas.location, isDefault: true)
        }
        for key in ["failover", "sentinelResources"] where sentinels == nil && fields.has(key) {
            reader.error("conflicting-fields", "'\(key)' configures the sentinels, and a standalone server has none; remove it, or set 'replicas' of 2 or more",
                         at: fields.keyLocation(key) ?? location)
        }
        guard let failover = decodeRedisFailover(fields["failover"], sentinels: sentinels, at: location) else { return nil }

        var authSecret: Located<String>?
        if let node = fields["auth"], let auth = reader.mapping(node, "'auth'", known: SpecKeys.credentials) {
            authSecret = auth["secret"].flatMap { reader.nonEmptyString($0, "'auth.secret'") }
            if !auth.has("secret") {
                reader.error("missing-field", "'auth' needs 'secret': an existing Secret with a '\(RedisSettings.passwordKey)' key (clusterspec never generates passwords)",
                             at: node.location)
            }
        }
        var maxmemory = fields["maxmemory"].flatMap { positiveQuantity($0, "'maxmemory'") }
        if let bytes = maxmemory, bytes.value.value.rounded() != bytes.value.value || bytes.value.value < 1 {
            reader.error("invalid-value", "'maxmemory' is a number of bytes such as 512Mi or 2Gi, found '\(bytes.value.text)'", at: bytes.location)
            maxmemory = nil
        }
        let policy = fields["maxmemoryPolicy"].flatMap { reader.choice($0, "maxmemory policy", as: RedisEvictionPolicy.self) }
        if policy != nil, !fields.has("maxmemory") {
            reader.error("conflicting-fields", "'maxmemoryPolicy' only applies with a 'maxmemory' limit; set 'maxmemory' or remove the policy",
                         at: fields.keyLocation("maxmemoryPolicy") ?? location)
        }
        return RedisSettings(
            flavor: flavor, replicas: replicas, sentinels: sentinels, failover: failover,
            sentinelResources: fields["sentinelResources"].flatMap { decodeResources($0) }, authSecret: authSecret,
            persistence: fields["persistence"].flatMap { reader.choice($0, "Redis persistence", as: RedisPersistence.self) }
                ?? Located(.aof, at: location, isDefault: true),
            maxmemory: maxmemory, maxmemoryPolicy: policy)
    }

    /// `failover: {quorum, downAfter, timeout, parallelSyncs}`; the quorum defaults to a majority of
    /// the sentinels, the timings to Sentinel's documented defaults (30 s, 3 min, 1 at a time).
    private func decodeRedisFailover(_ node: YAMLNode?, sentinels: Located<Int>?, at location: SourceLocation) -> RedisFailover? {
        let fields = node.flatMap { reader.mapping($0, "'failover'", known: SpecKeys.redisFailover) }
        if node != nil, fields == nil { return nil }
        let at = node?.location ?? location
        func milliseconds(_ key: String, default fallback: Int) -> Located<Int>? {
            guard let valueNode = fields?[key] else { return Located(fallback, at: at, isDefault: true) }
            guard let text = reader.duration(valueNode, "'failover.\(key)'") else { return nil }
            guard let value = Self.milliseconds(text.value), value > 0 else {
                reader.error("invalid-value", "'failover.\(key)' must be a positive duration, found '\(text.value)'", at: text.location)
                return nil
            }
            return Located(value, at: text.location)
        }
        let majority = Topology.quorum(sentinels?.value ?? 1)
        let quorum = fields?["quorum"].flatMap { reader.int($0, "'failover.quorum'", in: 1...99) }
            ?? Located(majority, at: sentinels?.location ?? at, isDefault: true)
        let parallelSyncs = fields?["parallelSyncs"].flatMap { reader.int($0, "'failover.parallelSyncs'", in: 1...99) }
            ?? Located(1, at: at, isDefault: true)
        guard let downAfter = milliseconds("downAfter", default: 30_000),
              let timeout = milliseconds("timeout", default: 180_000) else { return nil }
        return RedisFailover(quorum: quorum, downAfterMilliseconds: downAfter, timeoutMilliseconds: timeout, parallelSyncs: parallelSyncs)
    }

    /// `1m30s` → 90000; nil when a number overflows. The text is a valid duration already.
    private static func milliseconds(_ duration: String) -> Int? {
        let unit: [Character: Int] = ["s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000, "y": 31_536_000_000]
        var total = 0, number = 0
        for character in duration {
            if let digit = character.wholeNumberValue {
                let (shifted, overflow) = number.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                number = shifted + digit
            } else if let factor = unit[character] {
                let (part, overflow) = number.multipliedReportingOverflow(by: factor)
                guard !overflow, total <= Int.max - part else { return nil }
                total += part
                number = 0
            }
        }
        return total
    }
}
