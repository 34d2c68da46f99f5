import SpecModel
import SpecDiagnostics

/// Decoding of workloads: the pod-level settings every kind shares, then services and jobs.
extension SpecDecoder {
    /// Decodes the pod-level and container keys of a workload. `replicated` says whether the kind
    /// normally runs several pods (it decides the default host spreading).
    func decodeWorkload(_ name: Located<String>, _ fields: Fields, kind: String, replicated: Bool, allowsPorts: Bool) -> WorkloadSpec? {
        let owner = "\(kind) '\(name.value)'"
        let namespace = resolveNamespace(fields, owner: owner, at: name.location)
        let container = decodeContainer(fields, owner: owner, at: name.location, allowsPorts: allowsPorts)
        guard let namespace, let container else { return nil }
        return WorkloadSpec(
            name: name, namespace: namespace, container: container,
            initContainers: fields["initContainers"].map { decodeInitContainers($0, main: container, owner: owner) } ?? [],
            placement: decodePlacement(fields["placement"], at: name.location, replicated: replicated),
            metrics: fields["metrics"].flatMap { decodeMetrics($0, ports: container.ports, owner: owner) },
            serviceAccount: decodeServiceAccount(fields["serviceAccount"], at: name.location),
            terminationGracePeriodSeconds: fields["terminationGracePeriodSeconds"].flatMap {
                reader.int($0, "'terminationGracePeriodSeconds'", in: 0...Int(Int32.max))
            },
            podAnnotations: fields["podAnnotations"].map { reader.metadataEntries($0, "'podAnnotations'", areLabels: false) } ?? [],
            labels: fields["labels"].map { reader.metadataEntries($0, "'labels'", areLabels: true) } ?? [],
            uses: fields["uses"].map(decodeUses) ?? [])
    }

    private func decodeInitContainers(_ node: YAMLNode, main: ContainerSpec, owner: String) -> [InitContainerSpec] {
        reader.namedEntries(node, "initContainers of \(owner)").compactMap { entry in
            guard checkedLabel(entry.name, kind: "init container") else { return nil }
            guard let fields = reader.mapping(entry.value, "init container '\(entry.name.value)'", known: SpecKeys.initContainer) else { return nil }
            var container = main
            container.ports = []
            container.health = nil
            if let image = fields["image"].flatMap({ reader.nonEmptyString($0, "'image'") }) {
                container.image = image
            }
            if fields.has("imagePullPolicy") { container.imagePullPolicy = pullPolicy(fields, at: entry.name.location) }
            container.command = fields["command"].flatMap { reader.stringList($0, "'command'") }
            container.args = fields["args"].flatMap { reader.stringList($0, "'args'") }
            if container.command == nil, container.args == nil {
                reader.error("missing-field", "init container '\(entry.name.value)' needs 'command' or 'args'", at: entry.name.location)
            }
            if let envNode = fields["env"] {
                // Own variables override inherited ones of the same name and come after the rest.
                let own = decodeEnv(envNode, owner: "init container '\(entry.name.value)'")
                let ownNames = Set(own.map(\.name.value))
                container.env = container.env.filter { !ownNames.contains($0.name.value) } + own
            }
            if let resources = fields["resources"].flatMap({ decodeResources($0) }) {
                container.resources = resources
            }
            return InitContainerSpec(name: entry.name, container: container)
        }
    }

    func decodePlacement(_ node: YAMLNode?, at location: SourceLocation, replicated: Bool) -> PlacementSpec {
        let fields = node.flatMap { reader.mapping($0, "'placement'", known: SpecKeys.placement) }
        let nodePool = fields?["nodePool"].flatMap { reader.nonEmptyString($0, "'nodePool'") }
        if let nodePool, !KubernetesName.isLabelValue(nodePool.value) {
            reader.error("invalid-value", "'\(nodePool.value)' is not a valid label value for a node pool", at: nodePool.location)
        }
        return PlacementSpec(
            nodePool: nodePool,
            hosts: fields?["hosts"].flatMap { reader.choice($0, "host spreading", as: SpreadMode.self) }
                ?? Located(replicated ? .preferred : .none, at: location, isDefault: true),
            zones: fields?["zones"].flatMap { reader.choice($0, "zone spreading", as: SpreadMode.self) }
                ?? Located(.none, at: location, isDefault: true),
            zoneCount: fields?["zoneCount"].flatMap { reader.int($0, "'zoneCount'", in: 1...64) })
    }

