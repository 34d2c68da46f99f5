/// An integer or a percentage, as Kubernetes accepts for surge, unavailability and PDB budgets.
public enum IntOrPercent: Sendable, Hashable, CustomStringConvertible {
    case count(Int)
    case percent(Int)

    public var description: String {
        switch self {
        case .count(let value): return String(value)
        case .percent(let value): return "\(value)%"
        }
    }

    /// The absolute number for `total` pods; percentages round up as Kubernetes does for
    /// maxUnavailable of a PDB and maxSurge, down when `roundUp` is false.
    public func resolved(total: Int, roundUp: Bool) -> Int {
        switch self {
        case .count(let value): return value
        case .percent(let value):
            let product = value * total
            return roundUp ? (product + 99) / 100 : product / 100
        }
    }
}

/// How a Deployment replaces its pods.
public enum RolloutKind: String, Sendable, CaseIterable {
    /// New pods start before old ones stop, within the surge and unavailability budget.
    case rollingUpdate = "RollingUpdate"
    /// Every old pod stops before a new one starts: a singleton never runs twice, at the price of
    /// downtime on every rollout (`strategy: recreate`).
    case recreate = "Recreate"
}

/// How a Deployment rolls out: a rolling update with its budget, or recreate for a singleton.
public struct StrategySpec: Sendable {
    public var kind: Located<RolloutKind>
    /// The rolling-update budget (unused with `recreate`).
    public var maxSurge: Located<IntOrPercent>
    public var maxUnavailable: Located<IntOrPercent>

    public init(kind: Located<RolloutKind>? = nil, maxSurge: Located<IntOrPercent>, maxUnavailable: Located<IntOrPercent>) {
        self.kind = kind ?? Located(.rollingUpdate, at: maxSurge.location, isDefault: true)
        self.maxSurge = maxSurge
        self.maxUnavailable = maxUnavailable
    }

    /// Whether this is a singleton's `strategy: recreate`.
    public var isRecreate: Bool { kind.value == .recreate }
}

/// The budget a PodDisruptionBudget enforces.
public enum DisruptionBudget: Sendable, Hashable {
    case minAvailable(IntOrPercent)
    case maxUnavailable(IntOrPercent)
}

/// A PodDisruptionBudget; `budget == nil` means none (the spec said `pdb: none`, or nothing needs one).
public struct PDBSpec: Sendable {
    public var budget: Located<DisruptionBudget>?
    /// Where the spec wrote `pdb:`, when it did.
    public var location: SourceLocation?

    public init(budget: Located<DisruptionBudget>?, location: SourceLocation? = nil) {
        self.budget = budget
        self.location = location
    }
}

/// Horizontal autoscaling (`autoscale:`).
public struct AutoscaleSpec: Sendable {
    public var min: Located<Int>
    public var max: Located<Int>
    /// Target average CPU utilisation in percent of requests.
    public var cpu: Located<Int>?
    /// Target average memory utilisation in percent of requests.
    public var memory: Located<Int>?
    public var location: SourceLocation

    public init(min: Located<Int>, max: Located<Int>, cpu: Located<Int>?, memory: Located<Int>?, location: SourceLocation) {
        self.min = min
        self.max = max
        self.cpu = cpu
        self.memory = memory
        self.location = location
    }
}

/// Which issuer cert-manager uses for an Ingress certificate.
public enum IssuerKind: String, Sendable, CaseIterable {
    case clusterIssuer = "ClusterIssuer", issuer = "Issuer"
}

/// TLS of an exposed service: a cert-manager issuer and the Secret the certificate lands in.
public struct IngressTLSSpec: Sendable {
    public var issuer: Located<String>
    public var issuerKind: Located<IssuerKind>
    public var secretName: Located<String>

    public init(issuer: Located<String>, issuerKind: Located<IssuerKind>, secretName: Located<String>) {
        self.issuer = issuer
        self.issuerKind = issuerKind
        self.secretName = secretName
    }
}

/// Exposure through an Ingress (`expose:`).
public struct ExposeSpec: Sendable {
    public var host: Located<String>
    public var path: Located<String>
    public var port: Located<String>
    public var className: Located<String>?
    public var tls: IngressTLSSpec?
    public var annotations: [KeyValue]
    public var location: SourceLocation

