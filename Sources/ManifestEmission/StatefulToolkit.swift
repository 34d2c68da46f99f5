import SpecModel

/// Pieces every stateful emitter shares: the StatefulSet itself, its governing headless Service,
/// client Services, the quorum PodDisruptionBudget, TLS certificates and the store's identity.
struct StatefulToolkit {
    let system: SystemSpec
    var systemName: String { system.name.value }
    var domain: String { system.clusterDomain.value }

    /// Labels shared by every pod of one store (all its roles), for selecting the whole store.
    static let storeLabel = Topology.storeLabel

    /// A synthesized workload for one role of a store, so the common pod template applies.
    func workload(store: StoreSpec, statefulSet: String, container: ContainerSpec, placement: PlacementSpec? = nil,
                  grace: Int? = nil, automountToken: Bool = false) -> WorkloadSpec {
        let at = store.name.location
        return WorkloadSpec(
            name: Located(statefulSet, at: at, isDefault: true), namespace: store.namespace, container: container,
            placement: placement ?? store.placement,
            serviceAccount: ServiceAccountSpec(automountToken: Located(automountToken, at: at, isDefault: true)),
            terminationGracePeriodSeconds: grace.map { Located($0, at: at, isDefault: true) },
            podAnnotations: store.podAnnotations,
            labels: store.labels + [KeyValue(key: Located(Self.storeLabel, at: at), value: Located(store.name.value, at: at))])
    }

    /// A container for a store with the store's image, resources and security settings.
    func container(store: StoreSpec, image: Located<String>? = nil, command: [String]? = nil, args: [String]? = nil,
                   ports: [NamedPort], env: [EnvVarSpec], volumes: [VolumeSpec], health: HealthSpec?,
                   resources: ResourcesSpec?? = .none) -> ContainerSpec {
        let at = store.name.location
        return ContainerSpec(
            image: image ?? store.image, imagePullPolicy: Located(.ifNotPresent, at: at, isDefault: true),
            command: command.map { Located($0, at: at, isDefault: true) }, args: args.map { Located($0, at: at, isDefault: true) },
            ports: ports.map { PortSpec(name: Located($0.name, at: at), number: Located($0.number, at: at), portProtocol: Located(.tcp, at: at)) },
            env: env, resources: resources ?? store.resources, health: health, volumes: volumes, security: store.security)
    }

    /// The StatefulSet: serviceName = its headless Service, Parallel pod management for quorum
    /// members (OrderedReady deadlocks the bootstrap), one claim template per `claimTemplate` volume.
    func statefulSet(_ workload: WorkloadSpec, replicas: Int, serviceName: String, component: String, containerName: String,
                     parallel: Bool = true, onDelete: Bool = false, selector: [(String, String)]? = nil,
                     extraAnnotations: [(String, String)] = [], origin: SourceLocation) -> Resource {
        let selectorLabels = selector ?? Labels.selector(workload: workload.name.value, system: systemName)
        let claims: [ManifestValue] = workload.container.volumes.compactMap { volume in
            guard case .claimTemplate(let storage) = volume.source else { return nil }
            return [
                "metadata": ["name": .string(volume.name.value)],
                "spec": [
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": .optional(storage.storageClass?.value),
                    "resources": ["requests": ["storage": .string(storage.size.value.text)]],
                ],
            ]
        }
        var template = PodTemplateEmitter(system: system).template(
            workload, component: component, extraAnnotations: extraAnnotations, containerName: containerName,
            serviceAccount: serviceAccountName(workload), serviceLinks: !Self.isStore(workload))
        if let selector {
            template = Self.addingLabels(selector, to: template)
        }
        return Resource(
            apiVersion: "apps/v1", kind: "StatefulSet",
            metadata: ObjectMeta(name: workload.name.value, namespace: workload.namespace.value,
                                 labels: Labels.workload(workload, system: systemName, component: component)),
            origin: origin,
            fields: ["spec": [
                "serviceName": .string(serviceName),
                "replicas": .int(replicas),
                "podManagementPolicy": parallel ? "Parallel" : "OrderedReady",
                "updateStrategy": ["type": onDelete ? "OnDelete" : "RollingUpdate"],
                "selector": ["matchLabels": .sortedStrings(selectorLabels)],
                "template": template,
                "volumeClaimTemplates": .nonEmpty(claims),
            ]])
    }

    /// Whether `workload` is a store's role (synthesized by `workload(store:…)`).
    static func isStore(_ workload: WorkloadSpec) -> Bool { workload.labels.contains { $0.key.value == storeLabel } }

