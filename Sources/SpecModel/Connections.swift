/// One fact a client needs to reach a store or stateful service: a literal (`host`) or a Secret key
/// (`password`).
public struct ConnectionFact: Sendable {
    /// camelCase fact name (`host`, `bootstrapServers`); the default variable is `<TARGET>_<FACT>`.
    public var name: String
    public var value: ConnectionValue

    public init(_ name: String, _ value: ConnectionValue) {
        self.name = name
        self.value = value
    }

    /// `bootstrapServers` → `BOOTSTRAP_SERVERS`.
    public var upperSnakeName: String {
        var result = ""
        for character in name {
            if character.isUppercase { result += "_" }
            result += character.uppercased()
        }
        return result
    }
}

/// A connection fact's value.
public enum ConnectionValue: Sendable {
    case literal(String)
    case secretKey(secret: String, key: String)
}

/// The connection facts of everything a workload can `uses:`, derived from the model and the
/// naming conventions in `Topology` — the same names the emitters give the objects.
public enum Connections {
    /// Facts for `target`, or nil when `target` names nothing connectable in `system`.
    /// `isDefaultInjected` tells whether a bare `uses:` injects them (stores and stateful
    /// services) or only an explicit `env:` map does (stateless services).
    /// Looks `target` up in `index` (the system's elements by name), in constant time.
    public static func facts(for target: String, in index: SystemIndex, domain: String) -> (facts: [ConnectionFact], isDefaultInjected: Bool)? {
        if let store = index.stores[target] {
            return (storeFacts(store, domain: domain), true)
        }
        if let stateful = index.statefulServices[target] {
            return (endpointFacts(stateful.workload, groups: stateful.serviceGroups, domain: domain), true)
        }
        if let service = index.services[target] {
            return (endpointFacts(service.workload, groups: service.serviceGroups, domain: domain), false)
        }
        if let external = index.external[target] {
            guard case .host(let host) = external.destination, let port = external.ports.first else { return ([], false) }
            return ([ConnectionFact("host", .literal(host.value)), ConnectionFact("port", .literal(String(port.number.value)))], false)
        }
        return nil
    }

    private static func endpointFacts(_ workload: WorkloadSpec, groups: [ServicePortGroupSpec], domain: String) -> [ConnectionFact] {
        guard let main = groups.first(where: { $0.suffix == nil }), let portName = main.ports.first?.value,
              let port = workload.container.port(named: portName) else { return [] }
        return [
            ConnectionFact("host", .literal(Topology.serviceFQDN(workload.name.value, namespace: workload.namespace.value, domain: domain))),
            ConnectionFact("port", .literal(String(port.exposedNumber))),
        ]
    }

    /// The facts of a store, per engine.
    public static func storeFacts(_ store: StoreSpec, domain: String) -> [ConnectionFact] {
        let name = store.name.value, namespace = store.namespace.value
        let scheme = store.tls == nil ? "http" : "https"
        func host(_ service: String) -> String { Topology.serviceFQDN(service, namespace: namespace, domain: domain) }
        switch store.settings {
        case .etcd(let etcd):
            let addresses = (0..<etcd.members.value).map {
                "\(Topology.podFQDN(name, $0, namespace: namespace, domain: domain)):\(StorePorts.etcdClient)"
            }
            return [ConnectionFact("endpoints", .literal(addresses.map { "\(scheme)://\($0)" }.joined(separator: ","))),
                    ConnectionFact("addresses", .literal(addresses.joined(separator: ","))),
                    ConnectionFact("url", .literal("\(scheme)://\(host(name)):\(StorePorts.etcdClient)")),
                    ConnectionFact("host", .literal(host(name))), ConnectionFact("port", .literal(String(StorePorts.etcdClient)))]
        case .kafka:
            return [ConnectionFact("bootstrapServers", .literal("\(host(name)):\(StorePorts.kafkaClient)"))]
        case .vault:
            return [ConnectionFact("addr", .literal("\(scheme)://\(host(name)):\(StorePorts.vaultAPI)"))]
        case .postgres(let postgres):
            let port = ConnectionFact("port", .literal(String(postgres.external?.port.value ?? StorePorts.postgres)))
            let db = ConnectionFact("db", .literal(postgres.database.value))
            switch postgres.mode.value {
            case .single:
                var facts = [ConnectionFact("host", .literal(host(name))), port, db, ConnectionFact("user", .literal(postgres.user.value))]
                if let secret = postgres.credentialsSecret {
                    facts.append(ConnectionFact("password", .secretKey(secret: secret.value, key: "password")))
                }
                return facts
            case .cloudnativePG:
                let secret = "\(name)-app"
                return [ConnectionFact("host", .literal(host("\(name)-rw"))), port, db,
                        ConnectionFact("user", .secretKey(secret: secret, key: "username")),
                        ConnectionFact("password", .secretKey(secret: secret, key: "password")),
                        ConnectionFact("uri", .secretKey(secret: secret, key: "uri"))]
            case .external:
                guard let external = postgres.external else { return [] }
                return [ConnectionFact("host", .literal(external.host.value)), port, db,
                        ConnectionFact("user", .secretKey(secret: external.secret.value, key: "username")),
                        ConnectionFact("password", .secretKey(secret: external.secret.value, key: "password"))]
            }
        case .clickhouse(let clickhouse):
            var facts = [ConnectionFact("host", .literal(host(name))), ConnectionFact("port", .literal(String(StorePorts.clickhouseTCP))),
                         ConnectionFact("httpPort", .literal(String(StorePorts.clickhouseHTTP)))]
            if let secret = clickhouse.credentialsSecret {
                facts += [ConnectionFact("user", .secretKey(secret: secret.value, key: "username")),
                          ConnectionFact("password", .secretKey(secret: secret.value, key: "password"))]
            }
            return facts
        }
    }
}

/// Well-known ports of the engines (from their documentation and trusted packagings).
public enum StorePorts {
    public static let etcdClient = 2379, etcdPeer = 2380, etcdMetrics = 2381
    public static let kafkaClient = 9092, kafkaController = 9093, kafkaInternal = 9094
    public static let vaultAPI = 8200, vaultCluster = 8201
    public static let postgres = 5432
    public static let clickhouseHTTP = 8123, clickhouseTCP = 9000, clickhouseInterserver = 9009
    public static let keeperClient = 9181, keeperRaft = 9234, keeperHTTP = 9182
}
