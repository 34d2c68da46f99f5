/// Mutual TLS between meshed workloads. `off` keeps a namespace out of the Istio mesh altogether
/// (no sidecars, no Istio objects); `strict` and `permissive` are the PeerAuthentication modes.
public enum MTLSMode: String, Sendable, CaseIterable {
    case strict, permissive, off
}

/// Whether a namespace denies traffic that is not declared.
public enum NetworkPolicyMode: String, Sendable, CaseIterable {
    case denyByDefault = "deny-by-default", off
}

/// A namespace outside the spec whose pods call workloads or stores of the system (an operator, the
/// clients of a shared cache): `mesh.callers`.
public struct CallerSpec: Sendable {
    public var namespace: Located<String>
    public var uses: [DependencySpec]

    public init(namespace: Located<String>, uses: [DependencySpec]) {
        self.namespace = namespace
        self.uses = uses
    }
}

/// Cluster-wide mesh settings (`mesh:`): the defaults for namespaces and the places traffic comes
/// from or goes to that the spec does not run (DNS, the ingress controller, monitoring, Istio's
/// control plane, the Kubernetes API, operators).
public struct MeshSpec: Sendable {
    public var mtls: Located<MTLSMode>
    public var networkPolicy: Located<NetworkPolicyMode>
    /// Namespace of the ingress controller; it may reach exposed services on their exposed port.
    public var ingressNamespace: Located<String>?
    /// Namespace of the metrics scraper; it may reach the metrics port of workloads with `metrics:`.
    public var monitoringNamespace: Located<String>?
    /// Namespaces outside the spec that call the system's workloads or stores.
    public var callers: [CallerSpec]
    public var istioNamespace: Located<String>
    /// Namespace of the cluster DNS pods (labelled `k8s-app: kube-dns`, as CoreDNS is everywhere).
    public var dnsNamespace: Located<String>
    /// Address range of the Kubernetes API server, for workloads that talk to it.
    public var apiServerCIDR: Located<String>
    /// The Istio trust domain in service-account principals.
    public var trustDomain: Located<String>
    /// Namespace of the CloudNativePG operator, which talks to its clusters' pods.
    public var cnpgOperatorNamespace: Located<String>

    public init(mtls: Located<MTLSMode>, networkPolicy: Located<NetworkPolicyMode>, ingressNamespace: Located<String>?,
                monitoringNamespace: Located<String>?, callers: [CallerSpec], istioNamespace: Located<String>,
                dnsNamespace: Located<String>, apiServerCIDR: Located<String>, trustDomain: Located<String>,
                cnpgOperatorNamespace: Located<String>) {
        self.mtls = mtls
        self.networkPolicy = networkPolicy
        self.ingressNamespace = ingressNamespace
        self.monitoringNamespace = monitoringNamespace
        self.callers = callers
        self.istioNamespace = istioNamespace
        self.dnsNamespace = dnsNamespace
        self.apiServerCIDR = apiServerCIDR
        self.trustDomain = trustDomain
        self.cnpgOperatorNamespace = cnpgOperatorNamespace
    }

    /// The settings of a spec without `mesh:`: no mTLS, no network policy, the usual namespaces.
    public static func defaults(at location: SourceLocation) -> MeshSpec {
        func value<T>(_ value: T) -> Located<T> { Located(value, at: location, isDefault: true) }
        return MeshSpec(mtls: value(.off), networkPolicy: value(.off), ingressNamespace: nil, monitoringNamespace: nil, callers: [],
                        istioNamespace: value("istio-system"), dnsNamespace: value("kube-system"), apiServerCIDR: value("0.0.0.0/0"),
                        trustDomain: value("cluster.local"), cnpgOperatorNamespace: value("cnpg-system"))
    }
}

/// Where an external endpoint is.
public enum ExternalDestination: Sendable {
    /// An address range outside the cluster.
    case cidr(Located<String>)
    /// A host name; a NetworkPolicy cannot name it, so egress is allowed to any address on the
    /// endpoint's ports only.
    case host(Located<String>)
    /// Pods of a namespace the spec does not manage (a shared collector), optionally only those
    /// carrying `podLabels`.
    case namespace(Located<String>, podLabels: [KeyValue])
}

/// A destination the system does not run (`external:`), which workloads may `uses:` like anything
/// else: egress is allowed to it on its ports.
public struct ExternalEndpointSpec: Sendable {
    public var name: Located<String>
    public var destination: ExternalDestination
    public var ports: [PortSpec]

    public init(name: Located<String>, destination: ExternalDestination, ports: [PortSpec]) {
        self.name = name
        self.destination = destination
        self.ports = ports
    }
}

extension SystemSpec {
    /// The mTLS mode of a namespace: its own, else off for namespaces the spec does not create and
    /// for traffic sources (ingress, monitoring, callers), else the mesh-wide mode.
    public func mtls(of namespace: String) -> MTLSMode {
        guard let spec = namespaceIndex.byName[namespace] else { return .off }
        if let own = spec.mtls { return own.value }
        return !spec.create.value || isTrafficSource(namespace) ? .off : mesh.mtls.value
    }

    /// Whether a namespace is in the Istio mesh (sidecars injected).
    public func isMeshed(_ namespace: String) -> Bool { mtls(of: namespace) != .off }

    /// The network policy mode of a namespace: its own, else off for namespaces the spec does not
    /// create and for traffic sources (they run pods the spec does not describe), else the mesh-wide mode.
    public func networkPolicy(of namespace: String) -> NetworkPolicyMode {
        guard let spec = namespaceIndex.byName[namespace] else { return .off }
        if let own = spec.networkPolicy { return own.value }
        return !spec.create.value || isTrafficSource(namespace) ? .off : mesh.networkPolicy.value
    }

    /// Whether pods in `namespace` must ask for their Istio sidecar themselves: it is meshed but the
    /// spec does not create it, so no `istio-injection` label is put on it.
    public func podsRequestSidecar(in namespace: String) -> Bool {
        isMeshed(namespace) && namespaceIndex.byName[namespace].map { !$0.create.value } ?? false
    }

    /// Whether `namespace` denies undeclared traffic.
    public func deniesByDefault(_ namespace: String) -> Bool { networkPolicy(of: namespace) == .denyByDefault }

    /// Whether `namespace` is the ingress or monitoring namespace or a caller namespace.
    public func isTrafficSource(_ namespace: String) -> Bool {
        namespaceIndex.trafficSources.contains(namespace)
    }
}
