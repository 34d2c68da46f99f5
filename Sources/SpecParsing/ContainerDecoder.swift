import SpecModel
import SpecDiagnostics

/// Decoding of one container: image, ports, environment, resources, probes, volumes, security.
extension SpecDecoder {
    /// Decodes the container keys of `fields`. `owner` names the element in messages; a volume
    /// entry without a source may name one of `sharedVolumes` (the main container's) to mount it too.
    func decodeContainer(_ fields: Fields, owner: String, at location: SourceLocation, allowsPorts: Bool,
                         sharedVolumes: [VolumeSpec] = []) -> ContainerSpec? {
        let image: Located<String>?
        if let node = fields["image"] {
            image = reader.nonEmptyString(node, "'image'")
            if let image, image.value.contains(where: { $0.isWhitespace }) {
                reader.error("invalid-value", "image '\(image.value)' contains whitespace", at: image.location)
            }
        } else {
            reader.error("missing-field", "\(owner) is missing required field 'image'", at: location)
            image = nil
        }
        let ports = allowsPorts ? (fields["ports"].map { decodePorts($0, owner: owner) } ?? []) : []
        let health = allowsPorts ? fields["health"].flatMap { decodeHealth($0, ports: ports, owner: owner) } : nil
        let container = ContainerSpec(
            image: image ?? Located("", at: location),
            imagePullPolicy: pullPolicy(fields, at: location),
            command: fields["command"].flatMap { reader.stringList($0, "'command'") },
            args: fields["args"].flatMap { reader.stringList($0, "'args'") },
            ports: ports,
            env: fields["env"].map { decodeEnv($0, owner: owner) } ?? [],
            envFrom: fields["envFrom"].map { decodeEnvFrom($0) } ?? [],
            resources: fields["resources"].flatMap { decodeResources($0) },
            health: health,
            volumes: fields["volumes"].map { decodeVolumes($0, owner: owner, shared: sharedVolumes) } ?? [],
            security: decodeSecurity(fields["securityContext"], at: location),
            lifecycle: fields["lifecycle"].flatMap { decodeLifecycle($0, ports: ports, owner: owner) })
        return image == nil ? nil : container
    }

    /// `lifecycle: {preStop: {exec: [...]} | {sleep: seconds} | {path: /drain, port: http}}`.
    private func decodeLifecycle(_ node: YAMLNode, ports: [PortSpec], owner: String) -> LifecycleSpec? {
        guard let fields = reader.mapping(node, "'lifecycle'", known: SpecKeys.lifecycle) else { return nil }
        guard let hookNode = fields["preStop"] else {
            reader.error("missing-field", "'lifecycle' needs 'preStop'", at: node.location)
            return nil
        }
        guard let hook = reader.mapping(hookNode, "'preStop'", known: SpecKeys.lifecycleHandler) else { return nil }
        let kinds = ["exec", "sleep", "path"].filter { hook.has($0) }
        guard kinds.count == 1, let kind = kinds.first else {
            reader.error(kinds.isEmpty ? "missing-field" : "conflicting-fields",
                         "'preStop' needs exactly one of 'exec', 'sleep' or 'path'", at: hookNode.location)
            return nil
        }
        if kind != "path", hook.has("port") {
            reader.error("conflicting-fields", "'port' applies to 'path' hooks only", at: hook.keyLocation("port") ?? hookNode.location)
        }
        let handler: LifecycleHandler
        switch kind {
        case "exec":
            guard let command = hook["exec"].flatMap({ reader.stringList($0, "'exec'") }) else { return nil }
            guard !command.value.isEmpty else {
                reader.error("invalid-value", "'preStop' 'exec' needs a command", at: command.location)
                return nil
            }
            handler = .exec(command: command)
        case "sleep":
            guard let seconds = hook["sleep"].flatMap({ reader.int($0, "'sleep' (seconds)", in: 1...3600) }) else { return nil }
            handler = .sleep(seconds: seconds)
        default:
            guard let path = hook["path"].flatMap({ reader.string($0, "'path'") }) else { return nil }
            guard path.value.hasPrefix("/") else {
                reader.error("invalid-value", "'preStop' path must start with '/', found '\(path.value)'", at: path.location)
                return nil
            }
            let port = hook["port"].map { portReference($0, ports: ports, owner: owner) }
                ?? defaultPort(ports).map { Located(PortReference.name($0.name.value), at: hookNode.location, isDefault: true) }
            guard let port else {
                if !hook.has("port") { reader.error("missing-field", "'preStop' needs a port: \(owner) declares none", at: hookNode.location) }
                return nil
            }
            handler = .http(path: path, port: port)
        }
        return LifecycleSpec(preStop: handler, location: node.location)
    }

