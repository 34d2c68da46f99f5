import Testing
import ManifestEmission

@Suite("Namespaces, ConfigMaps, jobs, ordering and layout")
struct SystemEmissionTests {
    @Test func namespaceCarriesPodSecurityLabelsUnlessManagedElsewhere() throws {
        let resources = try emit("""
            clusterspec: v1
            name: shop
            namespaces:
              apps: {podSecurity: baseline, labels: {team: payments}}
              shared: {create: false}
            """)
        #expect(resources.map(\.id) == ["Namespace/apps"])
        expectLines(try document(resources, "Namespace"), """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/part-of: shop
                pod-security.kubernetes.io/audit: baseline
                pod-security.kubernetes.io/enforce: baseline
                pod-security.kubernetes.io/warn: baseline
                team: payments

            """)
    }

    @Test func configMapChangeRollsThePods() throws {
        func hash(_ level: String) throws -> String {
            let resources = try emit(spec("""
                configMaps:
                  settings: {data: {level: \(level), "config.yaml": "a: 1\\nb: 2\\n"}}
                services:
                  api:
                    image: ghcr.io/acme/api:1.0
                    volumes: {config: {configMap: settings, mountPath: /etc/api}}
                """))
            let deployment = try document(resources, "Deployment")
            let line = try #require(deployment.split(separator: "\n").first { $0.contains("clusterspec.io/config-hash") })
            return String(line)
        }
        #expect(try hash("info") == hash("info"))
        #expect(try hash("info") != hash("debug"))
    }

    /// The block in the spec ends the document without a newline, so the value has none: `|-`.
    @Test func configMapDataIsSortedAndMultilineValuesAreLiteralBlocks() throws {
        let resources = try emit(spec("""
            configMaps:
              settings:
                data:
                  zeta: "on"
                  alpha: "0755"
                  config.yaml: |
                    cluster:
                      shards: 8192
            """))
        expectLines(try document(resources, "ConfigMap"), """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/part-of: shop
            data:
              alpha: "0755"
              config.yaml: |-
                cluster:
                  shards: 8192
              zeta: "on"

            """)
    }

    @Test func scheduledJobBecomesACronJobAndOneOffAJob() throws {
        let resources = try emit(spec("""
            volumeClaims:
              backups: {size: 50Gi, storageClass: standard}
            jobs:
              backup:
                image: quay.io/coreos/etcd:v3.5.11
                schedule: "0 */6 * * *"
                command: [/bin/sh, -c, "etcdctl snapshot save /backup/snapshot.db"]
                volumes: {backup: {claim: backups, mountPath: /backup}}
              seed:
                image: ghcr.io/acme/seed:1.0
                backoffLimit: 2
            """))
        let cron = try document(resources, "CronJob")
        #expect(cron.contains("  schedule: 0 */6 * * *\n  concurrencyPolicy: Forbid\n"))
        #expect(cron.contains("          restartPolicy: OnFailure\n"))
        #expect(cron.contains("persistentVolumeClaim:\n              claimName: backups\n"))
        #expect(try document(resources, "Job").contains("  backoffLimit: 2\n"))
        expectLines(try document(resources, "PersistentVolumeClaim"), """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata:
              name: backups
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/part-of: shop
            spec:
              accessModes:
              - ReadWriteOnce
              storageClassName: standard
              resources:
                requests:
                  storage: 50Gi

            """)
    }

    @Test func objectsComeInKustomizeLegacyOrder() throws {
        let resources = try emit(spec("""
            configMaps:
              settings: {data: {a: b}}
            services:
              zeta: {image: ghcr.io/acme/z:1.0, ports: {http: 80}, replicas: 2, expose: {host: z.example.com}}
              alpha: {image: ghcr.io/acme/a:1.0, ports: {http: 80}, autoscale: {min: 2, max: 4, cpu: 80}}
            jobs:
              nightly: {image: ghcr.io/acme/n:1.0, schedule: "@daily"}
            """))
        #expect(resources.map(\.id) == [
            "Namespace/apps",
            "ServiceAccount/apps/alpha", "ServiceAccount/apps/nightly", "ServiceAccount/apps/zeta",
            "ConfigMap/apps/settings",
            "Service/apps/alpha", "Service/apps/zeta",
            "Deployment/apps/alpha", "Deployment/apps/zeta",
            "CronJob/apps/nightly",
            "PodDisruptionBudget/apps/alpha", "PodDisruptionBudget/apps/zeta",
            "HorizontalPodAutoscaler/apps/alpha",
            "Ingress/apps/zeta",
        ])
    }

    @Test func baseTreeHasOneFilePerObjectAndAKustomization() throws {
        let resources = try emit(spec("services:\n  api: {image: ghcr.io/acme/api:1.0, ports: {http: 80}}\n"))
        let tree = SystemEmitter.baseTree(resources)
        #expect(tree.paths == [
            "apps/deployment-api.yaml", "apps/service-api.yaml", "apps/serviceaccount-api.yaml",
            "kustomization.yaml", "namespace-apps.yaml",
        ])
        expectLines(tree["kustomization.yaml"] ?? "", """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
            - namespace-apps.yaml
            - apps/serviceaccount-api.yaml
            - apps/service-api.yaml
            - apps/deployment-api.yaml

            """)
    }

    @Test func unsafePathsCannotEnterAFileTree() {
        #expect(FileTree.isSafeRelativePath("base/apps/deployment-api.yaml"))
        for path in ["../x", "/etc/passwd", "a/../../b", "a//b", "", "./a"] {
            #expect(!FileTree.isSafeRelativePath(path), "\(path)")
        }
    }
}

@Suite("The YAML writer quotes what a YAML 1.1 reader would mistype")
struct ManifestWriterTests {
    @Test(arguments: ["8080", "0755", "1.0", "1e3", "1_000", "1:30", "yes", "on", "y", "N", "off", "null", "~", "", "2024-01-01", ".inf", "-1", "+1", "0x1F"])
    func ambiguousStringsAreDoubleQuoted(text: String) {
        let yaml = ManifestWriter.yaml(["value": .string(text)])
        #expect(yaml == "value: \"\(text)\"\n")
    }

    @Test(arguments: ["250m", "512Mi", "nginx:1.25", "cluster.local", "http://svc:8080/x", "0 */6 * * *", "v3.5.11", "IfNotPresent"])
    func unambiguousStringsStayPlain(text: String) {
        #expect(ManifestWriter.yaml(["value": .string(text)]) == "value: \(text)\n")
    }

    @Test func integersAndBooleansAreNotQuoted() {
        #expect(ManifestWriter.yaml(["port": 8080, "enabled": true]) == "port: 8080\nenabled: true\n")
    }

    @Test func multilineStringsAreLiteralBlocksAndRoundTrip() {
        #expect(ManifestWriter.yaml(["config": "a: 1\nb: 2\n"]) == "config: |\n  a: 1\n  b: 2\n")
    }

    @Test func emptyMapIsFlow() {
        #expect(ManifestWriter.yaml(["emptyDir": .map([])]) == "emptyDir: {}\n")
    }

    @Test func jsonEscapes() {
        #expect(ManifestWriter.json(["a": "x\"y\n\u{1}", "b": [1, true]]) == #"{"a":"x\"y\n\u0001","b":[1,true]}"#)
    }
}
