import SpecModel

/// The keys each object of spec format v1 accepts, with the type of each value, one line saying
/// what it is and its default. The decoder checks every mapping against these tables (unknown
/// keys, "did you mean"); the JSON Schema (`clusterspec schema`) and the language
/// server's hover and completion are generated from them, and `SpecSchemaTests` holds the decoder
/// to the types (a sample of each key's type accepted, a value of another type rejected).
///
/// A new key: add `KeyDescription(name, type, "one line", default:)` to its table (an engine's
/// own keys: its `keyDescriptions` in `Engines/<Engine>Decoder.swift`, and its name in the
/// engine's `keys`). A bare string literal still decodes, but a test fails naming it.
public enum SpecKeys {
    private typealias Key = KeyDescription

    static let uid = ValueType.integer(0...2_147_483_647)
    static let seconds = ValueType.integer(0...Int(Int32.max))
    static let portNumber = ValueType.integer(1...65535)
    /// A count of members, shards or replicas of a store.
    static let memberCount = ValueType.integer(1...99)
    /// A port given by number or by the name of one of the workload's ports.
    static let portReference = ValueType.anyOf([portNumber, .name(.port)])
    static let namespaceName = ValueType.name(.label)
    static let labels = ValueType.textMap(.qualified)

    /// The whole spec. `x-` keys are extension fields the compiler ignores, the place to keep YAML
    /// anchors shared through merge keys (`<<: *anchor`).
    public static let document = KeyTable("spec", "A clusterspec spec: one system (`*.cluster.yaml`).", extensions: true, [
        Key("clusterspec", .choice(SpecParser.supportedVersions), "Format version of the file.", required: true),
        Key("name", .name(.label), "System name: a DNS label, also the output directory.", required: true),
        Key("clusterDomain", .name(.subdomain), "The cluster's DNS domain, used in the pods' and Services' full names.",
            default: .text("cluster.local")),
        Key("defaults", .object(defaults), "Settings every element gets unless it says otherwise."),
        Key("namespaces", .namedMap(.object(namespace), names: .label), "The namespaces the system's elements live in."),
        Key("configMaps", .namedMap(.object(configMap), names: .subdomain), "ConfigMaps the spec writes."),
        Key("secrets", .namedMap(.object(secret), names: .subdomain), "Secrets that exist already: referenced, never written."),
        Key("volumeClaims", .namedMap(.object(volumeClaim), names: .label), "PersistentVolumeClaims workloads mount by name."),
        Key("services", .namedMap(.object(service), names: .label), "Stateless services: a Deployment, Service, PDB, HPA and Ingress each."),
        Key("workers", .namedMap(.object(worker), names: .label),
            "Services that serve no one: a Deployment (with PDB and HPA) and no Service or Ingress."),
        Key("statefulServices", .namedMap(.object(statefulService), names: .label),
            "Stateful peers that are not one of the engines: a StatefulSet with stable names each."),
        Key("stores", .namedMap(.store(storeVariants), names: .label), "Databases and consensus stores, each compiled by its engine."),
        Key("jobs", .namedMap(.object(job), names: .label), "Run-to-completion work: a Job, or a CronJob with a schedule."),
        Key("routes", .namedMap(.object(route), names: .label), "Ingresses for one host whose paths go to several services."),
        Key("external", .namedMap(.object(external), names: .label), "Destinations the system uses but does not run."),
        Key("mesh", .object(mesh), "Mutual TLS, network policy and the traffic sources outside the spec."),
        Key("waivers", .list(.object(waiver)), "Accepted findings: a rule, a target, a reason and an expiry date each."),
    ])

    static let defaults = KeyTable("defaults", "Spec-wide defaults.", [
        Key("namespace", namespaceName, "Namespace of elements that name none."),
        Key("podSecurity", .choice(of: PodSecurityLevel.self), "Pod Security Admission level of namespaces that set none.",
            default: .text(PodSecurityLevel.restricted.rawValue)),
        Key("runAsUser", uid, "User id the pods run as (stores keep their image's)."),
        Key("runAsGroup", uid, "Group id the pods run as."),
        Key("fsGroup", uid, "Group that owns the pods' volumes."),
        Key("imagePullPolicy", .choice(of: ImagePullPolicy.self), "When the kubelet pulls images.",
            default: .text(ImagePullPolicy.ifNotPresent.rawValue)),
        Key("nodePoolLabel", .nonEmptyText, "Node label that `placement.nodePool` selects on.", default: .text("node-type")),
        Key("ingressClass", .nonEmptyText, "IngressClass of exposed services that name none."),
        Key("readOnlyRootFilesystem", .boolean, "Whether containers get a read-only root filesystem.", default: .boolean(true)),
    ])

