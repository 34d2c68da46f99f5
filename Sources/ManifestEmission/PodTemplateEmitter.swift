import SpecModel
import Crypto

/// Builds pod templates: containers, probes, security contexts, volumes and scheduling.
/// Shared by every workload kind.
struct PodTemplateEmitter {
    let system: SystemSpec

    /// `spec.template` for `workload`: labels, annotations and the pod spec.
    /// `serviceLinks: false` keeps the kubelet's Service link variables (`<SERVICE>_PORT=tcp://…`) out
    /// of the environment: engines that read every `<PREFIX>_*` variable as configuration (store
    /// images) would take them for settings.
    func template(_ workload: WorkloadSpec, component: String? = nil, restartPolicy: String? = nil,
                  extraAnnotations: [(String, String)] = [], containerName: String? = nil, serviceAccount: String? = nil,
                  serviceLinks: Bool = true) -> ManifestValue {
        [
            "metadata": .map([
                "labels": .sortedStrings(Labels.workload(workload, system: system.name.value, component: component) + injectionLabel(workload)),
                "annotations": .nonEmpty(.sortedStrings(annotations(workload) + extraAnnotations)),
            ]),
            "spec": podSpec(workload, restartPolicy: restartPolicy, containerName: containerName, serviceAccount: serviceAccount,
                            serviceLinks: serviceLinks),
        ]
    }

    /// Pods of a meshed namespace that clusterspec does not create (so cannot label for injection)
    /// ask for their sidecar themselves, unless the spec's own labels decide.
    private func injectionLabel(_ workload: WorkloadSpec) -> [(String, String)] {
        guard system.podsRequestSidecar(in: workload.namespace.value),
              !workload.labels.contains(where: { $0.key.value == Labels.sidecarInjection }) else { return [] }
        return [(Labels.sidecarInjection, "true")]
    }

    private func annotations(_ workload: WorkloadSpec) -> [(String, String)] {
        var result = workload.podAnnotations.map { ($0.key.value, $0.value.value) }
        if let metrics = workload.metrics, let port = workload.container.port(named: metrics.port.value) {
            result += [("prometheus.io/scrape", "true"), ("prometheus.io/port", String(port.number.value)),
                       ("prometheus.io/path", metrics.path.value)]
        }
        if let hash = configHash(workload) {
            result.append(("clusterspec.io/config-hash", hash))
        }
        return result
    }

    /// A digest of every spec-defined ConfigMap the pod reads, so a configuration change rolls the pods.
    private func configHash(_ workload: WorkloadSpec) -> String? {
        var names = Set<String>()
        for container in workload.podContainers.map(\.container) {
            for volume in container.volumes { if case .configMap(let name) = volume.source { names.insert(name.value) } }
            for source in container.envFrom where source.kind == .configMap { names.insert(source.name.value) }
            for variable in container.env { if case .configMapKey(let name, _, _) = variable.source { names.insert(name.value) } }
        }
        let maps = system.configMaps
            .filter { names.contains($0.name.value) && $0.namespace.value == workload.namespace.value }
            .sorted { $0.name.value < $1.name.value }
        guard !maps.isEmpty else { return nil }
        var hasher = SHA256Hasher()
        for map in maps {
            hasher.update(ManifestWriter.json(ConfigEmitter.configMapData(map)))
            hasher.update(map.name.value)
        }
        return hasher.hex
    }

    func podSpec(_ workload: WorkloadSpec, restartPolicy: String?, containerName: String? = nil, serviceAccount: String? = nil,
                 serviceLinks: Bool = true) -> ManifestValue {
        let security = workload.container.security
        return [
            "serviceAccountName": .string(serviceAccount ?? workload.name.value),
            "automountServiceAccountToken": .bool(workload.serviceAccount.automountToken.value),
            "enableServiceLinks": serviceLinks ? .absent : false,
            "restartPolicy": .optional(restartPolicy),
            "terminationGracePeriodSeconds": .optional(workload.terminationGracePeriodSeconds?.value),
            "priorityClassName": .optional(workload.priorityClassName?.value),
            "tolerations": .nonEmpty(workload.tolerations.map(toleration)),
            "securityContext": [
                "runAsNonRoot": true,
                "runAsUser": .optional(security.runAsUser?.value),
                "runAsGroup": .optional(security.runAsGroup?.value),
                "fsGroup": .optional(security.fsGroup?.value),
                "seccompProfile": ["type": "RuntimeDefault"],
            ],
            "affinity": .nonEmpty(affinity(workload)),
            "topologySpreadConstraints": .nonEmpty(topologySpread(workload)),
            // Sidecars first: native sidecars start in order, so they already run for the init containers.
            "initContainers": .nonEmpty(workload.sidecars.map {
                    container($0.container, name: $0.name.value, restartPolicy: "Always", pod: security)
                }
                + workload.initContainers.map { container($0.container, name: $0.name.value) }),
            "containers": [container(workload.container, name: containerName ?? workload.name.value)],
            "volumes": .nonEmpty(volumes(workload)),
        ]
    }

