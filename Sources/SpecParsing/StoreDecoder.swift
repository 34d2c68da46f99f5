import SpecModel
import SpecDiagnostics

/// The decoding side of an engine's description (`SpecModel/StoreEngine.swift`), conformed to in
/// `Engines/<Engine>Decoder.swift`.
protocol EngineDecoding: StoreEngine {
    /// The defaults for a store written as `fields`: `StoreEngine.defaults` unless a setting picks
    /// another image (a flavour of the engine).
    static func defaults(for fields: Fields) -> EngineDefaults

    /// The engine's settings from the store's mapping (its keys already checked against
    /// `StoreEngine.keys`), or nil after reporting why they are unusable.
    static func decode(_ fields: Fields, store: Located<String>, with decoder: SpecDecoder) -> Self?

    /// Words of the engine's settings its `keyDescriptions` do not reach — enumerated values it
    /// accepts (`mode: cloudnative-pg`) — for the spec's vocabulary (`SpecVocabulary`, the fuzz
    /// dictionary).
    static var vocabulary: [String] { get }

    /// The type, summary and default of each of the engine's `keys` (the schema, docs and hover
    /// read them; `SpecSchemaTests` fails naming a key in `keys` that is not described here).
    static var keyDescriptions: [KeyDescription] { get }
}

extension EngineDecoding {
    static func defaults(for fields: Fields) -> EngineDefaults { defaults }
    static var vocabulary: [String] { [] }
    static var keyDescriptions: [KeyDescription] { [] }
}

/// The decoding side of a Secret an engine's operator syncs (`StoreEngine.secretSync`).
protocol SecretSyncDecoding: SecretSync {
    static func decode(_ node: YAMLNode, with decoder: SpecDecoder) -> Self?
    /// The `secrets.<name>.<key>` key with its type and summary.
    static var keyDescription: KeyDescription { get }
}

/// Decoding of `stores:` (through each engine's decoder) and `statefulServices:` (generic StatefulSets).
extension SpecDecoder {
    func decodeStores(_ node: YAMLNode) -> [StoreSpec] {
        reader.namedEntries(node, "'stores'").compactMap { entry in
            guard checkedWorkloadName(entry.name, kind: "store") else { return nil }
            return decodeStore(entry.name, entry.value)
        }
    }

    private func decodeStore(_ name: Located<String>, _ node: YAMLNode) -> StoreSpec? {
        let owner = "store '\(name.value)'"
        // The engine decides which keys are valid, so read it before checking the rest.
        let engineNode = node.pairs?.first { $0.key.scalar == "engine" }?.value
        guard node.pairs != nil else {
            reader.error("type-mismatch", "expected a mapping for \(owner), found \(node.kindDescription)", at: node.location)
            return nil
        }
        guard let engineNode else {
            reader.error("missing-field", "\(owner) is missing required field 'engine' (one of \(Engines.names.joined(separator: ", ")))",
                         at: name.location)
            return nil
        }
        guard let engineName = reader.choice(engineNode, "store engine", among: Engines.names),
              let engine = Engines.named(engineName.value) else { return nil }
        let known = SpecKeys.store(engine)
        guard let fields = reader.mapping(node, owner, known: known),
              let namespace = resolveNamespace(fields, owner: owner, at: name.location) else { return nil }
        guard let decoding = engine as? any EngineDecoding.Type else {
            reader.error("unsupported-engine", "engine '\(engine.name)' has no decoder; this is a clusterspec bug", at: engineName.location)
            return nil
        }
        let defaults = decoding.defaults(for: fields)
        guard let image = storeImage(fields, repository: defaults.repository, version: defaults.version, at: name.location),
              let storage = decodeStorage(fields["storage"], defaultSize: defaults.storage, at: name.location) else { return nil }
        var security = decodeSecurity(fields["securityContext"], at: name.location)
        if fields["securityContext"].flatMap({ reader.mapping($0, "'securityContext'", known: SpecKeys.securityContext) })?.has("readOnlyRootFilesystem") != true {
            security.readOnlyRootFilesystem = Located(defaults.readOnlyRootFilesystem, at: name.location, isDefault: true)
        }
        // Stores run as their image's user, not the spec-wide default UID.
        security.runAsUser = security.runAsUser.flatMap { $0.isDefault ? nil : $0 } ?? Located(defaults.user, at: name.location, isDefault: true)
        security.runAsGroup = security.runAsGroup.flatMap { $0.isDefault ? nil : $0 } ?? Located(defaults.group, at: name.location, isDefault: true)
        security.fsGroup = security.fsGroup.flatMap { $0.isDefault ? nil : $0 } ?? Located(defaults.group, at: name.location, isDefault: true)

        if let refusal = engine.tlsUnsupported, let tls = fields.keyLocation("tls") {
            reader.error("unsupported-setting", "'tls' is not supported on \(engine.name) stores: \(refusal)", at: tls)
        }
        guard let settings = decoding.decode(fields, store: name, with: self) else { return nil }
        let replicated = settings.roles(named: name.value).contains { $0.replicas.value > 1 }
        var placement = decodePlacement(fields["placement"], at: name.location, replicated: replicated)
        if replicated, placement.hosts.isDefault {
            // Quorum members on one node fail together; keep them apart unless the spec says otherwise.
            placement.hosts = Located(.required, at: name.location, isDefault: true)
        }
        return StoreSpec(
            name: name, namespace: namespace, image: image, storage: storage,
            resources: fields["resources"].flatMap { decodeResources($0) },
            placement: placement,
            tls: fields["tls"].flatMap { decodeTLS($0) },
            pdb: fields["pdb"].map { decodeExplicitPDB($0) },
            security: security,
            labels: fields["labels"].map { reader.metadataEntries($0, "'labels'", areLabels: true) } ?? [],
            podAnnotations: fields["podAnnotations"].map { reader.metadataEntries($0, "'podAnnotations'", areLabels: false) } ?? [],
            settings: settings,
            membership: fields["membership"].flatMap { decodeMembershipStep($0) })
    }

