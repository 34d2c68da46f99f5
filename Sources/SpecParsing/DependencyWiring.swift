import SpecModel
import SpecDiagnostics

/// Injects connection facts into the environment of workloads that `uses:` a store or stateful
/// service, so nobody spells DNS names, ports or Secret keys by hand. Runs after decoding, on the
/// finished model; variables the spec defines itself always win.
struct DependencyWiring {
    let reader: NodeReader

    func wire(_ system: inout SystemSpec) {
        let domain = system.clusterDomain.value
        // Facts are read from the model as decoded (nothing wiring changes is a fact), through an
        // index built once. Reading `system` itself while mutating one of its elements would copy
        // the whole array per element (copy-on-write), which made wiring quadratic.
        var substitution = ConnectionSubstitution(reader: reader, system: system, index: SystemIndex(system))
        for index in system.configMaps.indices {
            let name = system.configMaps[index].name.value
            for entry in system.configMaps[index].data.indices {
                system.configMaps[index].data[entry].value = substitution.expand(system.configMaps[index].data[entry].value, in: "ConfigMap '\(name)'")
            }
        }
        substitution.expandEnvironments(of: &system)
        for index in system.statefulServices.indices {
            wirePeers(&system.statefulServices[index], domain: domain)
        }
        let wired = Targets(index: SystemIndex(system), domain: domain)
        for index in system.services.indices { wire(&system.services[index].workload, targets: wired) }
        for index in system.statefulServices.indices { wire(&system.statefulServices[index].workload, targets: wired) }
        for index in system.jobs.indices { wire(&system.jobs[index].workload, targets: wired) }
    }

    /// What a dependency can name, by name.
    private struct Targets {
        let index: SystemIndex
        let domain: String

        func facts(for target: String) -> (facts: [ConnectionFact], isDefaultInjected: Bool)? {
            Connections.facts(for: target, in: index, domain: domain)
        }
    }

    /// A stateful service's own address and its peer list, rendered once from the StatefulSet name,
    /// the headless Service, the namespace, the cluster domain and the replica count.
    private func wirePeers(_ stateful: inout StatefulServiceSpec, domain: String) {
        guard let peers = stateful.peers, let port = stateful.workload.container.port(named: peers.port.value) else { return }
        let name = stateful.name.value, namespace = stateful.workload.namespace.value
        var injected: [EnvVarSpec] = []
        let own = Set(stateful.workload.container.env.map(\.name.value))
        if !own.contains("POD_NAME") {
            injected.append(EnvVarSpec(name: Located("POD_NAME", at: peers.port.location, isDefault: true),
                                       source: .field(Located("metadata.name", at: peers.port.location, isDefault: true))))
        }
        if let selfEnv = peers.selfEnv, !own.contains(selfEnv.value) {
            let address = "\(Topology.selfFQDN(name, namespace: namespace, domain: domain)):\(port.number.value)"
            injected.append(EnvVarSpec(name: selfEnv, source: .literal(Located(address, at: selfEnv.location, isDefault: true))))
        }
        if let listEnv = peers.listEnv, !own.contains(listEnv.value) {
            let list = (0..<stateful.replicas.value).map {
                "\(Topology.podFQDN(name, $0, namespace: namespace, domain: domain)):\(port.number.value)"
            }.joined(separator: ",")
            injected.append(EnvVarSpec(name: listEnv, source: .literal(Located(list, at: listEnv.location, isDefault: true))))
        }
        stateful.workload.container.env = injected + stateful.workload.container.env
    }

