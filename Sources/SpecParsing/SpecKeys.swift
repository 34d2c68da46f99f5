import SpecModel

/// The keys each object of spec format v1 accepts. The decoder checks against these lists
/// (unknown keys, "did you mean").
enum SpecKeys {
    /// Top-level keys. `x-` stands for any key starting with `x-`: extension fields the compiler
    /// ignores, the place to keep YAML anchors shared through merge keys (`<<: *anchor`).
    static let document = ["clusterspec", "name", "clusterDomain", "defaults", "namespaces", "configMaps", "secrets",
                           "volumeClaims", "services", "statefulServices", "stores", "jobs", "external", "mesh", "waivers", "x-"]
    static let defaults = ["namespace", "podSecurity", "runAsUser", "runAsGroup", "fsGroup", "imagePullPolicy",
                           "nodePoolLabel", "ingressClass", "readOnlyRootFilesystem"]
    static let namespace = ["podSecurity", "labels", "annotations", "create", "mtls", "networkPolicy"]
    static let mesh = ["mtls", "networkPolicy", "ingressNamespace", "monitoringNamespace", "callers", "apiServer", "istioNamespace",
                       "dnsNamespace", "trustDomain", "cnpgOperatorNamespace"]
    static let external = ["cidr", "host", "namespace", "podLabels", "ports"]
    static let configMap = ["namespace", "data"]
    /// A Secret's own keys, then the key of each kind of synced Secret the engines bring.
    static let secret = ["namespace", "keys", "description"] + Engines.secretSyncs.map { $0.key }
    static let volumeClaim = ["namespace", "size", "storageClass", "accessModes"]

    /// Keys of one container (shared by services, jobs and stateful services).
    static let container = ["image", "imagePullPolicy", "command", "args", "ports", "health", "resources", "env",
                            "envFrom", "volumes", "securityContext"]
    /// Pod-level keys shared by every workload kind.
    static let workload = ["namespace", "initContainers", "placement", "metrics", "serviceAccount",
                           "terminationGracePeriodSeconds", "podAnnotations", "labels", "uses"]
    static let service = container + workload + ["replicas", "autoscale", "expose", "pdb", "strategy", "service", "extraServices"]
    static let job = container.filter { $0 != "ports" && $0 != "health" } + workload.filter { $0 != "metrics" }
        + ["schedule", "timeZone", "concurrencyPolicy", "backoffLimit", "activeDeadlineSeconds"]

    static let port = ["port", "protocol", "servicePort"]
    static let health = ["port", "liveness", "readiness", "startup"]
    static let probe = ["path", "port", "scheme", "exec", "tcp", "grpc", "initialDelaySeconds", "periodSeconds", "timeoutSeconds",
                        "failureThreshold"]
    static let resources = ["requests", "limits"]
    static let resourceAmounts = ["cpu", "memory", "ephemeralStorage"]
    static let envSource = ["secret", "configMap", "key", "optional", "field", "resource"]
    static let envFrom = ["secret", "configMap", "prefix", "optional"]
    static let volume = ["configMap", "secret", "emptyDir", "claim", "mountPath", "readOnly", "subPath"]
    static let emptyDir = ["sizeLimit", "medium"]
    static let securityContext = ["runAsUser", "runAsGroup", "fsGroup", "readOnlyRootFilesystem", "capabilities"]
    static let initContainer = ["image", "imagePullPolicy", "command", "args", "env", "resources"]
    static let placement = ["nodePool", "hosts", "zones", "zoneCount"]
    static let metrics = ["port", "path", "serviceMonitor"]
    static let serviceMonitor = ["interval"]
    static let serviceAccount = ["automountToken", "annotations", "rules"]
    static let accessRule = ["apiGroups", "resources", "verbs"]
    static let dependency = ["target", "ports", "env"]
    static let autoscale = ["min", "max", "cpu", "memory"]
    static let expose = ["host", "path", "port", "className", "tls", "annotations"]
    static let ingressTLS = ["issuer", "kind", "secretName"]
    static let pdb = ["minAvailable", "maxUnavailable"]
    static let strategy = ["maxSurge", "maxUnavailable"]
    static let serviceGroup = ["type", "ports", "annotations"]