    func pullPolicy(_ fields: Fields, at location: SourceLocation) -> Located<ImagePullPolicy> {
        fields["imagePullPolicy"].flatMap { reader.choice($0, "image pull policy", as: ImagePullPolicy.self) }
            ?? defaults.imagePullPolicy.map { Located($0.value, at: location, isDefault: true) }
            ?? Located(.ifNotPresent, at: location, isDefault: true)
    }

    // MARK: Ports

    func decodePorts(_ node: YAMLNode, owner: String) -> [PortSpec] {
        var numbers: [String: SourceLocation] = [:]
        return reader.namedEntries(node, "ports of \(owner)").compactMap { entry in
            guard KubernetesName.isPortName(entry.name.value) else {
                reader.error("invalid-name",
                             "port name '\(entry.name.value)' is not valid: expected at most 15 lowercase letters, digits or '-', with at least one letter",
                             at: entry.name.location)
                return nil
            }
            let port: PortSpec?
            if entry.value.pairs != nil {
                guard let fields = reader.mapping(entry.value, "port '\(entry.name.value)'", known: SpecKeys.port) else { return nil }
                guard let numberNode = fields["port"] else {
                    reader.error("missing-field", "port '\(entry.name.value)' is missing required field 'port'", at: entry.name.location)
                    return nil
                }
                guard let number = reader.int(numberNode, "port '\(entry.name.value)'", in: 1...65535) else { return nil }
                let proto = fields["protocol"].flatMap { reader.choice($0, "protocol", as: PortProtocol.self) }
                port = PortSpec(name: entry.name, number: number,
                                portProtocol: proto ?? Located(.tcp, at: entry.name.location, isDefault: true),
                                servicePort: fields["servicePort"].flatMap { reader.int($0, "'servicePort'", in: 1...65535) })
            } else {
                guard let number = reader.int(entry.value, "port '\(entry.name.value)'", in: 1...65535) else { return nil }
                port = PortSpec(name: entry.name, number: number, portProtocol: Located(.tcp, at: entry.name.location, isDefault: true))
            }
            if let port {
                // The same number may serve TCP and UDP (memberlist gossip, DNS), as Kubernetes allows.
                let key = "\(port.number.value)/\(port.portProtocol.value.rawValue)"
                if let first = numbers[key] {
                    reader.error("duplicate-port", "port \(port.number.value)/\(port.portProtocol.value.rawValue) is declared twice in \(owner)",
                                 at: port.number.location, notes: [DiagnosticNote("first declared here", at: first)])
                } else {
                    numbers[key] = port.number.location
                }
            }
            return port
        }
    }

    /// Resolves a port given by name against `ports`, or accepts a number.
    func portReference(_ node: YAMLNode, ports: [PortSpec], owner: String) -> Located<PortReference>? {
        if case .scalar(let text, .plain) = node.content, let number = Int(text) {
            guard (1...65535).contains(number) else {
                reader.error("invalid-value", "port must be between 1 and 65535, found \(number)", at: node.location)
                return nil
            }
            return Located(.number(number), at: node.location)
        }
        guard let name = reader.string(node, "a port") else { return nil }
        guard ports.contains(where: { $0.name.value == name.value }) else {
            reportUnknownPort(name, ports: ports, owner: owner)
            return nil
        }
        return Located(.name(name.value), at: node.location)
    }

    /// A port that must be one of the workload's named ports.
    func namedPort(_ node: YAMLNode, ports: [PortSpec], owner: String) -> Located<String>? {
        guard let name = reader.string(node, "a port name") else { return nil }
        guard ports.contains(where: { $0.name.value == name.value }) else {
            reportUnknownPort(name, ports: ports, owner: owner)
            return nil
        }
        return name
    }

