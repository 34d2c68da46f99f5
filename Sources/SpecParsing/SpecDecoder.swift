import SpecModel
import SpecDiagnostics

/// Builds the typed `SystemSpec` from a spec document's YAML tree: checks every key and type,
/// fills defaults, and resolves references the emitted objects depend on (namespaces, port names).
struct SpecDecoder {
    let file: String
    let reader: NodeReader
    /// Spec-wide defaults, decoded first because every workload reads them.
    private(set) var defaults: Defaults
    /// Namespaces declared in the spec, by name.
    private(set) var declaredNamespaces: [String: SourceLocation] = [:]
    private var documentLocation: SourceLocation

    init(file: String, reader: NodeReader) {
        self.file = file
        self.reader = reader
        let start = SourceLocation.start(of: file)
        self.documentLocation = start
        self.defaults = Defaults(
            podSecurity: Located(.restricted, at: start, isDefault: true),
            nodePoolLabel: Located("node-type", at: start, isDefault: true),
            readOnlyRootFilesystem: Located(true, at: start, isDefault: true))
    }


    mutating func decodeDocument(_ root: YAMLNode) -> SystemSpec? {
        documentLocation = root.location
        guard root.pairs != nil else {
            reader.error("type-mismatch",
                         "a spec must be a mapping with 'clusterspec: v1' and 'name:', found \(root.kindDescription)",
                         at: root.location,
                         fix: "Start the file with 'clusterspec: v1' and 'name: <system>'.")
            return nil
        }
        guard let fields = reader.mapping(root, "the spec", known: SpecKeys.document) else { return nil }

        SpecParser.checkVersion(fields, of: "spec", reader: reader)
        let name = requiredName(fields, "name", "the spec", kind: "system")
        let clusterDomain = fields["clusterDomain"].flatMap { domainName($0) }
            ?? Located("cluster.local", at: root.location, isDefault: true)

        var namespaces = fields["namespaces"].map(decodeNamespaces) ?? []
        for namespace in namespaces { declaredNamespaces[namespace.name.value] = namespace.name.location }
        if let defaultsNode = fields["defaults"] { decodeDefaults(defaultsNode) }
        for index in namespaces.indices where namespaces[index].podSecurity.isDefault && !defaults.podSecurity.isDefault {
            namespaces[index].podSecurity = Located(defaults.podSecurity.value, at: namespaces[index].name.location, isDefault: true)
        }

        let configMaps = fields["configMaps"].map(decodeConfigMaps) ?? []
        let secrets = fields["secrets"].map(decodeSecrets) ?? []
        let volumeClaims = fields["volumeClaims"].map(decodeVolumeClaims) ?? []
        let services = (fields["services"].map { decodeServices($0) } ?? []) + (fields["workers"].map { decodeServices($0, kind: .worker) } ?? [])
        let statefulServices = fields["statefulServices"].map(decodeStatefulServices) ?? []
        let stores = fields["stores"].map(decodeStores) ?? []
        let jobs = fields["jobs"].map(decodeJobs) ?? []
        let routes = fields["routes"].map { decodeRoutes($0, services: services) } ?? []
        let external = fields["external"].map(decodeExternal) ?? []
        let mesh = decodeMesh(fields["mesh"], at: root.location)

        checkUniqueNames(services.map(\.workload) + statefulServices.map(\.workload) + jobs.map(\.workload), stores: stores,
                         external: external)

        guard let name else { return nil }
        var system = SystemSpec(file: file, name: name, clusterDomain: clusterDomain, defaults: defaults,
                                namespaces: namespaces, configMaps: configMaps, secrets: secrets, volumeClaims: volumeClaims,
                                services: services, jobs: jobs, statefulServices: statefulServices, stores: stores, routes: routes,
                                waivers: fields["waivers"].map(decodeWaivers) ?? [], mesh: mesh, external: external)
        checkUniqueRoutes(system.exposures)
        DependencyWiring(reader: reader).wire(&system)
        return system
    }

    // MARK: Names

    /// A required DNS-label name field.
    func requiredName(_ fields: Fields, _ key: String, _ what: String, kind: String) -> Located<String>? {
        guard let node = fields[key] else {
            reader.error("missing-field", "\(what) is missing required field '\(key)'", at: fields.location)
            return nil
        }
        guard let value = reader.string(node, "'\(key)'") else { return nil }
        return checkedLabel(value, kind: kind) ? value : nil
    }