    /// A CronJob of a store (its backups): one pod per run, the store's ServiceAccount, no retries
    /// running in parallel (`Forbid`).
    func cronJob(_ workload: WorkloadSpec, schedule: String, component: String, origin: SourceLocation) -> Resource {
        let labels = Labels.workload(workload, system: systemName, component: component)
        let template = PodTemplateEmitter(system: system).template(
            workload, component: component, restartPolicy: "OnFailure", containerName: workload.name.value,
            serviceAccount: serviceAccountName(workload), serviceLinks: false)
        return Resource(
            apiVersion: "batch/v1", kind: "CronJob",
            metadata: ObjectMeta(name: workload.name.value, namespace: workload.namespace.value, labels: labels), origin: origin,
            fields: ["spec": [
                "schedule": .string(schedule),
                "concurrencyPolicy": "Forbid",
                "successfulJobsHistoryLimit": 3,
                "failedJobsHistoryLimit": 1,
                "jobTemplate": ["metadata": ["labels": .sortedStrings(labels)], "spec": ["backoffLimit": 3, "template": template]],
            ]])
    }

    /// A PersistentVolumeClaim of a store outside its StatefulSets (its backups).
    func claim(name: String, namespace: String, labels: [(String, String)], storage: StorageSpec, origin: SourceLocation) -> Resource {
        Resource(
            apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: ObjectMeta(name: name, namespace: namespace, labels: labels), origin: origin,
            fields: ["spec": [
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": .optional(storage.storageClass?.value),
                "resources": ["requests": ["storage": .string(storage.size.value.text)]],
            ]])
    }

    /// Stores share one ServiceAccount per store across roles; stateful services use their own name.
    private func serviceAccountName(_ workload: WorkloadSpec) -> String {
        workload.labels.first { $0.key.value == Self.storeLabel }?.value.value ?? workload.name.value
    }

    private static func addingLabels(_ labels: [(String, String)], to template: ManifestValue) -> ManifestValue {
        guard case .map(var entries) = template, let metadataIndex = entries.firstIndex(where: { $0.key == "metadata" }),
              case .map(var metadata) = entries[metadataIndex].value,
              let labelsIndex = metadata.firstIndex(where: { $0.key == "labels" }),
              case .map(let existing) = metadata[labelsIndex].value else { return template }
        var merged = existing.map { ($0.key, $0.value.stringValue ?? "") }
        for (key, value) in labels where !merged.contains(where: { $0.0 == key }) { merged.append((key, value)) }
        metadata[labelsIndex].value = .sortedStrings(merged)
        entries[metadataIndex].value = .map(metadata)
        return .map(entries)
    }

    /// A Service: headless (governing, publishing not-ready peers so they can find each other while
    /// bootstrapping) or a ClusterIP client Service (ready pods only).
    func service(name: String, namespace: String, labels: [(String, String)], selector: [(String, String)],
                 ports: [NamedPort], headless: Bool, publishNotReady: Bool = true, type: ServiceType = .clusterIP,
                 annotations: [(String, String)] = [], origin: SourceLocation) -> Resource {
        Resource(
            apiVersion: "v1", kind: "Service",
            metadata: ObjectMeta(name: name, namespace: namespace, labels: labels + [(Labels.service, name)], annotations: annotations),
            origin: origin,
            fields: ["spec": [
                "type": headless ? .absent : .string(type.rawValue),
                "clusterIP": headless ? "None" : .absent,
                "publishNotReadyAddresses": headless && publishNotReady ? true : .absent,
                "selector": .sortedStrings(selector),
                "ports": .list(ports.map { ["name": .string($0.name), "port": .int($0.number), "targetPort": .string($0.name), "protocol": "TCP"] }),
            ]])
    }

    /// A PodDisruptionBudget allowing `maxUnavailable` pods of `selector` down at once.
    func disruptionBudget(name: String, namespace: String, labels: [(String, String)], selector: [(String, String)],
                          budget: DisruptionBudget, origin: SourceLocation) -> Resource {
        let field: (String, ManifestValue)
        switch budget {
        case .maxUnavailable(let value): field = ("maxUnavailable", ServiceEmitter.intOrPercent(value))
        case .minAvailable(let value): field = ("minAvailable", ServiceEmitter.intOrPercent(value))
        }
        return Resource(
            apiVersion: "policy/v1", kind: "PodDisruptionBudget",
            metadata: ObjectMeta(name: name, namespace: namespace, labels: labels), origin: origin,
            fields: ["spec": .map([field.0: field.1, "selector": ["matchLabels": .sortedStrings(selector)]])])
    }

    /// The budget of a quorum group: the spec's own when written (the rules judge it), else
    /// `maxUnavailable = n − q`; none for a single member (a budget of 0 would block every drain).
    static func quorumBudget(members: Int, explicit: PDBSpec?) -> DisruptionBudget? {
        if let explicit { return explicit.budget?.value }
        let tolerance = members - Topology.quorum(members)
        return tolerance > 0 ? .maxUnavailable(.count(tolerance)) : nil
    }

