import Foundation
import SpecModel
import SpecDiagnostics
import SpecParsing
import SpecRules
import ManifestEmission

/// One spec file handed to the compiler.
public struct SpecInput: Sendable {
    /// The path as the user gave it; diagnostics name the file this way.
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }
}

/// A system after compilation: its model, its objects in kustomize order, and its files.
public struct CompiledSystem: Sendable {
    public var spec: SystemSpec
    public var resources: [Resource]
    /// Files relative to the system's output directory (`base/...`).
    public var tree: FileTree

    public var name: String { spec.name.value }
}

/// Everything one run produced: systems (sorted by name), diagnostics (sorted by location) and
/// the spec texts for quoting source lines.
public struct Compilation: Sendable {
    public var systems: [CompiledSystem]
    public var diagnostics: [Diagnostic]
    public var sources: SourceText

    /// True when a diagnostic that is not waived is an error.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error && $0.suppression == nil } }

    /// True when an error came from reading or parsing (exit code 2) rather than from a rule (exit code 1).
    public var hasInputErrors: Bool {
        diagnostics.contains { $0.severity == .error && $0.suppression == nil && !RuleCatalog.isRuleID($0.id) }
    }

    /// The whole output tree: `<system>/base/...` for every system.
    public var tree: FileTree {
        var tree = FileTree()
        for system in systems { tree.merge(system.tree, under: system.name) }
        return tree
    }

    /// All objects of all systems as one YAML stream, systems in name order.
    public var stream: String {
        systems.map { SystemEmitter.stream($0.resources) }.joined()
    }
}

/// How to compile: which environment's rules apply, the date waivers are judged against, and
/// whether to run rules at all.
public struct CompileOptions: Sendable {
    public var environment: String?
    public var today: CalendarDate
    public var runRules: Bool

    public init(environment: String? = nil, today: CalendarDate = CompileOptions.currentDate(), runRules: Bool = true) {
        self.environment = environment
        self.today = today
        self.runRules = runRules
    }

    /// Today's date in UTC: waivers expire at the end of their day, wherever the build runs.
    public static func currentDate() -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
    }

    /// Parses a `YYYY-MM-DD` date given on the command line.
    public static func date(_ text: String) -> CalendarDate? { CalendarDate(text) }
}

/// The public facade: spec files in, diagnostics and manifests out.
public enum Compiler {
    /// Reads the files at `paths` (unreadable files become diagnostics) and compiles them.
    public static func compile(paths: [String], options: CompileOptions = CompileOptions()) -> Compilation {
        var inputs: [SpecInput] = []
        var unreadable: [Diagnostic] = []
        for path in paths {
            do {
                inputs.append(SpecInput(path: path, bytes: try SpecFiles.read(path)))
            } catch {
                unreadable.append(Diagnostic(id: "file-unreadable", severity: .error, message: error.description,
                                             location: nil))
            }
        }
        var compilation = compile(inputs, options: options)
        compilation.diagnostics = (unreadable + compilation.diagnostics).sorted(by: Diagnostic.sortKey)
        return compilation
    }

    /// Compiles in-memory specs. The result does not depend on the order of `inputs`.
    public static func compile(_ inputs: [SpecInput], options: CompileOptions = CompileOptions()) -> Compilation {
        var diagnostics: [Diagnostic] = []
        var sources = SourceText()
        var specs: [SystemSpec] = []
        var seenPaths = Set<String>()
        for input in inputs.sorted(by: { $0.path < $1.path }) where seenPaths.insert(input.path).inserted {
            let parsed = SpecParser.parse(file: input.path, bytes: input.bytes)
            sources.add(file: input.path, text: parsed.text)
            diagnostics += parsed.diagnostics
            if let spec = parsed.spec { specs.append(spec) }
        }
        var systems: [CompiledSystem] = []
        var systemNames: [String: SourceLocation] = [:]
        for spec in specs.sorted(by: { $0.name.value < $1.name.value }) {
            if let first = systemNames[spec.name.value] {
                diagnostics.append(Diagnostic(
                    id: "duplicate-name", severity: .error,
                    message: "system '\(spec.name.value)' is defined by two specs; each system compiles into its own directory",
                    location: spec.name.location, notes: [DiagnosticNote("first defined here", at: first)]))
                continue
            }
            systemNames[spec.name.value] = spec.name.location
            let resources = SystemEmitter.resources(spec)
            diagnostics += GeneratedNames.check(resources)
            if options.runRules {
                let findings = RuleRegistry.check(spec, environment: options.environment)
                diagnostics += Waivers.apply(findings, waivers: spec.waivers, system: spec, today: options.today)
            }
            systems.append(CompiledSystem(spec: spec, resources: resources, tree: layout(resources)))
        }
        return Compilation(systems: systems, diagnostics: diagnostics.sorted(by: Diagnostic.sortKey), sources: sources)
    }

    private static func layout(_ resources: [Resource]) -> FileTree {
        var tree = FileTree()
        tree.merge(SystemEmitter.baseTree(resources), under: "base")
        return tree
    }
}

/// Checks on the objects as generated: names derived from spec names (`<service>-mgmt`) must be
/// valid and unique, whatever the spec's own names were.
enum GeneratedNames {
    static func check(_ resources: [Resource]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for resource in resources {
            let valid = resource.kind == "Service" || resource.kind == "Namespace"
                ? KubernetesName.isDNSLabel(resource.name) : KubernetesName.isDNSSubdomain(resource.name)
            if !valid {
                diagnostics.append(Diagnostic(
                    id: "invalid-name", severity: .error,
                    message: "the generated \(resource.kind) name '\(resource.name)' is not a valid Kubernetes name (too long?)",
                    location: resource.origin, fix: "Shorten the name this object is derived from."))
            }
        }
        for (first, second) in SystemEmitter.collisions(resources) {
            diagnostics.append(Diagnostic(
                id: "duplicate-name", severity: .error,
                message: "two objects would both be \(second.kind) '\(second.name)' in namespace '\(second.namespace ?? "")'",
                location: second.origin, notes: [DiagnosticNote("the other one comes from here", at: first.origin)],
                fix: "Rename one of the two elements."))
        }
        return diagnostics
    }
}
