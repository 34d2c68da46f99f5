import Foundation
import Testing
import Yams

/// The Argo CD config management plugin (integrations/argocd), played the way Argo CD plays it:
/// the generate command of plugin.yaml runs in the Application's source directory of a copy of the
/// repository, with the variables Argo CD sets for the example Application (its parameters as
/// `ARGOCD_APP_PARAMETERS` and `PARAM_<NAME>`, its plugin env as `ARGOCD_ENV_<NAME>`, the build
/// environment), and must print exactly `rendered/<env>.yaml` — or, on any failure, nothing at all
/// with a non-zero exit. The sidecar patch is applied to a fixture of the upstream repo-server
/// Deployment with real kustomize and judged by kubernetes-validate.
@Suite("Argo CD plugin")
struct ArgoCDPluginTests {
    static let directory = Paths.root.appendingPathComponent("integrations/argocd")

    /// plugin.yaml as the sidecar's argocd-cmp-server reads it.
    struct Plugin {
        var name: String
        var version: String
        var generate: [String]
        var glob: String
        var parameters: [String]

        init() throws {
            let text = try String(contentsOf: ArgoCDPluginTests.directory.appendingPathComponent("plugin.yaml"), encoding: .utf8)
            let plugin = try #require(try Yams.load(yaml: text) as? [String: Any])
            #expect(plugin["apiVersion"] as? String == "argoproj.io/v1alpha1")
            #expect(plugin["kind"] as? String == "ConfigManagementPlugin")
            let spec = try #require(plugin["spec"] as? [String: Any])
            name = try #require((plugin["metadata"] as? [String: Any])?["name"] as? String)
            version = try #require(spec["version"] as? String)
            let generate = try #require(spec["generate"] as? [String: Any])
            self.generate = try #require(generate["command"] as? [String]) + ((generate["args"] as? [String]) ?? [])
            glob = try #require(((spec["discover"] as? [String: Any])?["find"] as? [String: Any])?["glob"] as? String)
            let statics = try #require((spec["parameters"] as? [String: Any])?["static"] as? [[String: Any]])
            parameters = statics.compactMap { $0["name"] as? String }
        }
    }

    /// An Application's plugin source, as Argo CD reads it.
    struct Application {
        var name: String
        var path: String
        var plugin: String
        var parameters: [[String: Any]]
        var env: [(String, String)]

        static func example() throws -> Application {
            let text = try String(contentsOf: ArgoCDPluginTests.directory.appendingPathComponent("application.yaml"), encoding: .utf8)
            let object = try #require(try Yams.load(yaml: text) as? [String: Any])
            let source = try #require((object["spec"] as? [String: Any])?["source"] as? [String: Any])
            let plugin = try #require(source["plugin"] as? [String: Any])
            return Application(
                name: try #require((object["metadata"] as? [String: Any])?["name"] as? String),
                path: try #require(source["path"] as? String), plugin: try #require(plugin["name"] as? String),
                parameters: (plugin["parameters"] as? [[String: Any]]) ?? [],
                env: ((plugin["env"] as? [[String: Any]]) ?? []).compactMap { entry in
                    (entry["name"] as? String).flatMap { name in (entry["value"] as? String).map { (name, $0) } }
                })
        }

        /// The same Application with a parameter set to `value` (nil: removed).
        func setting(_ name: String, to value: String?) -> Application {
            var copy = self
            copy.parameters.removeAll { $0["name"] as? String == name }
            if let value { copy.parameters.append(["name": name, "string": value]) }
            return copy
        }

