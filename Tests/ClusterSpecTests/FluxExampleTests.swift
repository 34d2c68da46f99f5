import Foundation
import Testing

/// The Flux example (integrations/flux): built with real kustomize as Flux's own Kustomization
/// would apply it, its objects valid by Flux's CRD schemas kept as test data (Fixtures/flux-schemas,
/// from datreeio/CRDs-catalog), and every Kustomization's path built with real kustomize
/// from the GitRepository's contents into exactly the environment's rendered/<env>.yaml.
@Suite("Flux example", .enabled(if: Judges.available, "needs the Python judges: run scripts/test"))
struct FluxExampleTests {
    static let example = Paths.root.appendingPathComponent("integrations/flux")
    static let schemas = Paths.root.appendingPathComponent("Tests/ClusterSpecTests/Fixtures/flux-schemas")

    /// The example's objects, as kustomize builds its kustomization.yaml.
    static func objects() throws -> [[String: Any]] {
        let built = try Judges.kustomizeBuild(example)
        try #require(built.status == 0, "\(built.stderr)")
        return try yamlDocuments(built.stdout)
    }

    /// The schema file of an object (`<group>/<kind>_<version>.json`).
    static func schema(of object: [String: Any]) -> URL? {
        guard let apiVersion = object["apiVersion"] as? String, let kind = object["kind"] as? String else { return nil }
        let parts = apiVersion.split(separator: "/")
        guard parts.count == 2 else { return nil }
        let url = schemas.appendingPathComponent("\(parts[0])/\(kind.lowercased())_\(parts[1]).json")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// check-jsonschema's verdict on `objects` (as JSON files) against `schema`.
    static func validate(_ objects: [[String: Any]], against schema: URL) throws -> RunResult {
        let directory = try TemporaryDirectory()
        var files: [String] = []
        for (index, object) in objects.enumerated() {
            files.append(try directory.write("object-\(index).json", try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])))
        }
        return try run(Judges.tool("check-jsonschema"), ["--schemafile", schema.path] + files)
    }

    static func name(_ object: [String: Any]) -> String { (object["metadata"] as? [String: Any])?["name"] as? String ?? "" }
    static func spec(_ object: [String: Any]) -> [String: Any] { object["spec"] as? [String: Any] ?? [:] }

    @Test func everyObjectIsValidByFluxsSchema() throws {
        let objects = try Self.objects()
        #expect(Set(objects.compactMap { $0["kind"] as? String }) == ["GitRepository", "Kustomization"])
        for object in objects {
            let schema = try #require(Self.schema(of: object), "no Flux schema for \(object["kind"] ?? "") \(object["apiVersion"] ?? "")")
            let result = try Self.validate([object], against: schema)
            #expect(result.status == 0, "\(Self.name(object)): \(result.stdout)\(result.stderr)")
        }
    }

    /// The schemas are not vacuous: each rejects what Flux's API rejects.
    @Test func theSchemasRejectBrokenObjects() throws {
        let objects = try Self.objects()
        let kustomization = try #require(objects.first { $0["kind"] as? String == "Kustomization" })
        let repository = try #require(objects.first { $0["kind"] as? String == "GitRepository" })
        func with(_ object: [String: Any], _ change: (inout [String: Any]) -> Void) -> [String: Any] {
            var spec = Self.spec(object)
            change(&spec)
            var copy = object
            copy["spec"] = spec
            return copy
        }
        let broken: [(String, [String: Any])] = [
            ("Kustomization without prune", with(kustomization) { $0["prune"] = nil }),
            ("Kustomization without sourceRef", with(kustomization) { $0["sourceRef"] = nil }),
            ("sourceRef of an unknown kind", with(kustomization) { $0["sourceRef"] = ["kind": "HelmRepository", "name": "platform"] }),
            ("interval that is not a duration", with(kustomization) { $0["interval"] = "ten minutes" }),
            ("misspelt field", with(kustomization) { $0["dependOn"] = [["name": "x"]] }),
            ("dependsOn entry without a name", with(kustomization) { $0["dependsOn"] = [["namespace": "flux-system"]] }),
            ("GitRepository without url", with(repository) { $0["url"] = nil }),
            ("GitRepository with an scp-like url", with(repository) { $0["url"] = "git@github.com:acme/platform.git" }),
            ("GitRepository ref with a typo", with(repository) { $0["ref"] = ["brnach": "main"] }),
        ]
        for (what, object) in broken {
            let result = try Self.validate([object], against: try #require(Self.schema(of: object)))
            #expect(result.status != 0, "\(what) was accepted")
        }
    }

    /// Each Kustomization names the example's GitRepository and a path that real kustomize builds,
    /// from the repository's files, into exactly the environment's rendered output.
    @Test func everyKustomizationBuildsItsEnvironment() throws {
        let objects = try Self.objects()
        let repositories = objects.filter { $0["kind"] as? String == "GitRepository" }.map(Self.name)
        let kustomizations = objects.filter { $0["kind"] as? String == "Kustomization" }
        var environments: [String] = []
        for kustomization in kustomizations {
            let spec = Self.spec(kustomization)
            let source = try #require(spec["sourceRef"] as? [String: Any])
            #expect(source["kind"] as? String == "GitRepository" && repositories.contains(source["name"] as? String ?? ""),
                    "\(Self.name(kustomization)): its source is not the example's GitRepository")
            let path = try #require(spec["path"] as? String)
            let parts = path.split(separator: "/").map(String.init)
            try #require(parts.count == 5 && parts[0] == "." && parts[1] == "golden" && parts[3] == "overlays", "\(path): not ./golden/<system>/overlays/<env>")
            let built = try Judges.kustomizeBuild(Paths.root.appendingPathComponent(path))
            try #require(built.status == 0, "\(path): \(built.stderr)")
            let rendered = try String(contentsOf: Paths.root.appendingPathComponent("golden/\(parts[2])/rendered/\(parts[4]).yaml"), encoding: .utf8)
            let builtObjects = try yamlDocuments(built.stdout), renderedObjects = try yamlDocuments(rendered)
            #expect(builtObjects.count == renderedObjects.count && !builtObjects.isEmpty, "\(path)")
            #expect(NSArray(array: builtObjects).isEqual(to: renderedObjects), "\(path): kustomize build differs from rendered/\(parts[4]).yaml")
            #expect(Self.name(kustomization) == "\(parts[2])-\(parts[4])")
            environments.append(parts[4])
        }
        // One Kustomization per environment of the system.
        let overlays = try FileManager.default.contentsOfDirectory(atPath: Paths.root.appendingPathComponent("overlays/platform-kernel").path)
        #expect(environments.sorted() == overlays.map { $0.replacingOccurrences(of: ".yaml", with: "") }.sorted())
    }

    /// dependsOn names Kustomizations of the example, in one order without cycles, and each layered
    /// environment applies after the one it layers on.
    @Test func dependsOnOrdersThePromotion() throws {
        let kustomizations = try Self.objects().filter { $0["kind"] as? String == "Kustomization" }
        let names = Set(kustomizations.map(Self.name))
        var dependencies: [String: [String]] = [:]
        for kustomization in kustomizations {
            let entries = (Self.spec(kustomization)["dependsOn"] as? [[String: Any]]) ?? []
            dependencies[Self.name(kustomization)] = entries.compactMap { $0["name"] as? String }
            for dependency in dependencies[Self.name(kustomization)] ?? [] {
                #expect(names.contains(dependency), "\(Self.name(kustomization)) depends on \(dependency), which the example does not define")
            }
            #expect(Self.spec(kustomization)["wait"] as? Bool == true, "\(Self.name(kustomization)): Ready must mean healthy for dependsOn to gate")
        }
        var order: [String] = []
        var remaining = dependencies
        while let next = remaining.keys.sorted().first(where: { remaining[$0, default: []].allSatisfy(order.contains) }) {
            order.append(next)
            remaining[next] = nil
        }
        #expect(remaining.isEmpty, "a dependsOn cycle among \(remaining.keys.sorted())")
        #expect(order == ["platform-kernel-dev", "platform-kernel-staging", "platform-kernel-prod", "platform-kernel-prod-eu"], "\(order)")
        let prodEU = try String(contentsOf: Paths.root.appendingPathComponent("overlays/platform-kernel/prod-eu.yaml"), encoding: .utf8)
        #expect(prodEU.contains("parent: prod") && dependencies["platform-kernel-prod-eu"] == ["platform-kernel-prod"])
    }
}
