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

/// One environment of a system after compilation.
public struct CompiledEnvironment: Sendable {
    public var name: String
    /// The environment it layers on; nil for the base spec.
    public var parent: String?
    public var spec: SystemSpec
    public var resources: [Resource]
}

/// A system after compilation: the base and its environments (parents first). Its files are
/// written only when asked for (`check` writes none).
public struct CompiledSystem: Sendable {
    public var spec: SystemSpec
    public var resources: [Resource]
    public var environments: [CompiledEnvironment]

    /// Files relative to the system's output directory: `base/`, `overlays/<env>/`,
    /// `rendered/<env>.yaml`; each distinct object written once.
    public var tree: FileTree {
        SystemEmitter.files(base: resources, environments: environments.map { ($0.name, $0.parent, $0.resources) })
    }

    public var name: String { spec.name.value }

    /// The objects of `environment` (nil: the base).
    public func resources(for environment: String?) -> [Resource]? {
        guard let environment else { return resources }
        return environments.first { $0.name == environment }?.resources
    }
}

/// Everything one run produced: systems (sorted by name), diagnostics (sorted by location) and
/// the texts of every file read, for quoting source lines.
public struct Compilation: Sendable {
    public var systems: [CompiledSystem]
    public var diagnostics: [Diagnostic]
    public var sources: SourceText
    /// The overlay files that applied to the compiled specs (or were reported on), sorted.
    public var overlayFiles: [String] = []

    /// True when a diagnostic that is not waived is an error.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error && $0.suppression == nil } }

    /// True when an error came from reading or parsing (exit code 2) rather than from a rule (exit code 1).
    public var hasInputErrors: Bool {
        diagnostics.contains { $0.severity == .error && $0.suppression == nil && !RuleCatalog.isRuleID($0.id) }
    }

    /// The whole output tree: `<system>/…` for every system.
    public var tree: FileTree {
        var tree = FileTree()
        for system in systems { tree.merge(system.tree, under: system.name) }
        return tree
    }

    /// One environment's objects (nil: the base) of every system as one YAML stream, systems in
    /// name order; systems without that environment contribute their base.
    public func stream(environment: String? = nil) -> String {
        systems.map { SystemEmitter.stream($0.resources(for: environment) ?? $0.resources) }.joined()
    }
}

/// Which environments a run compiles and checks.
public enum EnvironmentSelection: Sendable, Equatable {
    /// The base and every environment an overlay defines.
    case all
    /// One environment (the base when no overlay defines it for a system).
    case only(String)
}

/// How to compile: which environments, the date waivers are judged against, whether to run rules.
public struct CompileOptions: Sendable {
    public var environments: EnvironmentSelection
    public var today: CalendarDate
    public var runRules: Bool
    /// Input errors after which the model is still emitted and checked (the language server
    /// tolerates `unknown-key`: the key is skipped, so the rest of the spec is still judged). The
    /// errors are reported all the same.
    public var tolerating: Set<String> = []
    /// What runs now, to compare store membership against; nil compares nothing (in-memory
    /// compilations, `diff`).
    public var previous: PreviousRevision?

