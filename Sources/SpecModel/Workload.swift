/// Transport protocol of a port.
public enum PortProtocol: String, Sendable, CaseIterable {
    case tcp = "TCP", udp = "UDP", sctp = "SCTP"
}

/// A named container port (`ports: {http: 8080}`).
public struct PortSpec: Sendable {
    public var name: Located<String>
    public var number: Located<Int>
    public var portProtocol: Located<PortProtocol>
    /// Port number on the Service when it differs from the container port.
    public var servicePort: Located<Int>?

    public init(name: Located<String>, number: Located<Int>, portProtocol: Located<PortProtocol>, servicePort: Located<Int>? = nil) {
        self.name = name
        self.number = number
        self.portProtocol = portProtocol
        self.servicePort = servicePort
    }

    /// The port clients use on the Service.
    public var exposedNumber: Int { servicePort?.value ?? number.value }
}

/// A port given by name (resolved against the workload's ports) or by number.
public enum PortReference: Sendable, Hashable, CustomStringConvertible {
    case name(String)
    case number(Int)

    public var description: String {
        switch self {
        case .name(let name): return name
        case .number(let number): return String(number)
        }
    }
}

/// Where an environment variable's value comes from.
public enum EnvSource: Sendable {
    case literal(Located<String>)
    case secretKey(secret: Located<String>, key: Located<String>, optional: Bool)
    case configMapKey(configMap: Located<String>, key: Located<String>, optional: Bool)
    /// A downward-API field such as `metadata.name`.
    case field(Located<String>)
    /// A container resource such as `limits.memory`.
    case resource(Located<String>)
}

/// One environment variable, in spec order (order matters for `$(VAR)` expansion).
public struct EnvVarSpec: Sendable {
    public var name: Located<String>
    public var source: EnvSource

    public init(name: Located<String>, source: EnvSource) {
        self.name = name
        self.source = source
    }
}

/// Whole-object environment import (`envFrom`).
public struct EnvFromSpec: Sendable {
    public enum Kind: String, Sendable { case secret, configMap }
    public var kind: Kind
    public var name: Located<String>
    public var prefix: Located<String>?
    public var optional: Bool

    public init(kind: Kind, name: Located<String>, prefix: Located<String>? = nil, optional: Bool = false) {
        self.kind = kind
        self.name = name
        self.prefix = prefix
        self.optional = optional
    }
}

/// CPU, memory and ephemeral storage amounts.
public struct ResourceAmounts: Sendable {
    public var cpu: Located<Quantity>?
    public var memory: Located<Quantity>?
    public var ephemeralStorage: Located<Quantity>?

    public init(cpu: Located<Quantity>? = nil, memory: Located<Quantity>? = nil, ephemeralStorage: Located<Quantity>? = nil) {
        self.cpu = cpu
        self.memory = memory
        self.ephemeralStorage = ephemeralStorage
    }

    public var isEmpty: Bool { cpu == nil && memory == nil && ephemeralStorage == nil }
}

/// Container resource requests and limits.
public struct ResourcesSpec: Sendable {
    public var requests: ResourceAmounts
    public var limits: ResourceAmounts
    public var location: SourceLocation

    public init(requests: ResourceAmounts, limits: ResourceAmounts, location: SourceLocation) {
        self.requests = requests
        self.limits = limits
        self.location = location
    }
}

/// What a probe does.
public enum ProbeAction: Sendable {
    case http(path: Located<String>, port: Located<PortReference>)
    case tcp(port: Located<PortReference>)
    case grpc(port: Located<PortReference>)
    case exec(command: Located<[String]>)

    /// The port the probe targets, if it targets one.
    public var port: Located<PortReference>? {
        switch self {
        case .http(_, let port), .tcp(let port), .grpc(let port): return port
        case .exec: return nil
        }
    }
}

/// Scheme of an HTTP probe.
public enum ProbeScheme: String, Sendable, CaseIterable {
    case http = "HTTP", https = "HTTPS"
}

/// A liveness, readiness or startup probe with its timing.
public struct ProbeSpec: Sendable {
    public var action: ProbeAction
    /// HTTPS for `http` probes against a TLS listener (the kubelet does not verify the certificate).
    public var scheme: ProbeScheme = .http
    public var initialDelaySeconds: Located<Int>?
    public var periodSeconds: Located<Int>
    public var timeoutSeconds: Located<Int>
    public var failureThreshold: Located<Int>
    public var location: SourceLocation

    public init(action: ProbeAction, initialDelaySeconds: Located<Int>?, periodSeconds: Located<Int>, timeoutSeconds: Located<Int>, failureThreshold: Located<Int>, location: SourceLocation) {
        self.action = action
        self.initialDelaySeconds = initialDelaySeconds
        self.periodSeconds = periodSeconds
        self.timeoutSeconds = timeoutSeconds
        self.failureThreshold = failureThreshold
        self.location = location
    }
}

