/// One system's spec file after parsing and defaulting: the typed intermediate model every later
/// stage (rules, emission) reads. Every element keeps the location it came from.
public struct SystemSpec: Sendable {
    /// The spec file this system was read from.
    public var file: String
    /// The system's name (a DNS label); also the output directory name.
    public var name: Located<String>
    /// The cluster DNS domain used for peer addresses (`cluster.local` unless set).
    public var clusterDomain: Located<String>
    /// Spec-wide defaults applied to every workload that does not override them.
    public var defaults: Defaults
    public var namespaces: [NamespaceSpec] { didSet { namespaceIndex = NamespaceIndex(namespaces, mesh) } }
    public var configMaps: [ConfigMapSpec]
    /// Secrets that exist in the cluster already; the spec only references them, never creates them.
    public var secrets: [SecretRefSpec]
    public var volumeClaims: [VolumeClaimSpec]
    public var services: [ServiceSpec]
    public var jobs: [JobSpec]
    public var statefulServices: [StatefulServiceSpec]
    public var stores: [StoreSpec]
    /// Hosts with several paths to different services (one Ingress each).
    public var routes: [RouteSpec]
    public var waivers: [WaiverSpec]
    /// Mutual TLS and network policy settings.
    public var mesh: MeshSpec { didSet { namespaceIndex = NamespaceIndex(namespaces, mesh) } }
    /// Namespaces by name and the traffic-source namespaces, so the per-namespace mesh questions
    /// (`mtls(of:)`, `deniesByDefault(_:)`…) take constant time; rebuilt whenever either changes.
    private(set) var namespaceIndex: NamespaceIndex
    /// Destinations the system does not run that workloads may use.
    public var external: [ExternalEndpointSpec]

    public init(
        file: String, name: Located<String>, clusterDomain: Located<String>, defaults: Defaults,
        namespaces: [NamespaceSpec] = [], configMaps: [ConfigMapSpec] = [], secrets: [SecretRefSpec] = [],
        volumeClaims: [VolumeClaimSpec] = [], services: [ServiceSpec] = [], jobs: [JobSpec] = [],
        statefulServices: [StatefulServiceSpec] = [], stores: [StoreSpec] = [], routes: [RouteSpec] = [], waivers: [WaiverSpec] = [],
        mesh: MeshSpec? = nil, external: [ExternalEndpointSpec] = []
    ) {
        self.file = file
        self.name = name
        self.clusterDomain = clusterDomain
        self.defaults = defaults
        self.namespaces = namespaces
        self.configMaps = configMaps
        self.secrets = secrets
        self.volumeClaims = volumeClaims
        self.services = services
        self.jobs = jobs
        self.statefulServices = statefulServices
        self.stores = stores
        self.routes = routes
        self.waivers = waivers
        let mesh = mesh ?? MeshSpec.defaults(at: name.location)
        self.mesh = mesh
        self.external = external
        self.namespaceIndex = NamespaceIndex(namespaces, mesh)
    }

    /// Every workload written as one (services, stateful services, jobs), in spec order.
    public var workloads: [WorkloadSpec] {
        services.map(\.workload) + statefulServices.map(\.workload) + jobs.map(\.workload)
    }

    /// Every service reached through an Ingress: each `expose:`, then each path of each route.
    public var exposures: [Exposure] {
        services.compactMap { service in
            service.expose.map {
                Exposure(service: service.name.value, namespace: service.workload.namespace.value, port: $0.port.value, host: $0.host,
                         path: $0.path, tls: $0.tls, location: $0.location)
            }
        } + routes.flatMap { route in
            route.paths.map {
                Exposure(service: $0.service.value, namespace: route.namespace.value, port: $0.port.value, host: route.host, path: $0.path,
                         tls: route.tls, location: $0.path.location)
            }
        }
    }
}

/// The first namespace of each name (as a scan would find it) and the namespaces whose pods the
/// spec does not describe but that send traffic in (ingress, monitoring, callers).
struct NamespaceIndex: Sendable {
    let byName: [String: NamespaceSpec]
    let trafficSources: Set<String>

    init(_ namespaces: [NamespaceSpec], _ mesh: MeshSpec) {
        var byName: [String: NamespaceSpec] = [:]
        byName.reserveCapacity(namespaces.count)
        for namespace in namespaces where byName[namespace.name.value] == nil { byName[namespace.name.value] = namespace }
        self.byName = byName
        var sources = Set(mesh.callers.map(\.namespace.value))
        if let ingress = mesh.ingressNamespace?.value { sources.insert(ingress) }
        if let monitoring = mesh.monitoringNamespace?.value { sources.insert(monitoring) }
        trafficSources = sources
    }
}

/// Pod Security Admission level for a namespace (and the hardening the pods are generated for).
public enum PodSecurityLevel: String, Sendable, CaseIterable {
    case restricted, baseline, privileged
}

/// Kubernetes image pull policy.
public enum ImagePullPolicy: String, Sendable, CaseIterable {
    case always = "Always", ifNotPresent = "IfNotPresent", never = "Never"
}

