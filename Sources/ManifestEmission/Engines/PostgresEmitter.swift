import SpecModel

extension PostgresSettings: EngineEmitting {
    func resources(of store: StoreSpec, kit: StatefulToolkit) -> [Resource] { PostgresEmitter(kit: kit).resources(store, self) }
}

/// PostgreSQL: a single StatefulSet pod of the official image, a CloudNativePG `Cluster` for
/// replicated HA, or nothing at all for an external database (only its Secret is referenced).
struct PostgresEmitter {
    let kit: StatefulToolkit

    static let dataDirectory = "/var/lib/postgresql/data"

    func resources(_ store: StoreSpec, _ postgres: PostgresSettings) -> [Resource] {
        switch postgres.mode.value {
        case .single: return single(store, postgres)
        case .cloudnativePG: return cloudnativePG(store, postgres)
        case .external: return []
        }
    }

    private func single(_ store: StoreSpec, _ postgres: PostgresSettings) -> [Resource] {
        let name = store.name.value, namespace = store.namespace.value, at = store.name.location
        let headless = Topology.headless(name)
        var env = [
            StatefulToolkit.env("POSTGRES_DB", postgres.database.value, at: at),
            StatefulToolkit.env("POSTGRES_USER", postgres.user.value, at: at),
            // A subdirectory: the volume's root holds lost+found, which initdb refuses.
            StatefulToolkit.env("PGDATA", "\(Self.dataDirectory)/pgdata", at: at),
        ]
        if let secret = postgres.credentialsSecret {
            env.insert(StatefulToolkit.secretEnv("POSTGRES_PASSWORD", secret: secret.value, key: "password", at: secret.location), at: 2)
        }
        let volumes = [
            StatefulToolkit.volume("data", .claimTemplate(store.storage), at: Self.dataDirectory, location: at),
            StatefulToolkit.volume("run", .emptyDir(sizeLimit: nil, inMemory: false), at: "/var/run/postgresql", location: at),
            StatefulToolkit.volume("tmp", .emptyDir(sizeLimit: nil, inMemory: false), at: "/tmp", location: at),
            // Parallel queries allocate dynamic shared memory here; the runtime's default is 64 MiB.
            StatefulToolkit.volume("shm", .emptyDir(sizeLimit: nil, inMemory: true), at: "/dev/shm", location: at),
        ]
        // Over TCP: the entrypoint's init-only server listens on the Unix socket only, so a socket
        // check would pass before clients can connect.
        let ready = Located(["pg_isready", "-h", "127.0.0.1", "-U", postgres.user.value, "-d", postgres.database.value], at: at)
        let health = HealthSpec(
            liveness: StatefulToolkit.probe(.exec(command: ready), initialDelay: 30, period: 10, timeout: 5, failures: 6, at: at),
            readiness: StatefulToolkit.probe(.exec(command: ready), period: 5, timeout: 5, failures: 3, at: at),
            startup: StatefulToolkit.probe(.exec(command: ready), period: 5, timeout: 5, failures: 60, at: at),
            location: at)
        let ports = [PostgresSettings.port]
        let container = kit.container(store: store, ports: ports, env: env, volumes: volumes, health: health)
        // Fast shutdown checkpoints first; give it time before the kubelet kills it.
        let workload = kit.workload(store: store, statefulSet: name, container: container, grace: 120)
        let role = PostgresSettings.server
        let labels = kit.labels(store: store, name: name, component: role.component)
        let selector = Labels.selector(workload: name, system: kit.systemName)
        var resources = kit.identity(store: store)
        resources.append(kit.statefulSet(workload, replicas: postgres.instances.value, serviceName: headless, component: role.component,
                                         containerName: "postgres", origin: postgres.instances.location))
        resources.append(kit.service(name: headless, namespace: namespace, labels: labels, selector: selector, ports: ports, headless: true, origin: at))
        resources.append(kit.service(name: name, namespace: namespace, labels: labels, selector: selector, ports: ports, headless: false, origin: at))
        if let budget = store.pdb?.budget?.value {
            resources.append(kit.disruptionBudget(name: name, namespace: namespace, labels: labels, selector: selector, budget: budget,
                                                  origin: store.pdb?.budget?.location ?? at))
        }
        return resources
    }

    /// Labels the operator puts on everything it creates: the system label and, in a meshed namespace
    /// clusterspec does not create, the sidecar request.
    private func inheritedLabels(_ store: StoreSpec) -> [(String, String)] {
        var labels = [(Labels.partOf, kit.systemName)]
        if kit.system.podsRequestSidecar(in: store.namespace.value), !store.labels.contains(where: { $0.key.value == Labels.sidecarInjection }) {
            labels.append((Labels.sidecarInjection, "true"))
        }
        return labels
    }

