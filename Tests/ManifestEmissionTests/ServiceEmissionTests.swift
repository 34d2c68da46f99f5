import Testing
import ManifestEmission

@Suite("Stateless services: spec in, manifests out")
struct ServiceEmissionTests {
    @Test func minimalServiceGetsHardenedDeploymentWithZeroDowntimeRollout() throws {
        let resources = try emit(spec("""
            defaults: {runAsUser: 10001}
            services:
              api:
                image: ghcr.io/acme/api:1.4.2
                replicas: 3
                ports: {http: 8080}
                health: {liveness: /health/live, readiness: /health/ready}
                resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 500m, memory: 128Mi}}
            """))
        expectLines(try document(resources, "Deployment"), """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: api
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/name: api
                app.kubernetes.io/part-of: shop
            spec:
              replicas: 3
              selector:
                matchLabels:
                  app.kubernetes.io/name: api
                  app.kubernetes.io/part-of: shop
              strategy:
                type: RollingUpdate
                rollingUpdate:
                  maxSurge: 1
                  maxUnavailable: 0
              template:
                metadata:
                  labels:
                    app.kubernetes.io/managed-by: clusterspec
                    app.kubernetes.io/name: api
                    app.kubernetes.io/part-of: shop
                spec:
                  serviceAccountName: api
                  automountServiceAccountToken: false
                  securityContext:
                    runAsNonRoot: true
                    runAsUser: 10001
                    seccompProfile:
                      type: RuntimeDefault
                  affinity:
                    podAntiAffinity:
                      preferredDuringSchedulingIgnoredDuringExecution:
                      - weight: 100
                        podAffinityTerm:
                          labelSelector:
                            matchLabels:
                              app.kubernetes.io/name: api
                              app.kubernetes.io/part-of: shop
                          topologyKey: kubernetes.io/hostname
                  containers:
                  - name: api
                    image: ghcr.io/acme/api:1.4.2
                    imagePullPolicy: IfNotPresent
                    ports:
                    - name: http
                      containerPort: 8080
                      protocol: TCP
                    resources:
                      requests:
                        cpu: 100m
                        memory: 64Mi
                      limits:
                        cpu: 500m
                        memory: 128Mi
                    livenessProbe:
                      httpGet:
                        path: /health/live
                        port: http
                      initialDelaySeconds: 10
                      periodSeconds: 10
                      timeoutSeconds: 3
                      failureThreshold: 3
                    readinessProbe:
                      httpGet:
                        path: /health/ready
                        port: http
                      initialDelaySeconds: 5
                      periodSeconds: 5
                      timeoutSeconds: 3
                      failureThreshold: 3
                    securityContext:
                      runAsNonRoot: true
                      allowPrivilegeEscalation: false
                      privileged: false
                      readOnlyRootFilesystem: true
                      capabilities:
                        drop:
                        - ALL

            """)
        expectLines(try document(resources, "PodDisruptionBudget"), """
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata:
              name: api
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/name: api
                app.kubernetes.io/part-of: shop
            spec:
              minAvailable: 2
              selector:
                matchLabels:
                  app.kubernetes.io/name: api
                  app.kubernetes.io/part-of: shop
              unhealthyPodEvictionPolicy: AlwaysAllow

            """)
        expectLines(try document(resources, "Service"), """
            apiVersion: v1
            kind: Service
            metadata:
              name: api
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/name: api
                app.kubernetes.io/part-of: shop
                clusterspec.io/service: api
            spec:
              type: ClusterIP
              selector:
                app.kubernetes.io/name: api
                app.kubernetes.io/part-of: shop
              ports:
              - name: http
                port: 8080
                targetPort: http
                protocol: TCP

            """)
        expectLines(try document(resources, "ServiceAccount"), """
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: api
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/name: api
                app.kubernetes.io/part-of: shop
            automountServiceAccountToken: false

            """)
    }

    @Test func singleReplicaHasNoPDBAndNoSpreading() throws {
        let resources = try emit(spec("services:\n  api: {image: ghcr.io/acme/api:1.0, ports: {http: 80}}\n"))
        #expect(!resources.contains { $0.kind == "PodDisruptionBudget" })
        #expect(!(try document(resources, "Deployment")).contains("affinity"))
    }