    private func reportUnknownPort(_ name: Located<String>, ports: [PortSpec], owner: String) {
        let names = ports.map(\.name.value)
        reader.error("unknown-port",
                     "\(owner) has no port named '\(name.value)'\(NameSuggestion.hint(for: name.value, in: names))",
                     at: name.location,
                     notes: [DiagnosticNote(names.isEmpty ? "it declares no ports" : "declared ports: \(names.joined(separator: ", "))")])
    }

    /// The port probes and ingress use when none is named: `http` if declared, else the first port.
    func defaultPort(_ ports: [PortSpec]) -> PortSpec? {
        ports.first { $0.name.value == "http" } ?? ports.first
    }

    /// The port `node` names, or without one the default port (located at `location`); with
    /// neither, the error `noPorts` at `location`.
    func namedOrDefaultPort(_ node: YAMLNode?, ports: [PortSpec], owner: String, at location: SourceLocation, noPorts: String) -> Located<String>? {
        if let node { return namedPort(node, ports: ports, owner: owner) }
        if let fallback = defaultPort(ports) { return Located(fallback.name.value, at: location, isDefault: true) }
        reader.error("missing-field", noPorts, at: location)
        return nil
    }

    // MARK: Health

    private func decodeHealth(_ node: YAMLNode, ports: [PortSpec], owner: String) -> HealthSpec? {
        guard let fields = reader.mapping(node, "'health'", known: SpecKeys.health) else { return nil }
        var port: Located<PortReference>?
        if let portNode = fields["port"] {
            port = portReference(portNode, ports: ports, owner: owner)
        } else if let fallback = defaultPort(ports) {
            port = Located(.name(fallback.name.value), at: node.location, isDefault: true)
        }
        // When 'health.port' itself is wrong it was reported; probes then say nothing more about it.
        let portReported = fields.has("port") && port == nil
        func probe(_ key: String, _ timing: ProbeTimingDefaults) -> ProbeSpec? {
            fields[key].flatMap {
                decodeProbe($0, key, defaultPort: port, ports: ports, owner: owner, timing: timing, portReported: portReported)
            }
        }
        return HealthSpec(liveness: probe("liveness", .liveness), readiness: probe("readiness", .readiness),
                          startup: probe("startup", .startup), location: node.location)
    }

    /// Probe timing used when the spec gives none.
    struct ProbeTimingDefaults {
        var initialDelay: Int?
        var period: Int
        var timeout: Int
        var failureThreshold: Int

        static let liveness = ProbeTimingDefaults(initialDelay: 10, period: 10, timeout: 3, failureThreshold: 3)
        static let readiness = ProbeTimingDefaults(initialDelay: 5, period: 5, timeout: 3, failureThreshold: 3)
        static let startup = ProbeTimingDefaults(initialDelay: nil, period: 5, timeout: 3, failureThreshold: 30)
    }