    public init(host: Located<String>, path: Located<String>, port: Located<String>, className: Located<String>?, tls: IngressTLSSpec?, annotations: [KeyValue], location: SourceLocation) {
        self.host = host
        self.path = path
        self.port = port
        self.className = className
        self.tls = tls
        self.annotations = annotations
        self.location = location
    }
}

/// Requests under `path` go to `service` on its port `port` (one path of a route).
public struct RoutePathSpec: Sendable {
    public var path: Located<String>
    public var service: Located<String>
    public var port: Located<String>

    public init(path: Located<String>, service: Located<String>, port: Located<String>) {
        self.path = path
        self.service = service
        self.port = port
    }
}

/// One host with several paths to different services (`routes:`): one Ingress named like the route.
public struct RouteSpec: Sendable {
    public var name: Located<String>
    public var namespace: Located<String>
    public var host: Located<String>
    public var className: Located<String>?
    public var tls: IngressTLSSpec?
    public var annotations: [KeyValue]
    public var paths: [RoutePathSpec]
    public var location: SourceLocation

    public init(name: Located<String>, namespace: Located<String>, host: Located<String>, className: Located<String>?, tls: IngressTLSSpec?,
                annotations: [KeyValue], paths: [RoutePathSpec], location: SourceLocation) {
        self.name = name
        self.namespace = namespace
        self.host = host
        self.className = className
        self.tls = tls
        self.annotations = annotations
        self.paths = paths
        self.location = location
    }
}

/// A service reached through an Ingress, from its `expose:` or from one path of a route: what
/// the traffic graph lets the ingress controller reach and the rules judge.
public struct Exposure: Sendable {
    /// The service reached.
    public var service: String
    /// The namespace of the service and its Ingress.
    public var namespace: String
    /// Its port the Ingress forwards to.
    public var port: String
    public var host: Located<String>
    public var path: Located<String>
    public var tls: IngressTLSSpec?
    /// The `expose:` or the route path.
    public var location: SourceLocation

    public init(service: String, namespace: String, port: String, host: Located<String>, path: Located<String>, tls: IngressTLSSpec?,
                location: SourceLocation) {
        self.service = service
        self.namespace = namespace
        self.port = port
        self.host = host
        self.path = path
        self.tls = tls
        self.location = location
    }
}

/// Kubernetes Service type.
public enum ServiceType: String, Sendable, CaseIterable {
    case clusterIP = "ClusterIP", nodePort = "NodePort", loadBalancer = "LoadBalancer"
}

/// Where outside traffic to a LoadBalancer or NodePort Service comes from (`from:`): address
/// ranges, or every address (`from: anywhere`). The traffic graph turns each range into a flow
/// into the Service's pods, so NetworkPolicy, Istio authorization and the rules admit exactly it.
public struct PublicSources: Sendable {
    /// Address ranges in CIDR notation.
    public var ranges: [Located<String>]
    /// Whether the spec wrote `anywhere` (every IPv4 and IPv6 address) rather than a list.
    public var isAnywhere: Bool
    public var location: SourceLocation

    /// The ranges `anywhere` stands for.
    public static let anywhere = ["0.0.0.0/0", "::/0"]

    public init(ranges: [Located<String>], isAnywhere: Bool, location: SourceLocation) {
        self.ranges = ranges
        self.isAnywhere = isAnywhere
        self.location = location
    }
}

/// A Service in front of the workload: the main one (named like the workload) or an extra one
/// (named `<workload>-<suffix>`), each publishing a subset of the ports.
public struct ServicePortGroupSpec: Sendable {
    /// Empty for the main Service, else the suffix of the extra Service's name.
    public var suffix: Located<String>?
    public var type: Located<ServiceType>
    public var ports: [Located<String>]
    public var annotations: [KeyValue]
    /// Where outside traffic comes from, for a LoadBalancer or NodePort Service.
    public var from: PublicSources?

    public init(suffix: Located<String>?, type: Located<ServiceType>, ports: [Located<String>], annotations: [KeyValue],
                from: PublicSources? = nil) {
        self.suffix = suffix
        self.type = type
        self.ports = ports
        self.annotations = annotations
        self.from = from
    }