    /// Reports a name that is not a DNS-1123 label (names become object names and output paths).
    @discardableResult
    func checkedLabel(_ name: Located<String>, kind: String) -> Bool {
        if KubernetesName.isDNSLabel(name.value) { return true }
        var reason = "a DNS-1123 label: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit"
        if name.value.contains("/") || name.value.contains("..") {
            reason += "; it may not contain '/' or '..'"
        }
        reader.error("invalid-name", "\(kind) name '\(name.value)' is not valid: expected \(reason)", at: name.location)
        return false
    }

    /// Workload names also name Services, which must start with a letter (DNS-1035).
    @discardableResult
    func checkedWorkloadName(_ name: Located<String>, kind: String) -> Bool {
        guard checkedLabel(name, kind: kind) else { return false }
        if let first = name.value.unicodeScalars.first, !("a"..."z").contains(first) {
            reader.error("invalid-name", "\(kind) name '\(name.value)' must start with a letter: it also names a Service",
                         at: name.location)
            return false
        }
        return true
    }

    private func domainName(_ node: YAMLNode) -> Located<String>? {
        guard let value = reader.string(node, "'clusterDomain'") else { return nil }
        guard KubernetesName.isDNSSubdomain(value.value) else {
            reader.error("invalid-value", "'\(value.value)' is not a DNS domain", at: value.location)
            return nil
        }
        return value
    }

    /// Workloads, stores and external endpoints share one name space per system: `uses:` names them
    /// without a namespace, and in one namespace their Services would collide.
    private func checkUniqueNames(_ workloads: [WorkloadSpec], stores: [StoreSpec], external: [ExternalEndpointSpec]) {
        var seen: [String: SourceLocation] = [:]
        for name in workloads.map(\.name) + stores.map(\.name) + external.map(\.name) {
            if let first = seen[name.value] {
                reader.error("duplicate-name", "'\(name.value)' is already the name of another workload, store or external endpoint",
                             at: name.location, notes: [DiagnosticNote("first defined here", at: first)])
            } else {
                seen[name.value] = name.location
            }
        }
    }

    // MARK: Defaults and namespaces

    private mutating func decodeDefaults(_ node: YAMLNode) {
        guard let fields = reader.mapping(node, "'defaults'", known: SpecKeys.defaults) else { return }
        if let value = fields["namespace"].flatMap({ reader.string($0, "'defaults.namespace'") }), checkedLabel(value, kind: "namespace") {
            defaults.namespace = checkDeclared(namespace: value)
        }
        if let value = fields["podSecurity"].flatMap({ reader.choice($0, "pod security level", as: PodSecurityLevel.self) }) {
            defaults.podSecurity = value
        }
        defaults.runAsUser = fields["runAsUser"].flatMap { reader.int($0, "'runAsUser'", in: 0...2_147_483_647) }
        defaults.runAsGroup = fields["runAsGroup"].flatMap { reader.int($0, "'runAsGroup'", in: 0...2_147_483_647) }
        defaults.fsGroup = fields["fsGroup"].flatMap { reader.int($0, "'fsGroup'", in: 0...2_147_483_647) }
        defaults.imagePullPolicy = fields["imagePullPolicy"].flatMap { reader.choice($0, "image pull policy", as: ImagePullPolicy.self) }
        if let value = fields["nodePoolLabel"].flatMap({ reader.nonEmptyString($0, "'nodePoolLabel'") }) {
            if KubernetesName.isQualifiedKey(value.value) {
                defaults.nodePoolLabel = value
            } else {
                reader.error("invalid-value", "'\(value.value)' is not a valid label key", at: value.location)
            }
        }
        defaults.ingressClass = fields["ingressClass"].flatMap { reader.nonEmptyString($0, "'ingressClass'") }
        if let value = fields["readOnlyRootFilesystem"].flatMap({ reader.bool($0, "'readOnlyRootFilesystem'") }) {
            defaults.readOnlyRootFilesystem = value
        }
    }