    // MARK: Containers

    /// One container; `restartPolicy: Always` on an init container makes it a native sidecar. A
    /// container with users of its own (a sidecar) names those that differ from the `pod`'s.
    func container(_ container: ContainerSpec, name: String, restartPolicy: String? = nil, pod: SecuritySpec? = nil) -> ManifestValue {
        [
            "name": .string(name),
            "restartPolicy": .optional(restartPolicy),
            "image": .string(container.image.value),
            "imagePullPolicy": .string(container.imagePullPolicy.value.rawValue),
            "command": .optional(container.command.map { .list($0.value.map(ManifestValue.string)) }),
            "args": .optional(container.args.map { .list($0.value.map(ManifestValue.string)) }),
            "ports": .nonEmpty(container.ports.map { port in
                ["name": .string(port.name.value), "containerPort": .int(port.number.value), "protocol": .string(port.portProtocol.value.rawValue)]
            }),
            "env": .nonEmpty(container.env.map(environmentVariable)),
            "envFrom": .nonEmpty(container.envFrom.map(environmentSource)),
            "resources": .optional(container.resources.map(resources)),
            "startupProbe": .optional(container.health?.startup.map { probe($0, ports: container.ports) }),
            "livenessProbe": .optional(container.health?.liveness.map { probe($0, ports: container.ports) }),
            "readinessProbe": .optional(container.health?.readiness.map { probe($0, ports: container.ports) }),
            "lifecycle": .optional(container.lifecycle.map(lifecycle)),
            "securityContext": securityContext(container.security, pod: pod),
            "volumeMounts": .nonEmpty(container.volumes.map { volume in
                [
                    "name": .string(volume.name.value),
                    "mountPath": .string(volume.mountPath.value),
                    "subPath": .optional(volume.subPath?.value),
                    "readOnly": volume.readOnly ? true : .absent,
                ]
            }),
        ]
    }

    private func environmentVariable(_ variable: EnvVarSpec) -> ManifestValue {
        let name = ManifestValue.string(variable.name.value)
        switch variable.source {
        case .literal(let value):
            return ["name": name, "value": .string(value.value)]
        case .secretKey(let secret, let key, let optional):
            return ["name": name, "valueFrom": ["secretKeyRef": [
                "name": .string(secret.value), "key": .string(key.value), "optional": optional ? true : .absent,
            ]]]
        case .configMapKey(let configMap, let key, let optional):
            return ["name": name, "valueFrom": ["configMapKeyRef": [
                "name": .string(configMap.value), "key": .string(key.value), "optional": optional ? true : .absent,
            ]]]
        case .field(let path):
            return ["name": name, "valueFrom": ["fieldRef": ["fieldPath": .string(path.value)]]]
        case .resource(let resource):
            return ["name": name, "valueFrom": ["resourceFieldRef": ["resource": .string(resource.value)]]]
        }
    }

    private func environmentSource(_ source: EnvFromSpec) -> ManifestValue {
        let reference: ManifestValue = ["name": .string(source.name.value), "optional": source.optional ? true : .absent]
        return [
            "prefix": .optional(source.prefix?.value),
            source.kind == .secret ? "secretRef" : "configMapRef": reference,
        ]
    }

    private func resources(_ resources: ResourcesSpec) -> ManifestValue {
        func amounts(_ amounts: ResourceAmounts) -> ManifestValue {
            .nonEmpty(.map([
                "cpu": .optional(amounts.cpu?.value.text),
                "memory": .optional(amounts.memory?.value.text),
                "ephemeral-storage": .optional(amounts.ephemeralStorage?.value.text),
            ]))
        }
        return ["requests": amounts(resources.requests), "limits": amounts(resources.limits)]
    }

    private func portValue(_ reference: PortReference) -> ManifestValue {
        switch reference {
        case .name(let name): return .string(name)
        case .number(let number): return .int(number)
        }
    }

    private func lifecycle(_ lifecycle: LifecycleSpec) -> ManifestValue {
        let handler: ManifestValue
        switch lifecycle.preStop {
        case .exec(let command): handler = ["exec": ["command": .list(command.value.map(ManifestValue.string))]]
        case .sleep(let seconds): handler = ["sleep": ["seconds": .int(seconds.value)]]
        case .http(let path, let port): handler = ["httpGet": ["path": .string(path.value), "port": portValue(port.value)]]
        }
        return ["preStop": handler]
    }

    private func toleration(_ toleration: TolerationSpec) -> ManifestValue {
        [
            "key": .optional(toleration.key?.value),
            "operator": .string(toleration.tolerationOperator.value.rawValue),
            "value": .optional(toleration.value?.value),
            "effect": .optional(toleration.effect?.value.rawValue),
            "tolerationSeconds": .optional(toleration.seconds?.value),
        ]
    }