        /// The variables Argo CD gives the plugin's commands for this Application (its
        /// config-management-plugins guide and build-environment page): user env prefixed with
        /// ARGOCD_ENV_, parameters as JSON and as PARAM_<NAME> (arrays _<index>, maps _<KEY>),
        /// and the standard build environment.
        func variables() throws -> [String: String] {
            var variables = [
                "ARGOCD_APP_NAME": name, "ARGOCD_APP_NAMESPACE": "goverse", "ARGOCD_APP_PROJECT_NAME": "default",
                "ARGOCD_APP_REVISION": "3f2b9c1d0e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c", "ARGOCD_APP_REVISION_SHORT": "3f2b9c1",
                "ARGOCD_APP_SOURCE_PATH": path, "ARGOCD_APP_SOURCE_REPO_URL": "https://github.com/acme/platform.git",
                "ARGOCD_APP_SOURCE_TARGET_REVISION": "main", "KUBE_VERSION": "1.33.0",
                "KUBE_API_VERSIONS": "v1,apps/v1,batch/v1,policy/v1,networking.k8s.io/v1,autoscaling/v2",
            ]
            for (name, value) in env { variables["ARGOCD_ENV_" + name] = value }
            if !parameters.isEmpty {
                let json = try JSONSerialization.data(withJSONObject: parameters, options: [.sortedKeys])
                variables["ARGOCD_APP_PARAMETERS"] = String(decoding: json, as: UTF8.self)
            }
            for parameter in parameters {
                guard let name = parameter["name"] as? String else { continue }
                let key = "PARAM_" + Self.sanitized(name)
                if let value = parameter["string"] as? String { variables[key] = value }
                for (index, value) in ((parameter["array"] as? [String]) ?? []).enumerated() { variables["\(key)_\(index)"] = value }
                for (mapKey, value) in (parameter["map"] as? [String: String]) ?? [:] { variables["\(key)_\(Self.sanitized(mapKey))"] = value }
            }
            return variables
        }

        static func sanitized(_ name: String) -> String {
            String(name.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        }
    }

    /// A copy of the repository, as the repo-server streams it to the sidecar.
    final class Repository {
        let directory: TemporaryDirectory
        var root: URL { directory.url }

        init(_ directory: TemporaryDirectory) { self.directory = directory }

        /// A copy of this repository's project.
        convenience init() throws {
            let directory = try TemporaryDirectory()
            try copyProject(to: directory.url)
            self.init(directory)
        }
    }

    /// Runs the plugin's generate command for `application` in `repository`: found on PATH like
    /// the sidecar's /usr/local/bin, with only the variables Argo CD sets.
    static func generate(_ application: Application, in repository: Repository, extra: [String: String] = [:]) throws -> RunResult {
        let plugin = try Plugin()
        let bin = try BinDirectory()
        var environment = try application.variables()
        environment["PATH"] = bin.path
        environment["HOME"] = repository.root.path
        for (key, value) in extra { environment[key] = value }
        let directory = repository.root.appendingPathComponent(application.path)
        let before = snapshot(repository.root)
        let result = try run(URL(fileURLWithPath: "/usr/bin/env"), plugin.generate, in: directory, environment: environment, inheriting: false)
        #expect(snapshot(repository.root) == before, "the plugin wrote into the application's repository")
        return result
    }

    /// A failure: non-zero exit, nothing on stdout, the reason on stderr.
    static func expectFailure(_ result: RunResult, mentioning fragment: String, _ comment: String) {
        #expect(result.status != 0, "\(comment): exited 0")
        #expect(result.stdout.isEmpty, "\(comment): printed on stdout:\n\(result.stdout.prefix(500))")
        #expect(result.stderr.contains(fragment), "\(comment): stderr lacks '\(fragment)':\n\(result.stderr)")
    }

    @Test func theExampleApplicationNamesThePluginAndItsParameters() throws {
        let plugin = try Plugin()
        let application = try Application.example()
        #expect(application.plugin == "\(plugin.name)-\(plugin.version)", "a versioned plugin is named <name>-<version>")
        #expect(plugin.parameters == ["environment", "spec"])
        for parameter in application.parameters {
            #expect(plugin.parameters.contains(parameter["name"] as? String ?? ""), "\(parameter) is not announced")
        }
        #expect(plugin.generate.first == "clusterspec")
    }

