import Testing
import SpecModel
import ManifestEmission

/// Mesh policy, spec in → YAML out: NetworkPolicies derived from `uses:`, and Istio objects for
/// meshed namespaces.
@Suite("Mesh policy emission")
struct MeshEmissionTests {
    static let twoTier = spec("""
          data: {}
        mesh: {networkPolicy: deny-by-default}
        services:
          api: {image: x/api:1.0, namespace: apps, ports: {http: 8080, metrics: 9090}, uses: [db]}
        stores:
          db: {engine: postgres, namespace: data, credentials: {secret: db-credentials}}
        secrets:
          db-credentials: {namespace: data, keys: [password]}

        """)

    @Test func withoutMeshSettingsNothingIsEmitted() throws {
        let resources = try emit(spec("services:\n  api: {image: x/api:1.0, ports: {http: 8080}}\n"))
        #expect(!resources.contains { ["NetworkPolicy", "PeerAuthentication", "AuthorizationPolicy", "DestinationRule"].contains($0.kind) })
    }

    @Test func denyByDefaultGivesEachNamespaceADefaultDenyAndDNS() throws {
        let resources = try emit(Self.twoTier)
        let names = resources.filter { $0.kind == "NetworkPolicy" }.map { "\($0.namespace ?? "")/\($0.name)" }
        #expect(names == ["apps/allow-dns", "apps/api", "apps/default-deny", "data/allow-dns", "data/db", "data/default-deny"])
        expectLines(try document(resources.filter { $0.namespace == "apps" }, "NetworkPolicy", "default-deny"), """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: default-deny
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/part-of: shop
            spec:
              podSelector: {}
              policyTypes:
              - Ingress
              - Egress

            """)
        expectLines(try document(resources.filter { $0.namespace == "data" }, "NetworkPolicy", "allow-dns"), """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: allow-dns
              namespace: data
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/part-of: shop
            spec:
              podSelector: {}
              policyTypes:
              - Egress
              egress:
              - to:
                - namespaceSelector:
                    matchLabels:
                      kubernetes.io/metadata.name: kube-system
                  podSelector:
                    matchLabels:
                      k8s-app: kube-dns
                ports:
                - port: 53
                  protocol: UDP
                - port: 53
                  protocol: TCP

            """)
    }

    @Test func aUsesEdgeOpensEgressOnTheCallerAndIngressOnTheTarget() throws {
        let resources = try emit(Self.twoTier)
        expectLines(try document(resources, "NetworkPolicy", "api"), """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: api
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/part-of: shop
            spec:
              podSelector:
                matchLabels:
                  app.kubernetes.io/name: api
                  app.kubernetes.io/part-of: shop
              policyTypes:
              - Egress
              egress:
              - to:
                - namespaceSelector:
                    matchLabels:
                      kubernetes.io/metadata.name: data
                  podSelector:
                    matchLabels:
                      app.kubernetes.io/name: db
                      app.kubernetes.io/part-of: shop
                ports:
                - port: 5432
                  protocol: TCP

            """)
        expectLines(try document(resources, "NetworkPolicy", "db"), """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: db
              namespace: data
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/part-of: shop
            spec:
              podSelector:
                matchLabels:
                  app.kubernetes.io/name: db
                  app.kubernetes.io/part-of: shop
              policyTypes:
              - Ingress
              ingress:
              - from:
                - namespaceSelector:
                    matchLabels:
                      kubernetes.io/metadata.name: apps
                  podSelector:
                    matchLabels:
                      app.kubernetes.io/name: api
                      app.kubernetes.io/part-of: shop
                ports:
                - port: 5432
                  protocol: TCP

            """)
    }