    static let namespace = KeyTable("namespace", "A namespace of the system.", [
        Key("podSecurity", .choice(of: PodSecurityLevel.self), "Pod Security Admission level enforced on the namespace.",
            default: .text(PodSecurityLevel.restricted.rawValue)),
        Key("labels", labels, "Labels of the Namespace object."),
        Key("annotations", labels, "Annotations of the Namespace object."),
        Key("create", .boolean, "false for a namespace managed elsewhere: workloads may use it, no Namespace is written.",
            default: .boolean(true)),
        Key("mtls", .choice(of: MTLSMode.self), "This namespace's mutual TLS mode, overriding `mesh.mtls`."),
        Key("networkPolicy", .choice(of: NetworkPolicyMode.self), "This namespace's network policy, overriding `mesh.networkPolicy`."),
    ])

    static let mesh = KeyTable("mesh", "Mesh policy: who may talk to whom, enforced by NetworkPolicy and Istio.", [
        Key("mtls", .choice(of: MTLSMode.self), "Default mutual TLS mode of the namespaces (off: outside the mesh).",
            default: .text(MTLSMode.off.rawValue)),
        Key("networkPolicy", .choice(of: NetworkPolicyMode.self), "Default network policy of the namespaces the spec creates.",
            default: .text(NetworkPolicyMode.off.rawValue)),
        Key("ingressNamespace", namespaceName, "Namespace of the ingress controller: it may reach exposed services."),
        Key("monitoringNamespace", namespaceName, "Namespace of the metrics scraper: it may reach metrics ports."),
        Key("callers", .namedMap(uses, names: .label), "Namespaces outside the spec and what they call (`uses:` entries)."),
        Key("apiServer", .nonEmptyText, "Address range of the Kubernetes API server (CIDR), for pods that call it.",
            default: .text("0.0.0.0/0")),
        Key("istioNamespace", namespaceName, "Namespace of Istio's control plane.", default: .text("istio-system")),
        Key("dnsNamespace", namespaceName, "Namespace of the cluster DNS pods (`k8s-app: kube-dns`).", default: .text("kube-system")),
        Key("trustDomain", .nonEmptyText, "Istio trust domain of service-account principals.", default: .text("cluster.local")),
        Key("cnpgOperatorNamespace", namespaceName, "Namespace of the CloudNativePG operator.", default: .text("cnpg-system")),
    ])

    static let external = KeyTable("external", "A destination outside the system: an address range, a host or another namespace.", [
        Key("cidr", .nonEmptyText, "Its address range (CIDR notation)."),
        Key("host", .nonEmptyText, "Its host name (egress is allowed to any address on its ports only)."),
        Key("namespace", namespaceName, "A namespace the spec does not manage whose pods it is."),
        Key("podLabels", labels, "Labels picking its pods in `namespace`."),
        Key("ports", .namedMap(portValue, names: .port), "The ports traffic to it may use, by name.", required: true),
    ])

    static let configMap = KeyTable("configMap", "A ConfigMap the spec writes.", [
        Key("namespace", namespaceName, "Its namespace (default: `defaults.namespace`, or the only one)."),
        Key("data", .textMap(.any), "Its entries; multi-line values become literal blocks, `${connection:…}` is substituted."),
    ])

    /// A Secret's own keys, then the key of each kind of synced Secret the engines bring.
    static let secret = KeyTable("secret", "A Secret that exists already (or that an operator syncs).", [
        Key("namespace", namespaceName, "Its namespace (default: `defaults.namespace`, or the only one)."),
        Key("keys", .list(.text), "The keys it holds, so references to other keys are caught."),
        Key("description", .text, "What it is for and who provides it."),
    ] + Engines.secretSyncs.map { sync in
        (sync as? any SecretSyncDecoding.Type)?.keyDescription ?? KeyDescription(stringLiteral: sync.key)
    })

    static let volumeClaim = KeyTable("volumeClaim", "A PersistentVolumeClaim.", [
        Key("namespace", namespaceName, "Its namespace (default: `defaults.namespace`, or the only one)."),
        Key("size", .quantity, "The storage it requests (`10Gi`).", required: true),
        Key("storageClass", .nonEmptyText, "Its StorageClass (default: the cluster's)."),
        Key("accessModes", .list(.choice(of: AccessMode.self)), "How it may be mounted.",
            default: .text(AccessMode.readWriteOnce.rawValue)),
    ])

    // MARK: Workloads

    /// Keys of one container (shared by services, jobs and stateful services).
    static let container = KeyTable("container", "", [
        Key("image", .nonEmptyText, "The container image, pinned by tag or digest.", required: true),
        Key("imagePullPolicy", .choice(of: ImagePullPolicy.self), "When the kubelet pulls the image (default: `defaults.imagePullPolicy`)."),
        Key("command", .list(.text), "The entrypoint, replacing the image's."),
        Key("args", .list(.text), "Arguments to the entrypoint."),
        Key("ports", .namedMap(portValue, names: .port), "Named ports: `name: number` or `name: {port, protocol, servicePort}`."),
        Key("health", .object(health), "Liveness, readiness and startup probes."),
        Key("resources", .object(resources), "CPU and memory requests and limits."),
        Key("env", .namedMap(envValue, names: .environmentVariable),
            "Environment variables: a value, `{secret, key}`, `{configMap, key}`, `{field}` or `{resource}`; order is kept."),
        Key("envFrom", .list(.object(envFrom)), "Secrets and ConfigMaps whose every key becomes a variable."),
        Key("volumes", .namedMap(.object(volume), names: .label), "Volumes and where they are mounted."),
        Key("securityContext", .object(securityContext), "User, group, root filesystem and added capabilities."),
        Key("lifecycle", .object(lifecycle), "Container hooks: a `preStop` that runs before the container is stopped."),
    ])

