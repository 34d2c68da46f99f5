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

/// The connection facts of everything a workload can `uses:`, derived from the model, the
/// naming conventions in `Topology` and the engines' descriptions — the same names the emitters
/// give the objects.
public enum Connections {
    /// Facts for `target`, or nil when `target` names nothing connectable in `system`.
    /// `isDefaultInjected` tells whether a bare `uses:` injects them (stores and stateful
    /// services) or only an explicit `env:` map does (stateless services).
    /// Looks `target` up in `index` (the system's elements by name), in constant time.
    public static func facts(for target: String, in index: SystemIndex, domain: String) -> (facts: [ConnectionFact], isDefaultInjected: Bool)? {
        if let store = index.stores[target] {
            let certificates = ClientCertificates.required(by: store) ? ClientCertificates.facts(store.name.value) : []
            return (store.settings.connectionFacts(of: store, domain: domain) + certificates, true)
        }
        if let stateful = index.statefulServices[target] {
            return (endpointFacts(stateful.workload, groups: stateful.serviceGroups, domain: domain), true)
        }
        if let service = index.services[target], !service.isWorker {
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
}
