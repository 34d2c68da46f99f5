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
        let decoded = Targets(system: system, index: SystemIndex(system), domain: domain)
        for index in system.configMaps.indices {
            substituteConnections(in: &system.configMaps[index], targets: decoded)
        }
        for index in system.statefulServices.indices {
            wirePeers(&system.statefulServices[index], domain: domain)
        }
        let wired = Targets(system: system, index: SystemIndex(system), domain: domain)
        for index in system.services.indices { wire(&system.services[index].workload, targets: wired) }
        for index in system.statefulServices.indices { wire(&system.statefulServices[index].workload, targets: wired) }
        for index in system.jobs.indices { wire(&system.jobs[index].workload, targets: wired) }
    }

    /// What a dependency or a `${connection:…}` reference can name, by name.
    private struct Targets {
        let system: SystemSpec
        let index: SystemIndex
        let domain: String

        func facts(for target: String) -> (facts: [ConnectionFact], isDefaultInjected: Bool)? {
            Connections.facts(for: target, in: index, domain: domain)
        }
    }

    /// The marker of a connection reference in ConfigMap data: `${connection:<target>.<fact>}`.
    static let referencePrefix = "${connection:"

    /// Replaces connection references in ConfigMap values with the facts' literal values, so
    /// configuration files follow the topology (member counts, names) instead of spelling it.
    private func substituteConnections(in configMap: inout ConfigMapSpec, targets: Targets) {
        for index in configMap.data.indices {
            let value = configMap.data[index].value
            guard value.value.contains(Self.referencePrefix) else { continue }
            var output = ""
            var rest = Substring(value.value)
            while let start = rest.firstRange(of: Self.referencePrefix) {
                output += rest[..<start.lowerBound]
                guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                    reader.error("invalid-value", "unterminated '\(Self.referencePrefix)…}' in ConfigMap '\(configMap.name.value)'", at: value.location)
                    return
                }
                let reference = String(rest[start.upperBound..<end])
                output += resolve(reference, configMap: configMap.name.value, at: value.location, targets: targets) ?? ""
                rest = rest[rest.index(after: end)...]
            }
            output += rest
            configMap.data[index].value = Located(output, at: value.location)
        }
    }

    private func resolve(_ reference: String, configMap: String, at location: SourceLocation, targets: Targets) -> String? {
        let parts = reference.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let (facts, _) = targets.facts(for: parts[0]) else {
            let system = targets.system
            let names = system.stores.map(\.name.value) + system.statefulServices.map(\.name.value) + system.services.map(\.name.value)
            reader.error("unknown-connection-fact",
                         "'\(reference)' in ConfigMap '\(configMap)' names no store or service\(NameSuggestion.hint(for: parts.first ?? "", in: names))",
                         at: location, notes: [DiagnosticNote("write ${connection:<target>.<fact>}, e.g. ${connection:db.host}")])
            return nil
        }
        guard let fact = facts.first(where: { $0.name == parts[1] }) else {
            reader.error("unknown-connection-fact",
                         "'\(parts[0])' offers no connection fact '\(parts[1])'\(NameSuggestion.hint(for: parts[1], in: facts.map(\.name)))",
                         at: location, notes: [DiagnosticNote("it offers: \(facts.map(\.name).joined(separator: ", "))")])
            return nil
        }
        guard case .literal(let text) = fact.value else {
            reader.error("unknown-connection-fact",
                         "'\(reference)' is a Secret value; ConfigMaps may only hold non-secret facts", at: location,
                         fix: "Pass it to the workload through 'uses:' (it becomes a Secret reference) instead.")
            return nil
        }
        return text
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
        for index in workload.initContainers.indices {
            let initOwn = Set(workload.initContainers[index].container.env.map(\.name.value))
            workload.initContainers[index].container.env = injected.filter { !initOwn.contains($0.name.value) }
                + workload.initContainers[index].container.env
        }
    }
}