    @Test func peersWithTheSamePortsShareOneRuleAndExternalsAreAddressRanges() throws {
        let resources = try emit(spec("""
            mesh: {networkPolicy: deny-by-default, ingressNamespace: ingress-nginx}
            external:
              payments: {cidr: 203.0.113.0/24, ports: {https: 443}}
            services:
              web: {image: x/web:1.0, ports: {http: 8080}, uses: [api], expose: {host: shop.example.com, tls: {issuer: le}}}
              admin: {image: x/admin:1.0, ports: {http: 8080}, uses: [api, payments]}
              api: {image: x/api:1.0, ports: {http: 8080, grpc: 9000}, uses: [{target: api, ports: [grpc]}]}

            """))
        let api = try document(resources, "NetworkPolicy", "api")
        #expect(api.contains("""
              ingress:
              - from:
                - podSelector:
                    matchLabels:
                      app.kubernetes.io/name: web
                      app.kubernetes.io/part-of: shop
                - podSelector:
                    matchLabels:
                      app.kubernetes.io/name: admin
                      app.kubernetes.io/part-of: shop
                ports:
                - port: 8080
                  protocol: TCP
                - port: 9000
                  protocol: TCP
              - from:
                - podSelector:
                    matchLabels:
                      app.kubernetes.io/name: api
                      app.kubernetes.io/part-of: shop
                ports:
                - port: 9000
                  protocol: TCP
            """), "\(api)")
        let admin = try document(resources, "NetworkPolicy", "admin")
        #expect(admin.contains("""
              - to:
                - ipBlock:
                    cidr: 203.0.113.0/24
                ports:
                - port: 443
                  protocol: TCP
            """), "\(admin)")
        let web = try document(resources, "NetworkPolicy", "web")
        #expect(web.contains("""
              ingress:
              - from:
                - namespaceSelector:
                    matchLabels:
                      kubernetes.io/metadata.name: ingress-nginx
                ports:
                - port: 8080
                  protocol: TCP
            """), "\(web)")
    }

    @Test func meshedNamespaceGetsPeerAuthenticationDestinationRuleAndAuthorization() throws {
        let resources = try emit(spec("""
              edge: {mtls: permissive}
            mesh: {mtls: strict, ingressNamespace: edge, monitoringNamespace: monitoring}
            services:
              web: {image: x/web:1.0, namespace: apps, ports: {http: 8080}, uses: [api], expose: {host: shop.example.com, tls: {issuer: le}}}
              api: {image: x/api:1.0, namespace: apps, ports: {http: 8080, metrics: 9090}, metrics: {port: metrics}}

            """))
        let apps = resources.filter { $0.namespace == "apps" }
        #expect(try document(resources, "Namespace", "apps").contains("istio-injection: enabled"))
        expectLines(try document(apps, "PeerAuthentication", "default"), """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata:
              name: default
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/part-of: shop
            spec:
              mtls:
                mode: STRICT

            """)
        expectLines(try document(apps, "DestinationRule"), """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: apps-mtls
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/part-of: shop
            spec:
              host: '*.apps.svc.cluster.local'
              trafficPolicy:
                tls:
                  mode: ISTIO_MUTUAL

            """)
        expectLines(try document(apps, "AuthorizationPolicy", "api"), """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata:
              name: api
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/part-of: shop
            spec:
              selector:
                matchLabels:
                  app.kubernetes.io/name: api
                  app.kubernetes.io/part-of: shop
              action: ALLOW
              rules:
              - from:
                - source:
                    principals:
                    - cluster.local/ns/apps/sa/web
                to:
                - operation:
                    ports:
                    - "8080"
                    - "9090"
              - from:
                - source:
                    notPrincipals:
                    - '*'
                to:
                - operation:
                    ports:
                    - "9090"

            """)
        #expect(try document(apps, "AuthorizationPolicy", "web").contains("""
                - source:
                    namespaces:
                    - edge
            """))
        #expect(try document(apps, "AuthorizationPolicy", "allow-nothing").hasSuffix("spec: {}\n"))
        expectLines(try document(apps, "PeerAuthentication", "api-metrics"), """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata:
              name: api-metrics
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/part-of: shop
            spec:
              selector:
                matchLabels:
                  app.kubernetes.io/name: api
                  app.kubernetes.io/part-of: shop
              mtls:
                mode: STRICT
              portLevelMtls:
                "9090":
                  mode: PERMISSIVE

            """)
        // The ingress namespace is meshed but runs pods the spec does not describe: no authorization there.
        let edge = resources.filter { $0.namespace == "edge" }.map(\.kind).sorted()
        #expect(edge == ["DestinationRule", "PeerAuthentication"])
    }

    @Test func podsOfAMeshedNamespaceManagedElsewhereAskForTheirSidecar() throws {
        let resources = try emit(spec("""
              shared: {create: false, mtls: strict}
            services:
              api: {image: x/api:1.0, namespace: shared, ports: {http: 8080}}
              web: {image: x/web:1.0, namespace: apps, ports: {http: 8080}}

            """))
        #expect(try document(resources, "Deployment", "api").contains("        sidecar.istio.io/inject: \"true\"\n"))
        #expect(try !document(resources, "Deployment", "web").contains("sidecar.istio.io/inject"))
        #expect(!resources.contains { $0.kind == "Namespace" && $0.name == "shared" })
        #expect(resources.contains { $0.kind == "PeerAuthentication" && $0.namespace == "shared" })
    }

    @Test func certManagersSolverIsLetInWhereTLSIngressesAre() throws {
        let resources = try emit(spec("""
            mesh: {networkPolicy: deny-by-default, ingressNamespace: ingress-nginx}
            services:
              web: {image: x/web:1.0, ports: {http: 8080}, expose: {host: shop.example.com, tls: {issuer: le}}}

            """))
        expectLines(try document(resources, "NetworkPolicy", "allow-acme-http01-solver"), """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: allow-acme-http01-solver
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/part-of: shop
            spec:
              podSelector:
                matchLabels:
                  acme.cert-manager.io/http01-solver: "true"
              policyTypes:
              - Ingress
              ingress:
              - from:
                - namespaceSelector:
                    matchLabels:
                      kubernetes.io/metadata.name: ingress-nginx
                ports:
                - port: 8089
                  protocol: TCP

            """)
    }

    @Test func storeTopologiesAllowTheirPeerTraffic() throws {
        let resources = try emit(spec("""
            mesh: {networkPolicy: deny-by-default}
            stores:
              events: {engine: kafka, controllers: 3, brokers: 3}

            """))
        let controllers = try document(resources, "NetworkPolicy", "events-controller")
        let brokers = try document(resources, "NetworkPolicy", "events-broker")
        #expect(controllers.contains("- port: 9093") && !controllers.contains("- port: 9094") && !controllers.contains("- port: 9092"))
        #expect(brokers.contains("- port: 9094") && brokers.contains("- port: 9093"), "replication among brokers, registration with controllers")
    }
}
