import SpecModel
import SpecDiagnostics

/// The rules side of an engine's description (`SpecModel/StoreEngine.swift`): the rules only its
/// stores need, conformed to in `Engines/<Engine>Rules.swift`. Everything the generic rules judge
/// (quorum groups, StatefulSets, images, Secrets) they read from the description itself.
public protocol EngineRules: StoreEngine {
    static var rules: [any Rule.Type] { get }
}

/// Every rule clusterspec knows, sorted by id.
public enum RuleRegistry {
    /// All rule types: the generic ones, then each engine's.
    public static let all: [any Rule.Type] = (generic + Engines.all.flatMap { ($0 as? any EngineRules.Type)?.rules ?? [] })
        .sorted { $0.description.id < $1.description.id }

    /// Rules about any system. Add a rule here and in its own file under `Rules/`; a rule about
    /// one engine's stores goes to that engine's `Engines/<Engine>Rules.swift` instead.
    static let generic: [any Rule.Type] = [
        AutomountTokenNeeded.self,
        CapabilitiesRestricted.self,
        ConfigMapDeclared.self,
        EnvDuplicateKey.self,
        HPAMaxAtLeastMin.self,
        HPAMinReplicas.self,
        ImagePullPolicy.self,
        IngressTLS.self,
        NamespacePodSecurity.self,
        PDBPresent.self,
        PreStopWithinGrace.self,
        ProbePortDeclared.self,
        ProbesDistinct.self,
        ProbesPresent.self,
        RBACLeastPrivilege.self,
        ReadOnlyRootFilesystem.self,
        RecreateDowntime.self,
        ReplicasHA.self,
        ReplicasSpread.self,
        ResourcesLimitsSet.self,
        ResourcesRequestsSet.self,
        ResourcesRequestsWithinLimits.self,
        RunAsNonRoot.self,
        SecretDeclared.self,
        SSHPortExposed.self,
        StatefulSetNameLength.self,
        StorePlaintext.self,
        DependencyDeclared.self,
        ExposedNeedsIngressSource.self,
        MeshCallerOutsideStrict.self,
        StoreReachableByNonUsers.self,
        UsesPortDeclared.self,
        StrictMetricsPortDedicated.self,
        PlaintextNeedsNetworkPolicy.self,
        PublicRangeOpen.self,
        APIServerRangeSet.self,
        ExternalNamespaceOpen.self,
        HeadlessPublishesNotReady.self,
        HPAMinAbovePDB.self,
        ImagePinned.self,
        PDBAllowsDrain.self,
        PDBKeepsQuorum.self,
        QuorumSizeOdd.self,
        RolloutMaxUnavailableZero.self,
        SecretNotInline.self,
        StatefulPodManagementParallel.self,
        ZoneLossKeepsQuorum.self,
    ]

    /// Runs every rule over `spec` for `environment`. A rule that throws is reported as an
    /// internal error and does not stop the others.
    public static func check(_ spec: SystemSpec, environment: String? = nil, rules: [any Rule.Type] = all) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        guard let first = rules.first else { return [] }
        // The traffic graph, the index and the other per-system facts are built once for all rules.
        let shared = RuleContext(system: spec, environment: environment, description: first.description)
        for rule in rules {
            let description = rule.description
            let context = RuleContext(sharing: shared, description: description)
            do {
                findings += try rule.init().check(context)
            } catch {
                findings.append(Diagnostic(
                    id: "internal-rule-error", severity: .error,
                    message: "rule '\(description.id)' failed on this spec: \(error); its findings are missing",
                    location: spec.name.location,
                    fix: "Report this as a clusterspec bug; the other rules ran normally."))
            }
        }
        return findings
    }

    /// The rule with `id`.
    public static func rule(withID id: String) -> (any Rule.Type)? {
        all.first { $0.description.id == id }
    }
}

/// Facts about rule ids that other rooms need (exit codes tell rule findings from input errors).
public enum RuleCatalog {
    /// The ids of all rules.
    public static let ids: Set<String> = Set(RuleRegistry.all.map { $0.description.id })

    /// Whether `id` names a rule (as opposed to a parse or input diagnostic).
    /// Policy diagnostics that are not rules but fail the gate like rule errors (exit code 1).
    public static let policyIDs: Set<String> = Set(["internal-rule-error", Waivers.expiredID, Waivers.unusedID])
        .union(MembershipComparison.policyIDs)

    public static func isRuleID(_ id: String) -> Bool { ids.contains(id) || policyIDs.contains(id) }
}
