import Foundation
import SpecModel

/// `clusterspec init`: the files a new system starts from — a spec with the schema modeline, dev
/// and prod overlays, the project file when there is none, the schemas the modelines point at —
/// and a README snippet. `check` passes on them as written (an end-to-end test runs init, check
/// and build).
public struct Scaffold: Sendable {
    /// Files to create, by path relative to the working directory.
    public var files: [(path: String, text: String)]
    /// Markdown for the project's README: how to check and build the new system.
    public var readmeSnippet: String

    /// A valid system name from a directory name (`My Shop` → `my-shop`), or nil.
    public static func systemName(fromDirectory name: String) -> String? {
        var result = ""
        for scalar in name.lowercased().unicodeScalars {
            let isWordCharacter = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            if isWordCharacter { result.unicodeScalars.append(scalar) } else if !result.hasSuffix("-") { result += "-" }
        }
        let trimmed = String(result.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(40))
        return KubernetesName.isDNSLabel(trimmed) ? trimmed : nil
    }

    /// The scaffold of system `name` in the project that `workingDirectory` is in (or a new one
    /// there). Throws when `name` is not a DNS label or a file it would write exists.
    public static func plan(name: String, workingDirectory: String = FileManager.default.currentDirectoryPath) throws(FileError) -> Scaffold {
        guard KubernetesName.isDNSLabel(name), name.first?.isLetter == true else {
            throw FileError("'\(name)' is not a valid system name: expected a DNS-1123 label starting with a letter (lowercase letters, digits, '-')")
        }
        var files: [(path: String, text: String)] = []
        let root: String, specs: String, overlays: String
        if let projectFile = Project.findFile(from: workingDirectory) {
            let project: Project
            do {
                project = try Project.load(file: projectFile)
            } catch {
                throw FileError("\(projectFile): cannot be read: \(error.diagnostics.map(\.message).joined(separator: "; "))")
            }
            root = ProjectPaths.parent(projectFile)
            specs = ProjectPaths.absolute(project.specs)
            overlays = ProjectPaths.absolute(project.overlays)
        } else {
            root = ProjectPaths.absolute(workingDirectory)
            specs = ProjectPaths.join(root, Project.defaultSpecs)
            overlays = ProjectPaths.join(root, Project.defaultOverlays)
            files.append((ProjectPaths.join(root, Project.fileName), projectFile(schemaModeline: modeline(.project, at: root, root: root))))
        }
        let specDirectory = specs
        let overlayDirectory = ProjectPaths.join(overlays, name)
        files.append((ProjectPaths.join(specDirectory, "\(name)\(SpecFiles.suffix)"), spec(name, modeline: modeline(.spec, at: specDirectory, root: root))))
        for environment in ["dev", "prod"] {
            files.append((ProjectPaths.join(overlayDirectory, "\(environment).yaml"),
                          overlay(name, environment: environment, modeline: modeline(.overlay, at: overlayDirectory, root: root))))
        }
        for existing in files.map(\.path) where FileManager.default.fileExists(atPath: existing) {
            throw FileError("\(relative(existing, to: workingDirectory)): exists already; init writes only new files")
        }
        let schemaDirectory = ProjectPaths.join(root, SpecSchema.directory)
        for schema in SpecSchema.files.paths {
            let path = ProjectPaths.join(schemaDirectory, schema)
            if !FileManager.default.fileExists(atPath: path) { files.append((path, SpecSchema.files[schema] ?? "")) }
        }
        let specPath = relative(ProjectPaths.join(specDirectory, "\(name)\(SpecFiles.suffix)"), to: workingDirectory)
        return Scaffold(files: files.map { (relative($0.path, to: workingDirectory), $0.text) },
                        readmeSnippet: readme(name, specPath: specPath, specDirectory: relative(specDirectory, to: workingDirectory)))
    }

    /// Writes the files, creating directories; nothing is overwritten.
    public func write() throws(FileError) {
        for file in files {
            let url = URL(fileURLWithPath: file.path)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw FileError("\(file.path): cannot create its directory (\(error.localizedDescription))")
            }
            try ReportFiles.write(file.text, to: file.path)
        }
    }

    private static func modeline(_ kind: SpecSchema.Kind, at directory: String, root: String) -> String {
        "# yaml-language-server: $schema=\(relative(ProjectPaths.join(ProjectPaths.join(root, SpecSchema.directory), kind.fileName), to: directory))"
    }

    /// `path` relative to `directory` (both absolute or both relative to the working directory).
    static func relative(_ path: String, to directory: String) -> String {
        ProjectPaths.relative(ProjectPaths.absolute(path), from: ProjectPaths.absolute(directory))
    }

    private static func projectFile(schemaModeline: String) -> String {
        """
        \(schemaModeline)
        # The project file: where clusterspec finds the specs, their overlays and the committed output.
        clusterspec: v1
        specs: \(Project.defaultSpecs)
        overlays: \(Project.defaultOverlays)
        golden: \(Project.defaultGolden)

        """
    }

    private static func spec(_ name: String, modeline: String) -> String {
        """
        \(modeline)
        # \(name): one web service to start from. `clusterspec check` checks it; `clusterspec build` compiles it.
        clusterspec: v1
        name: \(name)
        defaults: {namespace: \(name), runAsUser: 10001}
        namespaces:
          \(name): {}                        # Pod Security Admission "restricted"
        services:
          web:                               # a Deployment, Service and PodDisruptionBudget
            image: ghcr.io/example/\(name)/web:0.1.0   # pinned: replace with your image and tag
            replicas: 2
            ports: {http: 8080}
            health: {liveness: /healthz, readiness: /readyz}
            resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 500m, memory: 128Mi}}

        """
    }

    private static func overlay(_ name: String, environment: String, modeline: String) -> String {
        let replicas = environment == "dev" ? 1 : 3
        return """
        \(modeline)
        # \(name) in \(environment): only what differs from the spec.
        clusterspec: v1
        overlay: {spec: \(name), environment: \(environment)}
        services:
          web: {replicas: \(replicas)}

        """
    }

    private static func readme(_ name: String, specPath: String, specDirectory: String) -> String {
        """
        ## \(name)

        `\(specPath)` describes the system; `overlays/\(name)/dev.yaml` and `prod.yaml` change what
        differs per environment. Check it and compile it into Kubernetes manifests:

        ```sh
        clusterspec check \(specPath)
        clusterspec build \(specDirectory) -o out
        ```

        """
    }
}