    private func decodeMetrics(_ node: YAMLNode, ports: [PortSpec], owner: String) -> MetricsSpec? {
        guard let fields = reader.mapping(node, "'metrics'", known: SpecKeys.metrics) else { return nil }
        let port: Located<String>?
        if let portNode = fields["port"] {
            port = namedPort(portNode, ports: ports, owner: owner)
        } else if let fallback = ports.first(where: { $0.name.value == "metrics" }) ?? defaultPort(ports) {
            port = Located(fallback.name.value, at: node.location, isDefault: true)
        } else {
            reader.error("missing-field", "'metrics' needs a port: \(owner) declares none", at: node.location)
            port = nil
        }
        let path = fields["path"].flatMap { reader.nonEmptyString($0, "'path'") } ?? Located("/metrics", at: node.location, isDefault: true)
        if !path.value.hasPrefix("/") {
            reader.error("invalid-value", "metrics path must start with '/', found '\(path.value)'", at: path.location)
        }
        var interval: Located<String>?
        if let monitor = fields.entries["serviceMonitor"]?.value {
            if case .scalar("true", .plain) = monitor.content {
                interval = Located("30s", at: monitor.location, isDefault: true)
            } else if case .scalar("false", .plain) = monitor.content {
                interval = nil
            } else if let inner = reader.mapping(monitor, "'serviceMonitor'", known: SpecKeys.serviceMonitor) {
                interval = inner["interval"].flatMap { reader.duration($0, "'interval'") } ?? Located("30s", at: monitor.location, isDefault: true)
            }
        }
        guard let port else { return nil }
        return MetricsSpec(port: port, path: path, serviceMonitorInterval: interval, location: node.location)
    }

    private func decodeServiceAccount(_ node: YAMLNode?, at location: SourceLocation) -> ServiceAccountSpec {
        let fields = node.flatMap { reader.mapping($0, "'serviceAccount'", known: SpecKeys.serviceAccount) }
        var rules: [AccessRuleSpec] = []
        if let rulesNode = fields?["rules"] {
            if let items = rulesNode.items {
                for item in items {
                    guard let rule = reader.mapping(item, "an RBAC rule", known: SpecKeys.accessRule) else { continue }
                    let verbs = rule["verbs"].map { reader.locatedStrings($0, "'verbs'") } ?? []
                    let resources = rule["resources"].map { reader.locatedStrings($0, "'resources'") } ?? []
                    if verbs.isEmpty || resources.isEmpty {
                        reader.error("missing-field", "an RBAC rule needs 'resources' and 'verbs'", at: item.location)
                        continue
                    }
                    rules.append(AccessRuleSpec(apiGroups: rule["apiGroups"].map { reader.locatedStrings($0, "'apiGroups'") } ?? [Located("", at: item.location, isDefault: true)],
                                                resources: resources, verbs: verbs, location: item.location))
                }
            } else {
                reader.error("type-mismatch", "expected a list of rules for 'rules', found \(rulesNode.kindDescription)", at: rulesNode.location)
            }
        }
        return ServiceAccountSpec(
            automountToken: fields?["automountToken"].flatMap { reader.bool($0, "'automountToken'") }
                ?? Located(!rules.isEmpty, at: location, isDefault: true),
            annotations: fields?["annotations"].map { reader.metadataEntries($0, "serviceAccount annotations", areLabels: false) } ?? [],
            rules: rules)
    }