    /// A cert-manager Certificate for a store's TLS, covering every pod of the headless Services,
    /// the client Services and localhost.
    func certificate(name: String, namespace: String, labels: [(String, String)], issuer: String, kind: IssuerKind,
                     headless: [String], clients: [String], keyEncoding: String? = nil, origin: SourceLocation) -> Resource {
        var dnsNames: [String] = []
        for service in headless {
            dnsNames += ["*.\(service).\(namespace).svc.\(domain)", "\(service).\(namespace).svc.\(domain)"]
        }
        for service in clients {
            dnsNames += ["\(service)", "\(service).\(namespace)", "\(service).\(namespace).svc", "\(service).\(namespace).svc.\(domain)"]
        }
        dnsNames.append("localhost")
        return Resource(
            apiVersion: "cert-manager.io/v1", kind: "Certificate",
            metadata: ObjectMeta(name: name, namespace: namespace, labels: labels), origin: origin,
            fields: ["spec": [
                "secretName": .string(name),
                "issuerRef": ["name": .string(issuer), "kind": .string(kind.rawValue), "group": "cert-manager.io"],
                "dnsNames": .list(dnsNames.map(ManifestValue.string)),
                "ipAddresses": ["127.0.0.1"],
                "privateKey": ["algorithm": "ECDSA", "size": 256, "encoding": .optional(keyEncoding), "rotationPolicy": "Always"],
                "usages": ["server auth", "client auth", "digital signature", "key encipherment"],
            ]])
    }

    /// A client certificate for `client` (its common name), PKCS#8 so every client runtime reads the key.
    func clientCertificate(name: String, namespace: String, client: String, labels: [(String, String)], issuer: String, kind: IssuerKind,
                           origin: SourceLocation) -> Resource {
        Resource(
            apiVersion: "cert-manager.io/v1", kind: "Certificate",
            metadata: ObjectMeta(name: name, namespace: namespace, labels: labels), origin: origin,
            fields: ["spec": [
                "secretName": .string(name),
                "commonName": .string(client),
                "issuerRef": ["name": .string(issuer), "kind": .string(kind.rawValue), "group": "cert-manager.io"],
                "privateKey": ["algorithm": "ECDSA", "size": 256, "encoding": "PKCS8", "rotationPolicy": "Always"],
                "usages": ["client auth", "digital signature", "key encipherment"],
            ]])
    }

    /// The Secret name holding a store's certificate, and the Certificate to emit when cert-manager issues it.
    func tlsSecret(for tls: StoreTLSSpec?, owner: String) -> String? {
        switch tls?.source {
        case .secret(let name): return name.value
        case .issuer: return Topology.tlsSecret(owner)
        case nil: return nil
        }
    }

    /// The ServiceAccount of a store, and a Role when the store talks to the Kubernetes API.
    func identity(store: StoreSpec, rules: [AccessRuleSpec] = []) -> [Resource] {
        let at = store.name.location
        let workload = WorkloadSpec(
            name: store.name, namespace: store.namespace,
            container: ContainerSpec(image: store.image, imagePullPolicy: Located(.ifNotPresent, at: at), security: store.security),
            placement: store.placement,
            serviceAccount: ServiceAccountSpec(automountToken: Located(!rules.isEmpty, at: at, isDefault: true), rules: rules),
            labels: store.labels)
        return IdentityEmitter.resources(workload, system: systemName, component: store.engine.name)
    }

    /// Labels on a store's objects.
    func labels(store: StoreSpec, name: String, component: String) -> [(String, String)] {
        Labels.selector(workload: name, system: systemName) + [(Labels.managedBy, "clusterspec"), (Labels.component, component),
                                                               (Self.storeLabel, store.name.value)]
            + store.labels.map { ($0.key.value, $0.value.value) }
    }

    // MARK: Building blocks for containers

    static func env(_ name: String, _ value: String, at location: SourceLocation) -> EnvVarSpec {
        EnvVarSpec(name: Located(name, at: location), source: .literal(Located(value, at: location)))
    }

    static func fieldEnv(_ name: String, _ path: String, at location: SourceLocation) -> EnvVarSpec {
        EnvVarSpec(name: Located(name, at: location), source: .field(Located(path, at: location)))
    }

    static func secretEnv(_ name: String, secret: String, key: String, at location: SourceLocation) -> EnvVarSpec {
        EnvVarSpec(name: Located(name, at: location),
                   source: .secretKey(secret: Located(secret, at: location), key: Located(key, at: location), optional: false))
    }

    static func volume(_ name: String, _ source: VolumeSource, at path: String, readOnly: Bool = false, subPath: String? = nil,
                       location: SourceLocation) -> VolumeSpec {
        VolumeSpec(name: Located(name, at: location), source: source, mountPath: Located(path, at: location), readOnly: readOnly,
                   subPath: subPath.map { Located($0, at: location) })
    }

    static func probe(_ action: ProbeAction, scheme: ProbeScheme = .http, initialDelay: Int? = nil, period: Int, timeout: Int,
                      failures: Int, at location: SourceLocation) -> ProbeSpec {
        var probe = ProbeSpec(action: action, initialDelaySeconds: initialDelay.map { Located($0, at: location) },
                              periodSeconds: Located(period, at: location), timeoutSeconds: Located(timeout, at: location),
                              failureThreshold: Located(failures, at: location), location: location)
        probe.scheme = scheme
        return probe
    }

    static func port(_ name: String, at location: SourceLocation) -> Located<PortReference> {
        Located(.name(name), at: location)
    }
}