    /// Pod-level keys shared by every workload kind.
    static let workload = KeyTable("workload", "", [
        Key("namespace", namespaceName, "Its namespace (default: `defaults.namespace`, or the only one)."),
        Key("initContainers", .namedMap(.object(initContainer), names: .label),
            "Containers that run before the main one, inheriting its image, environment, mounts and resources."),
        Key("sidecars", .namedMap(.object(sidecar), names: .label),
            "Containers beside the main one; a main container's volume named without a source is shared."),
        Key("placement", .object(placement), "Node pool and spreading across hosts and zones."),
        Key("metrics", .object(metrics), "Prometheus scraping of a port (and a ServiceMonitor)."),
        Key("serviceAccount", .object(serviceAccount), "The workload's ServiceAccount: token, annotations, RBAC rules."),
        Key("terminationGracePeriodSeconds", seconds, "Seconds a pod gets to stop."),
        Key("podAnnotations", labels, "Annotations of the pods."),
        Key("labels", labels, "Extra labels of the pods and objects."),
        Key("uses", uses, "Declared dependencies: connection facts are injected and traffic is allowed."),
        Key("tolerations", .list(.object(toleration)), "Node taints the pods tolerate."),
        Key("priorityClassName", .name(.subdomain), "The PriorityClass of the pods."),
    ])

    /// A service's own keys, besides the container's and the workload's.
    private static let serviceOwn = KeyTable([
        Key("replicas", .integer(0...10_000), "Pods to run (the autoscaler owns the count when `autoscale` is set).", default: .integer(1)),
        Key("autoscale", .object(autoscale), "A HorizontalPodAutoscaler: `min`, `max` and utilisation targets."),
        Key("expose", .object(expose), "An Ingress for a host, with TLS from cert-manager."),
        Key("pdb", .anyOf([.word("none"), .object(pdb)]),
            "The PodDisruptionBudget (default: replicas − 1 available; one pod may go for `strategy: recreate`), or `none`."),
        Key("strategy", .anyOf([.word("recreate"), .object(strategy)]),
            "`recreate` (a singleton: the old pod stops before the new one starts), or the rolling update's surge and unavailability."),
        Key("service", .anyOf([.word("none"), .object(serviceGroup)]), "The main Service (default: every port not in an extra one), or `none`."),
        Key("extraServices", .namedMap(.object(serviceGroup), names: .label), "More Services, named `<service>-<suffix>`."),
    ])
    static let service = (container + workload + serviceOwn)
        .named("service", "A stateless service: Deployment, Service, PodDisruptionBudget, HPA, Ingress.")
    /// A worker is a service that serves no one: no Service, no Ingress.
    static let worker = (container + workload + serviceOwn.without(["expose", "service", "extraServices"]))
        .named("worker", "A worker: a Deployment that serves no one (no Service, no Ingress), with its PDB and HPA.")

    static let job = (container.without(["ports", "health"]) + workload.without(["metrics"]) + KeyTable([
        Key("schedule", .nonEmptyText, "A cron schedule (five fields or @daily…): a CronJob instead of a Job."),
        Key("timeZone", .nonEmptyText, "Time zone of the schedule (`Europe/Berlin`)."),
        Key("concurrencyPolicy", .choice(of: ConcurrencyPolicy.self), "What a scheduled run does while the last one runs.",
            default: .text(ConcurrencyPolicy.forbid.rawValue)),
        Key("backoffLimit", .integer(0...1000), "Retries before the Job fails.", default: .integer(6)),
        Key("activeDeadlineSeconds", .integer(1...Int(Int32.max)), "Seconds after which a run is stopped."),
    ])).named("job", "Run-to-completion work: a Job, or a CronJob with `schedule`.")

    static let statefulService = (container + workload + KeyTable([
        Key("replicas", .integer(1...10_000), "Pods to run, each with a stable name.", default: .integer(1)),
        Key("storage", .object(statefulStorage), "A volume per pod: size, class, mount path."),
        Key("peers", .object(peers), "How the pods find each other: peer list and own address in variables."),
        Key("pdb", .anyOf([.word("none"), .object(pdb)]), "The PodDisruptionBudget (default: one pod at a time), or `none`."),
        Key("service", .anyOf([.word("none"), .object(serviceGroup)]), "The client Service, or `none`."),
        Key("extraServices", .namedMap(.object(serviceGroup), names: .label), "More Services, named `<name>-<suffix>`."),
        Key("tls", .object(tls), "A TLS certificate covering every pod and Service name."),
        Key("podManagementPolicy", .choice(of: PodManagementPolicy.self), "Whether pods start together or one by one.",
            default: .text(PodManagementPolicy.parallel.rawValue)),
    ])).named("statefulService", "A stateful peer group: StatefulSet, headless and client Services, PDB.")