/// The container's probes (`health:`).
public struct HealthSpec: Sendable {
    public var liveness: ProbeSpec?
    public var readiness: ProbeSpec?
    public var startup: ProbeSpec?
    public var location: SourceLocation

    public init(liveness: ProbeSpec?, readiness: ProbeSpec?, startup: ProbeSpec?, location: SourceLocation) {
        self.liveness = liveness
        self.readiness = readiness
        self.startup = startup
        self.location = location
    }
}

/// Where a mounted volume's content comes from.
public enum VolumeSource: Sendable {
    case configMap(Located<String>)
    case secret(Located<String>)
    case emptyDir(sizeLimit: Located<Quantity>?, inMemory: Bool)
    case claim(Located<String>)
    /// A per-pod volume from the StatefulSet's volume claim templates.
    case claimTemplate(StorageSpec)
}

/// A volume mounted into the container (`volumes:`).
public struct VolumeSpec: Sendable {
    public var name: Located<String>
    public var source: VolumeSource
    public var mountPath: Located<String>
    public var readOnly: Bool
    public var subPath: Located<String>?

    public init(name: Located<String>, source: VolumeSource, mountPath: Located<String>, readOnly: Bool, subPath: Located<String>? = nil) {
        self.name = name
        self.source = source
        self.mountPath = mountPath
        self.readOnly = readOnly
        self.subPath = subPath
    }
}

/// Security settings after defaults: what the pod and container security contexts will say.
public struct SecuritySpec: Sendable {
    public var runAsUser: Located<Int>?
    public var runAsGroup: Located<Int>?
    public var fsGroup: Located<Int>?
    public var readOnlyRootFilesystem: Located<Bool>
    /// Linux capabilities added after dropping ALL.
    public var addCapabilities: [Located<String>]

    public init(runAsUser: Located<Int>?, runAsGroup: Located<Int>?, fsGroup: Located<Int>?, readOnlyRootFilesystem: Located<Bool>, addCapabilities: [Located<String>]) {
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.fsGroup = fsGroup
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
        self.addCapabilities = addCapabilities
    }
}

/// What the kubelet runs before it stops a container (`lifecycle.preStop`): typically a pause
/// that lets endpoints and load balancers stop sending traffic before SIGTERM arrives.
public enum LifecycleHandler: Sendable {
    case exec(command: Located<[String]>)
    /// The kubelet's own sleep, for images without a shell.
    case sleep(seconds: Located<Int>)
    case http(path: Located<String>, port: Located<PortReference>)
}

/// A container's lifecycle hooks (`lifecycle:`).
public struct LifecycleSpec: Sendable {
    public var preStop: LifecycleHandler
    public var location: SourceLocation

    public init(preStop: LifecycleHandler, location: SourceLocation) {
        self.preStop = preStop
        self.location = location
    }
}

/// One container: image, command, ports, environment, resources, probes, mounts.
public struct ContainerSpec: Sendable {
    public var image: Located<String>
    public var imagePullPolicy: Located<ImagePullPolicy>
    public var command: Located<[String]>?
    public var args: Located<[String]>?
    public var ports: [PortSpec]
    public var env: [EnvVarSpec]
    public var envFrom: [EnvFromSpec]
    public var resources: ResourcesSpec?
    public var health: HealthSpec?
    public var volumes: [VolumeSpec]
    public var security: SecuritySpec
    public var lifecycle: LifecycleSpec?

    public init(
        image: Located<String>, imagePullPolicy: Located<ImagePullPolicy>, command: Located<[String]>? = nil,
        args: Located<[String]>? = nil, ports: [PortSpec] = [], env: [EnvVarSpec] = [], envFrom: [EnvFromSpec] = [],
        resources: ResourcesSpec? = nil, health: HealthSpec? = nil, volumes: [VolumeSpec] = [], security: SecuritySpec,
        lifecycle: LifecycleSpec? = nil
    ) {
        self.image = image
        self.imagePullPolicy = imagePullPolicy
        self.command = command
        self.args = args
        self.ports = ports
        self.env = env
        self.envFrom = envFrom
        self.resources = resources
        self.health = health
        self.volumes = volumes
        self.security = security
        self.lifecycle = lifecycle
    }

    /// The port with this name, if declared.
    public func port(named name: String) -> PortSpec? {
        ports.first { $0.name.value == name }
    }

