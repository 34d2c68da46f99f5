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
            uses: fields["uses"].map(decodeUses) ?? [],
            sidecars: fields["sidecars"].map { decodeSidecars($0, main: container, owner: owner) } ?? [],
            tolerations: fields["tolerations"].map { decodeTolerations($0) } ?? [],
            priorityClassName: fields["priorityClassName"].flatMap { priorityClass($0) })
    }

    private func decodeInitContainers(_ node: YAMLNode, main: ContainerSpec, owner: String) -> [InitContainerSpec] {
        reader.namedEntries(node, "initContainers of \(owner)").compactMap { entry in
            guard checkedLabel(entry.name, kind: "init container") else { return nil }
            let what = "init container '\(entry.name.value)'"
            guard let fields = reader.mapping(entry.value, what, known: SpecKeys.initContainer) else { return nil }
            let inherits = fields["inherit"].flatMap { reader.bool($0, "'inherit'") }?.value ?? true
            var container = main
            container.ports = []
            container.health = nil
            container.lifecycle = nil   // init containers run to completion: Kubernetes allows no hooks
            if !inherits {
                // Nothing of the main container's environment, Secrets or mounts: only what it says itself.
                container.env = []
                container.envFrom = []
                container.volumes = []
            }
            if let volumesNode = fields["volumes"] {
                let own = decodeVolumes(volumesNode, owner: what, shared: main.volumes)
                checkSharedVolumes(own, main: main, what: what)
                let ownNames = Set(own.map(\.name.value)), ownPaths = Set(own.map(\.mountPath.value))
                container.volumes = container.volumes.filter { !ownNames.contains($0.name.value) && !ownPaths.contains($0.mountPath.value) } + own
            }
            if let image = fields["image"].flatMap({ reader.nonEmptyString($0, "'image'") }) {
                container.image = image
            }
            if fields.has("imagePullPolicy") { container.imagePullPolicy = pullPolicy(fields, at: entry.name.location) }
            container.command = fields["command"].flatMap { reader.stringList($0, "'command'") }
            container.args = fields["args"].flatMap { reader.stringList($0, "'args'") }
            // The main container's image with its own entrypoint would run the service itself.
            if container.command == nil, container.args == nil, !fields.has("image") {
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
            return InitContainerSpec(name: entry.name, container: container, inherits: inherits)
        }
    }

    /// Sidecars are containers of their own: an image, their environment and mounts (a volume of
    /// the main container is shared by naming it without a source).
    private func decodeSidecars(_ node: YAMLNode, main: ContainerSpec, owner: String) -> [SidecarSpec] {
        reader.namedEntries(node, "sidecars of \(owner)").compactMap { entry in
            guard checkedLabel(entry.name, kind: "sidecar") else { return nil }
            let what = "sidecar '\(entry.name.value)' of \(owner)"
            guard let fields = reader.mapping(entry.value, what, known: SpecKeys.sidecar),
                  let container = decodeContainer(fields, owner: what, at: entry.name.location, allowsPorts: true, sharedVolumes: main.volumes)
            else { return nil }
            if let fsGroup = container.security.fsGroup, !fsGroup.isDefault {
                reader.error("invalid-value", "'fsGroup' is the pod's (it owns every volume): set it on \(owner), not on a sidecar", at: fsGroup.location)
            }
            checkSharedVolumes(container.volumes, main: main, what: what)
            return SidecarSpec(name: entry.name, container: container)
        }
    }

    /// The pod has one volume per name: a container's volume named like one of the main
    /// container's must be that volume.
    private func checkSharedVolumes(_ volumes: [VolumeSpec], main: ContainerSpec, what: String) {
        for volume in volumes {
            guard let other = main.volumes.first(where: { $0.name.value == volume.name.value }), !Self.sameSource(other.source, volume.source) else { continue }
            reader.error("conflicting-fields", "volume '\(volume.name.value)' of \(what) is another volume than the main container's of that name",
                         at: volume.name.location, notes: [DiagnosticNote("the main container's", at: other.name.location)],
                         fix: "Rename one of them, or name the main container's volume without a source to share it.")
        }
    }

    /// Whether two volume sources are the same pod volume.
    static func sameSource(_ a: VolumeSource, _ b: VolumeSource) -> Bool {
        switch (a, b) {
        case (.configMap(let x), .configMap(let y)), (.secret(let x), .secret(let y)), (.claim(let x), .claim(let y)): return x.value == y.value
        case (.emptyDir(let x, let memoryX), .emptyDir(let y, let memoryY)): return x?.value.text == y?.value.text && memoryX == memoryY
        default: return false
        }
    }

    private func decodeTolerations(_ node: YAMLNode) -> [TolerationSpec] {
        reader.mappingItems(node, list: "of tolerations for 'tolerations'", item: "a toleration", known: SpecKeys.toleration).compactMap { item, fields in
            let key = fields["key"].flatMap { reader.nonEmptyString($0, "'key'") }
            if let key, !KubernetesName.isQualifiedKey(key.value) {
                reader.error("invalid-value", "'\(key.value)' is not a valid taint key", at: key.location)
            }
            let value = fields["value"].flatMap { reader.string($0, "'value'") }
            let operatorValue = fields["operator"].flatMap { reader.choice($0, "toleration operator", as: TolerationOperator.self) }
                ?? Located(value == nil && key != nil ? .exists : .equal, at: item.location, isDefault: true)
            let effect = fields["effect"].flatMap { reader.choice($0, "taint effect", as: TaintEffect.self) }
            let seconds = fields["tolerationSeconds"].flatMap { reader.int($0, "'tolerationSeconds'", in: 0...Int(Int32.max)) }
            if operatorValue.value == .exists, let value {
                reader.error("conflicting-fields", "operator 'Exists' matches any value; remove 'value'", at: value.location)
            }
            if key == nil, operatorValue.value == .equal {
                reader.error("missing-field", "a toleration needs 'key' (or 'operator: Exists' alone to tolerate every taint)", at: item.location)
            }
            if let seconds, effect?.value != .noExecute {
                reader.error("conflicting-fields", "'tolerationSeconds' applies to 'effect: NoExecute' only", at: seconds.location)
            }
            return TolerationSpec(key: key, tolerationOperator: operatorValue, value: value, effect: effect, seconds: seconds, location: item.location)
        }
    }

    private func priorityClass(_ node: YAMLNode) -> Located<String>? {
        guard let name = reader.nonEmptyString(node, "'priorityClassName'") else { return nil }
        return checkedSubdomain(name, kind: "PriorityClass") ? name : nil
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
            zoneCount: fields?["zoneCount"].flatMap { reader.int($0, "'zoneCount'", in: 1...64) },
            spread: fields?["spread"].map { decodeSpread($0) } ?? [])
    }

    /// `spread: [{topologyKey, mode, maxSkew, minDomains}]`: topology spreads over other labels.
    private func decodeSpread(_ node: YAMLNode) -> [SpreadConstraintSpec] {
        var keys: [String: SourceLocation] = [:]
        return reader.mappingItems(node, list: "for 'spread'", item: "a 'spread' entry", known: SpecKeys.spread).compactMap { item, fields in
            guard let key = fields["topologyKey"].flatMap({ reader.nonEmptyString($0, "'topologyKey'") }) else {
                if !fields.has("topologyKey") { reader.error("missing-field", "a 'spread' entry needs 'topologyKey' (a node label)", at: item.location) }
                return nil
            }
            if !KubernetesName.isQualifiedKey(key.value) {
                reader.error("invalid-value", "'\(key.value)' is not a valid label key", at: key.location)
            } else if key.value == PlacementSpec.zoneLabel {
                reader.error("invalid-value", "spreading over zones is 'placement.zones' (with its mode), not a 'spread' entry", at: key.location)
            } else if let first = keys[key.value] {
                reader.error("duplicate-key", "two 'spread' entries spread over '\(key.value)'", at: key.location,
                             notes: [DiagnosticNote("first here", at: first)])
            }
            keys[key.value] = keys[key.value] ?? key.location
            let mode = fields["mode"].flatMap { reader.choice($0, "spread mode", as: SpreadMode.self) }
                ?? Located(.preferred, at: item.location, isDefault: true)
            if mode.value == .none {
                reader.error("invalid-value", "a 'spread' entry is 'required' or 'preferred'; remove the entry to spread nothing", at: mode.location)
            }
            let minDomains = fields["minDomains"].flatMap { reader.int($0, "'minDomains'", in: 1...1000) }
            if let minDomains, mode.value != .required {
                reader.error("conflicting-fields", "'minDomains' applies to 'mode: required' only", at: minDomains.location)
            }
            return SpreadConstraintSpec(topologyKey: key, mode: mode,
                                        maxSkew: fields["maxSkew"].flatMap { reader.int($0, "'maxSkew'", in: 1...1000) }
                                            ?? Located(1, at: item.location, isDefault: true),
                                        minDomains: minDomains)
        }
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

    /// `services:` (kind `.service`) or `workers:` (kind `.worker`).
    func decodeServices(_ node: YAMLNode, kind: ServiceKind = .service) -> [ServiceSpec] {
        let section = kind == .worker ? "'workers'" : "'services'"
        return reader.namedEntries(node, section).compactMap { entry in
            guard checkedWorkloadName(entry.name, kind: kind.rawValue),
                  let fields = reader.mapping(entry.value, "\(kind.rawValue) '\(entry.name.value)'",
                                              known: kind == .worker ? SpecKeys.worker : SpecKeys.service) else { return nil }
            return decodeService(entry.name, fields, kind: kind)
        }
    }

    private func decodeService(_ name: Located<String>, _ fields: Fields, kind: ServiceKind) -> ServiceSpec? {
        let owner = "\(kind.rawValue) '\(name.value)'"
        let autoscale = fields["autoscale"].flatMap { decodeAutoscale($0) }
        let explicitReplicas = fields["replicas"].flatMap { reader.int($0, "'replicas'", in: 0...10_000) }
        let strategy = decodeStrategy(fields["strategy"], at: name.location)
        if strategy.isRecreate {
            checkSingleton(strategy, autoscale: autoscale, replicas: explicitReplicas)
        }
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
        guard let workload = decodeWorkload(name, fields, kind: kind.rawValue, replicated: replicated, allowsPorts: true) else { return nil }
        if kind == .worker, let metrics = workload.metrics, metrics.serviceMonitorInterval != nil {
            reader.error("conflicting-fields",
                         "\(owner) has no Service for a ServiceMonitor to select; Prometheus finds its pods by their scrape annotations",
                         at: metrics.location, fix: "Remove 'serviceMonitor' (the pod annotations stay).")
        }
        let ports = workload.container.ports
        return ServiceSpec(
            kind: kind, workload: workload, replicas: replicas, autoscale: autoscale,
            expose: fields["expose"].flatMap { decodeExpose($0, service: name.value, ports: ports, owner: owner) },
            pdb: decodePDB(fields, replicas: replicas, autoscaled: autoscale != nil, singleton: strategy.isRecreate, at: name.location),
            strategy: strategy,
            serviceGroups: kind == .worker ? [] : decodeServiceGroups(fields, ports: ports, owner: owner, at: name.location))
    }

    /// A singleton (`strategy: recreate`) runs exactly one pod: an autoscaler or more replicas
    /// would run it twice.
    private func checkSingleton(_ strategy: StrategySpec, autoscale: AutoscaleSpec?, replicas: Located<Int>?) {
        let recreate = strategy.kind.location
        if let autoscale {
            reader.error("conflicting-fields",
                         "'strategy: recreate' runs a singleton, but 'autoscale' would run up to \(autoscale.max.value) pods",
                         at: recreate, notes: [DiagnosticNote("autoscale", at: autoscale.location)],
                         fix: "Remove 'autoscale', or use a rolling update if the workload may run several pods.")
        }
        if let replicas, replicas.value > 1 {
            reader.error("conflicting-fields",
                         "'strategy: recreate' runs a singleton, but 'replicas' is \(replicas.value)",
                         at: recreate, notes: [DiagnosticNote("replicas", at: replicas.location)],
                         fix: "Set 'replicas: 1' (the default), or use a rolling update if the workload may run several pods.")
        }
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
        guard let host = ingressHost(hostNode) else { return nil }
        let port = namedOrDefaultPort(fields["port"], ports: ports, owner: owner, at: node.location, noPorts: "'expose' needs a port: \(owner) declares none")
        let path = fields["path"].flatMap { ingressPath($0) } ?? Located("/", at: node.location, isDefault: true)
        let tls = fields["tls"].flatMap { ingressTLS($0, "'expose.tls'", defaultSecret: "\(service)-tls") }
        guard let port else { return nil }
        return ExposeSpec(host: host, path: path, port: port,
                          className: fields["className"].flatMap { reader.nonEmptyString($0, "'className'") } ?? defaults.ingressClass,
                          tls: tls,
                          annotations: fields["annotations"].map { reader.metadataEntries($0, "'expose.annotations'", areLabels: false) } ?? [],
                          location: node.location)
    }

    /// An Ingress host name (a leading `*.` allowed).
    func ingressHost(_ node: YAMLNode) -> Located<String>? {
        guard let host = reader.nonEmptyString(node, "'host'") else { return nil }
        let hostName = host.value.hasPrefix("*.") ? String(host.value.dropFirst(2)) : host.value
        if !KubernetesName.isDNSSubdomain(hostName) {
            reader.error("invalid-value", "'\(host.value)' is not a valid host name", at: host.location)
        }
        return host
    }

    /// An Ingress path: it starts with '/'.
    func ingressPath(_ node: YAMLNode) -> Located<String>? {
        guard let path = reader.nonEmptyString(node, "'path'") else { return nil }
        guard path.value.hasPrefix("/") else {
            reader.error("invalid-value", "ingress path must start with '/', found '\(path.value)'", at: path.location)
            return nil
        }
        return path
    }

    /// TLS of an Ingress: a cert-manager issuer and the Secret the certificate lands in.
    func ingressTLS(_ node: YAMLNode, _ what: String, defaultSecret: String) -> IngressTLSSpec? {
        guard let fields = reader.mapping(node, what, known: SpecKeys.ingressTLS) else { return nil }
        guard let issuer = fields["issuer"].flatMap({ reader.nonEmptyString($0, "'issuer'") }) else {
            if !fields.has("issuer") {
                reader.error("missing-field", "\(what) needs 'issuer' (the cert-manager issuer that signs the certificate)", at: node.location)
            }
            return nil
        }
        let secretName = fields["secretName"].flatMap { reader.nonEmptyString($0, "'secretName'") }
            ?? Located(defaultSecret, at: node.location, isDefault: true)
        if !KubernetesName.isDNSSubdomain(secretName.value) {
            reader.error("invalid-name", "'\(secretName.value)' is not a valid Secret name", at: secretName.location)
        }
        return IngressTLSSpec(issuer: issuer,
                              issuerKind: fields["kind"].flatMap { reader.choice($0, "issuer kind", as: IssuerKind.self) }
                                  ?? Located(.clusterIssuer, at: node.location, isDefault: true),
                              secretName: secretName)
    }

    private func decodePDB(_ fields: Fields, replicas: Located<Int>, autoscaled: Bool, singleton: Bool, at location: SourceLocation) -> PDBSpec {
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
        if singleton {
            // The one pod may always be evicted: a budget of zero would block every drain, and
            // there is no second pod to keep.
            return PDBSpec(budget: Located(.maxUnavailable(.count(1)), at: location, isDefault: true))
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

    /// `strategy: recreate`, or the rolling-update budget `{maxSurge, maxUnavailable}`.
    private func decodeStrategy(_ node: YAMLNode?, at location: SourceLocation) -> StrategySpec {
        var kind: Located<RolloutKind>?
        var fields: Fields?
        if let node, node.pairs == nil, !node.isNull {
            if node.scalar == "recreate" {
                kind = Located(.recreate, at: node.location)
            } else {
                reader.error("type-mismatch",
                             "expected 'recreate' or a rolling-update budget {maxSurge, maxUnavailable} for 'strategy', found \(node.scalar.map { "'\($0)'" } ?? node.kindDescription)",
                             at: node.location)
            }
        } else {
            fields = node.flatMap { reader.mapping($0, "'strategy'", known: SpecKeys.strategy) }
        }
        return StrategySpec(
            kind: kind ?? Located(.rollingUpdate, at: node?.location ?? location, isDefault: true),
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
        let type = fields["type"].flatMap { reader.choice($0, "Service type", as: ServiceType.self) } ?? Located(.clusterIP, at: location, isDefault: true)
        let from = fields["from"].flatMap { decodePublicSources($0) }
        if let from, type.value == .clusterIP {
            reader.error("conflicting-fields",
                         "'from' says where outside traffic comes from, but a ClusterIP Service is reachable only inside the cluster",
                         at: from.location, notes: type.isDefault ? [] : [DiagnosticNote("type ClusterIP", at: type.location)],
                         fix: "Set 'type: LoadBalancer' (or NodePort), or remove 'from'.")
        }
        return ServicePortGroupSpec(
            suffix: suffix, type: type, ports: selected,
            annotations: fields["annotations"].map { reader.metadataEntries($0, "Service annotations", areLabels: false) } ?? [],
            from: from)
    }

    /// `from: anywhere` or a list of CIDRs.
    private func decodePublicSources(_ node: YAMLNode) -> PublicSources? {
        if node.scalar == "anywhere" {
            return PublicSources(ranges: PublicSources.anywhere.map { Located($0, at: node.location, isDefault: true) }, isAnywhere: true,
                                 location: node.location)
        }
        guard let items = node.items else {
            reader.error("type-mismatch", "expected 'anywhere' or a list of address ranges (CIDRs) for 'from', found \(node.scalar.map { "'\($0)'" } ?? node.kindDescription)",
                         at: node.location)
            return nil
        }
        guard !items.isEmpty else {
            reader.error("invalid-value", "'from' lists no address range: nothing outside the cluster could reach the Service", at: node.location,
                         fix: "List the clients' ranges, write 'from: anywhere', or remove 'from'.")
            return nil
        }
        let ranges = items.compactMap { cidr($0, "an address range in 'from'") }
        guard ranges.count == items.count else { return nil }
        return PublicSources(ranges: ranges, isAnywhere: false, location: node.location)
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