    static let portValue = ValueType.anyOf([portNumber, .object(port)])
    static let port = KeyTable("port", "A port with its protocol or a different Service port.", [
        Key("port", portNumber, "The container port.", required: true),
        Key("protocol", .choice(of: PortProtocol.self), "Its protocol.", default: .text(PortProtocol.tcp.rawValue)),
        Key("servicePort", portNumber, "The port the Service publishes it on (default: the same)."),
    ])
    static let health = KeyTable("health", "Probes; each is a path (HTTP GET on `port`) or a probe mapping.", [
        Key("port", portReference, "Port of path probes (default: the port named `http`, else the first)."),
        Key("liveness", probeValue, "Restarts the container when it fails."),
        Key("readiness", probeValue, "Takes the pod out of its Services while it fails."),
        Key("startup", probeValue, "Holds the other probes back until the container has started."),
    ])
    static let probeValue = ValueType.anyOf([.path, .object(probe)])
    static let probe = KeyTable("probe", "A probe: exactly one of `path`, `exec`, `tcp` or `grpc`, with timing.", [
        Key("path", .path, "HTTP GET of this path."),
        Key("port", portReference, "Port of the HTTP GET (default: `health.port`)."),
        Key("scheme", .choice(of: ProbeScheme.self), "HTTP or HTTPS for the GET.", default: .text(ProbeScheme.http.rawValue)),
        Key("exec", .list(.text), "A command that must exit 0."),
        Key("tcp", portReference, "A port that must accept a connection."),
        Key("grpc", portReference, "A port serving the gRPC health protocol."),
        Key("initialDelaySeconds", .integer(0...Int(Int32.max)), "Seconds before the first probe."),
        Key("periodSeconds", .integer(1...Int(Int32.max)), "Seconds between probes."),
        Key("timeoutSeconds", .integer(1...Int(Int32.max)), "Seconds a probe may take."),
        Key("failureThreshold", .integer(1...Int(Int32.max)), "Failures in a row that count."),
    ])
    static let resources = KeyTable("resources", "CPU, memory and ephemeral storage.", [
        Key("requests", .object(resourceAmounts), "What the scheduler reserves."),
        Key("limits", .object(resourceAmounts), "What the container may use at most."),
    ])
    static let resourceAmounts = KeyTable("resourceAmounts", "Amounts of each resource.", [
        Key("cpu", .quantity, "CPU cores (`250m`, `2`)."),
        Key("memory", .quantity, "Memory (`512Mi`)."),
        Key("ephemeralStorage", .quantity, "Local scratch storage (`1Gi`)."),
    ])
    static let envValue = ValueType.anyOf([.text, .object(envSource)])
    static let envSource = KeyTable("envSource", "Where a variable's value comes from: exactly one of `secret`, `configMap`, `field`, `resource`.", [
        Key("secret", .nonEmptyText, "A Secret to read `key` from."),
        Key("configMap", .nonEmptyText, "A ConfigMap to read `key` from."),
        Key("key", .nonEmptyText, "The Secret's or ConfigMap's key."),
        Key("optional", .boolean, "Whether the pod starts without it.", default: .boolean(false)),
        Key("field", .nonEmptyText, "A pod field (`metadata.name`, `status.podIP`)."),
        Key("resource", .nonEmptyText, "A container resource (`limits.memory`)."),
    ])
    static let envFrom = KeyTable("envFrom", "A Secret or ConfigMap whose every key becomes a variable.", [
        Key("secret", .nonEmptyText, "The Secret."),
        Key("configMap", .nonEmptyText, "The ConfigMap."),
        Key("prefix", .text, "Prefix of every variable name."),
        Key("optional", .boolean, "Whether the pod starts without it.", default: .boolean(false)),
    ])
    static let volume = KeyTable("volume", "A volume: exactly one of `configMap`, `secret`, `emptyDir`, `claim`, and its mount.", [
        Key("configMap", .nonEmptyText, "A ConfigMap's entries as files (read-only by default)."),
        Key("secret", .nonEmptyText, "A Secret's entries as files (read-only by default)."),
        Key("emptyDir", .anyOf([.nothing, .object(emptyDir)]), "A scratch directory that lives as long as the pod."),
        Key("claim", .nonEmptyText, "A PersistentVolumeClaim of `volumeClaims:`."),
        Key("mountPath", .path, "Where it is mounted.", required: true),
        Key("readOnly", .boolean, "Whether the mount is read-only."),
        Key("subPath", .nonEmptyText, "Mount only this path of the volume."),
    ])
    static let emptyDir = KeyTable("emptyDir", "A scratch directory.", [
        Key("sizeLimit", .quantity, "Most it may hold."),
        Key("medium", .choice(["Memory"]), "`Memory` for a tmpfs (default: the node's disk)."),
    ])
    static let securityContext = KeyTable("securityContext", "Who the container runs as.", [
        Key("runAsUser", uid, "User id (default: `defaults.runAsUser`)."),
        Key("runAsGroup", uid, "Group id (default: `defaults.runAsGroup`)."),
        Key("fsGroup", uid, "Group owning the volumes (default: `defaults.fsGroup`)."),
        Key("readOnlyRootFilesystem", .boolean, "Read-only root filesystem (default: `defaults.readOnlyRootFilesystem`)."),
        Key("capabilities", .list(.nonEmptyText), "Linux capabilities to add back (all are dropped)."),
    ])
    static let initContainer = KeyTable("initContainer", "An init container; what it does not set is the main container's.", [
        Key("image", .nonEmptyText, "Its image (default: the main container's)."),
        Key("imagePullPolicy", .choice(of: ImagePullPolicy.self), "When the kubelet pulls its image."),
        Key("command", .list(.text), "Its entrypoint (it needs `command` or `args` unless it has an `image` of its own)."),
        Key("args", .list(.text), "Arguments to the entrypoint."),
        Key("env", .namedMap(envValue, names: .environmentVariable), "Variables added to (or overriding) the main container's."),
        Key("resources", .object(resources), "Its requests and limits (default: the main container's)."),
        Key("volumes", .namedMap(.object(volume), names: .label),
            "Its own mounts, beside (or replacing) the main container's; a main container's volume named without a source is mounted too."),
        Key("inherit", .boolean, "Whether it gets the main container's environment, Secrets and mounts (false: only its own).",
            default: .boolean(true)),
    ])
    /// A sidecar is a container of its own (it inherits nothing).
    static let sidecar = container.named("sidecar", "A container beside the main one: its own image, environment and mounts.")
    static let lifecycle = KeyTable("lifecycle", "Container lifecycle hooks.", [
        Key("preStop", .object(lifecycleHandler), "Runs before the container is stopped: a command, a pause or an HTTP GET.", required: true),
    ])
    static let lifecycleHandler = KeyTable("lifecycleHandler", "A hook: exactly one of `exec`, `sleep` or `path`.", [
        Key("exec", .list(.text), "A command to run."),
        Key("sleep", .integer(1...3600), "Seconds to pause."),
        Key("path", .path, "HTTP GET of this path."),
        Key("port", portReference, "Port of the HTTP GET (default: the port named `http`, else the first)."),
    ])
    static let toleration = KeyTable("toleration", "A node taint the pods tolerate.", [
        Key("key", .name(.qualified), "The taint's key (none with `operator: Exists`: every taint)."),
        Key("operator", .choice(of: TolerationOperator.self), "Equal matches `value`, Exists any value (default: Exists when no `value` is given)."),
        Key("value", .text, "The taint's value (with Equal)."),
        Key("effect", .choice(of: TaintEffect.self), "The taint effect tolerated (default: every effect)."),
        Key("tolerationSeconds", seconds, "With `effect: NoExecute`: seconds the pod stays on a node after the taint appears."),
    ])
    static let placement = KeyTable("placement", "Where the pods run.", [
        Key("nodePool", .nonEmptyText, "Value of `defaults.nodePoolLabel` the nodes must have."),
        Key("hosts", .choice(of: SpreadMode.self), "Spreading across nodes (default: preferred when replicated)."),
        Key("zones", .choice(of: SpreadMode.self), "Spreading across zones.", default: .text(SpreadMode.none.rawValue)),
        Key("zoneCount", .integer(1...64), "Zones the cluster has, for the quorum rules."),
        Key("spread", .list(.object(spread)), "Topology spreads over other node labels (zones are `zones`)."),
    ])
    static let spread = KeyTable("spread", "A topology spread over a node label.", [
        Key("topologyKey", .name(.qualified), "The node label to spread over (not the zone label: that is `zones`).", required: true),
        Key("mode", .choice([SpreadMode.preferred.rawValue, SpreadMode.required.rawValue]), "Whether spreading is required or preferred.",
            default: .text(SpreadMode.preferred.rawValue)),
        Key("maxSkew", .integer(1...1000), "How many more pods one domain may run than another.", default: .integer(1)),
        Key("minDomains", .integer(1...1000), "With `mode: required`: domains counted as existing even while empty."),
    ])
    static let metrics = KeyTable("metrics", "Prometheus scraping.", [
        Key("port", .name(.port), "The port serving metrics (default: the one named `metrics`, else `http`, else the first)."),
        Key("path", .path, "The path serving metrics.", default: .text("/metrics")),
        Key("serviceMonitor", .anyOf([.boolean, .object(serviceMonitor)]), "Also write a ServiceMonitor (`true`, or `{interval}`)."),
    ])
    static let serviceMonitor = KeyTable("serviceMonitor", "A Prometheus Operator ServiceMonitor.", [
        Key("interval", .duration, "Scrape interval.", default: .text("30s")),
    ])
    static let serviceAccount = KeyTable("serviceAccount", "The workload's ServiceAccount.", [
        Key("automountToken", .boolean, "Mount the API token (default: only with `rules`)."),
        Key("annotations", labels, "Annotations of the ServiceAccount (cloud identities)."),
        Key("rules", .list(.object(accessRule)), "RBAC rules of a Role bound to it."),
    ])
    static let accessRule = KeyTable("accessRule", "One RBAC rule.", [
        Key("apiGroups", .list(.text), "API groups (default: the core group).", default: .text("")),
        Key("resources", .list(.text), "Resources (`pods`, `configmaps`).", required: true),
        Key("verbs", .list(.text), "Verbs (`get`, `list`, `watch`).", required: true),
    ])
    static let uses = ValueType.list(.anyOf([.nonEmptyText, .object(dependency)]))
    static let dependency = KeyTable("dependency", "A dependency with chosen ports or variables.", [
        Key("target", .nonEmptyText, "The workload, store or external endpoint used.", required: true),
        Key("ports", .list(.text), "Only these of its ports (by name)."),
        Key("env", .textMap(.environmentVariable), "Variables to inject: `NAME: fact` (`{}` injects none)."),
    ])
    static let autoscale = KeyTable("autoscale", "A HorizontalPodAutoscaler.", [
        Key("min", .integer(1...10_000), "Fewest pods.", required: true),
        Key("max", .integer(1...10_000), "Most pods.", required: true),
        Key("cpu", .integer(1...1000), "Target CPU utilisation in percent."),
        Key("memory", .integer(1...1000), "Target memory utilisation in percent."),
    ])
    static let expose = KeyTable("expose", "An Ingress.", [
        Key("host", .nonEmptyText, "The host name (`*.` for a wildcard).", required: true),
        Key("path", .path, "The path prefix.", default: .text("/")),
        Key("port", .name(.port), "The port served (default: `http`, else the first)."),
        Key("className", .nonEmptyText, "The IngressClass (default: `defaults.ingressClass`)."),
        Key("tls", .object(ingressTLS), "TLS with a certificate from cert-manager."),
        Key("annotations", labels, "Annotations of the Ingress."),
    ])
    static let route = KeyTable("route", "An Ingress for one host whose paths go to services' ports.", [
        Key("host", .nonEmptyText, "The host name (`*.` for a wildcard).", required: true),
        Key("namespace", namespaceName, "Its namespace (default: the first path's service's; an Ingress reaches only its own namespace)."),
        Key("className", .nonEmptyText, "The IngressClass (default: `defaults.ingressClass`)."),
        Key("tls", .object(ingressTLS), "TLS with a certificate from cert-manager (Secret default: `<route>-tls`)."),
        Key("annotations", labels, "Annotations of the Ingress."),
        Key("paths", .namedMap(.anyOf([.nonEmptyText, .object(routePath)]), names: .path),
            "Path prefixes (`/api`), each to a service or to `{service, port}`.", required: true),
    ])
    static let routePath = KeyTable("routePath", "The service and port a path goes to.", [
        Key("service", .nonEmptyText, "The service (not a worker).", required: true),
        Key("port", .name(.port), "Its port, one of its Services publishes (default: `http`, else the first)."),
    ])
    static let ingressTLS = KeyTable("ingressTLS", "An Ingress certificate from cert-manager.", [
        Key("issuer", .nonEmptyText, "The cert-manager issuer that signs it.", required: true),
        Key("kind", .choice(of: IssuerKind.self), "Its kind.", default: .text(IssuerKind.clusterIssuer.rawValue)),
        Key("secretName", .nonEmptyText, "The Secret it is stored in (default: `<service>-tls`)."),
    ])
    static let pdb = KeyTable("pdb", "A PodDisruptionBudget: exactly one of `minAvailable` or `maxUnavailable`.", [
        Key("minAvailable", .countOrPercent, "Pods that must stay up (a count or `50%`)."),
        Key("maxUnavailable", .countOrPercent, "Pods that may be down at once (a count or `25%`)."),
    ])
    static let strategy = KeyTable("strategy", "The rolling update.", [
        Key("maxSurge", .countOrPercent, "Extra pods during a rollout.", default: .integer(1)),
        Key("maxUnavailable", .countOrPercent, "Pods that may be missing during a rollout.", default: .integer(0)),
    ])
    static let serviceGroup = KeyTable("serviceGroup", "A Service publishing some of the workload's ports.", [
        Key("type", .choice(of: ServiceType.self), "The Service type.", default: .text(ServiceType.clusterIP.rawValue)),
        Key("ports", .list(.name(.port)), "The ports it publishes, by name."),
        Key("annotations", labels, "Annotations of the Service."),
        Key("from", .anyOf([.word("anywhere"), .list(.nonEmptyText)]),
            "LoadBalancer or NodePort: where outside traffic may come from, `anywhere` or address ranges (CIDRs)."),
    ])
    static let statefulStorage = KeyTable("statefulStorage", "A volume per pod.", [
        Key("size", .quantity, "Its size (`10Gi`).", required: true),
        Key("class", .nonEmptyText, "Its StorageClass."),
        Key("mountPath", .path, "Where it is mounted.", required: true),
    ])
    static let peers = KeyTable("peers", "How stateful peers find each other.", [
        Key("port", .name(.port), "The port peers talk on (default: `http`, else the first)."),
        Key("listEnv", .nonEmptyText, "Variable receiving every peer's `host:port`, comma-separated."),
        Key("selfEnv", .nonEmptyText, "Variable receiving the pod's own `host:port`."),
        Key("publishNotReady", .boolean, "Whether peers resolve before they are Ready.", default: .boolean(true)),
    ])

