import SpecModel

/// The labels clusterspec puts on what it generates (the `app.kubernetes.io` recommended set).
enum Labels {
    static let name = Topology.nameLabel
    static let partOf = Topology.partOfLabel
    static let component = Topology.componentLabel
    static let managedBy = "app.kubernetes.io/managed-by"
    /// Names the Service an object belongs to, so a ServiceMonitor selects exactly one Service.
    static let service = "clusterspec.io/service"
    /// Istio's per-pod injection switch.
    static let sidecarInjection = "sidecar.istio.io/inject"

    /// The immutable selector of a workload's pods: its name and its system.
    static func selector(workload: String, system: String) -> [(String, String)] {
        Topology.podSelector(workload, system: system).map { ($0.key, $0.value) }
    }

    /// Labels on every object of a workload: the selector, the manager, the optional component and
    /// the spec's own labels.
    static func workload(_ workload: WorkloadSpec, system: String, component: String? = nil) -> [(String, String)] {
        var labels = selector(workload: workload.name.value, system: system) + [(managedBy, "clusterspec")]
        if let component { labels.append((Labels.component, component)) }
        labels += workload.labels.map { ($0.key.value, $0.value.value) }
        return labels
    }

    /// Labels of objects that belong to the system rather than to one workload.
    static func system(_ system: String) -> [(String, String)] {
        [(partOf, system), (managedBy, "clusterspec")]
    }

    /// `matchLabels` for selecting a workload's pods.
    static func matchLabels(workload: String, system: String) -> ManifestValue {
        ["matchLabels": .sortedStrings(selector(workload: workload, system: system))]
    }
}
