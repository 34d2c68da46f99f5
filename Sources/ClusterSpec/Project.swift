import Foundation
import SpecModel
import SpecDiagnostics
import SpecParsing

/// Where a project keeps its specs, overlays and compiled output, and the defaults of its
/// commands: read from the nearest project file (`clusterspec.yaml`) at or above where a command
/// starts, or inferred from the layout beside the spec directory when there is none.
///
/// Discovery never depends on the working directory except through the paths a command is given:
/// a command given spec paths starts from each spec's directory, a command given none (`golden
/// check`) from the working directory. Paths are reported the way the user will read them:
/// relative to the working directory when the start was relative, absolute when it was absolute.
public struct Project: Sendable, Equatable {
    /// The project file's name.
    public static let fileName = "clusterspec.yaml"

    /// The project file, nil when the layout was inferred.
    public var file: String?
    /// Directory of `*.cluster.yaml` specs.
    public var specs: String
    /// Directory of overlay files; it may not exist (then there are no environments).
    public var overlays: String
    /// Directory of the committed compiled output (`golden check`, `golden update`).
    public var golden: String
    /// Directory of the previous revision's compiled output, to compare store membership across
    /// revisions against (by `check`, once it does); the golden directory unless the project file
    /// says otherwise.
    public var previous: String
    /// Defaults for `clusterspec check` (empty without a project file).
    public var checkDefaults: CheckDefaults

    /// The directory names of the inferred layout (and the project file's defaults).
    public static let defaultSpecs = "specs", defaultOverlays = "overlays", defaultGolden = "golden"
}

/// What `clusterspec check` does when the command line leaves it open.
public struct CheckDefaults: Sendable, Equatable {
    public var environment: String?
    public var formats: [OutputFormat]
    /// Report files for the first formats (the last format may go to stdout), like `--output`.
    public var outputs: [String]

    public init(environment: String? = nil, formats: [OutputFormat] = [], outputs: [String] = []) {
        self.environment = environment
        self.formats = formats
        self.outputs = outputs
    }
}

/// A project file that cannot be used, or a project directory that is missing: diagnostics
/// (located when they concern a line of the project file) and the texts to quote.
public struct ProjectError: Error, Sendable {
    public var diagnostics: [Diagnostic]
    public var sources: SourceText

    init(_ diagnostics: [Diagnostic], sources: SourceText = SourceText()) {
        self.diagnostics = diagnostics
        self.sources = sources
    }

    init(_ message: String, id: String = "project-not-found") {
        self.init([Diagnostic(id: id, severity: .error, message: message, location: nil)])
    }

    /// The diagnostics as compiler-style text.
    public func rendered(colored: Bool) -> String {
        TextRenderer(sources: sources, styles: DiagnosticStyles.styles(colored: colored)).render(diagnostics)
    }
}

extension Project {
    /// The nearest project file in `directory` or one of its parents, as an absolute path; nil
    /// when there is none up to the file-system root.
    public static func findFile(from directory: String) -> String? {
        var current = ProjectPaths.absolute(directory)
        while true {
            let candidate = ProjectPaths.join(current, fileName)
            if ProjectPaths.isFile(candidate) { return candidate }
            let parent = ProjectPaths.parent(current)
            if parent == current { return nil }
            current = parent
        }
    }

    /// The project a spec file or spec directory belongs to: the nearest project file above it;
    /// without one, the overlays and golden directories beside the spec directory
    /// (`<dir>/../overlays`, `<dir>/../golden`), whatever the spec directory is called.
    public static func containing(specPath path: String) throws(ProjectError) -> Project {
        let style = ProjectPaths.Style(for: path)
        let start = ProjectPaths.isDirectory(path) ? ProjectPaths.absolute(path) : ProjectPaths.parent(ProjectPaths.absolute(path))
        if let file = findFile(from: start) { return try load(file: file, style: style) }
        let root = ProjectPaths.parent(start)
        return Project(file: nil, specs: style.display(start), overlays: style.display(ProjectPaths.join(root, defaultOverlays)),
                       golden: style.display(ProjectPaths.join(root, defaultGolden)),
                       previous: style.display(ProjectPaths.join(root, defaultGolden)), checkDefaults: CheckDefaults())
    }

    /// The project of the working directory, for commands given no spec paths: the nearest
    /// project file at or above it; without one, `specs/`, `overlays/` and `golden/` in the
    /// working directory.
    public static func current() throws(ProjectError) -> Project {
        let style = ProjectPaths.Style.relative
        let here = ProjectPaths.workingDirectory
        if let file = findFile(from: here) { return try load(file: file, style: style) }
        return Project(file: nil, specs: style.display(ProjectPaths.join(here, defaultSpecs)),
                       overlays: style.display(ProjectPaths.join(here, defaultOverlays)),
                       golden: style.display(ProjectPaths.join(here, defaultGolden)),
                       previous: style.display(ProjectPaths.join(here, defaultGolden)), checkDefaults: CheckDefaults())
    }