    private func decodeNamespaces(_ node: YAMLNode) -> [NamespaceSpec] {
        reader.namedEntries(node, "'namespaces'").compactMap { entry in
            guard checkedLabel(entry.name, kind: "namespace") else { return nil }
            let fields = reader.mapping(entry.value, "namespace '\(entry.name.value)'", known: SpecKeys.namespace)
            let podSecurity = fields?["podSecurity"].flatMap { reader.choice($0, "pod security level", as: PodSecurityLevel.self) }
            return NamespaceSpec(
                name: entry.name,
                podSecurity: podSecurity ?? Located(.restricted, at: entry.name.location, isDefault: true),
                labels: fields?["labels"].map { reader.metadataEntries($0, "labels of namespace '\(entry.name.value)'", areLabels: true) } ?? [],
                annotations: fields?["annotations"].map { reader.metadataEntries($0, "annotations of namespace '\(entry.name.value)'", areLabels: false) } ?? [],
                create: fields?["create"].flatMap { reader.bool($0, "'create'") } ?? Located(true, at: entry.name.location, isDefault: true),
                mtls: fields?["mtls"].flatMap { reader.choice($0, "mTLS mode", as: MTLSMode.self) },
                networkPolicy: fields?["networkPolicy"].flatMap { reader.choice($0, "network policy mode", as: NetworkPolicyMode.self) })
        }
    }

    /// The namespace of an element: its own `namespace:`, else `defaults.namespace`, else the only
    /// declared namespace. Reports when none applies or the namespace is not declared.
    func resolveNamespace(_ fields: Fields, owner: String, at location: SourceLocation) -> Located<String>? {
        if let node = fields["namespace"] {
            guard let value = reader.string(node, "'namespace'"), checkedLabel(value, kind: "namespace") else { return nil }
            return checkDeclared(namespace: value)
        }
        if let fallback = defaults.namespace {
            return Located(fallback.value, at: location, isDefault: true)
        }
        if declaredNamespaces.count == 1, let only = declaredNamespaces.keys.first {
            return Located(only, at: location, isDefault: true)
        }
        reader.error("missing-field", "\(owner) has no namespace", at: location,
                     fix: declaredNamespaces.isEmpty
                        ? "Declare the namespace under 'namespaces:' and add 'namespace:' here."
                        : "Add 'namespace:' here or set 'defaults.namespace'.")
        return nil
    }

    private func checkDeclared(namespace: Located<String>) -> Located<String>? {
        if declaredNamespaces[namespace.value] != nil { return namespace }
        let declared = declaredNamespaces.keys.sorted()
        reader.error("unknown-namespace",
                     "namespace '\(namespace.value)' is not declared under 'namespaces:'\(NameSuggestion.hint(for: namespace.value, in: declared))",
                     at: namespace.location,
                     fix: "Declare it under 'namespaces:' (with 'create: false' if it is managed elsewhere).")
        return nil
    }

    // MARK: Waivers

    private func decodeWaivers(_ node: YAMLNode) -> [WaiverSpec] {
        reader.mappingItems(node, list: "of waivers for 'waivers'", item: "a waiver", known: SpecKeys.waiver).compactMap { item, fields in
            let missing = SpecKeys.waiver.names.filter { !fields.has($0) }
            guard missing.isEmpty else {
                reader.error("missing-field", "a waiver needs \(missing.map { "'\($0)'" }.joined(separator: ", ")): every accepted finding says why and until when",
                             at: item.location)
                return nil
            }
            guard let rule = fields["rule"].flatMap({ reader.nonEmptyString($0, "'rule'") }),
                  let target = fields["target"].flatMap({ reader.nonEmptyString($0, "'target'") }),
                  let reason = fields["reason"].flatMap({ reader.nonEmptyString($0, "'reason'") }),
                  let expiresText = fields["expires"].flatMap({ reader.string($0, "'expires'") }) else { return nil }
            guard let expires = CalendarDate(expiresText.value) else {
                reader.error("invalid-value", "'\(expiresText.value)' is not a date; write 'expires' as YYYY-MM-DD", at: expiresText.location)
                return nil
            }
            if reason.value.count < 10 {
                reader.error("invalid-value", "a waiver's reason must say why the finding is acceptable (at least 10 characters)", at: reason.location)
            }
            return WaiverSpec(rule: rule, target: target, reason: reason, expires: Located(expires, at: expiresText.location), location: item.location)
        }
    }

    // MARK: ConfigMaps, Secrets, claims