    func decodeUses(_ node: YAMLNode) -> [DependencySpec] {
        guard let items = node.items else {
            reader.error("type-mismatch", "expected a list of names for 'uses', found \(node.kindDescription)", at: node.location)
            return []
        }
        var seen: [String: SourceLocation] = [:]
        return items.compactMap { item in
            let dependency: DependencySpec
            if item.pairs != nil {
                guard let fields = reader.mapping(item, "a 'uses' entry", known: SpecKeys.dependency) else { return nil }
                guard let target = fields["target"].flatMap({ reader.nonEmptyString($0, "'target'") }) else {
                    if !fields.has("target") { reader.error("missing-field", "a 'uses' entry needs 'target'", at: item.location) }
                    return nil
                }
                let env = fields.has("env") ? (fields["env"].map { reader.keyValues($0, "'env' of a 'uses' entry") } ?? []) : nil
                for variable in env ?? [] where !KubernetesName.isEnvName(variable.key.value) {
                    reader.error("invalid-name", "'\(variable.key.value)' is not a valid environment variable name", at: variable.key.location)
                }
                dependency = DependencySpec(target: target, ports: fields["ports"].map { reader.locatedStrings($0, "'ports'") } ?? [],
                                            env: env, location: item.location)
            } else {
                guard let target = reader.nonEmptyString(item, "a 'uses' entry") else { return nil }
                dependency = DependencySpec(target: target)
            }
            if let first = seen[dependency.target.value] {
                reader.error("duplicate-key", "'\(dependency.target.value)' is listed twice in 'uses'", at: dependency.target.location,
                             notes: [DiagnosticNote("first listed here", at: first)])
                return nil
            }
            seen[dependency.target.value] = dependency.target.location
            return dependency
        }
    }

    // MARK: Services

    func decodeServices(_ node: YAMLNode) -> [ServiceSpec] {
        reader.namedEntries(node, "'services'").compactMap { entry in
            guard checkedWorkloadName(entry.name, kind: "service"),
                  let fields = reader.mapping(entry.value, "service '\(entry.name.value)'", known: SpecKeys.service) else { return nil }
            return decodeService(entry.name, fields)
        }
    }

    private func decodeService(_ name: Located<String>, _ fields: Fields) -> ServiceSpec? {
        let owner = "service '\(name.value)'"
        let autoscale = fields["autoscale"].flatMap { decodeAutoscale($0) }
        let explicitReplicas = fields["replicas"].flatMap { reader.int($0, "'replicas'", in: 0...10_000) }
        if let autoscale, let replicas = explicitReplicas,
           !(autoscale.min.value...max(autoscale.min.value, autoscale.max.value)).contains(replicas.value) {
            let bound = replicas.value < autoscale.min.value ? autoscale.min : autoscale.max
            reader.error("invalid-value",
                         "replicas \(replicas.value) lies outside autoscale \(autoscale.min.value)–\(autoscale.max.value); the autoscaler owns the count",
                         at: replicas.location, notes: [DiagnosticNote("autoscale \(bound.value == autoscale.min.value ? "minimum" : "maximum")", at: bound.location)],
                         fix: "Remove 'replicas' or set it within the autoscale range.")
        }
        let replicas = explicitReplicas
            ?? autoscale.map { Located($0.min.value, at: $0.min.location, isDefault: true) }
            ?? Located(1, at: name.location, isDefault: true)
        let replicated = autoscale != nil || replicas.value > 1
        guard let workload = decodeWorkload(name, fields, kind: "service", replicated: replicated, allowsPorts: true) else { return nil }
        let ports = workload.container.ports
        return ServiceSpec(
            workload: workload, replicas: replicas, autoscale: autoscale,
            expose: fields["expose"].flatMap { decodeExpose($0, service: name.value, ports: ports, owner: owner) },
            pdb: decodePDB(fields, replicas: replicas, autoscaled: autoscale != nil, at: name.location),
            strategy: decodeStrategy(fields["strategy"], at: name.location),
            serviceGroups: decodeServiceGroups(fields, ports: ports, owner: owner, at: name.location))
    }