    // MARK: Stores

    /// Keys every store accepts; each engine adds its own (`StoreEngine.keys`, described by its
    /// decoder's `keyDescriptions`).
    public static let storeCommon = KeyTable("store", "A store: the engine compiles it into a cluster that forms, survives drains and keeps quorum.", [
        Key("engine", .choice(Engines.names), "The engine.", required: true),
        Key("namespace", namespaceName, "Its namespace (default: `defaults.namespace`, or the only one)."),
        Key("version", .nonEmptyText, "The engine's image tag (or give `image`)."),
        Key("image", .nonEmptyText, "A full image instead of `version`."),
        Key("storage", .object(storage), "The volume per member."),
        Key("resources", .object(resources), "Requests and limits of each member."),
        Key("placement", .object(placement), "Node pool and spreading (members: across hosts, required)."),
        Key("tls", .object(tls), "TLS: an existing Secret, or a cert-manager issuer."),
        Key("pdb", .anyOf([.word("none"), .object(pdb)]), "Override the computed budget (the quorum rules check it), or `none`."),
        Key("labels", labels, "Extra labels of the pods and objects."),
        Key("podAnnotations", labels, "Annotations of the pods."),
        Key("securityContext", .object(securityContext), "User, group, root filesystem (default: the image's own)."),
        Key("membership", .object(membership), "A reviewed member-count change: the running cluster's count in `from`."),
    ])
    /// `membership: {from: N}`: a reviewed member-count change of the running cluster.
    static let membership = KeyTable("membership", "A member-count change of the running cluster, reviewed by the operator.", [
        Key("from", .integer(0...99), "The member count of the running cluster (the previous revision's).", required: true),
    ])
    static let storage = KeyTable("storage", "A volume per member.", [
        Key("size", .quantity, "Its size (default: the engine's)."),
        Key("class", .nonEmptyText, "Its StorageClass."),
    ])
    static let tls = KeyTable("tls", "TLS: exactly one of an existing `secret` or a cert-manager `issuer`.", [
        Key("secret", .nonEmptyText, "An existing TLS Secret."),
        Key("issuer", .nonEmptyText, "A cert-manager issuer for a certificate covering every pod and Service name."),
        Key("kind", .choice(of: IssuerKind.self), "The issuer's kind.", default: .text(IssuerKind.clusterIssuer.rawValue)),
        Key("clientSecret", .nonEmptyText,
            "With `secret`: a declared Secret (`tls.crt`, `tls.key`, `ca.crt`) clients mount when the store checks client certificates."),
    ])
    static let credentials = KeyTable("credentials", "Credentials in an existing Secret.", [
        Key("secret", .nonEmptyText, "The Secret's name."),
    ])

