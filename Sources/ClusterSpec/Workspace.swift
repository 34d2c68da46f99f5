import Foundation
import SpecModel

/// What a command compiles: spec files, the overlay files that go with them, and how the
/// overlays were found (one line per overlay directory, for stderr).
public struct Workspace: Sendable {
    public var specs: [String]
    public var overlays: [String]
    /// True when the specs are their project's whole spec directory, so an overlay naming a
    /// system that is not among them is a mistake rather than an overlay for another run.
    public var completeSpecSet: Bool
    /// The projects the specs belong to, without repeats, in argument order.
    public var projects: [Project]
    /// How each overlay directory was chosen, or that none was found.
    public var overlaySources: [OverlaySource]

    /// Resolves spec arguments (files, or directories standing for the `*.cluster.yaml` files
    /// directly inside them). Overlays come from `overlays` when given, else from each spec's
    /// project (see `Project.containing(specPath:)`).
    public static func resolve(specArguments arguments: [String], overlays given: String? = nil) throws(ProjectError) -> Workspace {
        let specs: [String]
        do {
            specs = try SpecFiles.expand(arguments)
        } catch {
            throw ProjectError(error.description, id: "file-unreadable")
        }
        var projects: [Project] = []
        for argument in arguments {
            let project = try Project.containing(specPath: argument)
            if !projects.contains(project) { projects.append(project) }
        }
        let complete = arguments.contains { argument in
            ProjectPaths.isDirectory(argument)
                && projects.contains { ProjectPaths.absolute($0.specs) == ProjectPaths.absolute(argument) }
        }
        return try Workspace(specs: specs, projects: projects, completeSpecSet: complete, givenOverlays: given)
    }

    /// The whole spec directory of `project` (`specs` overrides it) with its overlays
    /// (`overlays` overrides them): what `golden check` and `golden update` compile.
    public static func whole(_ project: Project, specs: String? = nil, overlays given: String? = nil) throws(ProjectError) -> Workspace {
        let directory = specs ?? project.specs
        guard ProjectPaths.isDirectory(directory) else {
            var message = ProjectPaths.isFile(directory)
                ? "\(directory): is a file, expected a directory of *\(SpecFiles.suffix) specs" : "\(directory): no such spec directory"
            if project.file == nil, specs == nil {
                message += " (no \(Project.fileName) here or in a parent directory: run from the project's root, pass --specs, or add a \(Project.fileName))"
            }
            throw ProjectError(message, id: "file-unreadable")
        }
        let specFiles: [String]
        do {
            specFiles = try SpecFiles.expand([directory])
        } catch {
            throw ProjectError(error.description, id: "file-unreadable")
        }
        return try Workspace(specs: specFiles, projects: [project], completeSpecSet: true, givenOverlays: given)
    }

    private init(specs: [String], projects: [Project], completeSpecSet: Bool, givenOverlays: String?) throws(ProjectError) {
        self.specs = specs
        self.projects = projects
        self.completeSpecSet = completeSpecSet
        if let given = givenOverlays {
            overlaySources = [OverlaySource(directory: given, origin: .option, exists: ProjectPaths.isDirectory(given))]
            guard overlaySources[0].exists else { throw ProjectError("\(given): no such overlay directory", id: "file-unreadable") }
        } else {
            var sources: [OverlaySource] = []
            for project in projects {
                let source = OverlaySource(directory: project.overlays, origin: project.file.map { .projectFile($0) } ?? .besideSpecs(project.specs),
                                           exists: ProjectPaths.isDirectory(project.overlays))
                if !sources.contains(where: { $0.directory == source.directory }) { sources.append(source) }
            }
            overlaySources = sources
        }
        var overlayFiles: [String] = []
        for source in overlaySources where source.exists {
            do {
                overlayFiles += try SpecFiles.overlayFiles(in: source.directory)
            } catch {
                throw ProjectError(error.description, id: "file-unreadable")
            }
        }
        overlays = overlayFiles
    }

    /// What runs now, to compare store membership against: the projects' `previous` directory
    /// (their golden directory unless the project file says otherwise); nil when the specs
    /// belong to projects that name different ones.
    public var previous: PreviousRevision? {
        let directories = Set(projects.map(\.previous))
        guard directories.count == 1, let directory = directories.first else { return nil }
        return PreviousRevision(directory: directory)
    }

    /// The `check` defaults of the specs' project file; an error when the specs come from
    /// project files whose defaults differ.
    public func checkDefaults() throws(ProjectError) -> CheckDefaults {
        let distinct = projects.reduce(into: [CheckDefaults]()) { result, project in
            if !result.contains(project.checkDefaults) { result.append(project.checkDefaults) }
        }
        guard distinct.count <= 1 else {
            let files = projects.compactMap(\.file).joined(separator: ", ")
            throw ProjectError("the specs belong to project files with different 'check' defaults (\(files)); give --env and --format on the command line",
                               id: "project-conflict")
        }
        return distinct.first ?? CheckDefaults()
    }
}

/// Where a command's overlays came from, as one line for stderr.
public struct OverlaySource: Sendable, Equatable, CustomStringConvertible {
    public enum Origin: Sendable, Equatable {
        /// `--overlays DIR`.
        case option
        /// The project file at this path.
        case projectFile(String)
        /// Beside this spec directory, without a project file.
        case besideSpecs(String)
    }

    public var directory: String
    public var origin: Origin
    public var exists: Bool

    public var description: String {
        switch (origin, exists) {
        case (.option, _):
            return "clusterspec: overlays: \(directory) (--overlays)"
        case (.projectFile(let file), true):
            return "clusterspec: overlays: \(directory) (from \(file))"
        case (.projectFile(let file), false):
            return "clusterspec: no overlays (\(directory), set by \(file), does not exist): compiling the specs without environments"
        case (.besideSpecs(let specs), true):
            return "clusterspec: overlays: \(directory) (beside \(specs); no \(Project.fileName) found)"
        case (.besideSpecs(let specs), false):
            return "clusterspec: no overlays (looked for \(directory) beside \(specs); no \(Project.fileName) found): compiling the specs without environments"
        }
    }
}

extension Compiler {
    /// Compiles a workspace's specs and overlays.
    public static func compile(_ workspace: Workspace, options: CompileOptions = CompileOptions()) -> Compilation {
        compile(specPaths: workspace.specs, overlayPaths: workspace.overlays, completeSpecSet: workspace.completeSpecSet, options: options)
    }
}
