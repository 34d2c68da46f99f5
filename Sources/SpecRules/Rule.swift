import SpecModel
import SpecDiagnostics

/// An invariant checked on the typed model. One rule per file under `Rules/` (`Engines/` for a rule
/// about one engine's stores), named for the invariant it protects; its description carries the
/// examples that are its tests.
public protocol Rule: Sendable {
    /// Everything a user (and `docs/rules.md`) needs to know about the rule.
    static var description: RuleDescription { get }

    init()

    /// The findings for `context.system`. Throwing reports an internal error for this rule only;
    /// the other rules still run.
    func check(_ context: RuleContext) throws -> [Diagnostic]
}

/// A rule's self-description: identity, documentation, default severity and examples.
public struct RuleDescription: Sendable {
    /// Stable kebab-case id, used in output, waivers and `--fail-on`; never renamed once released.
    public var id: String
    public var title: String
    /// One sentence: what the rule checks.
    public var summary: String
    /// Why it matters: the invariant it protects and what breaks without it.
    public var rationale: String
    /// One sentence: how to fix a finding.
    public var remediation: String
    public var severity: Severity
    /// Severity in particular environments (e.g. a warning in `dev`, an error everywhere else).
    public var severityByEnvironment: [String: Severity]
    /// Specs that must produce a finding at every `↓` marker (and nowhere else).
    public var triggering: [RuleExample]
    /// Specs that must produce no finding.
    public var nonTriggering: [RuleExample]

    public init(id: String, title: String, summary: String, rationale: String, remediation: String, severity: Severity,
                severityByEnvironment: [String: Severity] = [:], triggering: [RuleExample], nonTriggering: [RuleExample]) {
        self.id = id
        self.title = title
        self.summary = summary
        self.rationale = rationale
        self.remediation = remediation
        self.severity = severity
        self.severityByEnvironment = severityByEnvironment
        self.triggering = triggering
        self.nonTriggering = nonTriggering
    }

    /// The severity that applies in `environment` (the default for a spec compiled without one).
    public func severity(in environment: String?) -> Severity {
        environment.flatMap { severityByEnvironment[$0] } ?? severity
    }
}

/// A spec snippet for a rule's documentation and tests. `spec` is the spec body after a standard
/// header (`clusterspec: v1`, `name: demo`, namespace `apps`); `↓` marks where a finding lands.
/// The header ends inside `namespaces:`, so a body starting with an indented entry adds namespaces.
public struct RuleExample: Sendable {
    public var spec: String
    /// The environment the example is checked in (nil: no environment).
    public var environment: String?

    public init(_ spec: String, environment: String? = nil) {
        self.spec = spec
        self.environment = environment
    }

    /// The header every example is appended to.
    public static let header = "clusterspec: v1\nname: demo\nnamespaces:\n  apps: {}\n"

    /// The example as a complete spec, markers removed.
    public var fullSpec: String {
        RuleExample.header + spec.replacingMarkers()
    }

    /// 1-based (line, column) of each marker in `fullSpec`, columns counted in characters.
    public var markers: [(line: Int, column: Int)] {
        var result: [(line: Int, column: Int)] = []
        var line = RuleExample.header.split(separator: "\n", omittingEmptySubsequences: false).count, column = 1
        for character in spec {
            if character == "↓" {
                result.append((line, column))
            } else if character == "\n" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return result
    }
}

extension String {
    fileprivate func replacingMarkers() -> String {
        String(self.filter { $0 != "↓" })
    }
}

/// What a rule sees: the system, the environment being checked, and helpers that turn a message
/// into a diagnostic with the rule's id and severity.
public struct RuleContext: Sendable {
    public var system: SystemSpec
    /// The environment compiled (`dev`, `prod`…), nil for a spec on its own.
    public var environment: String?
    /// Who talks to whom, computed once per check and shared by the rules that need it.
    public var traffic: TrafficGraph
    /// The system's elements by name, built once per check: rules look references up here instead
    /// of scanning a list per reference.
    public var index: SystemIndex
    /// `generatedSecrets(in:)` for every namespace, computed once per check.
    private var generatedSecretsByNamespace: [String: Set<String>]
    var description: RuleDescription

    public init(system: SystemSpec, environment: String?, description: RuleDescription, traffic: TrafficGraph? = nil,
                index: SystemIndex? = nil) {
        self.system = system
        self.environment = environment
        self.traffic = traffic ?? TrafficGraph(system)
        self.index = index ?? SystemIndex(system)
        self.generatedSecretsByNamespace = Self.generatedSecrets(system)
        self.description = description
        self.workloads = Self.workloads(system)
        self.containers = Self.containers(workloads)
    }