    @Test func autoscaledServiceLeavesTheReplicaCountToTheHPA() throws {
        let resources = try emit(spec("""
            services:
              gateway:
                image: ghcr.io/acme/gateway:2.0
                ports: {http: 8080}
                autoscale: {min: 3, max: 20, cpu: 60, memory: 75}
            """))
        let deployment = try document(resources, "Deployment")
        #expect(!deployment.contains("replicas:"))
        expectLines(try document(resources, "HorizontalPodAutoscaler"), """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
              name: gateway
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/name: gateway
                app.kubernetes.io/part-of: shop
            spec:
              scaleTargetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: gateway
              minReplicas: 3
              maxReplicas: 20
              metrics:
              - type: Resource
                resource:
                  name: cpu
                  target:
                    type: Utilization
                    averageUtilization: 60
              - type: Resource
                resource:
                  name: memory
                  target:
                    type: Utilization
                    averageUtilization: 75

            """)
        #expect(try document(resources, "PodDisruptionBudget").contains("  maxUnavailable: 1\n"))
    }

    @Test func explicitPDBAndStrategyAreHonoured() throws {
        let resources = try emit(spec("""
            services:
              api:
                image: ghcr.io/acme/api:1.0
                replicas: 4
                pdb: {maxUnavailable: 25%}
                strategy: {maxSurge: 50%, maxUnavailable: 0}
            """))
        #expect(try document(resources, "PodDisruptionBudget").contains("  maxUnavailable: 25%\n"))
        #expect(try document(resources, "Deployment").contains("      maxSurge: 50%\n      maxUnavailable: 0\n"))
        let none = try emit(spec("services:\n  api: {image: ghcr.io/acme/api:1.0, replicas: 4, pdb: none}\n"))
        #expect(!none.contains { $0.kind == "PodDisruptionBudget" })
    }

    @Test func exposedServiceGetsIngressWithCertManagerTLS() throws {
        let resources = try emit(spec("""
            defaults: {ingressClass: nginx}
            services:
              api:
                image: ghcr.io/acme/api:1.0
                ports: {grpc: 50051, http: 8080}
                expose:
                  host: api.example.com
                  tls: {issuer: letsencrypt-prod}
                  annotations: {nginx.ingress.kubernetes.io/proxy-body-size: 8m}
            """))
        expectLines(try document(resources, "Ingress"), """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: api
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/name: api
                app.kubernetes.io/part-of: shop
              annotations:
                cert-manager.io/cluster-issuer: letsencrypt-prod
                nginx.ingress.kubernetes.io/proxy-body-size: 8m
            spec:
              ingressClassName: nginx
              tls:
              - hosts:
                - api.example.com
                secretName: api-tls
              rules:
              - host: api.example.com
                http:
                  paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service:
                        name: api
                        port:
                          name: http

            """)
    }

    @Test func extraServicesSplitPortsAndServiceMonitorSelectsTheRightOne() throws {
        let resources = try emit(spec("""
            services:
              cache:
                image: ghcr.io/acme/cache:1.0
                ports: {client: 8080, mgmt: 9090}
                extraServices:
                  mgmt: {ports: [mgmt]}
                metrics: {port: mgmt, serviceMonitor: {interval: 15s}}
            """))
        let services = resources.filter { $0.kind == "Service" }.map(\.name)
        #expect(services == ["cache", "cache-mgmt"])
        #expect(try document(resources, "Service", "cache").contains("- name: client"))
        #expect(!(try document(resources, "Service", "cache").contains("- name: mgmt")))
        expectLines(try document(resources, "ServiceMonitor"), """
            apiVersion: monitoring.coreos.com/v1
            kind: ServiceMonitor
            metadata:
              name: cache
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/name: cache
                app.kubernetes.io/part-of: shop
            spec:
              selector:
                matchLabels:
                  app.kubernetes.io/name: cache
                  app.kubernetes.io/part-of: shop
                  clusterspec.io/service: cache-mgmt
              namespaceSelector:
                matchNames:
                - apps
              endpoints:
              - port: mgmt
                path: /metrics
                interval: 15s

            """)
        let annotations = try document(resources, "Deployment")
        #expect(annotations.contains("prometheus.io/port: \"9090\""))
        #expect(annotations.contains("prometheus.io/scrape: \"true\""))
    }

