import SpecModel
import SpecDiagnostics

/// Peers must resolve each other before they are Ready, so the governing Service publishes not-ready pods.
struct HeadlessPublishesNotReady: Rule {
    static let description = RuleDescription(
        id: "headless-publishes-not-ready",
        title: "Governing headless Service publishes not-ready peers",
        summary: "A stateful service with peers keeps publishNotReadyAddresses on its headless Service.",
        rationale: "Peers become Ready only after they have found each other; if DNS hides not-ready pods, a cold start or a full restart can never form the cluster (the Goverse seed's etcd has this defect).",
        remediation: "Remove 'publishNotReady: false' (clusterspec publishes not-ready peers by default).",
        severity: .error,
        triggering: [
            RuleExample("statefulServices:\n  cache:\n    image: x/cache:1.0\n    replicas: 3\n    ports: {peer: 7946}\n    peers: {port: peer, publishNotReady: ↓false}\n"),
        ],
        nonTriggering: [
            RuleExample("statefulServices:\n  cache:\n    image: x/cache:1.0\n    replicas: 3\n    ports: {peer: 7946}\n    peers: {port: peer}\n"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        context.system.statefulServices.compactMap { stateful in
            guard let peers = stateful.peers, !peers.publishNotReady.value else { return nil }
            return context.finding("the headless Service of '\(stateful.name.value)' hides not-ready peers: a cold start cannot form the cluster",
                                   about: stateful.name.value, at: peers.publishNotReady.location)
        }
    }
}
