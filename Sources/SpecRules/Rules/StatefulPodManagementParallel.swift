import SpecModel
import SpecDiagnostics

/// Peer sets start all pods at once; OrderedReady waits for each pod to be Ready first.
struct StatefulPodManagementParallel: Rule {
    static let description = RuleDescription(
        id: "stateful-pod-management-parallel",
        title: "Peer StatefulSets start in parallel",
        summary: "A stateful service with peers uses podManagementPolicy Parallel.",
        rationale: "With OrderedReady, pod 1 starts only after pod 0 is Ready, but pod 0 becomes Ready only after it reaches its peers: the cluster deadlocks on a cold start (the Goverse seed's etcd has this defect).",
        remediation: "Remove 'podManagementPolicy: OrderedReady' (Parallel is the default).",
        severity: .warning,
        triggering: [
            RuleExample("statefulServices:\n  cache:\n    image: x/cache:1.0\n    replicas: 3\n    ports: {peer: 7946}\n    peers: {port: peer}\n    podManagementPolicy: ↓OrderedReady\n"),
        ],
        nonTriggering: [
            RuleExample("statefulServices:\n  cache:\n    image: x/cache:1.0\n    replicas: 3\n    ports: {peer: 7946}\n    peers: {port: peer}\n"),
            RuleExample("statefulServices:\n  worker:\n    image: x/worker:1.0\n    replicas: 3\n    podManagementPolicy: OrderedReady\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.statefulServices.compactMap { stateful in
            guard stateful.peers != nil, stateful.podManagementPolicy.value == .orderedReady else { return nil }
            return context.finding("'\(stateful.name.value)' starts its peers one by one: the first pod waits for peers that never start",
                                   about: stateful.name.value, at: stateful.podManagementPolicy.location)
        }
    }
}