    @Test(.needsJudges) func discoveryMatchesAProjectAndNothingElse() throws {
        let plugin = try Plugin()
        let repository = try Repository()
        let plain = try TemporaryDirectory()
        try plain.write("kustomization.yaml", "resources: [deployment.yaml]\n")
        // Argo CD matches find.glob with doublestar; Python's recursive glob has the same `**` meaning.
        let script = "import glob, sys; print(len(glob.glob(sys.argv[1], root_dir=sys.argv[2], recursive=True)))"
        let matches = try run(Judges.python, ["-c", script, plugin.glob, repository.root.path])
        #expect(matches.status == 0 && (Int(matches.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) == Paths.exampleSpecs.count, "\(matches)")
        let none = try run(Judges.python, ["-c", script, plugin.glob, plain.url.path])
        #expect(none.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test func generatePrintsEachEnvironmentExactlyAsRendered() throws {
        let repository = try Repository()
        let example = try Application.example()
        for environment in ["dev", "staging", "prod"] {
            let application = example.setting("environment", to: environment)
            let result = try Self.generate(application, in: repository)
            #expect(result.status == 0, "\(environment): \(result.stderr)")
            let rendered = try String(contentsOf: repository.root.appendingPathComponent("golden/goverse/rendered/\(environment).yaml"), encoding: .utf8)
            #expect(result.stdout == rendered, "\(environment): stdout differs from golden/goverse/rendered/\(environment).yaml")
            let objects = try yamlDocuments(result.stdout)
            #expect(!objects.isEmpty && objects.allSatisfy { $0["apiVersion"] is String && $0["kind"] is String && ($0["metadata"] as? [String: Any])?["name"] is String },
                    "\(environment): stdout holds something other than Kubernetes objects")
            #expect(!result.stderr.contains("error"), "\(environment): \(result.stderr)")
        }
    }

    @Test func withoutASpecEverySystemOfTheProjectIsPrinted() throws {
        let repository = try Repository()
        let result = try Self.generate(try Application.example().setting("spec", to: nil), in: repository)
        #expect(result.status == 0, "\(result.stderr)")
        let systems = Paths.exampleSpecs.map { URL(fileURLWithPath: $0).lastPathComponent.replacingOccurrences(of: ".cluster.yaml", with: "") }.sorted()
        let expected = try systems.map { try String(contentsOf: repository.root.appendingPathComponent("golden/\($0)/rendered/prod.yaml"), encoding: .utf8) }.joined()
        #expect(result.stdout == expected, "the project's systems, each as rendered/prod.yaml, in name order")
    }