    /// The declared ports among `names`, in the order of `names` (unknown names skipped), looked
    /// up through one dictionary rather than a scan per name.
    public func ports(named names: [String]) -> [PortSpec] {
        guard names.count > 4 else { return names.compactMap(port(named:)) }
        var byName: [String: PortSpec] = [:]
        for port in ports where byName[port.name.value] == nil { byName[port.name.value] = port }
        return names.compactMap { byName[$0] }
    }
}

/// A container that runs to completion before the main one starts (migrations, warm-up).
/// It inherits the main container's environment, mounts and resources unless it sets its own;
/// with `inherit: false` it gets none of the environment, Secrets and mounts, only its own.
public struct InitContainerSpec: Sendable {
    public var name: Located<String>
    public var container: ContainerSpec
    /// Whether it received the main container's environment, `envFrom` and mounts (the default).
    public var inherits: Bool

    public init(name: Located<String>, container: ContainerSpec, inherits: Bool = true) {
        self.name = name
        self.container = container
        self.inherits = inherits
    }
}

/// A container that runs beside the main one for the pod's whole life (`sidecars:`): a native
/// sidecar, emitted as an init container with `restartPolicy: Always`, so it starts before the
/// main container, stops after it, and does not keep a Job from completing. It inherits nothing.
public struct SidecarSpec: Sendable {
    public var name: Located<String>
    public var container: ContainerSpec

    public init(name: Located<String>, container: ContainerSpec) {
        self.name = name
        self.container = container
    }
}

/// The role of a container in its pod.
public enum PodContainerKind: Sendable {
    /// The workload's own container.
    case main
    /// Runs to completion before the main container starts.
    case initialization
    /// Runs beside the main container for the pod's whole life.
    case sidecar
}

/// Whether a toleration matches a taint by value or by key alone.
public enum TolerationOperator: String, Sendable, CaseIterable {
    case equal = "Equal", exists = "Exists"
}

/// The effect of a node taint.
public enum TaintEffect: String, Sendable, CaseIterable {
    case noSchedule = "NoSchedule", preferNoSchedule = "PreferNoSchedule", noExecute = "NoExecute"
}

/// A node taint the pods tolerate (`tolerations:`).
public struct TolerationSpec: Sendable {
    /// nil with `Exists`: every taint.
    public var key: Located<String>?
    public var tolerationOperator: Located<TolerationOperator>
    public var value: Located<String>?
    /// nil: every effect.
    public var effect: Located<TaintEffect>?
    /// How long a `NoExecute` taint is tolerated before eviction.
    public var seconds: Located<Int>?
    public var location: SourceLocation

    public init(key: Located<String>?, tolerationOperator: Located<TolerationOperator>, value: Located<String>?, effect: Located<TaintEffect>?,
                seconds: Located<Int>?, location: SourceLocation) {
        self.key = key
        self.tolerationOperator = tolerationOperator
        self.value = value
        self.effect = effect
        self.seconds = seconds
        self.location = location
    }
}

/// How strongly replicas are kept apart.
public enum SpreadMode: String, Sendable, CaseIterable {
    case none, preferred, required
}

/// Scheduling: node pool, spreading over hosts and zones.
public struct PlacementSpec: Sendable {
    /// Value of the node-pool label the pods must run on.
    public var nodePool: Located<String>?
    /// Pod anti-affinity over `kubernetes.io/hostname`.
    public var hosts: Located<SpreadMode>
    /// Topology spread over `topology.kubernetes.io/zone`.
    public var zones: Located<SpreadMode>
    /// Number of zones the cluster spans, when known (used by quorum arithmetic).
    public var zoneCount: Located<Int>?
    /// Topology spreads over other node labels (racks, node pools), after hosts and zones.
    public var spread: [SpreadConstraintSpec]

    /// The well-known node label `zones` spreads over.
    public static let zoneLabel = "topology.kubernetes.io/zone"

    public init(nodePool: Located<String>?, hosts: Located<SpreadMode>, zones: Located<SpreadMode>, zoneCount: Located<Int>? = nil,
                spread: [SpreadConstraintSpec] = []) {
        self.nodePool = nodePool
        self.hosts = hosts
        self.zones = zones
        self.zoneCount = zoneCount
        self.spread = spread
    }
}

/// A topology spread over any node label (`placement.spread`).
public struct SpreadConstraintSpec: Sendable {
    public var topologyKey: Located<String>
    /// `required` (DoNotSchedule) or `preferred` (ScheduleAnyway).
    public var mode: Located<SpreadMode>
    public var maxSkew: Located<Int>
    /// With `required`: the number of domains to count even when fewer have pods.
    public var minDomains: Located<Int>?

    public init(topologyKey: Located<String>, mode: Located<SpreadMode>, maxSkew: Located<Int>, minDomains: Located<Int>?) {
        self.topologyKey = topologyKey
        self.mode = mode
        self.maxSkew = maxSkew
        self.minDomains = minDomains
    }
}

