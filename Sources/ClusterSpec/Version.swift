/// The version clusterspec reports (`--version`, SARIF tool driver).
public enum ClusterSpecVersion {
    public static let current = "0.1.0"
}