    private func decodeAutoscale(_ node: YAMLNode) -> AutoscaleSpec? {
        guard let fields = reader.mapping(node, "'autoscale'", known: SpecKeys.autoscale) else { return nil }
        guard let minNode = fields["min"], let maxNode = fields["max"] else {
            reader.error("missing-field", "'autoscale' needs 'min' and 'max'", at: node.location)
            return nil
        }
        guard let min = reader.int(minNode, "'autoscale.min'", in: 1...10_000),
              let max = reader.int(maxNode, "'autoscale.max'", in: 1...10_000) else { return nil }
        let cpu = fields["cpu"].flatMap { reader.int($0, "'autoscale.cpu' (percent)", in: 1...1000) }
        let memory = fields["memory"].flatMap { reader.int($0, "'autoscale.memory' (percent)", in: 1...1000) }
        if cpu == nil, memory == nil, !fields.has("cpu"), !fields.has("memory") {
            reader.error("missing-field", "'autoscale' needs a target: 'cpu' and/or 'memory' utilisation in percent", at: node.location)
        }
        return AutoscaleSpec(min: min, max: max, cpu: cpu, memory: memory, location: node.location)
    }

    private func decodeExpose(_ node: YAMLNode, service: String, ports: [PortSpec], owner: String) -> ExposeSpec? {
        guard let fields = reader.mapping(node, "'expose'", known: SpecKeys.expose) else { return nil }
        guard let hostNode = fields["host"] else {
            reader.error("missing-field", "'expose' is missing required field 'host'", at: node.location)
            return nil
        }
        guard let host = reader.nonEmptyString(hostNode, "'host'") else { return nil }
        let hostName = host.value.hasPrefix("*.") ? String(host.value.dropFirst(2)) : host.value
        if !KubernetesName.isDNSSubdomain(hostName) {
            reader.error("invalid-value", "'\(host.value)' is not a valid host name", at: host.location)
        }
        let port: Located<String>?
        if let portNode = fields["port"] {
            port = namedPort(portNode, ports: ports, owner: owner)
        } else if let fallback = defaultPort(ports) {
            port = Located(fallback.name.value, at: node.location, isDefault: true)
        } else {
            reader.error("missing-field", "'expose' needs a port: \(owner) declares none", at: node.location)
            port = nil
        }
        let path = fields["path"].flatMap { reader.nonEmptyString($0, "'path'") } ?? Located("/", at: node.location, isDefault: true)
        if !path.value.hasPrefix("/") {
            reader.error("invalid-value", "ingress path must start with '/', found '\(path.value)'", at: path.location)
        }
        var tls: IngressTLSSpec?
        if let tlsNode = fields["tls"], let tlsFields = reader.mapping(tlsNode, "'expose.tls'", known: SpecKeys.ingressTLS) {
            if let issuer = tlsFields["issuer"].flatMap({ reader.nonEmptyString($0, "'issuer'") }) {
                let secretName = tlsFields["secretName"].flatMap { reader.nonEmptyString($0, "'secretName'") }
                    ?? Located("\(service)-tls", at: tlsNode.location, isDefault: true)
                if !KubernetesName.isDNSSubdomain(secretName.value) {
                    reader.error("invalid-name", "'\(secretName.value)' is not a valid Secret name", at: secretName.location)
                }
                tls = IngressTLSSpec(issuer: issuer,
                                     issuerKind: tlsFields["kind"].flatMap { reader.choice($0, "issuer kind", as: IssuerKind.self) }
                                        ?? Located(.clusterIssuer, at: tlsNode.location, isDefault: true),
                                     secretName: secretName)
            } else if !tlsFields.has("issuer") {
                reader.error("missing-field", "'expose.tls' needs 'issuer' (the cert-manager issuer that signs the certificate)", at: tlsNode.location)
            }
        }
        guard let port else { return nil }
        return ExposeSpec(host: host, path: path, port: port,
                          className: fields["className"].flatMap { reader.nonEmptyString($0, "'className'") } ?? defaults.ingressClass,
                          tls: tls,
                          annotations: fields["annotations"].map { reader.metadataEntries($0, "'expose.annotations'", areLabels: false) } ?? [],
                          location: node.location)
    }

