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