    /// A CloudNativePG Cluster: the operator runs streaming replication, failover, the `-rw`/`-ro`
    /// Services, the PodDisruptionBudget and the `<name>-app` credentials Secret.
    private func cloudnativePG(_ store: StoreSpec, _ postgres: PostgresSettings) -> [Resource] {
        let name = store.name.value, namespace = store.namespace.value
        let image = store.image.isDefault || store.image.value.hasPrefix("\(PostgresSettings.defaults.repository):")
            ? "ghcr.io/cloudnative-pg/postgresql:\(store.image.value.split(separator: ":").last.map(String.init) ?? PostgresSettings.defaults.version)"
            : store.image.value
        var affinity: [ManifestValue.Entry] = [
            .init("enablePodAntiAffinity", .bool(store.placement.hosts.value != .none)),
            .init("topologyKey", "kubernetes.io/hostname"),
        ]
        if store.placement.hosts.value != .none {
            affinity.append(.init("podAntiAffinityType", .string(store.placement.hosts.value == .required ? "required" : "preferred")))
        }
        if let pool = store.placement.nodePool {
            affinity.append(.init("nodeSelector", .map([.init(kit.system.defaults.nodePoolLabel.value, .string(pool.value))])))
        }
        func amounts(_ amounts: ResourceAmounts) -> ManifestValue {
            .nonEmpty(.map(["cpu": .optional(amounts.cpu?.value.text), "memory": .optional(amounts.memory?.value.text)]))
        }
        let labels = kit.labels(store: store, name: name, component: PostgresSettings.server.component)
        var resources = [Resource(
            apiVersion: "postgresql.cnpg.io/v1", kind: "Cluster",
            metadata: ObjectMeta(name: name, namespace: namespace, labels: labels),
            origin: postgres.mode.location,
            fields: ["spec": [
                "instances": .int(postgres.instances.value),
                "imageName": .string(image),
                "primaryUpdateStrategy": "unsupervised",
                // Everything the operator creates carries the system label, so policies can select its
                // pods precisely; in a meshed namespace clusterspec does not create, they also ask for
                // their sidecar.
                "inheritedMetadata": ["labels": .sortedStrings(inheritedLabels(store))],
                "enablePDB": true,
                "storage": ["size": .string(store.storage.size.value.text), "storageClass": .optional(store.storage.storageClass?.value)],
                "bootstrap": ["initdb": ["database": .string(postgres.database.value), "owner": .string(postgres.user.value)]],
                // Quorum-based synchronous replication: a commit returns once one standby has it.
                "postgresql": postgres.synchronous?.value == true ? ["synchronous": ["method": "any", "number": 1]] : .absent,
                "backup": .optional(postgres.backup.map { backup in [
                    "barmanObjectStore": [
                        "destinationPath": .string(backup.destination.value),
                        "s3Credentials": [
                            "accessKeyId": ["name": .string(backup.secret.value), "key": .string(PostgresBackupSpec.accessKeyID)],
                            "secretAccessKey": ["name": .string(backup.secret.value), "key": .string(PostgresBackupSpec.secretAccessKey)],
                        ],
                        "wal": ["compression": "gzip"],
                    ],
                    "retentionPolicy": .string(backup.retention.value),
                ] }),
                "resources": .optional(store.resources.map { ["requests": amounts($0.requests), "limits": amounts($0.limits)] }),
                "affinity": .map(affinity),
                "topologySpreadConstraints": store.placement.zones.value == .none ? .absent : [[
                    "maxSkew": 1,
                    "topologyKey": "topology.kubernetes.io/zone",
                    "whenUnsatisfiable": store.placement.zones.value == .required ? "DoNotSchedule" : "ScheduleAnyway",
                    "labelSelector": ["matchLabels": .map([.init(PostgresSettings.clusterLabel, .string(name))])],
                ]],
            ]])]
        if let backup = postgres.backup {
            // WAL archiving runs continuously; base backups on this schedule.
            resources.append(Resource(
                apiVersion: "postgresql.cnpg.io/v1", kind: "ScheduledBackup",
                metadata: ObjectMeta(name: PostgresSettings.scheduledBackup(name), namespace: namespace, labels: labels), origin: backup.location,
                fields: ["spec": ["schedule": .string(backup.schedule.value), "backupOwnerReference": "self", "cluster": ["name": .string(name)]]]))
        }
        return resources
    }
}