    private func decodePDB(_ fields: Fields, replicas: Located<Int>, autoscaled: Bool, at location: SourceLocation) -> PDBSpec {
        if let node = fields.entries["pdb"]?.value {
            if node.scalar == "none" { return PDBSpec(budget: nil, location: node.location) }
            if let pdb = reader.mapping(node, "'pdb'", known: SpecKeys.pdb) {
                let given = SpecKeys.pdb.names.filter { pdb.has($0) }
                if given.count == 1, let key = given.first, let value = pdb[key].flatMap({ reader.intOrPercent($0, "'pdb.\(key)'") }) {
                    return PDBSpec(budget: value.map { key == "minAvailable" ? .minAvailable($0) : .maxUnavailable($0) }, location: node.location)
                }
                if given.count != 1 {
                    reader.error("invalid-value", "'pdb' takes exactly one of 'minAvailable' or 'maxUnavailable' (or 'pdb: none')", at: node.location)
                }
            }
        }
        if autoscaled {
            // A fixed minAvailable either blocks drains at the minimum or allows mass disruption at the
            // maximum; one pod at a time fits every size the autoscaler picks.
            return PDBSpec(budget: Located(.maxUnavailable(.count(1)), at: location, isDefault: true))
        }
        if replicas.value > 1 {
            return PDBSpec(budget: Located(.minAvailable(.count(replicas.value - 1)), at: replicas.location, isDefault: true))
        }
        return PDBSpec(budget: nil)
    }

    private func decodeStrategy(_ node: YAMLNode?, at location: SourceLocation) -> StrategySpec {
        let fields = node.flatMap { reader.mapping($0, "'strategy'", known: SpecKeys.strategy) }
        return StrategySpec(
            maxSurge: fields?["maxSurge"].flatMap { reader.intOrPercent($0, "'maxSurge'") } ?? Located(.count(1), at: location, isDefault: true),
            maxUnavailable: fields?["maxUnavailable"].flatMap { reader.intOrPercent($0, "'maxUnavailable'") }
                ?? Located(.count(0), at: location, isDefault: true))
    }

    func decodeServiceGroups(_ fields: Fields, ports: [PortSpec], owner: String, at location: SourceLocation) -> [ServicePortGroupSpec] {
        var extras: [ServicePortGroupSpec] = []
        var claimed: [String: SourceLocation] = [:]
        if let node = fields["extraServices"] {
            for entry in reader.namedEntries(node, "'extraServices'") {
                guard checkedLabel(entry.name, kind: "extra service suffix"),
                      let group = decodeServiceGroup(entry.value, suffix: entry.name, ports: ports, owner: owner, at: entry.name.location) else { continue }
                for port in group.ports {
                    if let first = claimed[port.value] {
                        reader.error("duplicate-port", "port '\(port.value)' is already published by another extra Service", at: port.location,
                                     notes: [DiagnosticNote("first published here", at: first)])
                    }
                    claimed[port.value] = port.location
                }
                extras.append(group)
            }
        }
        var groups: [ServicePortGroupSpec] = []
        let mainNode = fields.entries["service"]?.value
        if mainNode?.scalar != "none" {
            if let mainNode, mainNode.pairs != nil {
                if let main = decodeServiceGroup(mainNode, suffix: nil, ports: ports, owner: owner, at: location) {
                    groups.append(main)
                }
            } else if mainNode == nil || mainNode?.isNull == true {
                let remaining = ports.filter { claimed[$0.name.value] == nil }.map { Located($0.name.value, at: $0.name.location, isDefault: true) }
                if !remaining.isEmpty {
                    groups.append(ServicePortGroupSpec(suffix: nil, type: Located(.clusterIP, at: location, isDefault: true), ports: remaining, annotations: []))
                }
            } else if let mainNode {
                reader.error("type-mismatch", "expected a mapping or 'none' for 'service', found \(mainNode.kindDescription)", at: mainNode.location)
            }
        }
        return groups + extras
    }

