import Foundation
import ManifestEmission
import SpecRules

/// The previous revision: the compiled output of what runs now (`--previous DIR`, by default the
/// project's golden directory), read per system and environment to compare store membership
/// against. Each environment is its own cluster, so it is compared with its own rendered file
/// (`<dir>/<system>/rendered/<env>.yaml`); the base with `<dir>/<system>/base/`.
public struct PreviousRevision: Sendable, Equatable {
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The directory of `system` in the previous revision.
    public func path(system: String) -> String {
        (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + "/" + system
    }

    /// Where `system`'s `environment` (nil: the base) lives in the previous revision.
    public func path(system: String, environment: String?) -> String {
        path(system: system) + (environment.map { "/rendered/\($0).yaml" } ?? "/base")
    }

    /// Whether the previous revision has `system` at all.
    func hasSystem(_ system: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path(system: system), isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The StatefulSets' `spec.replicas` of `system`'s `environment`, or nil when the previous
    /// revision has no such file (a new system or environment).
    func members(system: String, environment: String?) -> PreviousMembers? {
        let path = path(system: system, environment: environment)
        let texts: [String]
        if environment != nil {
            guard let data = FileManager.default.contents(atPath: path) else { return nil }
            texts = [String(decoding: data, as: UTF8.self)]
        } else {
            guard let tree = try? Golden.read(path), !tree.paths.isEmpty else { return nil }
            texts = tree.paths.filter { !$0.hasSuffix("kustomization.yaml") }.compactMap { tree[$0] }
        }
        var replicas: [String: Int] = [:]
        for object in texts.flatMap({ ManifestReader.documents($0) ?? [] }) where object["kind"]?.stringValue == "StatefulSet" {
            guard let name = object["metadata"]?["name"]?.stringValue,
                  case .int(let count)? = object["spec"]?["replicas"] else { continue }
            replicas["\(object["metadata"]?["namespace"]?.stringValue ?? "default")/\(name)"] = count
        }
        return PreviousMembers(path: path, replicas: replicas)
    }
}
