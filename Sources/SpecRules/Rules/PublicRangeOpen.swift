import SpecModel
import SpecDiagnostics

/// A public Service's address ranges do not silently open it to the whole internet.
struct PublicRangeOpen: Rule {
    static let description = RuleDescription(
        id: "public-range-open",
        title: "Public ranges are not everything by accident",
        summary: "Outside dev, the 'from' ranges of a LoadBalancer or NodePort Service do not include a range of every address (0.0.0.0/0, ::/0); 'from: anywhere' says that on purpose.",
        rationale: "A list of client ranges reads as a restriction; one /0 entry in it (left from a test, or meant as a placeholder) opens the Service, its load balancer firewall and its network policy to every address on the internet, and the list still looks narrow in review.",
        remediation: "Remove the /0 range and list the clients' ranges, or write 'from: anywhere' if the Service is meant to be public.",
        severity: .warning,
        triggering: [
            RuleExample("services:\n  gateway: {image: x/gw:1.0, ports: {http: 8080}, service: {type: LoadBalancer, from: [203.0.113.0/24, ↓0.0.0.0/0]}}\n"),
            RuleExample("services:\n  gateway: {image: x/gw:1.0, ports: {http: 8080}, service: {type: NodePort, from: [↓\"::/0\"]}}\n", environment: "prod"),
        ],
        nonTriggering: [
            RuleExample("services:\n  gateway: {image: x/gw:1.0, ports: {http: 8080}, service: {type: LoadBalancer, from: anywhere}}\n"),
            RuleExample("services:\n  gateway: {image: x/gw:1.0, ports: {http: 8080}, service: {type: LoadBalancer, from: [203.0.113.0/24]}}\n"),
            RuleExample("services:\n  gateway: {image: x/gw:1.0, ports: {http: 8080}, service: {type: LoadBalancer, from: [0.0.0.0/0]}}\n", environment: "dev"),
        ])

    func check(_ context: RuleContext) -> [Diagnostic] {
        guard !context.isDevelopment else { return [] }
        let groups = context.system.services.map { ($0.name.value, $0.serviceGroups) } + context.system.statefulServices.map { ($0.name.value, $0.serviceGroups) }
        return groups.flatMap { owner, groups in
            groups.compactMap(\.from).filter { !$0.isAnywhere }.flatMap(\.ranges).compactMap { range in
                guard CIDR(range.value)?.prefixLength == 0 else { return nil }
                return context.finding("'\(owner)' is reachable from every address: its 'from' list includes \(range.value)",
                                       about: owner, at: range.location)
            }
        }
    }
}