/// Prometheus scraping (`metrics:`): scrape annotations and, optionally, a ServiceMonitor.
public struct MetricsSpec: Sendable {
    public var port: Located<String>
    public var path: Located<String>
    /// Scrape interval of a ServiceMonitor; nil means annotations only.
    public var serviceMonitorInterval: Located<String>?
    public var location: SourceLocation

    public init(port: Located<String>, path: Located<String>, serviceMonitorInterval: Located<String>?, location: SourceLocation) {
        self.port = port
        self.path = path
        self.serviceMonitorInterval = serviceMonitorInterval
        self.location = location
    }
}

/// One RBAC rule granted to the workload's ServiceAccount.
public struct AccessRuleSpec: Sendable {
    public var apiGroups: [Located<String>]
    public var resources: [Located<String>]
    public var verbs: [Located<String>]
    public var location: SourceLocation

    public init(apiGroups: [Located<String>], resources: [Located<String>], verbs: [Located<String>], location: SourceLocation) {
        self.apiGroups = apiGroups
        self.resources = resources
        self.verbs = verbs
        self.location = location
    }
}

/// The workload's identity: its ServiceAccount, token mounting and Role.
public struct ServiceAccountSpec: Sendable {
    public var automountToken: Located<Bool>
    public var annotations: [KeyValue]
    public var rules: [AccessRuleSpec]

    public init(automountToken: Located<Bool>, annotations: [KeyValue] = [], rules: [AccessRuleSpec] = []) {
        self.automountToken = automountToken
        self.annotations = annotations
        self.rules = rules
    }
}

/// A declared dependency (`uses:`): the caller talks to `target` on `ports` (all its ports when empty).
/// When the target is a store or stateful service, its connection facts are injected as
/// environment variables: `env` maps variable names to facts; when nil every fact is injected as
/// `<TARGET>_<FACT>`; an empty map (`env: {}`) injects nothing.
public struct DependencySpec: Sendable {
    public var target: Located<String>
    public var ports: [Located<String>]
    public var env: [KeyValue]?
    public var location: SourceLocation

    public init(target: Located<String>, ports: [Located<String>] = [], env: [KeyValue]? = nil, location: SourceLocation? = nil) {
        self.target = target
        self.ports = ports
        self.env = env
        self.location = location ?? target.location
    }
}

/// What every pod-running element shares: where it runs, as whom, and its containers.
public struct WorkloadSpec: Sendable {
    public var name: Located<String>
    public var namespace: Located<String>
    public var container: ContainerSpec
    public var initContainers: [InitContainerSpec]
    public var placement: PlacementSpec
    public var metrics: MetricsSpec?
    public var serviceAccount: ServiceAccountSpec
    public var terminationGracePeriodSeconds: Located<Int>?
    public var podAnnotations: [KeyValue]
    public var labels: [KeyValue]
    public var uses: [DependencySpec]
    public var sidecars: [SidecarSpec]
    public var tolerations: [TolerationSpec]
    public var priorityClassName: Located<String>?

    public init(
        name: Located<String>, namespace: Located<String>, container: ContainerSpec, initContainers: [InitContainerSpec] = [],
        placement: PlacementSpec, metrics: MetricsSpec? = nil, serviceAccount: ServiceAccountSpec,
        terminationGracePeriodSeconds: Located<Int>? = nil, podAnnotations: [KeyValue] = [], labels: [KeyValue] = [],
        uses: [DependencySpec] = [], sidecars: [SidecarSpec] = [], tolerations: [TolerationSpec] = [], priorityClassName: Located<String>? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.container = container
        self.initContainers = initContainers
        self.placement = placement
        self.metrics = metrics
        self.serviceAccount = serviceAccount
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.podAnnotations = podAnnotations
        self.labels = labels
        self.uses = uses
        self.sidecars = sidecars
        self.tolerations = tolerations
        self.priorityClassName = priorityClassName
    }

    /// Every container of the pod the spec describes: the main one, the init containers and the
    /// sidecars, each with a display name (`workload/container` for all but the main one).
    public var podContainers: [(owner: String, container: ContainerSpec, kind: PodContainerKind)] {
        [(name.value, container, .main)]
            + initContainers.map { ("\(name.value)/\($0.name.value)", $0.container, .initialization) }
            + sidecars.map { ("\(name.value)/\($0.name.value)", $0.container, .sidecar) }
    }

    /// The grace period the kubelet gives the pod to stop (Kubernetes' default when unset).
    public var gracePeriodSeconds: Int { terminationGracePeriodSeconds?.value ?? 30 }
}