    /// `membership: {from: N}`: the member count of the running cluster, reviewed by the operator.
    private func decodeMembershipStep(_ node: YAMLNode) -> MembershipStep? {
        guard let fields = reader.mapping(node, "'membership'", known: SpecKeys.membership) else { return nil }
        guard let fromNode = fields["from"] else {
            reader.error("missing-field", "'membership' needs 'from': the member count of the running cluster (the previous revision's)",
                         at: node.location)
            return nil
        }
        return reader.int(fromNode, "'membership.from'", in: 0...99).map { MembershipStep(from: $0, location: node.location) }
    }

    /// `image:` as written, else `<repository>:<version>`.
    func storeImage(_ fields: Fields, repository: String, version: String, at location: SourceLocation) -> Located<String>? {
        if fields.has("image"), fields.has("version") {
            reader.error("conflicting-fields", "give 'version' or 'image', not both", at: fields.keyLocation("image") ?? location)
            return nil
        }
        if let node = fields["image"] { return reader.nonEmptyString(node, "'image'") }
        if let node = fields["version"] {
            guard let version = reader.nonEmptyString(node, "'version'") else { return nil }
            return Located("\(repository):\(version.value)", at: version.location)
        }
        return Located("\(repository):\(version)", at: location, isDefault: true)
    }

    func decodeStorage(_ node: YAMLNode?, defaultSize: String, at location: SourceLocation) -> StorageSpec? {
        let fields = node.flatMap { reader.mapping($0, "'storage'", known: SpecKeys.storage) }
        if node != nil, fields == nil { return nil }
        let size: Located<Quantity>
        if let sizeNode = fields?["size"] {
            guard let value = positiveQuantity(sizeNode, "'storage.size'") else { return nil }
            size = value
        } else {
            guard let quantity = Quantity(defaultSize) else { return nil }
            size = Located(quantity, at: location, isDefault: true)
        }
        return StorageSpec(size: size, storageClass: fields?["class"].flatMap { reader.nonEmptyString($0, "'storage.class'") })
    }

    func members(_ fields: Fields, _ key: String = "members", default fallback: Int, at location: SourceLocation) -> Located<Int>? {
        guard let node = fields[key] else { return Located(fallback, at: location, isDefault: true) }
        return reader.int(node, "'\(key)'", in: 1...99)
    }

    func decodeTLS(_ node: YAMLNode) -> StoreTLSSpec? {
        guard let fields = reader.mapping(node, "'tls'", known: SpecKeys.tls) else { return nil }
        if let secret = fields["secret"].flatMap({ reader.nonEmptyString($0, "'tls.secret'") }) {
            if fields.has("issuer") {
                reader.error("conflicting-fields", "'tls' takes an existing 'secret' or a cert-manager 'issuer', not both", at: node.location)
                return nil
            }
            let clientSecret = fields["clientSecret"].flatMap { reader.nonEmptyString($0, "'tls.clientSecret'") }
            return StoreTLSSpec(source: .secret(secret), clientSecret: clientSecret, location: node.location)
        }
        if let issuer = fields["issuer"].flatMap({ reader.nonEmptyString($0, "'tls.issuer'") }) {
            if let clientSecret = fields["clientSecret"] {
                reader.error("conflicting-fields", "'tls.clientSecret' goes with a declared 'secret'; with an 'issuer' cert-manager issues every client's certificate",
                             at: clientSecret.location)
                return nil
            }
            let kind = fields["kind"].flatMap { reader.choice($0, "issuer kind", as: IssuerKind.self) }
                ?? Located(.clusterIssuer, at: node.location, isDefault: true)
            return StoreTLSSpec(source: .issuer(name: issuer, kind: kind), location: node.location)
        }
        if !fields.has("secret"), !fields.has("issuer") {
            reader.error("missing-field", "'tls' needs 'secret' (an existing TLS Secret) or 'issuer' (a cert-manager issuer)", at: node.location)
        }
        return nil
    }

