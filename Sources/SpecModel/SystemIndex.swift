/// Name → element maps of one system, built once (linear in the spec) so that wiring, rules and
/// emission resolve each reference in constant time instead of scanning a list per edge. Where a
/// name appears twice (a spec error reported elsewhere), the first one wins, as a scan would find it.
public struct SystemIndex: Sendable {
    public private(set) var services: [String: ServiceSpec] = [:]
    public private(set) var statefulServices: [String: StatefulServiceSpec] = [:]
    public private(set) var jobs: [String: JobSpec] = [:]
    public private(set) var stores: [String: StoreSpec] = [:]
    public private(set) var external: [String: ExternalEndpointSpec] = [:]
    /// Services and stateful services (what `uses:` can name besides stores and external endpoints).
    public private(set) var connectableWorkloads: [String: WorkloadSpec] = [:]
    private var configMaps: [NamespacedName: ConfigMapSpec] = [:]
    private var secrets: [NamespacedName: SecretRefSpec] = [:]
    private var configMapsByNamespace: [String: [String]] = [:]
    private var secretsByNamespace: [String: [String]] = [:]

    private struct NamespacedName: Hashable {
        var namespace: String
        var name: String
    }

    public init(_ system: SystemSpec) {
        func keepFirst<Element>(_ elements: [Element], _ key: (Element) -> String) -> [String: Element] {
            var result: [String: Element] = [:]
            result.reserveCapacity(elements.count)
            for element in elements where result[key(element)] == nil { result[key(element)] = element }
            return result
        }
        services = keepFirst(system.services) { $0.name.value }
        statefulServices = keepFirst(system.statefulServices) { $0.name.value }
        jobs = keepFirst(system.jobs) { $0.name.value }
        stores = keepFirst(system.stores) { $0.name.value }
        external = keepFirst(system.external) { $0.name.value }
        connectableWorkloads = keepFirst(system.services.map(\.workload) + system.statefulServices.map(\.workload)) { $0.name.value }
        for map in system.configMaps {
            let key = NamespacedName(namespace: map.namespace.value, name: map.name.value)
            if configMaps[key] == nil { configMaps[key] = map }
            configMapsByNamespace[map.namespace.value, default: []].append(map.name.value)
        }
        for secret in system.secrets {
            let key = NamespacedName(namespace: secret.namespace.value, name: secret.name.value)
            if secrets[key] == nil { secrets[key] = secret }
            secretsByNamespace[secret.namespace.value, default: []].append(secret.name.value)
        }
    }

    /// The ConfigMap `name` in `namespace`, if the spec defines it.
    public func configMap(_ name: String, in namespace: String) -> ConfigMapSpec? {
        configMaps[NamespacedName(namespace: namespace, name: name)]
    }

    /// The Secret `name` declared in `namespace`.
    public func secret(_ name: String, in namespace: String) -> SecretRefSpec? {
        secrets[NamespacedName(namespace: namespace, name: name)]
    }

    /// Names of the ConfigMaps defined in `namespace`, in spec order (for suggestions).
    public func configMapNames(in namespace: String) -> [String] { configMapsByNamespace[namespace] ?? [] }

    /// Names of the Secrets declared in `namespace`, in spec order (for suggestions).
    public func secretNames(in namespace: String) -> [String] { secretsByNamespace[namespace] ?? [] }
}
