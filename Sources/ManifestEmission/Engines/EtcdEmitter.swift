import SpecModel

extension EtcdSettings: EngineEmitting {
    func resources(of store: StoreSpec, kit: StatefulToolkit) -> [Resource] { EtcdEmitter(kit: kit).resources(store, self) }
}

/// etcd: a StatefulSet whose members find each other through `ETCD_INITIAL_CLUSTER`, rendered once
/// from (name, headless Service, namespace, domain, n) and identical in every pod.
struct EtcdEmitter {
    let kit: StatefulToolkit

    static let dataDirectory = "/var/lib/etcd"
    static let tlsDirectory = "/etc/etcd/tls"

    func resources(_ store: StoreSpec, _ etcd: EtcdSettings) -> [Resource] {
        let name = store.name.value, namespace = store.namespace.value, at = store.name.location
        let headless = Topology.headless(name)
        let members = etcd.members.value
        let tlsSecret = kit.tlsSecret(for: store.tls, owner: name)
        let scheme = EtcdSettings.scheme(store)
        let domain = kit.domain

        let initialCluster = (0..<members).map {
            "\(name)-\($0)=\(scheme)://\(Topology.podFQDN(name, $0, namespace: namespace, domain: domain)):\(EtcdSettings.peerPort.number)"
        }.joined(separator: ",")
        let selfHost = Topology.selfFQDN(name, namespace: namespace, domain: domain)
        var env = [
            StatefulToolkit.fieldEnv("POD_NAME", "metadata.name", at: at),
            StatefulToolkit.env("ETCD_NAME", "$(POD_NAME)", at: at),
            StatefulToolkit.env("ETCD_DATA_DIR", "\(Self.dataDirectory)/data", at: at),
            StatefulToolkit.env("ETCD_INITIAL_CLUSTER", initialCluster, at: at),
            StatefulToolkit.env("ETCD_INITIAL_CLUSTER_STATE", "new", at: at),
            StatefulToolkit.env("ETCD_INITIAL_CLUSTER_TOKEN", "\(namespace)-\(name)", at: at),
            StatefulToolkit.env("ETCD_LISTEN_PEER_URLS", "\(scheme)://0.0.0.0:\(EtcdSettings.peerPort.number)", at: at),
            StatefulToolkit.env("ETCD_LISTEN_CLIENT_URLS", "\(scheme)://0.0.0.0:\(EtcdSettings.clientPort.number)", at: at),
            StatefulToolkit.env("ETCD_LISTEN_METRICS_URLS", "http://0.0.0.0:\(EtcdSettings.metricsPort.number)", at: at),
            StatefulToolkit.env("ETCD_ADVERTISE_CLIENT_URLS", "\(scheme)://\(selfHost):\(EtcdSettings.clientPort.number)", at: at),
            StatefulToolkit.env("ETCD_INITIAL_ADVERTISE_PEER_URLS", "\(scheme)://\(selfHost):\(EtcdSettings.peerPort.number)", at: at),
        ]
        var volumes = [StatefulToolkit.volume("data", .claimTemplate(store.storage), at: Self.dataDirectory, location: at)]
        if let tlsSecret {
            let directory = Self.tlsDirectory
            env += [
                StatefulToolkit.env("ETCD_CERT_FILE", "\(directory)/tls.crt", at: at),
                StatefulToolkit.env("ETCD_KEY_FILE", "\(directory)/tls.key", at: at),
                StatefulToolkit.env("ETCD_TRUSTED_CA_FILE", "\(directory)/ca.crt", at: at),
                StatefulToolkit.env("ETCD_CLIENT_CERT_AUTH", "true", at: at),
                StatefulToolkit.env("ETCD_PEER_CERT_FILE", "\(directory)/tls.crt", at: at),
                StatefulToolkit.env("ETCD_PEER_KEY_FILE", "\(directory)/tls.key", at: at),
                StatefulToolkit.env("ETCD_PEER_TRUSTED_CA_FILE", "\(directory)/ca.crt", at: at),
                StatefulToolkit.env("ETCD_PEER_CLIENT_CERT_AUTH", "true", at: at),
            ]
            volumes.append(StatefulToolkit.volume("tls", .secret(Located(tlsSecret, at: at)), at: directory, readOnly: true, location: at))
        }
        // Probes use the plain-HTTP metrics listener so they keep working when client TLS is on.
        let metrics = StatefulToolkit.port("metrics", at: at)
        let health = HealthSpec(
            liveness: StatefulToolkit.probe(.http(path: Located("/livez", at: at), port: metrics), initialDelay: 10, period: 10, timeout: 5, failures: 5, at: at),
            readiness: StatefulToolkit.probe(.http(path: Located("/readyz", at: at), port: metrics), period: 5, timeout: 5, failures: 3, at: at),
            startup: StatefulToolkit.probe(.http(path: Located("/livez", at: at), port: metrics), period: 5, timeout: 5, failures: 60, at: at),
            location: at)
        let role = EtcdSettings.members
        let ports = etcd.roles(named: name).flatMap(\.ports)
        let container = kit.container(store: store, ports: ports, env: env, volumes: volumes, health: health)
        let workload = kit.workload(store: store, statefulSet: name, container: container)

        let labels = kit.labels(store: store, name: name, component: role.component)
        let selector = Labels.selector(workload: name, system: kit.systemName)
        var resources = kit.identity(store: store)
        resources.append(kit.statefulSet(workload, replicas: members, serviceName: headless, component: role.component, containerName: "etcd", origin: at))
        resources.append(kit.service(name: headless, namespace: namespace, labels: labels, selector: selector, ports: ports, headless: true, origin: at))
        resources.append(kit.service(name: name, namespace: namespace, labels: labels, selector: selector,
                                     ports: [EtcdSettings.clientPort], headless: false, origin: at))
        if let budget = StatefulToolkit.quorumBudget(members: members, explicit: store.pdb) {
            resources.append(kit.disruptionBudget(name: name, namespace: namespace, labels: labels, selector: selector,
                                                  budget: budget, origin: store.pdb?.budget?.location ?? etcd.members.location))
        }
        if case .issuer(let issuer, let kind) = store.tls?.source {
            resources.append(kit.certificate(name: Topology.tlsSecret(name), namespace: namespace, labels: labels, issuer: issuer.value,
                                             kind: kind.value, headless: [headless], clients: [name], origin: store.tls?.location ?? at))
        }
        return resources
    }
}
