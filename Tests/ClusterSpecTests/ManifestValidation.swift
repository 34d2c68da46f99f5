import Foundation
import Testing
import Yams

/// Independent judges of emitted manifests: `kubernetes-validate --strict` for built-in kinds and
/// `check-jsonschema` against the vendored CRD schemas (Fixtures/crd-schemas, strict: unknown
/// fields fail) for custom resources. A custom kind without a vendored schema is itself a failure.
enum ManifestValidation {
    static let schemas = Paths.root.appendingPathComponent("Tests/ClusterSpecTests/Fixtures/crd-schemas")

    /// Problems found in the YAML files (one object each); empty when all are valid.
    static func problems(in files: [URL]) throws -> [String] {
        var problems: [String] = []
        var core: [URL] = []
        var custom: [String: [URL]] = [:]
        // Streams (rendered/<env>.yaml) are split into one file per object for the validators.
        let split = try TemporaryDirectory()
        var documents: [URL] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let parts = text.components(separatedBy: "---\n").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
            if parts.count <= 1 {
                documents.append(file)
            } else {
                for (index, part) in parts.enumerated() {
                    documents.append(URL(fileURLWithPath: try split.write("\(documents.count)-\(index)-\(file.lastPathComponent)", part)))
                }
            }
        }
        for file in documents {
            let text = try String(contentsOf: file, encoding: .utf8)
            guard let object = try Yams.load(yaml: text) as? [String: Any],
                  let apiVersion = object["apiVersion"] as? String, let kind = object["kind"] as? String else {
                problems.append("\(file.path): not a Kubernetes object")
                continue
            }
            let parts = apiVersion.split(separator: "/")
            if parts.count == 2, parts[0].contains("."), !parts[0].hasSuffix(".k8s.io") {
                let schema = schemas.appendingPathComponent("\(parts[0])/\(kind.lowercased())_\(parts[1]).json")
                if FileManager.default.fileExists(atPath: schema.path) {
                    custom[schema.path, default: []].append(file)
                } else {
                    problems.append("\(file.path): no vendored schema for \(kind) \(apiVersion)")
                }
            } else {
                core.append(file)
            }
        }
        if !core.isEmpty {
            let result = try run(Judges.tool("kubernetes-validate"), ["--strict", "--quiet"] + core.map(\.path))
            if result.status != 0 || result.stdout.contains("ERROR") { problems.append(result.stdout + result.stderr) }
        }
        for (schema, group) in custom.sorted(by: { $0.key < $1.key }) {
            let result = try run(Judges.tool("check-jsonschema"), ["--schemafile", schema] + group.map(\.path))
            if result.status != 0 { problems.append(result.stdout + result.stderr) }
        }
        withExtendedLifetime(split) {}
        return problems
    }

    /// Every object file under an output tree (kustomization files and patches excluded; rendered
    /// streams included).
    static func manifestFiles(under directory: URL) -> [URL] {
        snapshot(directory).keys.filter { $0.hasSuffix(".yaml") && !$0.hasSuffix("kustomization.yaml") && !$0.contains("/patches/") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }
}