/// Spec-wide defaults (`defaults:`).
public struct Defaults: Sendable {
    /// Namespace for workloads that name none (also implied when the spec declares exactly one).
    public var namespace: Located<String>?
    public var podSecurity: Located<PodSecurityLevel>
    public var runAsUser: Located<Int>?
    public var runAsGroup: Located<Int>?
    public var fsGroup: Located<Int>?
    public var imagePullPolicy: Located<ImagePullPolicy>?
    /// Node label key that `placement.nodePool` selects on.
    public var nodePoolLabel: Located<String>
    /// `ingressClassName` for exposed services.
    public var ingressClass: Located<String>?
    public var readOnlyRootFilesystem: Located<Bool>

    public init(
        namespace: Located<String>? = nil, podSecurity: Located<PodSecurityLevel>, runAsUser: Located<Int>? = nil,
        runAsGroup: Located<Int>? = nil, fsGroup: Located<Int>? = nil, imagePullPolicy: Located<ImagePullPolicy>? = nil,
        nodePoolLabel: Located<String>, ingressClass: Located<String>? = nil, readOnlyRootFilesystem: Located<Bool>
    ) {
        self.namespace = namespace
        self.podSecurity = podSecurity
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.fsGroup = fsGroup
        self.imagePullPolicy = imagePullPolicy
        self.nodePoolLabel = nodePoolLabel
        self.ingressClass = ingressClass
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
    }
}

/// A string key/value pair kept in spec order (labels, annotations, ConfigMap data).
public struct KeyValue: Sendable, Hashable {
    public var key: Located<String>
    public var value: Located<String>

    public init(key: Located<String>, value: Located<String>) {
        self.key = key
        self.value = value
    }
}

/// A namespace the system owns (`namespaces:`).
public struct NamespaceSpec: Sendable {
    public var name: Located<String>
    /// Pod Security Admission level enforced, audited and warned on.
    public var podSecurity: Located<PodSecurityLevel>
    public var labels: [KeyValue]
    public var annotations: [KeyValue]
    /// False for a namespace that exists already and is managed elsewhere: workloads may live in it,
    /// but no Namespace object is emitted.
    public var create: Located<Bool>
    /// The namespace's own mTLS mode, overriding `mesh.mtls`.
    public var mtls: Located<MTLSMode>?
    /// The namespace's own network policy mode, overriding `mesh.networkPolicy`.
    public var networkPolicy: Located<NetworkPolicyMode>?

    public init(name: Located<String>, podSecurity: Located<PodSecurityLevel>, labels: [KeyValue] = [], annotations: [KeyValue] = [], create: Located<Bool>,
                mtls: Located<MTLSMode>? = nil, networkPolicy: Located<NetworkPolicyMode>? = nil) {
        self.name = name
        self.podSecurity = podSecurity
        self.labels = labels
        self.annotations = annotations
        self.create = create
        self.mtls = mtls
        self.networkPolicy = networkPolicy
    }
}

/// A ConfigMap the spec defines (`configMaps:`), for configuration files and non-secret settings.
public struct ConfigMapSpec: Sendable {
    public var name: Located<String>
    public var namespace: Located<String>
    public var data: [KeyValue]

    public init(name: Located<String>, namespace: Located<String>, data: [KeyValue]) {
        self.name = name
        self.namespace = namespace
        self.data = data
    }
}

/// A Secret the spec references but never writes (`secrets:`): one that exists already, or one
/// an engine's operator keeps in sync (`SecretSync`, e.g. from Vault). clusterspec never emits
/// secret values; declaring the Secret lets references to it be checked.
public struct SecretRefSpec: Sendable {
    public var name: Located<String>
    public var namespace: Located<String>
    /// The keys the Secret is known to hold; empty means "not declared" (any key accepted).
    public var keys: [Located<String>]
    public var description: Located<String>?
    /// Where the Secret's content comes from when an operator syncs it.
    public var sync: (any SecretSync)?

    public init(name: Located<String>, namespace: Located<String>, keys: [Located<String>] = [], description: Located<String>? = nil, sync: (any SecretSync)? = nil) {
        self.name = name
        self.namespace = namespace
        self.keys = keys
        self.description = description
        self.sync = sync
    }
}

/// Access mode of a persistent volume claim.
public enum AccessMode: String, Sendable, CaseIterable {
    case readWriteOnce = "ReadWriteOnce", readOnlyMany = "ReadOnlyMany", readWriteMany = "ReadWriteMany",
         readWriteOncePod = "ReadWriteOncePod"
}

/// A standalone PersistentVolumeClaim (`volumeClaims:`), e.g. a backup target shared by jobs.
public struct VolumeClaimSpec: Sendable {
    public var name: Located<String>
    public var namespace: Located<String>
    public var size: Located<Quantity>
    public var storageClass: Located<String>?
    public var accessModes: [Located<AccessMode>]

    public init(name: Located<String>, namespace: Located<String>, size: Located<Quantity>, storageClass: Located<String>?, accessModes: [Located<AccessMode>]) {
        self.name = name
        self.namespace = namespace
        self.size = size
        self.storageClass = storageClass
        self.accessModes = accessModes
    }
}