    public init(environments: EnvironmentSelection = .all, today: CalendarDate = CompileOptions.currentDate(), runRules: Bool = true,
                previous: PreviousRevision? = nil) {
        self.environments = environments
        self.today = today
        self.runRules = runRules
        self.previous = previous
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

/// The public facade: spec and overlay files in, diagnostics and manifests out.
public enum Compiler {
    /// Reads the files at `specPaths` and `overlayPaths` (unreadable files become diagnostics)
    /// and compiles them. `completeSpecSet` says the specs are all of a directory's, so an overlay
    /// naming another system is a mistake rather than an overlay for a spec not in this run.
    public static func compile(specPaths: [String], overlayPaths: [String] = [], completeSpecSet: Bool = false,
                               options: CompileOptions = CompileOptions()) -> Compilation {
        var unreadable: [Diagnostic] = []
        func read(_ paths: [String]) -> [SpecInput] {
            paths.compactMap { path in
                do {
                    return SpecInput(path: path, bytes: try SpecFiles.read(path))
                } catch let error as FileError {
                    unreadable.append(Diagnostic(id: "file-unreadable", severity: .error, message: error.description, location: nil))
                    return nil
                } catch {
                    return nil
                }
            }
        }
        var compilation = compile(read(specPaths), overlays: read(overlayPaths), completeSpecSet: completeSpecSet, options: options)
        compilation.diagnostics = (unreadable + compilation.diagnostics).sorted(by: Diagnostic.sortKey)
        return compilation
    }

    /// Compiles in-memory specs and overlays. The result does not depend on the order of inputs.
    public static func compile(_ inputs: [SpecInput], overlays: [SpecInput] = [], completeSpecSet: Bool = true,
                               options: CompileOptions = CompileOptions()) -> Compilation {
        var diagnostics: [Diagnostic] = []
        var sources = SourceText()
        var loaded: [LoadedSpec] = []
        var seenPaths = Set<String>()
        for input in inputs.sorted(by: { $0.path < $1.path }) where seenPaths.insert(input.path).inserted {
            let spec = SpecParser.load(file: input.path, bytes: input.bytes)
            sources.add(file: input.path, text: spec.text)
            loaded.append(spec)
        }
        var loadedOverlays: [LoadedOverlay] = []
        for input in overlays.sorted(by: { $0.path < $1.path }) where seenPaths.insert(input.path).inserted {
            let overlay = SpecParser.loadOverlay(file: input.path, bytes: input.bytes)
            sources.add(file: input.path, text: overlay.text)
            diagnostics += overlay.diagnostics
            loadedOverlays.append(overlay)
        }
        let systemNames = loaded.compactMap(\.systemName?.value)
        // An overlay for a system outside an explicit list of spec files belongs to another run.
        let relevant = completeSpecSet ? loadedOverlays : loadedOverlays.filter { overlay in
            overlay.spec.map { systemNames.contains($0.value) } ?? true
        }
        let (plans, overlayDiagnostics) = OverlayResolver.resolve(relevant, systems: systemNames)
        diagnostics += overlayDiagnostics

        var systems: [CompiledSystem] = []
        var systemLocations: [String: SourceLocation] = [:]
        let parsed = loaded.map { ($0, SpecParser.decode($0, tolerating: options.tolerating)) }
        for (spec, result) in parsed {
            diagnostics += result.diagnostics
            guard let base = result.spec else { continue }
            if let first = systemLocations[base.name.value] {
                diagnostics.append(Diagnostic(
                    id: "duplicate-name", severity: .error,
                    message: "system '\(base.name.value)' is defined by two specs; each system compiles into its own directory",
                    location: base.name.location, notes: [DiagnosticNote("first defined here", at: first)]))
                continue
            }
            systemLocations[base.name.value] = base.name.location
            systems.append(compileSystem(spec, base: base, plans: plans[base.name.value] ?? [], options: options, diagnostics: &diagnostics))
        }
        systems.sort { $0.name < $1.name }
        var compilation = Compilation(systems: systems, diagnostics: merged(diagnostics).sorted(by: Diagnostic.sortKey), sources: sources)
        compilation.overlayFiles = relevant.map(\.file).sorted()
        return compilation
    }

    private static func compileSystem(_ loaded: LoadedSpec, base: SystemSpec, plans: [EnvironmentPlan], options: CompileOptions,
                                      diagnostics: inout [Diagnostic]) -> CompiledSystem {
        let baseResources = SystemEmitter.resources(base)
        diagnostics += GeneratedNames.check(baseResources)
        var waivers: [WaiverSpec] = []
        var usedWaivers = Set<SourceLocation>()
        func check(_ spec: SystemSpec, environment: String?) -> [Diagnostic] {
            guard options.runRules else { return [] }
            let findings = RuleRegistry.check(spec, environment: environment)
            var (judged, used) = Waivers.apply(findings, waivers: spec.waivers, today: options.today)
            waivers += spec.waivers
            usedWaivers.formUnion(used)
            // Membership is judged against the running cluster, after waivers: a reviewed
            // `membership` step, not a waiver, is how a change is accepted.
            if let previous = options.previous {
                let system = base.name.value
                if let members = previous.members(system: system, environment: environment) {
                    judged += MembershipComparison.check(spec, environment: environment, previous: members)
                } else if spec.stores.contains(where: { !$0.roles.isEmpty }) {
                    // Only a system with store members has membership to compare; the same note
                    // for every environment of a new system merges into one.
                    let path = previous.hasSystem(system) ? previous.path(system: system, environment: environment) : previous.path(system: system)
                    judged.append(MembershipComparison.previousMissing(spec, path: path))
                }
            }
            return judged.map { finding in
                var tagged = finding
                tagged.environment = environment
                return tagged
            }
        }
        let selected: [EnvironmentPlan]
        switch options.environments {
        case .all:
            diagnostics += check(base, environment: nil)
            selected = plans
        case .only(let wanted):
            // A selected environment needs its parents compiled for the overlay layers.
            var needed = Set<String>()
            var current: String? = plans.contains { $0.name == wanted } ? wanted : nil
            while let name = current, needed.insert(name).inserted { current = plans.first { $0.name == name }?.parent }
            selected = plans.filter { needed.contains($0.name) }
            if needed.isEmpty { diagnostics.append(unknownEnvironment(wanted, system: base, plans: plans)) }
        }
        var environments: [CompiledEnvironment] = []
        for plan in selected {
            let result = SpecParser.decode(loaded, overlays: plan.chain, tolerating: options.tolerating)
            // Problems the base decode reported come back identical here; merging removes the repeats
            // and notes the environment of those that appear only with its overlays.
            diagnostics += result.diagnostics.map { diagnostic in
                var tagged = OverlayAttribution.attribute(diagnostic, specFile: loaded.file)
                tagged.environment = plan.name
                return tagged
            }
            guard let spec = result.spec else { continue }
            let resources = SystemEmitter.resources(spec)
            diagnostics += GeneratedNames.check(resources)
            if case .only(let wanted) = options.environments, plan.name != wanted {
                // A parent compiled only for layering; the selected environment is checked.
            } else {
                diagnostics += check(spec, environment: plan.name).map { OverlayAttribution.attribute($0, specFile: loaded.file) }
            }
            environments.append(CompiledEnvironment(name: plan.name, parent: plan.parent, spec: spec, resources: resources))
        }
        diagnostics += Waivers.unused(waivers, used: usedWaivers, system: base)
        return CompiledSystem(spec: base, resources: baseResources, environments: environments)
    }

    /// `--env` names an environment `system` does not have: a usage error listing the ones it has.
    private static func unknownEnvironment(_ wanted: String, system: SystemSpec, plans: [EnvironmentPlan]) -> Diagnostic {
        let names = plans.map(\.name).sorted()
        let name = system.name.value
        return Diagnostic(
            id: "unknown-environment", severity: .error,
            message: names.isEmpty
                ? "'\(name)' has no environment '\(wanted)': no overlay file layers on it"
                : "'\(name)' has no environment '\(wanted)'\(NameSuggestion.hint(for: wanted, in: names))",
            location: system.name.location,
            notes: [DiagnosticNote(names.isEmpty ? "'\(name)' has no environments" : "its environments: \(names.joined(separator: ", "))")],
            fix: "Pick one of its environments, or add an overlay with 'overlay: {spec: \(name), environment: \(wanted)}'.")
    }

    /// The same finding reported for several environments becomes one diagnostic with the highest
    /// severity; a finding that exists only in some environments says which.
    static func merged(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var order: [String] = []
        var groups: [String: [Diagnostic]] = [:]
        for diagnostic in diagnostics {
            let key = "\(diagnostic.id)|\(diagnostic.location?.description ?? "")|\(diagnostic.message)|\(diagnostic.suppression?.reason ?? "")"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(diagnostic)
        }
        return order.compactMap { key in
            guard let group = groups[key], var result = group.max(by: { $0.severity < $1.severity }) else { return nil }
            let environments = group.map(\.environment)
            if !environments.contains(where: { $0 == nil }) {
                let names = Set(environments.compactMap { $0 }).sorted()
                if !names.isEmpty { result.notes.append(DiagnosticNote("in environment\(names.count == 1 ? "" : "s") \(names.joined(separator: ", "))")) }
            }
            result.environment = nil
            return result
        }
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
