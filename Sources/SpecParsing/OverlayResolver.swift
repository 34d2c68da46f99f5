import SpecModel
import SpecDiagnostics

/// One environment of a system: its name, its parent environment (nil: the base spec), and the
/// overlays to merge, base-most first.
public struct EnvironmentPlan: Sendable {
    public let name: String
    public let parent: String?
    public let chain: [LoadedOverlay]
}

/// Works out which overlays layer on which system and on each other.
public enum OverlayResolver {
    /// Environments per system name, each list parents-first then by name; overlays that name an
    /// unknown spec or parent, repeat an environment, or form a parent cycle are reported.
    public static func resolve(_ overlays: [LoadedOverlay], systems: [String]) -> (plans: [String: [EnvironmentPlan]], diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        var bySystem: [String: [String: LoadedOverlay]] = [:]
        for overlay in overlays {
            guard let spec = overlay.spec, let environment = overlay.environment,
                  !overlay.diagnostics.contains(where: { $0.severity == .error }) else { continue }
            guard systems.contains(spec.value) else {
                diagnostics.append(Diagnostic(
                    id: "overlay-unknown-spec", severity: .error,
                    message: "overlay for unknown spec '\(spec.value)'\(NameSuggestion.hint(for: spec.value, in: systems.sorted()))",
                    location: spec.location, notes: [DiagnosticNote("specs: \(systems.sorted().joined(separator: ", "))")]))
                continue
            }
            if let first = bySystem[spec.value]?[environment.value] {
                diagnostics.append(Diagnostic(
                    id: "duplicate-name", severity: .error,
                    message: "environment '\(environment.value)' of '\(spec.value)' is defined by two overlays",
                    location: environment.location, notes: [DiagnosticNote("first defined here", at: first.environment?.location)]))
                continue
            }
            bySystem[spec.value, default: [:]][environment.value] = overlay
        }
        var plans: [String: [EnvironmentPlan]] = [:]
        for (system, environments) in bySystem {
            var resolved: [String: [LoadedOverlay]] = [:]
            var broken = Set<String>()
            for name in environments.keys.sorted() {
                var chain: [LoadedOverlay] = []
                var seen: [String] = []
                var current: String? = name
                while let environment = current {
                    if seen.contains(environment) {
                        let cycle = (seen.drop { $0 != environment } + [environment]).joined(separator: " → ")
                        if let overlay = environments[name] {
                            diagnostics.append(Diagnostic(
                                id: "overlay-cycle", severity: .error,
                                message: "the parents of environment '\(name)' form a cycle: \(cycle)",
                                location: overlay.parent?.location ?? overlay.location))
                        }
                        broken.insert(name)
                        break
                    }
                    seen.append(environment)
                    guard let overlay = environments[environment] else { break }
                    chain.insert(overlay, at: 0)
                    if let parent = overlay.parent {
                        if environments[parent.value] == nil {
                            if environment == name {
                                diagnostics.append(Diagnostic(
                                    id: "overlay-unknown-parent", severity: .error,
                                    message: "parent environment '\(parent.value)' of '\(system)' has no overlay\(NameSuggestion.hint(for: parent.value, in: environments.keys.filter { $0 != name }.sorted()))",
                                    location: parent.location))
                            }
                            broken.insert(name)
                            break
                        }
                        current = parent.value
                    } else {
                        current = nil
                    }
                }
                if !broken.contains(name) { resolved[name] = chain }
            }
            // Parents first, then by name, so each environment's parent is compiled before it.
            var ordered: [EnvironmentPlan] = []
            var placed = Set<String>()
            while ordered.count < resolved.count {
                let ready = resolved.keys.sorted().filter { name in
                    !placed.contains(name) && (resolved[name]?.last?.parent.map { placed.contains($0.value) } ?? true)
                }
                guard !ready.isEmpty else { break }
                for name in ready {
                    placed.insert(name)
                    ordered.append(EnvironmentPlan(name: name, parent: resolved[name]?.last?.parent?.value, chain: resolved[name] ?? []))
                }
            }
            plans[system] = ordered
        }
        return (plans, diagnostics)
    }
}
