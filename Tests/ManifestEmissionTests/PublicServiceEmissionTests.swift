import Testing
import ManifestEmission

/// Public LoadBalancer and NodePort Services: `from:` in, Service fields and the policies that
/// admit exactly those ranges out.
@Suite("Public Services: from: in, Service and policies out")
struct PublicServiceEmissionTests {
    static let gateway = """
          edge: {networkPolicy: deny-by-default, mtls: permissive}
        services:
          gateway:
            namespace: edge
            image: ghcr.io/acme/gateway:3.1.0
            ports: {https: 8443, admin: 9000}
            service: {type: LoadBalancer, ports: [https], from: [203.0.113.0/24, "2001:db8::/32"]}
            extraServices:
              status: {type: NodePort, ports: [admin], from: anywhere}

        """

    @Test func namedRangesKeepTheClientAddressAndFenceTheLoadBalancer() throws {
        let resources = try emit(spec(Self.gateway))
        expectLines(try document(resources, "Service", "gateway"), """
            apiVersion: v1
            kind: Service
            metadata:
              name: gateway
              namespace: edge
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/name: gateway
                app.kubernetes.io/part-of: shop
                clusterspec.io/service: gateway
            spec:
              type: LoadBalancer
              selector:
                app.kubernetes.io/name: gateway
                app.kubernetes.io/part-of: shop
              ports:
              - name: https
                port: 8443
                targetPort: https
                protocol: TCP
              externalTrafficPolicy: Local
              loadBalancerSourceRanges:
              - 203.0.113.0/24
              - 2001:db8::/32

            """)
        let status = try document(resources, "Service", "gateway-status")
        #expect(status.contains("type: NodePort"))
        #expect(!status.contains("externalTrafficPolicy"), "anywhere: any address, a node's included, is admitted")
    }

    @Test func theNetworkPolicyAndTheAuthorizationPolicyAdmitTheRangesOnTheirPorts() throws {
        let resources = try emit(spec(Self.gateway))
        let policy = try document(resources, "NetworkPolicy", "gateway")
        #expect(policy.contains("""
              ingress:
              - from:
                - ipBlock:
                    cidr: 203.0.113.0/24
                - ipBlock:
                    cidr: 2001:db8::/32
                ports:
                - port: 8443
                  protocol: TCP
              - from:
                - ipBlock:
                    cidr: 0.0.0.0/0
                - ipBlock:
                    cidr: ::/0
                ports:
                - port: 9000
                  protocol: TCP
            """), Comment(rawValue: policy))
        let authorization = try document(resources, "AuthorizationPolicy", "gateway")
        #expect(authorization.contains("""
              rules:
              - from:
                - source:
                    ipBlocks:
                    - 203.0.113.0/24
                    - 2001:db8::/32
                to:
                - operation:
                    ports:
                    - "8443"
            """), Comment(rawValue: authorization))
    }
}

@Suite("Routes: one host, several paths, one Ingress")
struct RouteEmissionTests {
    @Test func aRouteIsOneIngressWithAPathPerService() throws {
        let resources = try emit(spec("""
            defaults: {ingressClass: nginx}
            services:
              web: {image: ghcr.io/acme/web:1.0.0, ports: {http: 8080}}
              api:
                image: ghcr.io/acme/api:1.0.0
                ports: {http: 8080, admin: 9000}
                extraServices: {admin: {ports: [admin]}}
            routes:
              app:
                host: app.example.com
                tls: {issuer: letsencrypt-prod}
                annotations: {nginx.ingress.kubernetes.io/proxy-body-size: 20m}
                paths:
                  /: web
                  /api/: api
                  /admin/: {service: api, port: admin}
            """))
        expectLines(try document(resources, "Ingress", "app"), """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: app
              namespace: apps
              labels:
                app.kubernetes.io/managed-by: clusterspec
                app.kubernetes.io/part-of: shop
              annotations:
                cert-manager.io/cluster-issuer: letsencrypt-prod
                nginx.ingress.kubernetes.io/proxy-body-size: 20m
            spec:
              ingressClassName: nginx
              tls:
              - hosts:
                - app.example.com
                secretName: app-tls
              rules:
              - host: app.example.com
                http:
                  paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service:
                        name: web
                        port:
                          name: http
                  - path: /api/
                    pathType: Prefix
                    backend:
                      service:
                        name: api
                        port:
                          name: http
                  - path: /admin/
                    pathType: Prefix
                    backend:
                      service:
                        name: api-admin
                        port:
                          name: admin

            """)
    }
}