    private func decodeServiceGroup(_ node: YAMLNode, suffix: Located<String>?, ports: [PortSpec], owner: String, at location: SourceLocation) -> ServicePortGroupSpec? {
        guard let fields = reader.mapping(node, suffix.map { "extra service '\($0.value)'" } ?? "'service'", known: SpecKeys.serviceGroup) else { return nil }
        var selected: [Located<String>]
        if let portsNode = fields["ports"] {
            guard let items = portsNode.items else {
                reader.error("type-mismatch", "expected a list of port names for 'ports', found \(portsNode.kindDescription)", at: portsNode.location)
                return nil
            }
            selected = items.compactMap { namedPort($0, ports: ports, owner: owner) }
        } else if suffix == nil {
            selected = ports.map { Located($0.name.value, at: $0.name.location, isDefault: true) }
        } else {
            reader.error("missing-field", "extra service '\(suffix?.value ?? "")' needs 'ports'", at: location)
            return nil
        }
        if selected.isEmpty {
            reader.error("invalid-value", "a Service needs at least one port", at: fields.location)
            return nil
        }
        return ServicePortGroupSpec(
            suffix: suffix,
            type: fields["type"].flatMap { reader.choice($0, "Service type", as: ServiceType.self) } ?? Located(.clusterIP, at: location, isDefault: true),
            ports: selected,
            annotations: fields["annotations"].map { reader.metadataEntries($0, "Service annotations", areLabels: false) } ?? [])
    }

    // MARK: Jobs

    func decodeJobs(_ node: YAMLNode) -> [JobSpec] {
        reader.namedEntries(node, "'jobs'").compactMap { entry in
            guard checkedWorkloadName(entry.name, kind: "job"),
                  let fields = reader.mapping(entry.value, "job '\(entry.name.value)'", known: SpecKeys.job),
                  let workload = decodeWorkload(entry.name, fields, kind: "job", replicated: false, allowsPorts: false) else { return nil }
            let schedule = fields["schedule"].flatMap { reader.nonEmptyString($0, "'schedule'") }
            if let schedule, !isCronSchedule(schedule.value) {
                reader.error("invalid-value", "'\(schedule.value)' is not a cron schedule (five fields, or @hourly, @daily, @weekly, @monthly, @yearly)",
                             at: schedule.location)
            }
            let timeZone = fields["timeZone"].flatMap { reader.nonEmptyString($0, "'timeZone'") }
            let policy = fields["concurrencyPolicy"].flatMap { reader.choice($0, "concurrency policy", as: ConcurrencyPolicy.self) }
            if schedule == nil {
                for key in ["timeZone", "concurrencyPolicy"] where fields.has(key) {
                    reader.error("conflicting-fields", "'\(key)' applies to scheduled jobs; add 'schedule' or remove it",
                                 at: fields.keyLocation(key) ?? entry.name.location)
                }
            }
            return JobSpec(workload: workload, schedule: schedule, timeZone: timeZone,
                           concurrencyPolicy: policy ?? Located(.forbid, at: entry.name.location, isDefault: true),
                           backoffLimit: fields["backoffLimit"].flatMap { reader.int($0, "'backoffLimit'", in: 0...1000) }
                               ?? Located(6, at: entry.name.location, isDefault: true),
                           activeDeadlineSeconds: fields["activeDeadlineSeconds"].flatMap { reader.int($0, "'activeDeadlineSeconds'", in: 1...Int(Int32.max)) })
        }
    }

    private func isCronSchedule(_ text: String) -> Bool {
        if ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"].contains(text) { return true }
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        return fields.count == 5 && fields.allSatisfy { field in
            field.allSatisfy { $0.isASCII && ($0.isNumber || $0.isLetter || "*/,-?".contains($0)) }
        }
    }
}