    /// The keys a store of `engine` accepts: the common ones, then the engine's, typed by its
    /// decoder's `keyDescriptions` (a name in `keys` it does not describe stays untyped).
    public static func store(_ engine: any StoreEngine.Type) -> KeyTable {
        let described = (engine as? any EngineDecoding.Type)?.keyDescriptions ?? []
        let own = engine.keys.map { name in described.first { $0.name == name } ?? KeyDescription(stringLiteral: name) }
        return (storeCommon + KeyTable(own)).named("store-\(engine.name)", "A store of engine `\(engine.name)`.")
    }

    static var storeVariants: [StoreVariant] { Engines.all.map { StoreVariant(engine: $0.name, table: store($0)) } }

    static let waiver = KeyTable("waiver", "An accepted finding.", [
        Key("rule", .nonEmptyText, "The rule id.", required: true),
        Key("target", .nonEmptyText, "The service, store, ConfigMap… the finding is about, or `*`.", required: true),
        Key("reason", .nonEmptyText, "Why the finding is acceptable (at least 10 characters).", required: true),
        Key("expires", .date, "The last day it applies (UTC), YYYY-MM-DD.", required: true),
    ])

    // MARK: Overlays and the project file

    /// The header of an overlay file.
    public static let overlayHeader = KeyTable("overlayHeader", "Which system the overlay layers on, and its environment.", [
        Key("spec", .nonEmptyText, "The `name:` of the system it layers on.", required: true),
        Key("environment", .name(.label), "The environment it defines.", required: true),
        Key("parent", .name(.label), "Another environment of the system to layer on instead of the base spec."),
    ])