    func decodeProbe(_ node: YAMLNode, _ key: String, defaultPort: Located<PortReference>?, ports: [PortSpec], owner: String,
                     timing: ProbeTimingDefaults, portReported: Bool = false) -> ProbeSpec? {
        let at = node.location
        func defaulted(_ value: Int) -> Located<Int> { Located(value, at: at, isDefault: true) }
        if let path = node.scalar, !node.isNull, node.pairs == nil {
            guard path.hasPrefix("/") else {
                reader.error("invalid-value", "\(key) probe path must start with '/', found '\(path)'", at: at)
                return nil
            }
            guard let defaultPort else {
                if !portReported { reader.error("missing-field", "\(key) probe needs a port: \(owner) declares none", at: at) }
                return nil
            }
            return ProbeSpec(action: .http(path: Located(path, at: at), port: defaultPort),
                             initialDelaySeconds: timing.initialDelay.map(defaulted), periodSeconds: defaulted(timing.period),
                             timeoutSeconds: defaulted(timing.timeout), failureThreshold: defaulted(timing.failureThreshold),
                             location: at)
        }
        guard let fields = reader.mapping(node, "\(key) probe", known: SpecKeys.probe) else { return nil }
        let kinds = ["path", "exec", "tcp", "grpc"].filter { fields.has($0) }
        guard kinds.count == 1, let kind = kinds.first else {
            reader.error(kinds.isEmpty ? "missing-field" : "conflicting-fields",
                         "\(key) probe needs exactly one of 'path', 'exec', 'tcp' or 'grpc'\(kinds.isEmpty ? "" : ", found \(kinds.joined(separator: " and "))")",
                         at: at)
            return nil
        }
        let action: ProbeAction
        switch kind {
        case "path":
            guard let path = fields["path"].flatMap({ reader.string($0, "'path'") }) else { return nil }
            guard path.value.hasPrefix("/") else {
                reader.error("invalid-value", "\(key) probe path must start with '/', found '\(path.value)'", at: path.location)
                return nil
            }
            let port = fields["port"].map { portReference($0, ports: ports, owner: owner) } ?? defaultPort
            guard let port else {
                if !fields.has("port") && !portReported {
                    reader.error("missing-field", "\(key) probe needs a port: \(owner) declares none", at: at)
                }
                return nil
            }
            action = .http(path: path, port: port)
        case "exec":
            guard let command = fields["exec"].flatMap({ reader.stringList($0, "'exec'") }) else { return nil }
            guard !command.value.isEmpty else {
                reader.error("invalid-value", "\(key) probe 'exec' needs a command", at: command.location)
                return nil
            }
            action = .exec(command: command)
        default:
            guard let port = fields[kind].flatMap({ portReference($0, ports: ports, owner: owner) }) else { return nil }
            action = kind == "tcp" ? .tcp(port: port) : .grpc(port: port)
        }
        for key in ["port", "scheme"] where kind != "path" && fields.has(key) {
            reader.error("conflicting-fields", "'\(key)' applies to 'path' probes only", at: fields.keyLocation(key) ?? at)
        }
        let scheme = fields["scheme"].flatMap { reader.choice($0, "probe scheme", as: ProbeScheme.self) }?.value ?? .http
        func seconds(_ field: String, _ fallback: Int?, minimum: Int) -> Located<Int>? {
            fields[field].flatMap { reader.int($0, "'\(field)'", in: minimum...Int(Int32.max)) } ?? fallback.map(defaulted)
        }
        var probe = ProbeSpec(action: action,
                         initialDelaySeconds: seconds("initialDelaySeconds", timing.initialDelay, minimum: 0),
                         periodSeconds: seconds("periodSeconds", timing.period, minimum: 1) ?? defaulted(timing.period),
                         timeoutSeconds: seconds("timeoutSeconds", timing.timeout, minimum: 1) ?? defaulted(timing.timeout),
                         failureThreshold: seconds("failureThreshold", timing.failureThreshold, minimum: 1) ?? defaulted(timing.failureThreshold),
                         location: at)
        probe.scheme = scheme
        return probe
    }

    // MARK: Environment

    func decodeEnv(_ node: YAMLNode, owner: String) -> [EnvVarSpec] {
        reader.namedEntries(node, "env of \(owner)").compactMap { entry in
            guard KubernetesName.isEnvName(entry.name.value) else {
                reader.error("invalid-name", "'\(entry.name.value)' is not a valid environment variable name", at: entry.name.location)
                return nil
            }
            if entry.value.pairs == nil {
                guard let literal = reader.string(entry.value, "env '\(entry.name.value)'") else { return nil }
                return EnvVarSpec(name: entry.name, source: .literal(literal))
            }
            guard let fields = reader.mapping(entry.value, "env '\(entry.name.value)'", known: SpecKeys.envSource) else { return nil }
            let kinds = ["secret", "configMap", "field", "resource"].filter { fields.has($0) }
            guard kinds.count == 1, let kind = kinds.first else {
                reader.error(kinds.isEmpty ? "missing-field" : "conflicting-fields",
                             "env '\(entry.name.value)' needs exactly one of 'secret', 'configMap', 'field' or 'resource'",
                             at: entry.value.location,
                             notes: [DiagnosticNote("write a plain value as 'NAME: value', a Secret key as '{secret: name, key: key}'")])
                return nil
            }
            let optional = fields["optional"].flatMap { reader.bool($0, "'optional'") }?.value ?? false
            switch kind {
            case "secret", "configMap":
                guard let name = fields[kind].flatMap({ reader.nonEmptyString($0, "'\(kind)'") }) else { return nil }
                guard let key = fields["key"].flatMap({ reader.nonEmptyString($0, "'key'") }) else {
                    if !fields.has("key") {
                        reader.error("missing-field", "env '\(entry.name.value)' reads \(kind == "secret" ? "a Secret" : "a ConfigMap") and needs 'key'",
                                     at: entry.value.location)
                    }
                    return nil
                }
                return EnvVarSpec(name: entry.name, source: kind == "secret"
                                  ? .secretKey(secret: name, key: key, optional: optional)
                                  : .configMapKey(configMap: name, key: key, optional: optional))
            case "field":
                guard let path = fields["field"].flatMap({ reader.nonEmptyString($0, "'field'") }) else { return nil }
                return EnvVarSpec(name: entry.name, source: .field(path))
            default:
                guard let resource = fields["resource"].flatMap({ reader.nonEmptyString($0, "'resource'") }) else { return nil }
                return EnvVarSpec(name: entry.name, source: .resource(resource))
            }
        }
    }

