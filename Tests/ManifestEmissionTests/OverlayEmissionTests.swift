import Testing
import SpecParsing
import ManifestEmission

/// Emits the base spec and the spec with `overlay` merged, and returns the overlay directory.
private func overlayTree(_ spec: String, _ overlay: String) throws -> FileTree {
    let loaded = SpecParser.load(file: "s.cluster.yaml", bytes: Array(spec.utf8))
    let base = try #require(SpecParser.decode(loaded).spec)
    let layer = SpecParser.loadOverlay(file: "o.yaml", bytes: Array("clusterspec: v1\noverlay: {spec: shop, environment: prod}\n\(overlay)".utf8))
    let environment = try #require(SpecParser.decode(loaded, overlays: [layer]).spec)
    return OverlayEmitter.tree(parent: SystemEmitter.resources(base), child: SystemEmitter.resources(environment), parentDirectory: "../../base")
}

private let shop = spec("""
    services:
      api:
        image: ghcr.io/acme/api:1.0
        replicas: 2
        ports: {http: 8080}
        env: {A: "1", B: "2", C: "3"}
      worker:
        image: ghcr.io/acme/worker:1.0
    """)

@Suite("Overlays are the minimal difference from their parent")
struct OverlayEmissionTests {
    @Test func oneReplicaCountIsOneSmallPatch() throws {
        let tree = try overlayTree(shop, "services:\n  api: {replicas: 3}\n")
        #expect(tree.paths == ["kustomization.yaml", "patches/apps/deployment-api.yaml", "patches/apps/poddisruptionbudget-api.yaml"],
                "the replica count and the PDB derived from it")
        expectLines(tree["patches/apps/deployment-api.yaml"] ?? "", """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: api
              namespace: apps
            spec:
              replicas: 3

            """)
        expectLines(tree["kustomization.yaml"] ?? "", """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
            - ../../base
            patches:
            - path: patches/apps/deployment-api.yaml
            - path: patches/apps/poddisruptionbudget-api.yaml

            """)
    }

    @Test func aScalarWithoutDerivedObjectsIsExactlyOnePatch() throws {
        let tree = try overlayTree(shop, "services:\n  worker: {image: ghcr.io/acme/worker:1.1}\n")
        #expect(tree.paths == ["kustomization.yaml", "patches/apps/deployment-worker.yaml"])
        expectLines(tree["patches/apps/deployment-worker.yaml"] ?? "", """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: worker
              namespace: apps
            spec:
              template:
                spec:
                  containers:
                  - name: worker
                    image: ghcr.io/acme/worker:1.1

            """)
    }

    @Test func identicalEnvironmentHasNoPatches() throws {
        let tree = try overlayTree(shop, "services:\n  api: {replicas: 2}\n")
        #expect(tree.paths == ["kustomization.yaml"])
    }

    @Test func addedObjectsAreFilesAndRemovedOnesDeletePatches() throws {
        let tree = try overlayTree(shop, "services:\n  worker: null\n  cache: {image: ghcr.io/acme/cache:1.0}\n")
        #expect(tree.paths.contains("resources/apps/deployment-cache.yaml"))
        #expect(tree.paths.contains("resources/apps/serviceaccount-cache.yaml"))
        expectLines(tree["patches/apps/delete-deployment-worker.yaml"] ?? "", """
            $patch: delete
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: worker
              namespace: apps

            """)
        #expect(tree["kustomization.yaml"]?.contains("- resources/apps/deployment-cache.yaml") == true)
    }

    @Test func envChangesKeepOrderTheWayKustomizeMergesIt() throws {
        // kustomize puts patch items first; B changes in the middle, so A is listed (by name only)
        // to stay in front, and C, untouched and last, stays out of the patch.
        let tree = try overlayTree(shop, "services:\n  api: {env: {B: two}}\n")
        #expect(tree["patches/apps/deployment-api.yaml"]?.hasSuffix(
            "      - name: api\n        env:\n        - name: A\n        - name: B\n          value: two\n") == true,
            "\(tree["patches/apps/deployment-api.yaml"] ?? "")")
        let removal = try overlayTree(shop, "services:\n  api: {env: {B: null}}\n")
        #expect(removal["patches/apps/deployment-api.yaml"]?.hasSuffix(
            "      - name: api\n        env:\n        - name: B\n          $patch: delete\n") == true,
            "\(removal["patches/apps/deployment-api.yaml"] ?? "")")
    }

    @Test func listsInCustomResourcesAreReplacedWhole() throws {
        let tree = try overlayTree(spec("services:\n  api: {image: x/api:1.0, ports: {http: 80, admin: 9090}, metrics: {port: http, serviceMonitor: true}}\n"),
                                   "services:\n  api: {metrics: {port: admin}}\n")
        let patch = try #require(tree["patches/apps/servicemonitor-api.yaml"])
        #expect(patch.contains("  endpoints:\n  - port: admin\n    path: /metrics\n    interval: 30s\n"), "the whole list, not a merge item")
    }
}