    private func probe(_ probe: ProbeSpec, ports: [PortSpec]) -> ManifestValue {
        let action: (String, ManifestValue)
        switch probe.action {
        case .http(let path, let port):
            action = ("httpGet", ["path": .string(path.value), "port": portValue(port.value),
                                  "scheme": probe.scheme == .https ? "HTTPS" : .absent])
        case .tcp(let port):
            action = ("tcpSocket", ["port": portValue(port.value)])
        case .grpc(let port):
            // gRPC probes take a number only.
            let number: Int
            switch port.value {
            case .number(let value): number = value
            case .name(let name): number = ports.first { $0.name.value == name }?.number.value ?? 0
            }
            action = ("grpc", ["port": .int(number)])
        case .exec(let command):
            action = ("exec", ["command": .list(command.value.map(ManifestValue.string))])
        }
        return .map([
            action.0: action.1,
            "initialDelaySeconds": .optional(probe.initialDelaySeconds?.value),
            "periodSeconds": .int(probe.periodSeconds.value),
            "timeoutSeconds": .int(probe.timeoutSeconds.value),
            "failureThreshold": .int(probe.failureThreshold.value),
        ])
    }

    private func securityContext(_ security: SecuritySpec, pod: SecuritySpec?) -> ManifestValue {
        func own(_ id: Located<Int>?, _ podID: Located<Int>?) -> ManifestValue {
            guard let id, id.value != podID?.value else { return .absent }
            return .int(id.value)
        }
        return [
            "runAsNonRoot": true,
            "runAsUser": pod.map { own(security.runAsUser, $0.runAsUser) } ?? .absent,
            "runAsGroup": pod.map { own(security.runAsGroup, $0.runAsGroup) } ?? .absent,
            "allowPrivilegeEscalation": false,
            "privileged": false,
            "readOnlyRootFilesystem": .bool(security.readOnlyRootFilesystem.value),
            "capabilities": [
                "drop": ["ALL"],
                "add": .nonEmpty(security.addCapabilities.map { .string($0.value) }),
            ],
        ]
    }

    // MARK: Volumes and scheduling

    /// Pod volumes, once per name over every container (a container shares a volume by naming it);
    /// claim templates are left out (the StatefulSet adds them from its templates).
    private func volumes(_ workload: WorkloadSpec) -> [ManifestValue] {
        var names = Set<String>()
        let distinct = workload.podContainers.flatMap(\.container.volumes).filter { names.insert($0.name.value).inserted }
        return distinct.compactMap { volume -> ManifestValue? in
            let source: (String, ManifestValue)
            switch volume.source {
            case .claimTemplate: return nil
            case .configMap(let name): source = ("configMap", ["name": .string(name.value)])
            case .secret(let name): source = ("secret", ["secretName": .string(name.value)])
            case .claim(let name): source = ("persistentVolumeClaim", ["claimName": .string(name.value)])
            case .emptyDir(let sizeLimit, let inMemory):
                source = ("emptyDir", ["medium": inMemory ? "Memory" : .absent, "sizeLimit": .optional(sizeLimit?.value.text)])
            }
            return .map(["name": .string(volume.name.value), source.0: source.1])
        }
    }

    private func affinity(_ workload: WorkloadSpec) -> ManifestValue {
        let placement = workload.placement
        var node: ManifestValue = .absent
        if let pool = placement.nodePool {
            node = ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": [[
                "matchExpressions": [[
                    "key": .string(system.defaults.nodePoolLabel.value), "operator": "In", "values": [.string(pool.value)],
                ]],
            ]]]]
        }
        let selector = Labels.matchLabels(workload: workload.name.value, system: system.name.value)
        var pod: ManifestValue = .absent
        switch placement.hosts.value {
        case .none: break
        case .preferred:
            pod = ["preferredDuringSchedulingIgnoredDuringExecution": [[
                "weight": 100,
                "podAffinityTerm": ["labelSelector": selector, "topologyKey": "kubernetes.io/hostname"],
            ]]]
        case .required:
            pod = ["requiredDuringSchedulingIgnoredDuringExecution": [[
                "labelSelector": selector, "topologyKey": "kubernetes.io/hostname",
            ]]]
        }
        return .map(["nodeAffinity": node, "podAntiAffinity": pod])
    }

    /// Zone spreading, then the spec's own spreads over other node labels.
    private func topologySpread(_ workload: WorkloadSpec) -> [ManifestValue] {
        let selector = Labels.matchLabels(workload: workload.name.value, system: system.name.value)
        func constraint(_ key: String, _ mode: SpreadMode, maxSkew: Int, minDomains: Int? = nil) -> ManifestValue {
            [
                "maxSkew": .int(maxSkew),
                "minDomains": .optional(minDomains),
                "topologyKey": .string(key),
                "whenUnsatisfiable": mode == .required ? "DoNotSchedule" : "ScheduleAnyway",
                "labelSelector": selector,
            ]
        }
        let zones = workload.placement.zones.value
        return (zones == .none ? [] : [constraint(PlacementSpec.zoneLabel, zones, maxSkew: 1)])
            + workload.placement.spread.map { constraint($0.topologyKey.value, $0.mode.value, maxSkew: $0.maxSkew.value, minDomains: $0.minDomains?.value) }
    }
}