    private func decodeEnvFrom(_ node: YAMLNode) -> [EnvFromSpec] {
        reader.mappingItems(node, list: "for 'envFrom'", item: "an 'envFrom' entry", known: SpecKeys.envFrom).compactMap { item, fields in
            let kinds = ["secret", "configMap"].filter { fields.has($0) }
            guard kinds.count == 1, let kind = kinds.first,
                  let name = fields[kind].flatMap({ reader.nonEmptyString($0, "'\(kind)'") }) else {
                if kinds.count != 1 {
                    reader.error("missing-field", "an 'envFrom' entry needs exactly one of 'secret' or 'configMap'", at: item.location)
                }
                return nil
            }
            return EnvFromSpec(kind: kind == "secret" ? .secret : .configMap, name: name,
                               prefix: fields["prefix"].flatMap { reader.string($0, "'prefix'") },
                               optional: fields["optional"].flatMap { reader.bool($0, "'optional'") }?.value ?? false)
        }
    }

    // MARK: Resources, volumes, security

    func decodeResources(_ node: YAMLNode) -> ResourcesSpec? {
        guard let fields = reader.mapping(node, "'resources'", known: SpecKeys.resources) else { return nil }
        func amounts(_ key: String) -> ResourceAmounts {
            guard let node = fields[key], let inner = reader.mapping(node, "'resources.\(key)'", known: SpecKeys.resourceAmounts) else {
                return ResourceAmounts()
            }
            return ResourceAmounts(cpu: inner["cpu"].flatMap { reader.quantity($0, "'\(key).cpu'") },
                                   memory: inner["memory"].flatMap { reader.quantity($0, "'\(key).memory'") },
                                   ephemeralStorage: inner["ephemeralStorage"].flatMap { reader.quantity($0, "'\(key).ephemeralStorage'") })
        }
        return ResourcesSpec(requests: amounts("requests"), limits: amounts("limits"), location: node.location)
    }

