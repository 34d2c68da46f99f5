import SpecModel

/// A stateless service: Deployment, Service(s), PodDisruptionBudget, HorizontalPodAutoscaler,
/// Ingress and ServiceMonitor, plus its identity.
struct ServiceEmitter {
    let system: SystemSpec
    private var pods: PodTemplateEmitter { PodTemplateEmitter(system: system) }
    private var systemName: String { system.name.value }

    func resources(_ service: ServiceSpec) -> [Resource] {
        var resources = IdentityEmitter.resources(service.workload, system: systemName)
        resources.append(deployment(service))
        resources += Self.services(service.workload, groups: service.serviceGroups, system: systemName)
        if let budget = service.pdb.budget {
            resources.append(Self.disruptionBudget(service.workload, budget: budget.value, system: systemName, alwaysAllowUnhealthy: true))
        }
        if let autoscale = service.autoscale { resources.append(autoscaler(service, autoscale)) }
        if let expose = service.expose { resources.append(ingress(service, expose)) }
        if let monitor = Self.serviceMonitor(service.workload, groups: service.serviceGroups, system: systemName) {
            resources.append(monitor)
        }
        return resources
    }

    private func metadata(_ workload: WorkloadSpec, name: String? = nil, annotations: [(String, String)] = []) -> ObjectMeta {
        ObjectMeta(name: name ?? workload.name.value, namespace: workload.namespace.value,
                   labels: Labels.workload(workload, system: systemName), annotations: annotations)
    }

    private func deployment(_ service: ServiceSpec) -> Resource {
        let workload = service.workload
        return Resource(
            apiVersion: "apps/v1", kind: "Deployment", metadata: metadata(workload), origin: workload.name.location,
            fields: ["spec": [
                // With an autoscaler the HPA owns the count; a count in the manifest would fight it on every sync.
                "replicas": service.autoscale == nil ? .int(service.replicas.value) : .absent,
                "selector": Labels.matchLabels(workload: workload.name.value, system: systemName),
                "strategy": service.strategy.isRecreate ? ["type": "Recreate"] : [
                    "type": "RollingUpdate",
                    "rollingUpdate": [
                        "maxSurge": Self.intOrPercent(service.strategy.maxSurge.value),
                        "maxUnavailable": Self.intOrPercent(service.strategy.maxUnavailable.value),
                    ],
                ],
                "template": pods.template(workload),
            ]])
    }

    static func intOrPercent(_ value: IntOrPercent) -> ManifestValue {
        switch value {
        case .count(let count): return .int(count)
        case .percent(let percent): return .string("\(percent)%")
        }
    }

    /// One Service per port group: the main one named like the workload, extras `<name>-<suffix>`.
    static func services(_ workload: WorkloadSpec, groups: [ServicePortGroupSpec], system: String) -> [Resource] {
        groups.map { group in
            let name = serviceName(workload, group)
            let ports = workload.container.ports(named: group.ports.map(\.value))
            return Resource(
                apiVersion: "v1", kind: "Service",
                metadata: ObjectMeta(name: name, namespace: workload.namespace.value,
                                     labels: Labels.workload(workload, system: system) + [(Labels.service, name)],
                                     annotations: group.annotations.map { ($0.key.value, $0.value.value) }),
                origin: group.suffix?.location ?? workload.name.location,
                fields: ["spec": [
                    "type": .string(group.type.value.rawValue),
                    "selector": .sortedStrings(Labels.selector(workload: workload.name.value, system: system)),
                    "ports": .list(ports.map { port in
                        [
                            "name": .string(port.name.value),
                            "port": .int(port.exposedNumber),
                            "targetPort": .string(port.name.value),
                            "protocol": .string(port.portProtocol.value.rawValue),
                        ]
                    }),
                    // Named ranges are judged by the pods' NetworkPolicy on the client's own address:
                    // the default (Cluster) may replace it with a node's on the way in.
                    "externalTrafficPolicy": isRestricted(group) ? "Local" : .absent,
                    "loadBalancerSourceRanges": isRestricted(group) && group.type.value == .loadBalancer
                        ? .list(group.from?.ranges.map { .string($0.value) } ?? []) : .absent,
                ]])
        }
    }