    @Test func environmentKeepsSpecOrderAndReferencesSecretsWithoutValues() throws {
        let resources = try emit(spec("""
            services:
              api:
                image: ghcr.io/acme/api:1.0
                env:
                  ZED: last-alphabetically-first-in-spec
                  PORT: 8080
                  DATABASE_URL: {secret: db, key: dsn}
                  LEVEL: {configMap: settings, key: level, optional: true}
                  POD: {field: metadata.name}
                envFrom:
                  - secret: api-extra
                    prefix: EXTRA_
            """))
        let deployment = try document(resources, "Deployment")
        let names = deployment.split(separator: "\n").filter { $0.contains("- name: ") }.map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(names == ["- name: api", "- name: ZED", "- name: PORT", "- name: DATABASE_URL", "- name: LEVEL", "- name: POD"])
        #expect(deployment.contains("""
                    - name: PORT
                      value: "8080"
                    - name: DATABASE_URL
                      valueFrom:
                        secretKeyRef:
                          name: db
                          key: dsn
                    - name: LEVEL
                      valueFrom:
                        configMapKeyRef:
                          name: settings
                          key: level
                          optional: true
            """))
        #expect(deployment.contains("        envFrom:\n        - prefix: EXTRA_\n          secretRef:\n            name: api-extra\n"))
        #expect(!resources.contains { $0.kind == "Secret" })
    }

    @Test func initContainersInheritTheMainContainersEnvironment() throws {
        let resources = try emit(spec("""
            services:
              api:
                image: ghcr.io/acme/api:1.0
                env: {DATABASE_URL: {secret: db, key: dsn}, MODE: serve}
                initContainers:
                  migrate: {command: [api, migrate], env: {MODE: migrate}}
            """))
        let deployment = try document(resources, "Deployment")
        #expect(deployment.contains("""
                  initContainers:
                  - name: migrate
                    image: ghcr.io/acme/api:1.0
                    imagePullPolicy: IfNotPresent
                    command:
                    - api
                    - migrate
                    env:
                    - name: DATABASE_URL
                      valueFrom:
                        secretKeyRef:
                          name: db
                          key: dsn
                    - name: MODE
                      value: migrate
            """))
    }

    @Test func placementTranslatesToAffinityAndZoneSpread() throws {
        let resources = try emit(spec("""
            defaults: {nodePoolLabel: node-type}
            services:
              api:
                image: ghcr.io/acme/api:1.0
                replicas: 3
                placement: {nodePool: stateless, hosts: required, zones: preferred}
            """))
        let deployment = try document(resources, "Deployment")
        #expect(deployment.contains("""
                  affinity:
                    nodeAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                        nodeSelectorTerms:
                        - matchExpressions:
                          - key: node-type
                            operator: In
                            values:
                            - stateless
                    podAntiAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                      - labelSelector:
                          matchLabels:
                            app.kubernetes.io/name: api
                            app.kubernetes.io/part-of: shop
                        topologyKey: kubernetes.io/hostname
                  topologySpreadConstraints:
                  - maxSkew: 1
                    topologyKey: topology.kubernetes.io/zone
                    whenUnsatisfiable: ScheduleAnyway
            """))
    }

    @Test func rbacRulesCreateRoleBindingAndMountTheToken() throws {
        let resources = try emit(spec("""
            services:
              node:
                image: ghcr.io/acme/node:1.0
                serviceAccount:
                  rules:
                    - {apiGroups: [""], resources: [pods], verbs: [get, list]}
            """))
        #expect(try document(resources, "ServiceAccount").contains("automountServiceAccountToken: true"))
        expectLines(try document(resources, "RoleBinding"), """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata:
              name: node
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/name: node
                app.kubernetes.io/part-of: shop
            roleRef:
              apiGroup: rbac.authorization.k8s.io
              kind: Role
              name: node
            subjects:
            - kind: ServiceAccount
              name: node
              namespace: apps

            """)
        #expect(try document(resources, "Role").contains("rules:\n- apiGroups:\n  - \"\"\n  resources:\n  - pods\n  verbs:\n  - get\n  - list\n"))
    }
}