    /// Keys of the project file, `clusterspec.yaml`.
    public static let projectFile = KeyTable("project", "The project file: where the specs, overlays and golden output live.", extensions: true, [
        Key("clusterspec", .choice(SpecParser.supportedVersions), "Format version of the file.", required: true),
        Key("specs", .nonEmptyText, "Directory of the `*.cluster.yaml` specs.", default: .text("specs")),
        Key("overlays", .nonEmptyText, "Directory of `<system>/<env>.yaml` overlays.", default: .text("overlays")),
        Key("golden", .nonEmptyText, "Directory of the committed compiled output.", default: .text("golden")),
        Key("previous", .nonEmptyText, "The previous revision's compiled output (default: the golden directory)."),
        Key("check", .object(projectCheck), "What `clusterspec check` does when the command line does not say."),
    ])
    /// Keys of its `check:` defaults. `format` takes the report formats of `clusterspec check`,
    /// which the facade knows (`ProjectSchema` narrows it to them).
    public static let projectCheck = KeyTable("projectCheck", "Defaults of `clusterspec check`.", [
        Key("env", .name(.label), "`--env`: the environment to check."),
        Key("format", .anyOf([.nonEmptyText, .list(.nonEmptyText)]), "`--format`, one or a list."),
        Key("output", .anyOf([.nonEmptyText, .list(.nonEmptyText)]), "`--output`, paired with the formats in order."),
    ])
}