    /// A PDB written on a store: `{maxUnavailable}`, `{minAvailable}` or `none`.
    private func decodeExplicitPDB(_ node: YAMLNode) -> PDBSpec {
        if node.scalar == "none" { return PDBSpec(budget: nil, location: node.location) }
        guard let fields = reader.mapping(node, "'pdb'", known: SpecKeys.pdb) else { return PDBSpec(budget: nil) }
        let given = SpecKeys.pdb.names.filter { fields.has($0) }
        guard given.count == 1, let key = given.first else {
            reader.error("invalid-value", "'pdb' takes exactly one of 'minAvailable' or 'maxUnavailable' (or 'pdb: none')", at: node.location)
            return PDBSpec(budget: nil)
        }
        guard let value = fields[key].flatMap({ reader.intOrPercent($0, "'pdb.\(key)'") }) else { return PDBSpec(budget: nil) }
        return PDBSpec(budget: value.map { key == "minAvailable" ? .minAvailable($0) : .maxUnavailable($0) }, location: node.location)
    }

    // MARK: Stateful services

    func decodeStatefulServices(_ node: YAMLNode) -> [StatefulServiceSpec] {
        reader.namedEntries(node, "'statefulServices'").compactMap { entry in
            guard checkedWorkloadName(entry.name, kind: "stateful service"),
                  let fields = reader.mapping(entry.value, "stateful service '\(entry.name.value)'", known: SpecKeys.statefulService) else { return nil }
            let owner = "stateful service '\(entry.name.value)'"
            let replicas = fields["replicas"].flatMap { reader.int($0, "'replicas'", in: 1...10_000) }
                ?? Located(1, at: entry.name.location, isDefault: true)
            guard var workload = decodeWorkload(entry.name, fields, kind: "stateful service", replicated: replicas.value > 1, allowsPorts: true) else {
                return nil
            }
            let ports = workload.container.ports
            var storage: StorageSpec?, mountPath: Located<String>?
            if let storageNode = fields["storage"], let inner = reader.mapping(storageNode, "'storage'", known: SpecKeys.statefulStorage) {
                guard let sizeNode = inner["size"], let size = positiveQuantity(sizeNode, "'storage.size'") else {
                    if !inner.has("size") { reader.error("missing-field", "'storage' needs 'size'", at: storageNode.location) }
                    return nil
                }
                guard let path = inner["mountPath"].flatMap({ reader.nonEmptyString($0, "'storage.mountPath'") }), path.value.hasPrefix("/") else {
                    reader.error("missing-field", "'storage' needs an absolute 'mountPath'", at: storageNode.location)
                    return nil
                }
                let claim = StorageSpec(size: size, storageClass: inner["class"].flatMap { reader.nonEmptyString($0, "'storage.class'") })
                storage = claim
                mountPath = path
                workload.container.volumes.append(VolumeSpec(name: Located("data", at: storageNode.location, isDefault: true),
                                                             source: .claimTemplate(claim), mountPath: path, readOnly: false))
            }
            var peers: PeersSpec?
            if let peersNode = fields["peers"], let inner = reader.mapping(peersNode, "'peers'", known: SpecKeys.peers) {
                let port = inner["port"].flatMap { namedPort($0, ports: ports, owner: owner) }
                    ?? defaultPort(ports).map { Located($0.name.value, at: peersNode.location, isDefault: true) }
                if let port {
                    let listEnv = inner["listEnv"].flatMap { reader.nonEmptyString($0, "'listEnv'") }
                    let selfEnv = inner["selfEnv"].flatMap { reader.nonEmptyString($0, "'selfEnv'") }
                    for name in [listEnv, selfEnv].compactMap({ $0 }) where !KubernetesName.isEnvName(name.value) {
                        reader.error("invalid-name", "'\(name.value)' is not a valid environment variable name", at: name.location)
                    }
                    peers = PeersSpec(port: port, listEnv: listEnv, selfEnv: selfEnv,
                                      publishNotReady: inner["publishNotReady"].flatMap { reader.bool($0, "'publishNotReady'") }
                                          ?? Located(true, at: peersNode.location, isDefault: true))
                } else if !inner.has("port") {
                    reader.error("missing-field", "'peers' needs a port: \(owner) declares none", at: peersNode.location)
                }
            }
            let pdb: PDBSpec
            if let node = fields.entries["pdb"]?.value {
                pdb = decodeExplicitPDB(node)
            } else {
                // Stateful peers leave one at a time: safe for any replication factor of two or more.
                pdb = PDBSpec(budget: replicas.value > 1 ? Located(.maxUnavailable(.count(1)), at: replicas.location, isDefault: true) : nil)
            }
            return StatefulServiceSpec(
                workload: workload, replicas: replicas, storage: storage, storageMountPath: mountPath, peers: peers, pdb: pdb,
                serviceGroups: decodeServiceGroups(fields, ports: ports, owner: owner, at: entry.name.location),
                tls: fields["tls"].flatMap { decodeTLS($0) },
                podManagementPolicy: fields["podManagementPolicy"].flatMap { reader.choice($0, "pod management policy", as: PodManagementPolicy.self) }
                    ?? Located(.parallel, at: entry.name.location, isDefault: true))
        }
    }
}