    private func wire(_ workload: inout WorkloadSpec, targets: Targets) {
        mountClientCertificates(&workload, stores: targets.index)
        var injected: [EnvVarSpec] = []
        var injectedNames = Set<String>()
        let own = Set(workload.container.env.map(\.name.value))
        for dependency in workload.uses {
            // Unknown targets are the dependency rule's business; nothing to inject.
            guard let (facts, byDefault) = targets.facts(for: dependency.target.value) else { continue }
            let prefix = Topology.environmentPrefix(dependency.target.value)
            var wanted: [(name: Located<String>, fact: ConnectionFact)] = []
            if let mapping = dependency.env {
                for entry in mapping {
                    guard let fact = facts.first(where: { $0.name == entry.value.value }) else {
                        let names = facts.map(\.name)
                        reader.error("unknown-connection-fact",
                                     "'\(dependency.target.value)' offers no connection fact '\(entry.value.value)'\(NameSuggestion.hint(for: entry.value.value, in: names))",
                                     at: entry.value.location,
                                     notes: [DiagnosticNote(names.isEmpty ? "it offers none: nothing is known about how to reach it" : "it offers: \(names.joined(separator: ", "))")])
                        continue
                    }
                    wanted.append((entry.key, fact))
                }
            } else {
                guard byDefault else { continue }
                wanted = facts.map { (Located("\(prefix)_\($0.upperSnakeName)", at: dependency.location, isDefault: true), $0) }
            }
            for (name, fact) in wanted where !own.contains(name.value) && injectedNames.insert(name.value).inserted {
                let source: EnvSource
                switch fact.value {
                case .literal(let text): source = .literal(Located(text, at: dependency.location, isDefault: true))
                case .secretKey(let secret, let key):
                    source = .secretKey(secret: Located(secret, at: dependency.location, isDefault: true),
                                        key: Located(key, at: dependency.location, isDefault: true), optional: false)
                }
                injected.append(EnvVarSpec(name: name, source: source))
            }
        }
        guard !injected.isEmpty else { return }
        // Injected first, so the spec's own variables can refer to them with $(NAME).
        workload.container.env = injected + workload.container.env
        // Init containers that inherit the main container's environment get the facts too; sidecars
        // and init containers with `inherit: false` only what they say themselves.
        for index in workload.initContainers.indices where workload.initContainers[index].inherits {
            let initOwn = Set(workload.initContainers[index].container.env.map(\.name.value))
            workload.initContainers[index].container.env = injected.filter { !initOwn.contains($0.name.value) }
                + workload.initContainers[index].container.env
        }
    }

    /// Mounts, for each store the workload uses that accepts only clients with a certificate, the
    /// client's certificate Secret where the `certFile`/`keyFile`/`caFile` facts point (read-only,
    /// without subPath, so a renewed certificate reaches the files); a located error at the
    /// `uses:` entry when no certificate can be had.
    private func mountClientCertificates(_ workload: inout WorkloadSpec, stores index: SystemIndex) {
        for dependency in workload.uses {
            guard let store = index.stores[dependency.target.value],
                  ClientCertificates.required(by: store) else { continue }
            let secret: Located<String>
            switch ClientCertificates.source(store: store, client: workload) {
            case .success(.issued(let name, _, _)): secret = Located(name, at: dependency.location, isDefault: true)
            case .success(.declared(let name)): secret = name
            case .failure(let missing):
                reader.error("missing-client-certificate", missing.message, at: dependency.location, fix: missing.fix)
                continue
            }
            let name = ClientCertificates.volume(store.name.value)
            let volume = VolumeSpec(name: Located(name, at: dependency.location, isDefault: true), source: .secret(secret),
                                    mountPath: Located(ClientCertificates.directory(store.name.value), at: dependency.location, isDefault: true),
                                    readOnly: true)
            if !workload.container.volumes.contains(where: { $0.name.value == name }) { workload.container.volumes.append(volume) }
            for index in workload.initContainers.indices where !workload.initContainers[index].container.volumes.contains(where: { $0.name.value == name }) {
                workload.initContainers[index].container.volumes.append(volume)
            }
        }
    }
}

/// Expands `${connection:<target>.<fact>}` references into the facts' literal values, the same way
/// in ConfigMap data and in environment variable values, so configuration follows the topology
/// (member counts, names) instead of spelling it. A reference to an unknown target or fact, or to
/// a Secret fact, is an error at the value's line — an overlay's line for a value an overlay set.
struct ConnectionSubstitution {
    let reader: NodeReader
    /// The system as decoded, and its elements by name (references resolve in constant time).
    let system: SystemSpec
    let index: SystemIndex
    /// Values already expanded, by location: an init container inherits its main container's
    /// variables, and each value is expanded (and reported) once.
    private var expanded: [SourceLocation: Located<String>] = [:]

