import ClusterSpec
import Foundation
import ManifestEmission
import Testing

/// Every example spec and overlay, compiled with the documents `ManifestWriter` writes counted.
private func compileExamples(_ options: CompileOptions = CompileOptions(today: CompileOptions.date("2026-11-21")!)) -> Compilation {
    func files(_ directory: String, suffix: String) -> [String] {
        let root = Paths.root.appendingPathComponent(directory)
        let names = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { root.appendingPathComponent($0).path }
    }
    return Compiler.compile(specPaths: files("specs", suffix: ".cluster.yaml"), overlayPaths: files("overlays", suffix: ".yaml"),
                            completeSpecSet: true, options: options)
}

@Suite("Each object is written once, and only when files are asked for")
struct SerialisationTests {
    @Test func checkWritesNoYAML() {
        let counter = DocumentCounter()
        ManifestWriter.$documentsWritten.withValue(counter) {
            let compilation = compileExamples()
            _ = Checking.report(compilation, files: [], policy: try! FailPolicy.parse([]).get())
        }
        #expect(counter.count == 0)
    }

    @Test func buildWritesEachDistinctObjectOnce() throws {
        let compilation = compileExamples()
        let counter = DocumentCounter()
        let tree = ManifestWriter.$documentsWritten.withValue(counter) { compilation.tree }
        // What must be written: every base object, every environment object that differs from its
        // parent's (or that the parent lacks), every patch and every kustomization.yaml.
        var distinctObjects = 0
        for system in compilation.systems {
            distinctObjects += system.resources.count
            for environment in system.environments {
                let parent = environment.parent.flatMap { name in system.environments.first { $0.name == name }?.resources } ?? system.resources
                let before = Dictionary(parent.map { ($0.id, $0.body) }, uniquingKeysWith: { first, _ in first })
                distinctObjects += environment.resources.filter { before[$0.id] != $0.body }.count
            }
        }
        let patchesAndKustomizations = tree.paths.filter { $0.contains("/patches/") || $0.hasSuffix("/kustomization.yaml") }.count
        #expect(distinctObjects > 0 && patchesAndKustomizations > 0)
        #expect(counter.count == distinctObjects + patchesAndKustomizations)
    }

    /// The rendered stream holds exactly the base's text for an object an environment leaves alone.
    @Test func renderedEnvironmentsReuseTheBaseText() throws {
        let compilation = compileExamples()
        let tree = compilation.tree
        for system in compilation.systems {
            for environment in system.environments where environment.parent == nil {
                let rendered = try #require(tree["\(system.name)/rendered/\(environment.name).yaml"])
                let documents = rendered.components(separatedBy: "---\n").dropFirst()
                #expect(documents.count == environment.resources.count)
                let base = Dictionary(system.resources.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                for (resource, text) in zip(environment.resources, documents) where base[resource.id]?.body == resource.body {
                    #expect(tree["\(system.name)/base/\(resource.fileName)"] == text, "\(system.name)/\(environment.name): \(resource.id)")
                }
            }
        }
    }
}
