import Testing
import ManifestEmission

/// Workers and singletons: spec in, manifests out.
@Suite("Workers and singletons: spec in, manifests out")
struct WorkloadKindsEmissionTests {
    @Test func aWorkerIsADeploymentWithItsBudgetAndNothingThatServes() throws {
        let resources = try emit(spec("""
            workers:
              consumer:
                image: ghcr.io/acme/consumer:2.0.1
                replicas: 3
                ports: {metrics: 9090}
                metrics: {port: metrics}
                health: {liveness: {exec: [test, -f, /tmp/alive], periodSeconds: 30}}
                resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 500m, memory: 128Mi}}
            """))
        #expect(resources.map(\.kind).sorted() == ["Deployment", "Namespace", "PodDisruptionBudget", "ServiceAccount"],
                "no Service, Ingress or ServiceMonitor for a worker")
        let deployment = try document(resources, "Deployment")
        #expect(deployment.contains("""
                    livenessProbe:
                      exec:
                        command:
                        - test
                        - -f
                        - /tmp/alive
                      initialDelaySeconds: 10
                      periodSeconds: 30
            """))
        #expect(!deployment.contains("readinessProbe"))
        #expect(deployment.contains("prometheus.io/port: \"9090\""), "scraped by its pod annotations")
        expectLines(try document(resources, "PodDisruptionBudget"), """
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata:
              name: consumer
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/name: consumer
                app.kubernetes.io/part-of: shop
            spec:
              minAvailable: 2
              selector:
                matchLabels:
                  app.kubernetes.io/name: consumer
                  app.kubernetes.io/part-of: shop
              unhealthyPodEvictionPolicy: AlwaysAllow

            """)
    }

    @Test func aSingletonIsRecreatedWithABudgetThatLetsDrainsThrough() throws {
        let resources = try emit(spec("""
            workers:
              scheduler:
                image: ghcr.io/acme/scheduler:2.0.1
                strategy: recreate
            """))
        let deployment = try document(resources, "Deployment")
        #expect(deployment.contains("""
            spec:
              replicas: 1
              selector:
                matchLabels:
                  app.kubernetes.io/name: scheduler
                  app.kubernetes.io/part-of: shop
              strategy:
                type: Recreate
              template:
            """))
        #expect(!deployment.contains("podAntiAffinity"), "one pod: nothing to spread")
        let budget = try document(resources, "PodDisruptionBudget")
        #expect(budget.contains("  maxUnavailable: 1\n"))
        #expect(!resources.contains { $0.kind == "HorizontalPodAutoscaler" })
    }
}

/// Pod details: drain hooks, scheduling, native sidecars and init containers of their own.
@Suite("Pod details: spec in, manifests out")
struct PodDetailsEmissionTests {
    @Test func schedulingDetailsReachThePodSpec() throws {
        let resources = try emit(spec("""
            workers:
              shipper:
                image: ghcr.io/acme/shipper:1.4.0
                replicas: 2
                health: {liveness: {exec: [test, -f, /tmp/alive]}}
                terminationGracePeriodSeconds: 45
                lifecycle: {preStop: {sleep: 10}}
                priorityClassName: system-node-critical
                tolerations:
                  - {key: dedicated, value: logging, effect: NoSchedule}
                  - {key: node.kubernetes.io/unreachable, effect: NoExecute, tolerationSeconds: 60}
                  - {operator: Exists}
                placement:
                  zones: preferred
                  spread:
                    - {topologyKey: topology.example.com/rack, mode: required, maxSkew: 2, minDomains: 3}
            """))
        let deployment = try document(resources, "Deployment")
        #expect(deployment.contains("""
                    lifecycle:
                      preStop:
                        sleep:
                          seconds: 10
            """))
        #expect(deployment.contains("""
                  terminationGracePeriodSeconds: 45
                  priorityClassName: system-node-critical
                  tolerations:
                  - key: dedicated
                    operator: Equal
                    value: logging
                    effect: NoSchedule
                  - key: node.kubernetes.io/unreachable
                    operator: Exists
                    effect: NoExecute
                    tolerationSeconds: 60
                  - operator: Exists
            """))
        #expect(deployment.contains("""
                  topologySpreadConstraints:
                  - maxSkew: 1
                    topologyKey: topology.kubernetes.io/zone
                    whenUnsatisfiable: ScheduleAnyway
                    labelSelector:
                      matchLabels:
                        app.kubernetes.io/name: shipper
                        app.kubernetes.io/part-of: shop
                  - maxSkew: 2
                    minDomains: 3
                    topologyKey: topology.example.com/rack
                    whenUnsatisfiable: DoNotSchedule
            """))
    }

    @Test func sidecarsAreNativeAndInitContainersMayInheritNothing() throws {
        let resources = try emit(spec("""
            secrets:
              db: {namespace: apps, keys: [password]}
              proxy-key: {namespace: apps, keys: [key.json]}
            services:
              api:
                image: ghcr.io/acme/api:3.2.1
                ports: {http: 8080}
                env: {DB_PASSWORD: {secret: db, key: password}}
                volumes: {tmp: {emptyDir: {}, mountPath: /tmp}}
                lifecycle: {preStop: {path: /drain}}
                sidecars:
                  proxy:
                    image: ghcr.io/acme/db-proxy:2.1.0
                    args: [--port=5432]
                    securityContext: {runAsUser: 2000}
                    volumes:
                      tmp: {mountPath: /scratch}
                      key: {secret: proxy-key, mountPath: /etc/proxy}
                initContainers:
                  wait:
                    image: ghcr.io/acme/wait-for:1.0.0
                    inherit: false
                    args: [localhost:5432]
                  migrate:
                    command: [/app/migrate]
            """))
        let deployment = try document(resources, "Deployment")
        #expect(deployment.contains("""
                    lifecycle:
                      preStop:
                        httpGet:
                          path: /drain
                          port: http
            """))
        #expect(deployment.contains("""
                  initContainers:
                  - name: proxy
                    restartPolicy: Always
                    image: ghcr.io/acme/db-proxy:2.1.0
            """), "the sidecar comes first, so the init containers can already use it")
        #expect(deployment.contains("""
                      runAsNonRoot: true
                      runAsUser: 2000
            """), "the sidecar's own user, which the pod's does not set")
        let initContainers = try #require(deployment.range(of: "  initContainers:\n")
            .flatMap { start in deployment.range(of: "  containers:\n").map { String(deployment[start.upperBound..<$0.lowerBound]) } })
        let wait = try #require(initContainers.range(of: "- name: wait\n").map { String(initContainers[$0.lowerBound...]) }?
            .components(separatedBy: "- name: migrate\n").first)
        #expect(!wait.contains("DB_PASSWORD") && !wait.contains("volumeMounts"), "inherit: false: no environment, Secrets or mounts")
        let migrate = try #require(initContainers.components(separatedBy: "- name: migrate\n").last)
        #expect(migrate.contains("name: DB_PASSWORD") && migrate.contains("mountPath: /tmp"), "migrate inherits the main container's")
        #expect(deployment.contains("""
                  volumes:
                  - name: tmp
                    emptyDir: {}
                  - name: key
                    secret:
                      secretName: proxy-key
            """), "one pod volume per name: the shared one once, the sidecar's own too")
    }
}
