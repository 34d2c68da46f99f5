import Foundation
import Testing
import Yams

@Suite("clusterspec build, end to end on the built binary", .serialized)
struct BuildEndToEndTests {
    @Test(.needsJudges) func everyExampleCompilesIntoStrictlyValidManifests() throws {
        let examples = Paths.exampleSpecs
        #expect(examples.count >= 2)
        let out = try TemporaryDirectory()
        let target = out.url.appendingPathComponent("out")
        let result = try clusterspec(["build"] + examples + ["-o", target.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let files = ManifestValidation.manifestFiles(under: target)
        #expect(files.count > 10)
        let problems = try ManifestValidation.problems(in: files)
        #expect(problems.isEmpty, "invalid manifests:\n\(problems.joined(separator: "\n"))")
    }

    /// Issue 13's measure: an error-tracking-like system of 50 components — 47 Deployments (a relay
    /// behind a public LoadBalancer with a sidecar, five web services behind one routed host with
    /// drain hooks, 40 queue consumers with only a liveness signal, a singleton cron), an external
    /// Kafka and the route — checks clean without a single waiver (the singleton's note aside) in a
    /// deny-by-default namespace, and builds into strictly valid manifests.
    @Test(.needsJudges) func fiftyComponentsWithQueueConsumersNeedNoWaiver() throws {
        let resources = "resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {cpu: 500m, memory: 256Mi}}"
        let consumers = (1...40).map { index in
            """
              consumer-\(index):
                image: ghcr.io/acme/tracker/consumer:25.1.0
                args: [run, consumer, --queue=q\(index)]
                replicas: 2
                health: {liveness: {exec: [test, -f, /tmp/alive], periodSeconds: 30}}
                \(resources)
                uses: [{target: kafka, ports: [kafka]}, {target: relay, ports: [http]}]
                env: {RELAY_ADDRESS: "${connection:relay.host}"}
                tolerations: [{key: workload, value: consumers, effect: NoSchedule}]
                priorityClassName: tracker-batch
                placement: {spread: [{topologyKey: topology.example.com/rack, mode: required, minDomains: 2}]}

            """
        }.joined()
        let web = (1...5).map { index in
            """
              web-\(index):
                image: ghcr.io/acme/tracker/web:25.1.0
                replicas: 2
                ports: {http: 9000}
                health: {liveness: /_health/, readiness: /_health/?full, port: http}
                lifecycle: {preStop: {sleep: 5}}
                \(resources)
                uses: [{target: relay, ports: [http]}]

            """
        }.joined()
        let spec = """
            clusterspec: v1
            name: tracker
            defaults: {namespace: tracker, runAsUser: 1000, ingressClass: nginx}
            namespaces:
              tracker: {}
            mesh: {networkPolicy: deny-by-default, ingressNamespace: ingress-nginx}
            external:
              kafka: {cidr: 10.20.0.0/16, ports: {kafka: 9092}}
            services:
              relay:
                image: ghcr.io/acme/tracker/relay:25.1.0
                replicas: 3
                ports: {http: 3000}
                health: {liveness: /api/relay/healthcheck/live/, readiness: /api/relay/healthcheck/ready/, port: http}
                \(resources)
                uses: [{target: kafka, ports: [kafka]}]
                service: {type: LoadBalancer, from: [198.51.100.0/24, 203.0.113.0/24]}
                lifecycle: {preStop: {path: /api/relay/drain/}}
                initContainers:
                  wait-for-kafka: {image: ghcr.io/acme/tracker/wait-for:1.2.0, inherit: false, args: ["10.20.0.10:9092"]}
                sidecars:
                  statsd:
                    image: ghcr.io/acme/tracker/statsd-exporter:0.28.0
                    \(resources)
            \(web)workers:
            \(consumers)  cron:
                image: ghcr.io/acme/tracker/web:25.1.0
                args: [run, cron]
                strategy: recreate
                health: {liveness: {exec: [test, -f, /tmp/alive]}}
                \(resources)
                uses: [{target: kafka, ports: [kafka]}]
            routes:
              tracker:
                host: tracker.example.com
                tls: {issuer: letsencrypt-prod}
                paths: {/: web-1, /api/: web-2, /api/relay/: relay}

            """
        let dir = try TemporaryDirectory()
        let path = try dir.write("tracker.cluster.yaml", spec)
        let check = try clusterspec(["check", path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.hasSuffix("0 errors, 0 warnings, 1 note in 1 spec\n"), "\(check.stdout)")
        #expect(check.stdout.contains("[recreate-downtime]"), "the note is the singleton's cost")
        let target = dir.url.appendingPathComponent("out")
        let build = try clusterspec(["build", path, "-o", target.path])
        #expect(build.status == 0, "\(build.stderr)")
        let files = ManifestValidation.manifestFiles(under: target)
        #expect(files.filter { $0.lastPathComponent.hasPrefix("deployment-") }.count == 47)
        let problems = try ManifestValidation.problems(in: files)
        #expect(problems.isEmpty, "invalid manifests:\n\(problems.joined(separator: "\n"))")
    }

    @Test(.needsJudges) func theValidatorsRejectBrokenObjects() throws {
        let dir = try TemporaryDirectory()
        let broken = [
            try dir.write("deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicaz: 1}\n"),
            try dir.write("monitor.yaml", "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: x}\nspec: {selector: {}, endpointz: []}\n"),
            try dir.write("unknown.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: x}\n"),
        ]
        let problems = try ManifestValidation.problems(in: broken.map { URL(fileURLWithPath: $0) })
        #expect(problems.count == 3, "\(problems)")
    }

    @Test func buildsAreByteIdenticalWhateverTheArgumentOrder() throws {
        let examples = Paths.exampleSpecs
        let out = try TemporaryDirectory()
        let first = out.url.appendingPathComponent("first"), second = out.url.appendingPathComponent("second")
        #expect(try clusterspec(["build"] + examples + ["-o", first.path]).status == 0)
        #expect(try clusterspec(["build"] + examples.reversed() + ["-o", second.path]).status == 0)
        let firstFiles = snapshot(first), secondFiles = snapshot(second)
        #expect(!firstFiles.isEmpty)
        #expect(firstFiles == secondFiles)
        let streamA = try clusterspec(["build"] + examples + ["-o", "-"]).stdout
        let streamB = try clusterspec(["build"] + examples.reversed() + ["-o", "-"]).stdout
        #expect(!streamA.isEmpty)
        #expect(streamA == streamB)
    }

    @Test func directoryArgumentMeansItsSpecs() throws {
        let out = try TemporaryDirectory()
        let viaDirectory = out.url.appendingPathComponent("a"), viaFiles = out.url.appendingPathComponent("b")
        #expect(try clusterspec(["build", "specs", "-o", viaDirectory.path]).status == 0)
        #expect(try clusterspec(["build"] + Paths.exampleSpecs + ["-o", viaFiles.path]).status == 0)
        #expect(snapshot(viaDirectory) == snapshot(viaFiles))
    }

    @Test func stdoutStreamIsOneDocumentPerObject() throws {
        let result = try clusterspec(["build", "specs/volaticloud.cluster.yaml", "-o", "-"])
        #expect(result.status == 0)
        let documents = try Array(Yams.load_all(yaml: result.stdout)).compactMap { $0 as? [String: Any] }
        #expect(documents.map { $0["kind"] as? String ?? "" } == [
            "Namespace", "ServiceAccount", "Service", "Deployment", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Ingress",
            "NetworkPolicy", "NetworkPolicy", "NetworkPolicy", "NetworkPolicy",
        ])
        #expect(result.stderr == "clusterspec: overlays: overlays (from clusterspec.yaml)\n", "only where the overlays came from")
    }

    @Test func outputLayoutIsBaseOverlaysAndRenderedPerSystem() throws {
        let out = try TemporaryDirectory()
        #expect(try clusterspec(["build", "specs/volaticloud.cluster.yaml", "-o", out.url.appendingPathComponent("o").path]).status == 0)
        let paths = snapshot(out.url.appendingPathComponent("o")).keys.sorted()
        #expect(paths.contains("volaticloud/base/kustomization.yaml"))
        #expect(paths.contains("volaticloud/base/volaticloud/deployment-volaticloud-backend.yaml"))
        for environment in ["dev", "staging", "prod"] {
            #expect(paths.contains("volaticloud/overlays/\(environment)/kustomization.yaml"))
            #expect(paths.contains("volaticloud/rendered/\(environment).yaml"))
        }
        #expect(paths.allSatisfy { $0.hasPrefix("volaticloud/base/") || $0.hasPrefix("volaticloud/overlays/") || $0.hasPrefix("volaticloud/rendered/") })
        let withoutOverlays = try TemporaryDirectory()
        #expect(try clusterspec(["build", "specs/volaticloud.cluster.yaml", "--overlays", withoutOverlays.url.path, "-o", out.url.appendingPathComponent("b").path]).status == 0)
        #expect(snapshot(out.url.appendingPathComponent("b")).keys.allSatisfy { $0.hasPrefix("volaticloud/base/") }, "an empty overlay directory gives the base only")
    }
}

@Suite("Exit codes, atomic writes and bad input", .serialized)
struct CommandLineContractTests {
    /// Bad inputs the issue lists; each must exit 2 with a located message and write nothing.
    static let badInputs: [(name: String, bytes: Data, location: String)] = {
        var laughs = "clusterspec: v1\nname: demo\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            laughs += "l\(level): &l\(level) [\(Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", "))]\n"
        }
        var latin1 = Data("clusterspec: v1\nname: caf".utf8)
        latin1.append(0xE9)
        latin1.append(contentsOf: Array("\n".utf8))
        return [
            ("malformed", Data("clusterspec: v1\nname: [demo\n".utf8), ":3:1:"),
            ("list", Data("- clusterspec: v1\n".utf8), ":1:1:"),
            ("scalar", Data("hello\n".utf8), ":1:1:"),
            ("huge", Data(("clusterspec: v1\nname: demo\n#" + String(repeating: "x", count: 33_554_432)).utf8), ":1:1:"),
            ("deep", Data(("clusterspec: v1\nname: " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)).utf8), ":2:"),
            ("laughs", Data(laughs.utf8), ":"),
            ("latin1", latin1, ":2:10:"),
            ("badname", Data("clusterspec: v1\nname: Demo_System\n".utf8), ":2:7:"),
            ("slash", Data("clusterspec: v1\nname: ../../etc\n".utf8), ":2:7:"),
            ("dotdot", Data("clusterspec: v1\nname: demo\nnamespaces: {apps: {}}\nservices:\n  ..: {image: x:1}\n".utf8), ":5:3:"),
        ]
    }()

    @Test(arguments: badInputs.indices)
    func badInputExitsTwoWithALocatedMessageAndLeavesOutputAlone(index: Int) throws {
        let input = Self.badInputs[index]
        let dir = try TemporaryDirectory()
        let spec = try dir.write("\(input.name).cluster.yaml", input.bytes)
        let out = dir.url.appendingPathComponent("out")
        #expect(try clusterspec(["build", "specs/volaticloud.cluster.yaml", "-o", out.path]).status == 0)
        let before = snapshot(out)
        let result = try clusterspec(["build", "specs/volaticloud.cluster.yaml", spec, "-o", out.path])
        #expect(result.status == 2, "\(input.name): \(result.stderr)")
        #expect(result.stderr.contains("\(spec)\(input.location)"), "\(input.name): \(result.stderr.prefix(400))")
        #expect(result.stderr.contains("error:"))
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"))
        #expect(result.stderr.utf8.count < 20_000, "\(input.name): diagnostics should stay short")
        #expect(snapshot(out) == before, "\(input.name): output changed")
        let siblings = try FileManager.default.contentsOfDirectory(atPath: dir.url.path)
        #expect(!siblings.contains { $0.contains(".clusterspec-") }, "left a staging directory behind: \(siblings)")
    }

    @Test func missingFileIsAnInputError() throws {
        let result = try clusterspec(["build", "specs/nope.cluster.yaml", "-o", "-"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("specs/nope.cluster.yaml: no such file"))
    }

    @Test func usageErrorsExitTwoNotSixtyFour() throws {
        let result = try clusterspec(["build", "specs", "-o", "-", "--bogus"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("Unknown option '--bogus'"))
        #expect(try clusterspec(["build", "specs"]).status == 2)  // -o is required
    }

    @Test func helpDocumentsExitCodesAndExamples() throws {
        let result = try clusterspec(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("EXIT CODES"))
        #expect(result.stdout.contains("clusterspec build specs/*.cluster.yaml -o out"))
        let build = try clusterspec(["build", "--help"])
        #expect(build.status == 0)
        #expect(build.stdout.contains("EXAMPLES"))
    }

    /// Help is wrapped by ArgumentParser at 80 columns; prose written with hard line breaks comes
    /// out ragged (a short line where the next word would have fitted) and an over-long indented
    /// line wraps to the left margin. Neither may happen in any command's help.
    @Test(arguments: [[], ["build"], ["check"], ["golden"], ["golden", "check"], ["golden", "update"], ["diff"], ["rules"], ["explain"]])
    func helpTextIsWrappedByParagraph(command: [String]) throws {
        let result = try clusterspec(command + ["--help"])
        #expect(result.status == 0)
        let text = result.stdout.components(separatedBy: "\nUSAGE:").first ?? ""
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("OVERVIEW: ") && lines.allSatisfy { $0.count <= 80 }, "\(text)")
        for (line, next) in zip(lines, lines.dropFirst()) where !line.isEmpty && !next.isEmpty {
            if line.hasPrefix(" ") {
                #expect(next.hasPrefix(" "), "an indented line wrapped: '\(line)' / '\(next)'")
            } else if !next.hasPrefix(" "), let word = next.split(separator: " ").first {
                #expect(line.count + 1 + word.count >= 80, "ragged: '\(line)' is followed by '\(word)…', which fitted")
            }
        }
    }

    @Test func refusesToReplaceADirectoryItDidNotWrite() throws {
        let dir = try TemporaryDirectory()
        try dir.write("project/README.md", "precious work\n")
        let result = try clusterspec(["build", "specs/volaticloud.cluster.yaml", "-o", dir.url.appendingPathComponent("project").path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("refusing to replace a directory clusterspec did not write"))
        #expect(snapshot(dir.url.appendingPathComponent("project")) == ["README.md": Data("precious work\n".utf8)])
    }

    @Test func rebuildReplacesStaleFiles() throws {
        let dir = try TemporaryDirectory()
        let out = dir.url.appendingPathComponent("out")
        #expect(try clusterspec(["build", "specs", "-o", out.path]).status == 0)
        #expect(snapshot(out).keys.contains { $0.hasPrefix("cyoda-go/") })
        #expect(try clusterspec(["build", "specs/volaticloud.cluster.yaml", "-o", out.path]).status == 0)
        #expect(!snapshot(out).keys.contains { $0.hasPrefix("cyoda-go/") })
    }

    @Test func colourOnlyWhenAskedOrOnATerminal() throws {
        let dir = try TemporaryDirectory()
        let spec = try dir.write("bad.cluster.yaml", "clusterspec: v1\nname: demo\nbogus: 1\n")
        let plain = try clusterspec(["build", spec, "-o", "-"])
        #expect(plain.status == 2)
        #expect(!plain.stderr.contains("\u{1B}["))
        let forced = try clusterspec(["build", spec, "-o", "-", "--color", "always"])
        #expect(forced.stderr.contains("\u{1B}["))
        let never = try clusterspec(["build", spec, "-o", "-", "--color", "never"], environment: ["NO_COLOR": ""])
        #expect(!never.stderr.contains("\u{1B}["))
    }

    @Test func diagnosticsQuoteTheLineWithACaret() throws {
        let dir = try TemporaryDirectory()
        let spec = try dir.write("typo.cluster.yaml", "clusterspec: v1\nname: démo-system\nnamespacs: {}\n")
        let result = try clusterspec(["build", spec, "-o", "-"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("""
            \(spec):2:7: error: system name 'démo-system' is not valid
            """))
        #expect(result.stderr.contains("""
            \(spec):3:1: error: unknown key 'namespacs' in the spec; did you mean 'namespaces'? [unknown-key]
             3 | namespacs: {}
               | ^
            """))
    }
}

@Suite("Store settings: malformed is 2, impossible is 1", .serialized)
struct StoreExitCodeTests {
    static let header = "clusterspec: v1\nname: demo\nnamespaces:\n  data: {}\n"

    @Test(arguments: [
        ("stores:\n  etcd: {engine: etcd, members: 0}\n", "6:33", "invalid-value"),
        ("stores:\n  etcd: {engine: etcd, storage: {size: -1Gi}}\n", "6:40", "invalid-value"),
        ("stores:\n  q: {engine: kafak}\n", "6:15", "did you mean 'kafka'?"),
    ])
    func malformedExitsTwo(body: String, location: String, text: String) throws {
        let dir = try TemporaryDirectory()
        let spec = try dir.write("s.cluster.yaml", Self.header + body)
        let result = try clusterspec(["build", spec, "-o", dir.url.appendingPathComponent("out").path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(spec):\(location): error:"), "\(result.stderr)")
        #expect(result.stderr.contains(text))
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out").path))
    }

    @Test(arguments: [
        ("stores:\n  kafka: {engine: kafka, brokers: 2, replication: {factor: 3}}\n", "6:60", "kafka-replication-within-brokers"),
        ("secrets:\n  pg: {keys: [password]}\nstores:\n  pg: {engine: postgres, instances: 2, credentials: {secret: pg}}\n", "8:37", "postgres-replicas-need-ha"),
        ("stores:\n  ch: {engine: clickhouse, replicas: 2}\n", "6:38", "clickhouse-replicas-need-keeper"),
    ])
    func impossibleExitsOne(body: String, location: String, rule: String) throws {
        let dir = try TemporaryDirectory()
        let spec = try dir.write("s.cluster.yaml", Self.header + body)
        let result = try clusterspec(["build", spec, "-o", dir.url.appendingPathComponent("out").path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(spec):\(location): error:"), "\(result.stderr)")
        #expect(result.stderr.contains("[\(rule)]"))
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out").path))
    }
}