    /// Reads the project file at `file`; its paths resolve against the file's directory.
    public static func load(file: String) throws(ProjectError) -> Project {
        try load(file: ProjectPaths.absolute(file), style: ProjectPaths.Style(for: file))
    }

    private static func load(file absoluteFile: String, style: ProjectPaths.Style) throws(ProjectError) -> Project {
        let file = style.display(absoluteFile)
        let bytes: [UInt8]
        do {
            bytes = try SpecFiles.read(file)
        } catch {
            throw ProjectError(error.description, id: "file-unreadable")
        }
        let parsed = SpecParser.parseProjectFile(file: file, bytes: bytes)
        var sources = SourceText()
        sources.add(file: file, text: parsed.text)
        guard let written = parsed.project else { throw ProjectError(parsed.diagnostics, sources: sources) }
        var diagnostics = parsed.diagnostics
        let root = ProjectPaths.parent(absoluteFile)
        func resolve(_ value: Located<String>?, _ fallback: String) -> String {
            style.display(ProjectPaths.absolute(value?.value ?? fallback, in: root))
        }
        var defaults = CheckDefaults(environment: written.check.environment?.value)
        for format in written.check.formats {
            if let known = OutputFormat(rawValue: format.value) {
                defaults.formats.append(known)
            } else {
                let names = OutputFormat.allCases.map(\.rawValue)
                diagnostics.append(Diagnostic(
                    id: "invalid-value", severity: .error,
                    message: "'\(format.value)' is not a report format\(NameSuggestion.hint(for: format.value, in: names))",
                    location: format.location, notes: [DiagnosticNote("expected one of: \(names.joined(separator: ", "))")]))
            }
        }
        defaults.outputs = written.check.outputs.map { resolve($0, "") }
        if let problem = ReportPlan.pairingProblem(formats: written.check.formats.count, outputs: written.check.outputs.count,
                                                   format: "'check.format'", output: "'check.output'") {
            diagnostics.append(Diagnostic(id: "invalid-value", severity: .error, message: problem,
                                          location: written.check.outputs.first?.location ?? written.check.formats.first?.location))
        }
        if diagnostics.contains(where: { $0.severity == .error }) { throw ProjectError(diagnostics, sources: sources) }
        let golden = resolve(written.golden, defaultGolden)
        return Project(file: file, specs: resolve(written.specs, defaultSpecs), overlays: resolve(written.overlays, defaultOverlays),
                       golden: golden, previous: written.previous.map { resolve($0, defaultGolden) } ?? golden, checkDefaults: defaults)
    }
}

/// How report formats and output files pair up (`--format`/`--output`, or `check.format`/
/// `check.output` in the project file): the i-th file takes the i-th format, and at most one
/// format (the last) goes to stdout.
public enum ReportPlan {
    /// What is wrong with `formats` formats and `outputs` files, or nil when they pair up.
    public static func pairingProblem(formats: Int, outputs: Int, format: String = "--format", output: String = "--output") -> String? {
        if outputs > max(formats, 1) {
            return "each \(output) needs its own \(format) (got \(outputs) outputs for \(formats) formats)"
        }
        if max(formats, 1) - outputs > 1 {
            return "only one report can go to stdout; give the other formats an \(output) file"
        }
        return nil
    }
}

/// Lexical path arithmetic for discovery: absolute, standardized paths inside, and the form the
/// user reads outside.
enum ProjectPaths {
    static var workingDirectory: String { FileManager.default.currentDirectoryPath }

    /// `path` made absolute against `base` (default: the working directory), with `.` and `..`
    /// removed.
    static func absolute(_ path: String, in base: String = workingDirectory) -> String {
        let joined = path.hasPrefix("/") ? path : join(base, path)
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            if part == "." || part.isEmpty { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    static func join(_ directory: String, _ name: String) -> String {
        name.isEmpty ? directory : directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The parent of an absolute, standardized path (`/` for `/`).
    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), path != "/" else { return "/" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `path` relative to `base` (both absolute and standardized), with `..` where needed.
    static func relative(_ path: String, from base: String) -> String {
        let target = path.split(separator: "/"), origin = base.split(separator: "/")
        var common = 0
        while common < target.count, common < origin.count, target[common] == origin[common] { common += 1 }
        let parts = Array(repeating: "..", count: origin.count - common) + target[common...].map(String.init)
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// How discovered paths are shown: like the path the user gave.
    enum Style {
        case relative, absolute

        init(for given: String) { self = given.hasPrefix("/") ? .absolute : .relative }

        func display(_ absolutePath: String) -> String {
            switch self {
            case .absolute: return absolutePath
            case .relative: return ProjectPaths.relative(absolutePath, from: ProjectPaths.absolute(ProjectPaths.workingDirectory))
            }
        }
    }
}
