import SpecModel

/// A stateful service that is not one of the engines: a StatefulSet with stable peer DNS through
/// its headless Service, client Services per port group, a PodDisruptionBudget and its identity.
struct StatefulServiceEmitter {
    let kit: StatefulToolkit

    func resources(_ stateful: StatefulServiceSpec) -> [Resource] {
        let workload = stateful.workload, system = kit.systemName
        let name = workload.name.value, namespace = workload.namespace.value
        let headless = Topology.headless(name)
        var workloadWithTLS = workload
        if let secret = kit.tlsSecret(for: stateful.tls, owner: name) {
            workloadWithTLS.container.volumes.append(StatefulToolkit.volume(
                "tls", .secret(Located(secret, at: stateful.tls?.location ?? workload.name.location)),
                at: "/etc/\(name)/tls", readOnly: true, location: stateful.tls?.location ?? workload.name.location))
        }
        var resources = IdentityEmitter.resources(workload, system: system)
        resources.append(kit.statefulSet(workloadWithTLS, replicas: stateful.replicas.value, serviceName: headless, component: "stateful-service",
                                         containerName: name, parallel: stateful.podManagementPolicy.value == .parallel,
                                         origin: workload.name.location))
        // The governing Service publishes every port, ready or not: peers must resolve each other to start.
        resources.append(kit.service(name: headless, namespace: namespace, labels: Labels.workload(workload, system: system),
                                     selector: Labels.selector(workload: name, system: system),
                                     ports: workload.container.ports.map { NamedPort($0.name.value, $0.number.value) }, headless: true,
                                     publishNotReady: stateful.peers?.publishNotReady.value ?? true,
                                     origin: stateful.peers?.port.location ?? workload.name.location))
        resources += ServiceEmitter.services(workload, groups: stateful.serviceGroups, system: system)
        if let budget = stateful.pdb.budget {
            resources.append(ServiceEmitter.disruptionBudget(workload, budget: budget.value, system: system, alwaysAllowUnhealthy: false))
        }
        if let monitor = ServiceEmitter.serviceMonitor(workload, groups: stateful.serviceGroups, system: system) {
            resources.append(monitor)
        }
        if case .issuer(let issuer, let kind) = stateful.tls?.source {
            resources.append(kit.certificate(name: Topology.tlsSecret(name), namespace: namespace, labels: Labels.workload(workload, system: system),
                                             issuer: issuer.value, kind: kind.value, headless: [headless],
                                             clients: stateful.serviceGroups.map { ServiceEmitter.serviceName(workload, $0) },
                                             origin: stateful.tls?.location ?? workload.name.location))
        }
        return resources
    }
}

/// The emission side of an engine's description (`SpecModel/StoreEngine.swift`), conformed to in
/// `Engines/<Engine>Emitter.swift`.
protocol EngineEmitting: StoreEngine {
    /// Every object the store needs, built with the shared toolkit.
    func resources(of store: StoreSpec, kit: StatefulToolkit) -> [Resource]
}

/// The emission side of a Secret an engine's operator syncs (`StoreEngine.secretSync`).
protocol SecretSyncEmitting: SecretSync {
    /// The operator's objects that keep `secret` in sync.
    func resources(for secret: SecretRefSpec, system: SystemSpec) -> [Resource]
}

/// Hands each store to its engine's emitter.
struct StoreEmitter {
    let kit: StatefulToolkit

    func resources(_ store: StoreSpec) -> [Resource] {
        ((store.settings as? any EngineEmitting)?.resources(of: store, kit: kit) ?? []) + clientCertificates(store)
    }

    /// A cert-manager Certificate in each client's namespace, from the store's issuer, for every
    /// workload that `uses:` a store accepting only clients with a certificate (wiring mounts it).
    private func clientCertificates(_ store: StoreSpec) -> [Resource] {
        guard ClientCertificates.required(by: store) else { return [] }
        return kit.system.workloads.compactMap { client -> Resource? in
            guard let use = client.uses.first(where: { $0.target.value == store.name.value }),
                  case .success(.issued(let secret, let issuer, let kind)) = ClientCertificates.source(store: store, client: client) else { return nil }
            return kit.clientCertificate(name: secret, namespace: client.namespace.value, client: client.name.value,
                                         labels: kit.labels(store: store, name: store.name.value, component: "client-certificate"),
                                         issuer: issuer.value, kind: kind.value, origin: use.location)
        }
    }
}