    /// Whether addresses outside the cluster reach it by design (a LoadBalancer or NodePort).
    public var isReachableFromOutside: Bool { type.value != .clusterIP }
}

/// What a Deployment of `services:` or `workers:` is for.
public enum ServiceKind: String, Sendable {
    /// Serves traffic: its Services, Ingress and `uses:` entries name it.
    case service
    /// Consumes work (a queue, a schedule) and serves no one (`workers:`): no Service, no Ingress,
    /// nothing can `uses:` it, and its health is a liveness signal (an exec probe counts).
    case worker
}

/// A stateless service (`services:`) — a Deployment with its Service(s), PDB, HPA and Ingress —
/// or a worker (`workers:`), a Deployment with its PDB and HPA only.
public struct ServiceSpec: Sendable {
    public var kind: ServiceKind
    public var workload: WorkloadSpec
    /// Fixed replica count; when autoscaled it is the HPA minimum.
    public var replicas: Located<Int>
    public var autoscale: AutoscaleSpec?
    public var expose: ExposeSpec?
    public var pdb: PDBSpec
    public var strategy: StrategySpec
    /// The main Service (nil when the workload has no ports for it) and the extra ones.
    public var serviceGroups: [ServicePortGroupSpec]

    public init(kind: ServiceKind = .service, workload: WorkloadSpec, replicas: Located<Int>, autoscale: AutoscaleSpec?, expose: ExposeSpec?,
                pdb: PDBSpec, strategy: StrategySpec, serviceGroups: [ServicePortGroupSpec]) {
        self.kind = kind
        self.workload = workload
        self.replicas = replicas
        self.autoscale = autoscale
        self.expose = expose
        self.pdb = pdb
        self.strategy = strategy
        self.serviceGroups = serviceGroups
    }

    public var name: Located<String> { workload.name }
    /// Whether it is a worker (`workers:`) rather than a service.
    public var isWorker: Bool { kind == .worker }
}

/// What a CronJob does when the previous run is still going.
public enum ConcurrencyPolicy: String, Sendable, CaseIterable {
    case allow = "Allow", forbid = "Forbid", replace = "Replace"
}

/// A run-to-completion workload (`jobs:`): a Job, or a CronJob when it has a schedule.
public struct JobSpec: Sendable {
    public var workload: WorkloadSpec
    public var schedule: Located<String>?
    public var timeZone: Located<String>?
    public var concurrencyPolicy: Located<ConcurrencyPolicy>
    public var backoffLimit: Located<Int>
    public var activeDeadlineSeconds: Located<Int>?

    public init(workload: WorkloadSpec, schedule: Located<String>?, timeZone: Located<String>?, concurrencyPolicy: Located<ConcurrencyPolicy>, backoffLimit: Located<Int>, activeDeadlineSeconds: Located<Int>?) {
        self.workload = workload
        self.schedule = schedule
        self.timeZone = timeZone
        self.concurrencyPolicy = concurrencyPolicy
        self.backoffLimit = backoffLimit
        self.activeDeadlineSeconds = activeDeadlineSeconds
    }

    public var name: Located<String> { workload.name }
}

extension DisruptionBudget {
    /// How many of `replicas` pods the budget lets be evicted at once (Kubernetes rounds
    /// percentages up for both fields).
    public func allowedDisruptions(replicas: Int) -> Int {
        switch self {
        case .maxUnavailable(let value):
            return min(replicas, value.resolved(total: replicas, roundUp: true))
        case .minAvailable(let value):
            return max(0, replicas - value.resolved(total: replicas, roundUp: true))
        }
    }
}

/// An image reference split into repository, tag and digest.
public struct ImageReference: Sendable, Equatable {
    public var repository: String
    public var tag: String?
    public var digest: String?

    /// Parses `registry/path/name[:tag][@digest]`; a `:` before the last `/` belongs to a registry port.
    public init(_ reference: String) {
        var rest = Substring(reference)
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        let lastSlash = rest.lastIndex(of: "/")
        if let colon = rest.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        repository = String(rest)
    }

    /// True for a digest, or a tag that is not `latest`.
    public var isPinned: Bool {
        if let digest, digest.hasPrefix("sha256:"), digest.count == 71 { return true }
        guard let tag, !tag.isEmpty else { return false }
        return tag != "latest"
    }
}
