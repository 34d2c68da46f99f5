import Foundation
import Testing
import Yams
import ManifestEmission

/// Emitted objects read back from their YAML text, the way a cluster would read them.
struct ParsedManifests {
    let objects: [[String: Any]]

    /// Emits `spec` and parses every object's YAML.
    init(_ spec: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let resources = try emit(spec, sourceLocation: sourceLocation)
        objects = try resources.map { resource in
            try #require(try Yams.load(yaml: ManifestWriter.yaml(resource.body)) as? [String: Any], sourceLocation: sourceLocation)
        }
    }

    func all(_ kind: String) -> [[String: Any]] {
        objects.filter { $0["kind"] as? String == kind }
    }

    func one(_ kind: String, _ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let matches = objects.filter { $0["kind"] as? String == kind && ($0["metadata"] as? [String: Any])?["name"] as? String == name }
        #expect(matches.count == 1, "expected one \(kind) \(name), found \(matches.count)", sourceLocation: sourceLocation)
        return try #require(matches.first, sourceLocation: sourceLocation)
    }

    func find(_ kind: String, _ name: String) -> [String: Any]? {
        objects.first { $0["kind"] as? String == kind && ($0["metadata"] as? [String: Any])?["name"] as? String == name }
    }
}

/// Path access into parsed YAML: `object["spec", "template", "spec"]`.
extension Dictionary where Key == String, Value == Any {
    subscript(path: String...) -> Any? {
        var current: Any? = self
        for key in path { current = (current as? [String: Any])?[key] }
        return current
    }

    func map(_ path: String...) -> [String: Any] {
        var current: Any? = self
        for key in path { current = (current as? [String: Any])?[key] }
        return current as? [String: Any] ?? [:]
    }

    func list(_ path: String...) -> [[String: Any]] {
        var current: Any? = self
        for key in path { current = (current as? [String: Any])?[key] }
        return current as? [[String: Any]] ?? []
    }

    func string(_ path: String...) -> String? {
        var current: Any? = self
        for key in path { current = (current as? [String: Any])?[key] }
        return current as? String
    }

    func int(_ path: String...) -> Int? {
        var current: Any? = self
        for key in path { current = (current as? [String: Any])?[key] }
        return current as? Int
    }
}

/// One pod of a StatefulSet as the kubelet would see it: its name and its container environment
/// with `$(VAR)` references expanded the way Kubernetes expands them.
struct SimulatedPod {
    let name: String
    let ordinal: Int
    let env: [String: String]
    let command: [String]

    init(statefulSet: [String: Any], ordinal: Int, namespace: String = "apps") {
        let stsName = statefulSet.string("metadata", "name") ?? ""
        name = "\(stsName)-\(ordinal)"
        self.ordinal = ordinal
        let container = statefulSet.list("spec", "template", "spec", "containers").first ?? [:]
        var resolved: [String: String] = [:]
        for variable in container["env"] as? [[String: Any]] ?? [] {
            guard let key = variable["name"] as? String else { continue }
            if let value = variable["value"] as? String {
                resolved[key] = Self.expand(value, resolved)
            } else if let field = variable.string("valueFrom", "fieldRef", "fieldPath") {
                resolved[key] = field == "metadata.name" ? "\(stsName)-\(ordinal)" : field == "metadata.namespace" ? namespace : "<\(field)>"
            } else if let secret = variable.string("valueFrom", "secretKeyRef", "name"), let key = variable.string("valueFrom", "secretKeyRef", "key") {
                resolved[variable["name"] as? String ?? ""] = "<secret \(secret)/\(key)>"
            }
        }
        env = resolved
        command = container["command"] as? [String] ?? []
    }

    /// Kubernetes `$(NAME)` expansion against variables defined earlier.
    static func expand(_ value: String, _ defined: [String: String]) -> String {
        var output = value
        for (key, replacement) in defined { output = output.replacingOccurrences(of: "$(\(key))", with: replacement) }
        return output
    }

    /// The shell-exported id of a `export X=$((BASE + ${POD_NAME##*-}))` or `$((${POD_NAME##*-} + 1))` command.
    func exportedInteger(_ variable: String) -> Int? {
        guard let script = command.last, let range = script.range(of: "export \(variable)=$((") else { return nil }
        let expression = script[range.upperBound...].prefix { $0 != ")" }
        let cleaned = expression.replacingOccurrences(of: "${POD_NAME##*-}", with: String(ordinal))
        let terms = cleaned.split(separator: "+").map { $0.trimmingCharacters(in: .whitespaces) }
        var total = 0
        for term in terms {
            guard let number = Int(term) else { return nil }
            total += number
        }
        return total
    }
}