    /// Shares the per-check facts of `shared` (same system and environment) with a rule described by `description`.
    init(sharing shared: RuleContext, description: RuleDescription) {
        self = shared
        self.description = description
    }

    /// Whether the environment is a development one, where some HA requirements relax.
    public var isDevelopment: Bool {
        guard let environment else { return false }
        return ["dev", "development", "local"].contains(environment) || environment.hasPrefix("dev-")
    }

    /// A finding of this rule about spec element `subject` (what waivers target), at `location`.
    public func finding(_ message: String, about subject: String, at location: SourceLocation, notes: [DiagnosticNote] = [],
                        fix: String? = nil, edits: [SuggestedEdit] = []) -> Diagnostic {
        var diagnostic = Diagnostic(id: description.id, severity: description.severity(in: environment), message: message, location: location,
                                    notes: notes, fix: fix ?? description.remediation, subject: subject)
        diagnostic.edits = edits
        return diagnostic
    }

    /// Every container the spec wrote (main, init and sidecar) with its workload and a display name;
    /// `isInit` marks init containers, whose inherited settings are judged on the main container
    /// (computed once per check).
    public private(set) var containers: [(owner: String, workload: WorkloadSpec, container: ContainerSpec, isInit: Bool)] = []

    /// The containers whose resources and security the spec sets one by one — each workload's main
    /// container and its sidecars (init containers inherit the main container's) — with the
    /// location of their name.
    public var configuredContainers: [(owner: String, container: ContainerSpec, location: SourceLocation)] {
        workloads.flatMap { workload, _ in
            [(workload.name.value, workload.container, workload.name.location)]
                + workload.sidecars.map { ("\(workload.name.value)/\($0.name.value)", $0.container, $0.name.location) }
        }
    }

    /// Secrets that exist for pods in `namespace` without being declared under `secrets:` because
    /// the spec's own objects create them: what each store's engine creates (operator credentials,
    /// cluster ids), cert-manager certificates of stores, stateful services and exposed services.
    public func generatedSecrets(in namespace: String) -> Set<String> { generatedSecretsByNamespace[namespace] ?? [] }

    private static func generatedSecrets(_ system: SystemSpec) -> [String: Set<String>] {
        var names: [String: Set<String>] = [:]
        for store in system.stores {
            let namespace = store.namespace.value
            names[namespace, default: []].formUnion(store.settings.generatedSecrets(of: store))
            if case .issuer = store.tls?.source { names[namespace, default: []].insert(Topology.tlsSecret(store.name.value)) }
        }
        for stateful in system.statefulServices {
            if case .issuer = stateful.tls?.source { names[stateful.workload.namespace.value, default: []].insert(Topology.tlsSecret(stateful.name.value)) }
        }
        for exposure in system.exposures {
            if let tls = exposure.tls { names[exposure.namespace, default: []].insert(tls.secretName.value) }
        }
        return names
    }

    /// Every declared dependency: the `uses:` entries of workloads and of `mesh.callers`, with the
    /// subject a finding about it concerns (the workload or caller namespace) and how to say who uses
    /// it (`'api' uses`, `callers in namespace 'ops' use`).
    public var dependencies: [(subject: String, caller: String, dependency: DependencySpec)] {
        system.workloads.flatMap { workload in workload.uses.map { (workload.name.value, "'\(workload.name.value)' uses", $0) } }
            + system.mesh.callers.flatMap { caller in
                caller.uses.map { (caller.namespace.value, "callers in namespace '\(caller.namespace.value)' use", $0) }
            }
    }

    /// Stateless services, stateful services and jobs with the kind of object each becomes
    /// (computed once per check).
    public private(set) var workloads: [(workload: WorkloadSpec, kind: String)] = []

    private static func workloads(_ system: SystemSpec) -> [(workload: WorkloadSpec, kind: String)] {
        system.services.map { ($0.workload, "Deployment") } + system.statefulServices.map { ($0.workload, "StatefulSet") }
            + system.jobs.map { ($0.workload, $0.schedule == nil ? "Job" : "CronJob") }
    }

    private static func containers(_ workloads: [(workload: WorkloadSpec, kind: String)])
        -> [(owner: String, workload: WorkloadSpec, container: ContainerSpec, isInit: Bool)] {
        workloads.flatMap { workload, _ in
            workload.podContainers.map { ($0.owner, workload, $0.container, $0.kind == .initialization) }
        }
    }
}