    private func decodeConfigMaps(_ node: YAMLNode) -> [ConfigMapSpec] {
        reader.namedEntries(node, "'configMaps'").compactMap { entry in
            let what = "ConfigMap '\(entry.name.value)'"
            guard checkedSubdomain(entry.name, kind: "ConfigMap"),
                  let fields = reader.mapping(entry.value, what, known: SpecKeys.configMap),
                  let namespace = resolveNamespace(fields, owner: what, at: entry.name.location) else { return nil }
            let data = fields["data"].map { reader.keyValues($0, "data of \(what)") } ?? []
            for item in data where !isConfigKey(item.key.value) {
                reader.error("invalid-name", "'\(item.key.value)' is not a valid ConfigMap key (letters, digits, '-', '_', '.')",
                             at: item.key.location)
            }
            return ConfigMapSpec(name: entry.name, namespace: namespace, data: data)
        }
    }

    private func decodeSecrets(_ node: YAMLNode) -> [SecretRefSpec] {
        reader.namedEntries(node, "'secrets'").compactMap { entry in
            let what = "Secret '\(entry.name.value)'"
            guard checkedSubdomain(entry.name, kind: "Secret"),
                  let fields = reader.mapping(entry.value, what, known: SpecKeys.secret),
                  let namespace = resolveNamespace(fields, owner: what, at: entry.name.location) else { return nil }
            return SecretRefSpec(
                name: entry.name, namespace: namespace,
                keys: fields["keys"].map { reader.locatedStrings($0, "'keys'") } ?? [],
                description: fields["description"].flatMap { reader.string($0, "'description'") },
                sync: decodeSecretSync(fields))
        }
    }

    /// The synced-Secret source written under its engine's key, if any.
    private func decodeSecretSync(_ fields: Fields) -> (any SecretSync)? {
        for sync in Engines.secretSyncs {
            guard let node = fields[sync.key] else { continue }
            return (sync as? any SecretSyncDecoding.Type)?.decode(node, with: self)
        }
        return nil
    }

    private func decodeVolumeClaims(_ node: YAMLNode) -> [VolumeClaimSpec] {
        reader.namedEntries(node, "'volumeClaims'").compactMap { entry in
            let what = "volume claim '\(entry.name.value)'"
            guard checkedLabel(entry.name, kind: "volume claim"),
                  let fields = reader.mapping(entry.value, what, known: SpecKeys.volumeClaim),
                  let namespace = resolveNamespace(fields, owner: what, at: entry.name.location) else { return nil }
            guard let sizeNode = fields["size"] else {
                reader.error("missing-field", "\(what) is missing required field 'size'", at: entry.name.location)
                return nil
            }
            guard let size = positiveQuantity(sizeNode, "'size'") else { return nil }
            if let node = fields["accessModes"], node.items == nil {
                reader.error("type-mismatch", "expected a list of access modes for 'accessModes', found \(node.kindDescription)", at: node.location)
            }
            let modes = fields["accessModes"]?.items?.compactMap { reader.choice($0, "access mode", as: AccessMode.self) }
                ?? [Located(.readWriteOnce, at: entry.name.location, isDefault: true)]
            return VolumeClaimSpec(name: entry.name, namespace: namespace, size: size,
                                   storageClass: fields["storageClass"].flatMap { reader.nonEmptyString($0, "'storageClass'") },
                                   accessModes: modes)
        }
    }

    /// A storage size: a quantity greater than zero.
    func positiveQuantity(_ node: YAMLNode, _ what: String) -> Located<Quantity>? {
        guard let value = reader.quantity(node, what) else { return nil }
        guard value.value.value > 0 else {
            reader.error("invalid-value", "\(what) must be greater than zero, found \(value.value.text)", at: value.location)
            return nil
        }
        return value
    }

    @discardableResult
    func checkedSubdomain(_ name: Located<String>, kind: String) -> Bool {
        if KubernetesName.isDNSSubdomain(name.value) { return true }
        reader.error("invalid-name",
                     "\(kind) name '\(name.value)' is not valid: expected a DNS-1123 subdomain (lowercase letters, digits, '-' and '.')",
                     at: name.location)
        return false
    }

    private func isConfigKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 253 && key != "." && key != ".."
            && key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }
    }
}