    static let statefulService = container + workload + ["replicas", "storage", "peers", "pdb", "service", "extraServices", "tls",
                                                         "podManagementPolicy"]
    static let statefulStorage = ["size", "class", "mountPath"]
    static let peers = ["port", "listEnv", "selfEnv", "publishNotReady"]

    /// Keys every store accepts; each engine adds its own (`StoreEngine.keys`).
    static let storeCommon = ["engine", "namespace", "version", "image", "storage", "resources", "placement", "tls", "pdb",
                              "labels", "podAnnotations", "securityContext"]
    static let storage = ["size", "class"]
    static let tls = ["secret", "issuer", "kind"]
    static let credentials = ["secret"]
    static let waiver = ["rule", "target", "reason", "expires"]
}

/// Every word the spec format gives meaning to: the keys of every object above and the engine
/// names and enumerated values the decoder accepts. The fuzz target's dictionary is generated
/// from it (a test keeps `Fuzz/clusterspec.dict` equal to it), so the fuzzer knows the format
/// as the decoder does.
public enum SpecVocabulary {
    /// The key tables, each once; a new table belongs here too.
    static var keyTables: [[String]] {
        [SpecKeys.document, SpecKeys.defaults, SpecKeys.namespace, SpecKeys.mesh, SpecKeys.external, SpecKeys.configMap,
         SpecKeys.secret, SpecKeys.volumeClaim, SpecKeys.service, SpecKeys.job, SpecKeys.port,
         SpecKeys.health, SpecKeys.probe, SpecKeys.resources, SpecKeys.resourceAmounts, SpecKeys.envSource, SpecKeys.envFrom,
         SpecKeys.volume, SpecKeys.emptyDir, SpecKeys.securityContext, SpecKeys.initContainer, SpecKeys.placement,
         SpecKeys.metrics, SpecKeys.serviceMonitor, SpecKeys.serviceAccount, SpecKeys.accessRule, SpecKeys.dependency,
         SpecKeys.autoscale, SpecKeys.expose, SpecKeys.ingressTLS, SpecKeys.pdb, SpecKeys.strategy, SpecKeys.serviceGroup,
         SpecKeys.statefulService, SpecKeys.statefulStorage, SpecKeys.peers, SpecKeys.storeCommon, SpecKeys.storage,
         SpecKeys.tls, SpecKeys.replication, SpecKeys.seal, SpecKeys.credentials, SpecKeys.externalDatabase, SpecKeys.keeper,
         SpecKeys.waiver, ["overlay", "spec", "environment", "parent", "$patch"]]
            + Engines.all.map { $0.keys }
    }

    /// Values with a meaning: engines and every enumerated setting.
    static var values: [String] {
        Engines.names + Engines.all.flatMap { ($0 as? any EngineDecoding.Type)?.vocabulary ?? [] }
            + PodSecurityLevel.allCases.map(\.rawValue) + ImagePullPolicy.allCases.map(\.rawValue) + AccessMode.allCases.map(\.rawValue) + PortProtocol.allCases.map(\.rawValue)
            + ProbeScheme.allCases.map(\.rawValue) + SpreadMode.allCases.map(\.rawValue) + IssuerKind.allCases.map(\.rawValue)
            + ServiceType.allCases.map(\.rawValue) + ConcurrencyPolicy.allCases.map(\.rawValue) + MTLSMode.allCases.map(\.rawValue)
            + NetworkPolicyMode.allCases.map(\.rawValue)
            + PodManagementPolicy.allCases.map(\.rawValue) + ["delete", "replace", "none", "true", "false", "null", "v1"]
    }

    /// Keys and values, sorted, without repeats.
    public static var words: [String] {
        Set(keyTables.flatMap { $0 } + values).filter { !$0.isEmpty }.sorted()
    }
}