    init(reader: NodeReader, system: SystemSpec, index: SystemIndex) {
        self.reader = reader
        self.system = system
        self.index = index
    }

    /// The marker of a connection reference: `${connection:<target>.<fact>}`.
    static let referencePrefix = "${connection:"

    /// `value` with every reference replaced; `place` names where it is written (`ConfigMap 'x'`,
    /// `env 'ADDR' of service 'api'`) in messages.
    mutating func expand(_ value: Located<String>, in place: String) -> Located<String> {
        guard value.value.contains(Self.referencePrefix) else { return value }
        if let known = expanded[value.location], !value.isDefault { return known }
        var output = ""
        var rest = Substring(value.value)
        while let start = rest.firstRange(of: Self.referencePrefix) {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                reader.error("invalid-value", "unterminated '\(Self.referencePrefix)…}' in \(place)", at: value.location)
                expanded[value.location] = value
                return value
            }
            let reference = String(rest[start.upperBound..<end])
            output += resolve(reference, in: place, at: value.location) ?? ""
            rest = rest[rest.index(after: end)...]
        }
        output += rest
        let result = Located(output, at: value.location, isDefault: value.isDefault)
        expanded[value.location] = result
        return result
    }

    /// Expands the literal environment values of every container of every workload.
    mutating func expandEnvironments(of system: inout SystemSpec) {
        func expand(_ workload: inout WorkloadSpec, kind: String) {
            let owner = "\(kind) '\(workload.name.value)'"
            expandEnv(&workload.container.env, owner: owner)
            for index in workload.initContainers.indices {
                expandEnv(&workload.initContainers[index].container.env,
                          owner: "init container '\(workload.initContainers[index].name.value)' of \(owner)")
            }
            for index in workload.sidecars.indices {
                expandEnv(&workload.sidecars[index].container.env, owner: "sidecar '\(workload.sidecars[index].name.value)' of \(owner)")
            }
        }
        for index in system.services.indices { expand(&system.services[index].workload, kind: "service") }
        for index in system.statefulServices.indices { expand(&system.statefulServices[index].workload, kind: "stateful service") }
        for index in system.jobs.indices { expand(&system.jobs[index].workload, kind: "job") }
    }

    private mutating func expandEnv(_ env: inout [EnvVarSpec], owner: String) {
        for index in env.indices {
            guard case .literal(let value) = env[index].source else { continue }
            env[index].source = .literal(expand(value, in: "env '\(env[index].name.value)' of \(owner)"))
        }
    }

    private func resolve(_ reference: String, in place: String, at location: SourceLocation) -> String? {
        let parts = reference.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let (facts, _) = Connections.facts(for: parts[0], in: index, domain: system.clusterDomain.value) else {
            let names = system.stores.map(\.name.value) + system.statefulServices.map(\.name.value) + system.services.map(\.name.value)
            reader.error("unknown-connection-fact",
                         "'\(reference)' in \(place) names no store or service\(NameSuggestion.hint(for: parts.first ?? "", in: names))",
                         at: location, notes: [DiagnosticNote("write ${connection:<target>.<fact>}, e.g. ${connection:db.host}")])
            return nil
        }
        guard let fact = facts.first(where: { $0.name == parts[1] }) else {
            reader.error("unknown-connection-fact",
                         "'\(parts[0])' offers no connection fact '\(parts[1])'\(NameSuggestion.hint(for: parts[1], in: facts.map(\.name)))",
                         at: location, notes: [DiagnosticNote(facts.isEmpty ? "it offers none" : "it offers: \(facts.map(\.name).joined(separator: ", "))")])
            return nil
        }
        guard case .literal(let text) = fact.value else {
            reader.error("unknown-connection-fact",
                         "'\(reference)' in \(place) is a Secret value; only non-secret facts can be written into a value", at: location,
                         fix: "Pass it to the workload through 'uses:' (it becomes a Secret reference), e.g. {target: \(parts[0]), env: {NAME: \(parts[1])}}.")
            return nil
        }
        return text
    }
}
