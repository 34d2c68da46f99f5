import Testing
@testable import SpecParsing
import SpecModel
import SpecDiagnostics

/// `mesh:`, per-namespace mesh settings and `external:`: the model they produce and the located
/// errors for what they reject.
@Suite("Mesh settings and external endpoints")
struct MeshParsingTests {
    @Test func meshSettingsAndTheirDefaults() throws {
        let system = try model(spec("""
              edge: {mtls: permissive}
              legacy: {mtls: off, networkPolicy: off}
              shared: {create: false}
            mesh:
              mtls: strict
              networkPolicy: deny-by-default
              ingressNamespace: edge
              monitoringNamespace: monitoring
              apiServer: 10.0.0.0/24
              callers:
                vault-secrets-operator-system: [{target: api, ports: [http]}]
            services:
              api: {image: x/api:1.0, namespace: apps, ports: {http: 8080}}

            """))
        #expect(system.mesh.apiServerCIDR.value == "10.0.0.0/24")
        #expect(system.mesh.trustDomain.value == "cluster.local")
        #expect(system.mesh.callers.map(\.namespace.value) == ["vault-secrets-operator-system"])
        #expect(system.mtls(of: "apps") == .strict)
        #expect(system.mtls(of: "edge") == .permissive, "a traffic source in the mesh says so itself")
        #expect(system.mtls(of: "legacy") == .off)
        #expect(system.mtls(of: "shared") == .off, "a namespace managed elsewhere is not assumed meshed")
        #expect(system.mtls(of: "monitoring") == .off, "undeclared namespaces are outside the mesh")
        #expect(system.deniesByDefault("apps"))
        #expect(!system.deniesByDefault("edge"), "the ingress controller's namespace runs pods the spec does not describe")
        #expect(!system.deniesByDefault("legacy"))
        #expect(!system.deniesByDefault("shared"))
    }

    @Test func withoutMeshNothingIsRestricted() throws {
        let system = try model(spec("services:\n  api: {image: x/api:1.0, ports: {http: 8080}}\n"))
        #expect(system.mtls(of: "apps") == .off)
        #expect(!system.deniesByDefault("apps"))
        #expect(system.mesh.apiServerCIDR.value == "0.0.0.0/0")
    }

    @Test func externalEndpoints() throws {
        let system = try model(spec("""
            external:
              payments: {cidr: 203.0.113.0/24, ports: {https: 443}}
              keycloak: {host: keycloak.example.com, ports: {https: 443}}
              collector: {namespace: observability, podLabels: {app: otel}, ports: {otlp: 4317, dns: {port: 53, protocol: UDP}}}

            """))
        #expect(system.external.map(\.name.value) == ["payments", "keycloak", "collector"])
        guard case .namespace(let namespace, let labels) = system.external[2].destination else { Issue.record("not a namespace"); return }
        #expect(namespace.value == "observability")
        #expect(labels.map(\.key.value) == ["app"])
        #expect(system.external[2].ports.map(\.portProtocol.value) == [.tcp, .udp])
    }

    @Test func badMeshValuesAreLocated() {
        #expect(diagnostics(spec("""
            mesh:
              mtls: strikt
              networkPolicy: deny
              apiServer: 10.0.0.300/8
              ingresNamespace: edge
              callers:
                Bad_NS: [api]

            """)) == [
            "6:9 invalid-value: 'strikt' is not a valid mTLS mode; did you mean 'strict'?",
            "7:18 invalid-value: 'deny' is not a valid network policy mode",
            "8:14 invalid-value: '10.0.0.300/8' is not an address range: expected CIDR notation such as 10.0.0.0/16 or 2001:db8::/32",
            "9:3 unknown-key: unknown key 'ingresNamespace' in 'mesh'; did you mean 'ingressNamespace'?",
            "11:5 invalid-name: namespace name 'Bad_NS' is not valid: expected a DNS-1123 label: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit",
        ])
    }

    @Test func callersRunNoPodsToInjectInto() {
        #expect(diagnostics(spec("""
            mesh:
              callers:
                reporting: [{target: api, env: {API_HOST: host}}]
            services:
              api: {image: x/api:1.0, ports: {http: 8080}}

            """)) == [
            "7:17 conflicting-fields: callers in namespace 'reporting' run no pods of this spec, so 'env' has nothing to inject into",
        ])
    }

    @Test func badExternalEndpointsAreLocated() {
        #expect(diagnostics(spec("""
            external:
              both: {cidr: 10.0.0.0/8, host: db.example.com, ports: {pg: 5432}}
              none: {ports: {pg: 5432}}
              noports: {host: db.example.com}
              labels: {cidr: 10.0.0.0/8, podLabels: {app: x}, ports: {pg: 5432}}
              badhost: {host: "db example", ports: {pg: 5432}}
              api: {host: api.example.com, ports: {https: 443}}
            services:
              api: {image: x/api:1.0}

            """)) == [
            "6:28 conflicting-fields: external endpoint 'both' gives 'cidr' and 'host'; give exactly one",
            "7:3 missing-field: external endpoint 'none' needs one of 'cidr', 'host' or 'namespace': where the traffic goes",
            "8:3 missing-field: external endpoint 'noports' needs 'ports': the ports traffic to it may use (e.g. {https: 443})",
            "9:30 conflicting-fields: 'podLabels' selects pods of a 'namespace' endpoint; external endpoint 'labels' has none",
            "10:19 invalid-value: 'db example' is not a host name",
            "11:3 duplicate-name: 'api' is already the name of another workload, store or external endpoint",
        ])
    }

    @Test func aHostEndpointOffersHostAndPort() throws {
        let system = try model(spec("""
            external:
              keycloak: {host: keycloak.example.com, ports: {https: 443}}
            services:
              api: {image: x/api:1.0, uses: [{target: keycloak, env: {KEYCLOAK_HOST: host, KEYCLOAK_PORT: port}}]}

            """))
        let env = system.services[0].workload.container.env.map { variable -> String in
            guard case .literal(let value) = variable.source else { return variable.name.value }
            return "\(variable.name.value)=\(value.value)"
        }
        #expect(env == ["KEYCLOAK_HOST=keycloak.example.com", "KEYCLOAK_PORT=443"])
        #expect(diagnostics(spec("""
            external:
              partners: {cidr: 198.51.100.0/24, ports: {https: 443}}
            services:
              api: {image: x/api:1.0, uses: [{target: partners, env: {PARTNERS: host}}]}

            """)) == ["8:69 unknown-connection-fact: 'partners' offers no connection fact 'host'"])
    }

    @Test func externalDatabaseTakesACIDR() throws {
        let system = try model(spec("""
            secrets:
              db: {keys: [username, password]}
            stores:
              postgres: {engine: postgres, mode: external, external: {host: db.example.com, secret: db, cidr: 10.20.0.0/16}}

            """))
        guard let postgres = system.stores[0].settings as? PostgresSettings else { Issue.record("not postgres"); return }
        #expect(postgres.external?.cidr?.value == "10.20.0.0/16")
    }

    @Test func cidrNotation() {
        for good in ["0.0.0.0/0", "10.0.0.0/8", "192.168.1.7/32", "2001:db8::/32", "::/0", "fe80::1/128"] {
            #expect(CIDR(good) != nil, "\(good)")
        }
        for bad in ["10.0.0.0", "10.0.0.0/33", "10.0.0/8", "010.0.0.0/8", "2001:db8::/129", "1:2:3:4:5:6:7:8:9/64", "a::b::c/64", "10.0.0.0/-1", "x/8"] {
            #expect(CIDR(bad) == nil, "\(bad)")
        }
    }
}