    /// The container's volumes. An entry without a source that names one of `shared` mounts that
    /// volume (the main container's) in this container too.
    func decodeVolumes(_ node: YAMLNode, owner: String, shared: [VolumeSpec] = []) -> [VolumeSpec] {
        var mountPaths: [String: SourceLocation] = [:]
        return reader.namedEntries(node, "volumes of \(owner)").compactMap { entry in
            guard checkedLabel(entry.name, kind: "volume") else { return nil }
            let what = "volume '\(entry.name.value)'"
            guard let fields = reader.mapping(entry.value, what, known: SpecKeys.volume) else { return nil }
            let kinds = ["configMap", "secret", "emptyDir", "claim"].filter { fields.has($0) }
            let sharedSource = kinds.isEmpty ? shared.first { $0.name.value == entry.name.value }?.source : nil
            guard kinds.count == 1 || sharedSource != nil else {
                reader.error(kinds.isEmpty ? "missing-field" : "conflicting-fields",
                             "\(what) needs exactly one of 'configMap', 'secret', 'emptyDir' or 'claim'"
                                + (shared.isEmpty ? "" : ", or the name of a volume of the main container to share"),
                             at: entry.value.location)
                return nil
            }
            let source: VolumeSource
            if let sharedSource {
                source = sharedSource
            } else if kinds[0] == "emptyDir" {
                let inner = fields.entries["emptyDir"].flatMap { reader.mapping($0.value, "'emptyDir'", known: SpecKeys.emptyDir) }
                var inMemory = false
                if let medium = inner?["medium"].flatMap({ reader.string($0, "'medium'") }) {
                    if medium.value == "Memory" { inMemory = true } else {
                        reader.error("invalid-value", "emptyDir medium must be 'Memory' (or left out for disk), found '\(medium.value)'", at: medium.location)
                    }
                }
                source = .emptyDir(sizeLimit: inner?["sizeLimit"].flatMap { positiveQuantity($0, "'sizeLimit'") }, inMemory: inMemory)
            } else {
                let kind = kinds[0]
                guard let name = fields[kind].flatMap({ reader.nonEmptyString($0, "'\(kind)'") }) else { return nil }
                switch kind {
                case "configMap": source = .configMap(name)
                case "secret": source = .secret(name)
                default: source = .claim(name)
                }
            }
            guard let mountPath = fields["mountPath"].flatMap({ reader.nonEmptyString($0, "'mountPath'") }) else {
                if !fields.has("mountPath") { reader.error("missing-field", "\(what) is missing required field 'mountPath'", at: entry.name.location) }
                return nil
            }
            guard mountPath.value.hasPrefix("/") else {
                reader.error("invalid-value", "mountPath must be absolute, found '\(mountPath.value)'", at: mountPath.location)
                return nil
            }
            if let first = mountPaths[mountPath.value] {
                reader.error("duplicate-mount", "two volumes are mounted at '\(mountPath.value)'", at: mountPath.location,
                             notes: [DiagnosticNote("first mounted here", at: first)])
            }
            mountPaths[mountPath.value] = mountPath.location
            return VolumeSpec(name: entry.name, source: source, mountPath: mountPath,
                              readOnly: fields["readOnly"].flatMap { reader.bool($0, "'readOnly'") }?.value ?? isReadOnlyByDefault(source),
                              subPath: fields["subPath"].flatMap { reader.nonEmptyString($0, "'subPath'") })
        }
    }

    /// ConfigMap and Secret volumes are mounted read-only unless the spec says otherwise.
    private func isReadOnlyByDefault(_ source: VolumeSource) -> Bool {
        switch source {
        case .configMap, .secret: return true
        case .emptyDir, .claim, .claimTemplate: return false
        }
    }

    func decodeSecurity(_ node: YAMLNode?, at location: SourceLocation) -> SecuritySpec {
        let fields = node.flatMap { reader.mapping($0, "'securityContext'", known: SpecKeys.securityContext) }
        func id(_ key: String, _ fallback: Located<Int>?) -> Located<Int>? {
            fields?[key].flatMap { reader.int($0, "'\(key)'", in: 0...2_147_483_647) }
                ?? fallback.map { Located($0.value, at: location, isDefault: true) }
        }
        var capabilities: [Located<String>] = []
        if let node = fields?["capabilities"] {
            for capability in reader.locatedStrings(node, "'capabilities'") {
                let upper = capability.value.uppercased()
                guard !upper.isEmpty, upper.allSatisfy({ $0.isLetter || $0 == "_" }) else {
                    reader.error("invalid-value", "'\(capability.value)' is not a Linux capability name", at: capability.location)
                    continue
                }
                capabilities.append(Located(upper.hasPrefix("CAP_") ? String(upper.dropFirst(4)) : upper, at: capability.location))
            }
        }
        return SecuritySpec(
            runAsUser: id("runAsUser", defaults.runAsUser),
            runAsGroup: id("runAsGroup", defaults.runAsGroup),
            fsGroup: id("fsGroup", defaults.fsGroup),
            readOnlyRootFilesystem: fields?["readOnlyRootFilesystem"].flatMap { reader.bool($0, "'readOnlyRootFilesystem'") }
                ?? Located(defaults.readOnlyRootFilesystem.value, at: location, isDefault: true),
            addCapabilities: capabilities)
    }
}