/// Every word the spec format gives meaning to: the keys of every table reachable from the spec,
/// overlay and project tables, and the engine names and enumerated values the decoder accepts. The
/// fuzz target's dictionary is generated from it (a test keeps `Fuzz/clusterspec.dict` equal to
/// it), so the fuzzer knows the format as the decoder does.
public enum SpecVocabulary {
    /// Every table of specs and overlays, each once, in a stable order (the fuzzer's inputs).
    public static var tables: [KeyTable] { tables(from: [SpecKeys.document, SpecKeys.overlayHeader]) }

    /// Every table of specs, overlays and the project file.
    public static var allTables: [KeyTable] { tables(from: [SpecKeys.document, SpecKeys.overlayHeader, SpecKeys.projectFile]) }

    /// Every table reachable from `roots`, each once, in a stable order.
    public static func tables(from roots: [KeyTable]) -> [KeyTable] {
        var seen = Set<String>(), result: [KeyTable] = []
        func visit(_ type: ValueType) {
            switch type {
            case .object(let table): visit(table)
            case .list(let inner), .namedMap(let inner, _): visit(inner)
            case .anyOf(let types): types.forEach(visit)
            case .store(let variants): variants.forEach { visit($0.table) }
            default: break
            }
        }
        func visit(_ table: KeyTable) {
            guard seen.insert(table.id).inserted else { return }
            result.append(table)
            for key in table.keys { if let type = key.type { visit(type) } }
        }
        roots.forEach(visit)
        return result
    }

    /// Values with a meaning: engines and every enumerated setting.
    static var values: [String] {
        var words: [String] = Engines.names
        func collect(_ type: ValueType) {
            switch type {
            case .choice(let options): words += options
            case .word(let word): words.append(word)
            case .list(let inner), .namedMap(let inner, _): collect(inner)
            case .anyOf(let types): types.forEach(collect)
            default: break
            }
        }
        for table in tables { for key in table.keys { if let type = key.type { collect(type) } } }
        return words + Engines.all.flatMap { ($0 as? any EngineDecoding.Type)?.vocabulary ?? [] }
            + PodSecurityLevel.allCases.map(\.rawValue) + ImagePullPolicy.allCases.map(\.rawValue) + AccessMode.allCases.map(\.rawValue) + PortProtocol.allCases.map(\.rawValue)
            + ProbeScheme.allCases.map(\.rawValue) + SpreadMode.allCases.map(\.rawValue) + IssuerKind.allCases.map(\.rawValue)
            + ServiceType.allCases.map(\.rawValue) + ["recreate", "anywhere"] + ConcurrencyPolicy.allCases.map(\.rawValue) + MTLSMode.allCases.map(\.rawValue)
            + NetworkPolicyMode.allCases.map(\.rawValue) + TolerationOperator.allCases.map(\.rawValue) + TaintEffect.allCases.map(\.rawValue)
            + PodManagementPolicy.allCases.map(\.rawValue) + ["delete", "replace", "none", "true", "false", "null", "v1"]
    }

    /// Keys and values, sorted, without repeats.
    public static var words: [String] {
        let keys = tables.flatMap(\.names) + ["overlay", "$patch", "x-"]
        return Set(keys + values).filter { !$0.isEmpty }.sorted()
    }
}