    @Test func theEnvironmentMayComeFromPluginEnv() throws {
        let repository = try Repository()
        var application = try Application.example().setting("environment", to: nil)
        application.env = [("CLUSTERSPEC_ENVIRONMENT", "staging")]
        let result = try Self.generate(application, in: repository)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == (try String(contentsOf: repository.root.appendingPathComponent("golden/goverse/rendered/staging.yaml"), encoding: .utf8)))
        // PARAM_<NAME> alone (no ARGOCD_APP_PARAMETERS) is read too.
        let viaParam = try Self.generate(try Application.example().setting("spec", to: nil).setting("environment", to: nil), in: repository,
                                         extra: ["PARAM_ENVIRONMENT": "dev", "PARAM_SPEC": "specs/goverse.cluster.yaml"])
        #expect(viaParam.status == 0, "\(viaParam.stderr)")
        #expect(viaParam.stdout == (try String(contentsOf: repository.root.appendingPathComponent("golden/goverse/rendered/dev.yaml"), encoding: .utf8)))
    }

    @Test func unusableRequestsFailWithNothingOnStdout() throws {
        let repository = try Repository()
        let example = try Application.example()
        Self.expectFailure(try Self.generate(example.setting("environment", to: "qa"), in: repository),
                           mentioning: "has no environment 'qa'", "unknown environment")
        Self.expectFailure(try Self.generate(example.setting("environment", to: nil), in: repository),
                           mentioning: "no environment", "no environment")
        var conflicting = example
        conflicting.env = [("CLUSTERSPEC_ENVIRONMENT", "staging")]
        Self.expectFailure(try Self.generate(conflicting, in: repository), mentioning: "set one of them", "parameter and env disagree")
        var unknown = example
        unknown.parameters.append(["name": "values-files", "array": ["values-dev.yaml"]])
        Self.expectFailure(try Self.generate(unknown, in: repository), mentioning: "unknown plugin parameter 'values-files'", "unknown parameter")
        Self.expectFailure(try Self.generate(example.setting("spec", to: "../outside.cluster.yaml"), in: repository),
                           mentioning: "inside the application directory", "spec outside the application")
        Self.expectFailure(try Self.generate(example.setting("spec", to: "specs/missing.cluster.yaml"), in: repository),
                           mentioning: "specs/missing.cluster.yaml", "missing spec")
    }

    @Test func aBrokenSpecFailsWithItsLocationOnStderr() throws {
        let repository = try Repository()
        let spec = repository.root.appendingPathComponent("specs/goverse.cluster.yaml")
        let text = try String(contentsOf: spec, encoding: .utf8)
        try Data((text + "bogus-key: 1\n").utf8).write(to: spec)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).count
        Self.expectFailure(try Self.generate(try Application.example(), in: repository),
                           mentioning: "specs/goverse.cluster.yaml:\(line):1", "unknown key in the spec")
    }

    @Test func ruleErrorsAndEmptyEnvironmentsFailWarningsGoToStderr() throws {
        let repository = try TemporaryDirectory()
        try repository.write("clusterspec.yaml", "clusterspec: v1\n")
        try repository.write("specs/demo.cluster.yaml", """
            clusterspec: v1
            name: demo
            namespaces: {demo: {}}
            services:
              web:
                namespace: demo
                image: ghcr.io/acme/web:1.0.0
                ports: {http: 8080}
                health: {liveness: /live, readiness: /ready}
                resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {cpu: 200m, memory: 128Mi}}
            stores:
              etcd:
                engine: etcd
                namespace: demo
                version: v3.5.17
                storage: {size: 1Gi}
                resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {cpu: "1", memory: 512Mi}}

            """)
        try repository.write("overlays/demo/dev.yaml", "clusterspec: v1\noverlay: {spec: demo, environment: dev}\n")
        try repository.write("overlays/demo/broken.yaml", "clusterspec: v1\noverlay: {spec: demo, environment: broken}\nstores:\n  etcd: {pdb: {maxUnavailable: 2}}\n")
        try repository.write("specs/empty.cluster.yaml", "clusterspec: v1\nname: empty\n")
        try repository.write("overlays/empty/dev.yaml", "clusterspec: v1\noverlay: {spec: empty, environment: dev}\n")
        let project = Repository(repository)
        let base = Application(name: "demo", path: ".", plugin: "clusterspec-v1", parameters: [], env: [])

        let warned = try Self.generate(base.setting("environment", to: "dev").setting("spec", to: "specs/demo.cluster.yaml"), in: project)
        #expect(warned.status == 0, "\(warned.stderr)")
        #expect(warned.stderr.contains("warning:"), "the single-replica service warns on stderr: \(warned.stderr)")
        #expect(!warned.stdout.contains("warning"), "warnings stay off stdout")
        #expect(try yamlDocuments(warned.stdout).allSatisfy { $0["kind"] is String })

        let failed = try Self.generate(base.setting("environment", to: "broken").setting("spec", to: "specs/demo.cluster.yaml"), in: project)
        Self.expectFailure(failed, mentioning: "pdb-keeps-quorum", "a rule error")
        #expect(failed.status == 1)

        let empty = try Self.generate(base.setting("environment", to: "dev").setting("spec", to: "specs/empty.cluster.yaml"), in: project)
        Self.expectFailure(empty, mentioning: "has no objects", "an environment without objects")
    }

    /// integrations/argocd/kustomization.yaml, with the upstream install manifests replaced by the
    /// fixture of their repo-server Deployment, built by real kustomize.
    @Test(.needsJudges) func theRepoServerPatchAddsAValidSidecar() throws {
        let work = try TemporaryDirectory()
        let fixture = Paths.root.appendingPathComponent("Tests/ClusterSpecTests/Fixtures/argocd/argocd-repo-server-deployment.yaml")
        try FileManager.default.copyItem(at: fixture, to: work.url.appendingPathComponent("argocd-repo-server-deployment.yaml"))
        try FileManager.default.copyItem(at: Self.directory.appendingPathComponent("repo-server-patch.yaml"),
                                         to: work.url.appendingPathComponent("repo-server-patch.yaml"))
        let kustomization = try String(contentsOf: Self.directory.appendingPathComponent("kustomization.yaml"), encoding: .utf8)
        let upstream = "https://raw.githubusercontent.com/argoproj/argo-cd/stable/manifests/install.yaml"
        #expect(kustomization.contains(upstream))
        try work.write("kustomization.yaml", kustomization.replacingOccurrences(of: upstream, with: "argocd-repo-server-deployment.yaml"))

        let built = try Judges.kustomizeBuild(work.url)
        try #require(built.status == 0, "\(built.stderr)")
        let output = try work.write("built.yaml", built.stdout)
        let validation = try run(Judges.tool("kubernetes-validate"), ["--strict", "--quiet", output])
        #expect(validation.status == 0 && !validation.stdout.contains("ERROR"), "\(validation.stdout)\(validation.stderr)")

        let deployment = try #require(try yamlDocuments(built.stdout).first)
        #expect((deployment["metadata"] as? [String: Any])?["namespace"] as? String == "argocd")
        let pod = try #require(((deployment["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])
        let containers = try #require(pod["containers"] as? [[String: Any]])
        let volumes = Set(((pod["volumes"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String })
        #expect(Set(containers.compactMap { $0["name"] as? String }) == ["argocd-repo-server", "clusterspec"], "the upstream container stays")
        #expect(((pod["initContainers"] as? [[String: Any]]) ?? []).contains { $0["name"] as? String == "copyutil" })
        for container in containers + ((pod["initContainers"] as? [[String: Any]]) ?? []) {
            for mount in (container["volumeMounts"] as? [[String: Any]]) ?? [] {
                #expect(volumes.contains(mount["name"] as? String ?? ""), "\(container["name"] ?? ""): mount \(mount) names no volume")
            }
        }
        let sidecar = try #require(containers.first { $0["name"] as? String == "clusterspec" })
        #expect(sidecar["command"] as? [String] == ["/var/run/argocd/argocd-cmp-server"], "Argo CD's cmp server is the entrypoint")
        #expect((sidecar["securityContext"] as? [String: Any])?["runAsUser"] as? Int == 999)
        let mounts = Dictionary(((sidecar["volumeMounts"] as? [[String: Any]]) ?? []).compactMap { mount in
            (mount["mountPath"] as? String).map { ($0, mount["name"] as? String ?? "") }
        }, uniquingKeysWith: { first, _ in first })
        #expect(mounts["/var/run/argocd"] == "var-files")
        #expect(mounts["/home/argocd/cmp-server/plugins"] == "plugins")
        #expect(mounts["/tmp"] != nil && mounts["/tmp"] != "tmp", "the sidecar has its own /tmp, not the repo-server's")
    }

    /// The image recipe cannot be built here (no Docker engine); what it puts where is checked
    /// against what Argo CD and plugin.yaml expect.
    @Test func theImageRecipePutsThePluginWhereArgoCDLooks() throws {
        let recipe = try String(contentsOf: Self.directory.appendingPathComponent("Dockerfile"), encoding: .utf8)
        let instructions = recipe.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        let copies = instructions.filter { $0.hasPrefix("COPY ") }.map { $0.split(separator: " ").map(String.init) }
        #expect(copies.contains(["COPY", "plugin.yaml", "/home/argocd/cmp-server/config/plugin.yaml"]))
        let plugin = try Plugin()
        #expect(copies.contains(["COPY", "clusterspec", "/usr/local/bin/\(plugin.generate[0])"]), "the generate command's binary is on the image's PATH")
        #expect(instructions.last == "USER 999")
        // Debian 12 has glibc 2.36 and libstdc++ from GCC 12: enough for the shipped binary.
        #expect(instructions.first == "FROM gcr.io/distroless/cc-debian12:nonroot")
        #expect(StaticBinaryTests.minimumGlibc <= (2, 36))
        #expect(recipe.contains("install -m755 \"$(scripts/release)\" integrations/argocd/clusterspec"))
        let ignored = try String(contentsOf: Paths.root.appendingPathComponent(".gitignore"), encoding: .utf8)
        #expect(ignored.contains("/integrations/argocd/clusterspec"), "the copied binary is never committed")
    }
}