    /// A Service reachable from outside only from the ranges `from:` names.
    private static func isRestricted(_ group: ServicePortGroupSpec) -> Bool {
        group.isReachableFromOutside && group.from.map { !$0.isAnywhere } == true
    }

    static func serviceName(_ workload: WorkloadSpec, _ group: ServicePortGroupSpec) -> String {
        group.suffix.map { "\(workload.name.value)-\($0.value)" } ?? workload.name.value
    }

    static func disruptionBudget(_ workload: WorkloadSpec, budget: DisruptionBudget, system: String, alwaysAllowUnhealthy: Bool) -> Resource {
        let budgetField: (String, ManifestValue)
        switch budget {
        case .minAvailable(let value): budgetField = ("minAvailable", intOrPercent(value))
        case .maxUnavailable(let value): budgetField = ("maxUnavailable", intOrPercent(value))
        }
        return Resource(
            apiVersion: "policy/v1", kind: "PodDisruptionBudget",
            metadata: ObjectMeta(name: workload.name.value, namespace: workload.namespace.value, labels: Labels.workload(workload, system: system)),
            origin: workload.name.location,
            fields: ["spec": .map([
                budgetField.0: budgetField.1,
                "selector": Labels.matchLabels(workload: workload.name.value, system: system),
                // A crash-looping pod must not block node drains forever.
                "unhealthyPodEvictionPolicy": alwaysAllowUnhealthy ? "AlwaysAllow" : .absent,
            ])])
    }

    private func autoscaler(_ service: ServiceSpec, _ autoscale: AutoscaleSpec) -> Resource {
        func metric(_ name: String, _ target: Located<Int>?) -> ManifestValue {
            guard let target else { return .absent }
            return ["type": "Resource", "resource": ["name": .string(name), "target": ["type": "Utilization", "averageUtilization": .int(target.value)]]]
        }
        return Resource(
            apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: metadata(service.workload),
            origin: autoscale.location,
            fields: ["spec": [
                "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(service.name.value)],
                "minReplicas": .int(autoscale.min.value),
                "maxReplicas": .int(autoscale.max.value),
                "metrics": [metric("cpu", autoscale.cpu), metric("memory", autoscale.memory)],
            ]])
    }

    private func ingress(_ service: ServiceSpec, _ expose: ExposeSpec) -> Resource {
        IngressEmitter.ingress(metadata: metadata(service.workload), host: expose.host.value, className: expose.className?.value, tls: expose.tls,
                               annotations: expose.annotations,
                               paths: [(expose.path.value, Self.serviceName(publishing: expose.port.value, of: service), expose.port.value)],
                               origin: expose.location)
    }

    /// The Service of `service` that publishes `port` (the main one when none does).
    static func serviceName(publishing port: String, of service: ServiceSpec) -> String {
        service.serviceGroups.first { group in group.ports.contains { $0.value == port } }
            .map { serviceName(service.workload, $0) } ?? service.name.value
    }

    /// A Prometheus Operator ServiceMonitor on the Service that publishes the metrics port.
    static func serviceMonitor(_ workload: WorkloadSpec, groups: [ServicePortGroupSpec], system: String) -> Resource? {
        guard let metrics = workload.metrics, let interval = metrics.serviceMonitorInterval,
              let group = groups.first(where: { group in group.ports.contains { $0.value == metrics.port.value } }) else { return nil }
        let service = serviceName(workload, group)
        return Resource(
            apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor",
            metadata: ObjectMeta(name: workload.name.value, namespace: workload.namespace.value, labels: Labels.workload(workload, system: system)),
            origin: metrics.location,
            fields: ["spec": [
                "selector": ["matchLabels": .sortedStrings([(Labels.service, service)] + Labels.selector(workload: workload.name.value, system: system))],
                "namespaceSelector": ["matchNames": [.string(workload.namespace.value)]],
                "endpoints": [["port": .string(metrics.port.value), "path": .string(metrics.path.value), "interval": .string(interval.value)]],
            ]])
    }
}
