import Foundation
import SpecDiagnostics

/// A file-system problem, phrased for the user. Paths in it may hold anything a file name can,
/// so terminal controls are shown escaped.
public struct FileError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = TerminalSafety.escape(description)
    }
}

/// Reading spec files and expanding directories into the spec files they hold.
public enum SpecFiles {
    /// The file name pattern of specs inside a directory argument.
    public static let suffix = ".cluster.yaml"

    /// The bytes of `path`; refuses directories and files larger than the parser accepts.
    public static func read(_ path: String) throws(FileError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FileError("\(path): no such file")
        }
        guard !isDirectory.boolValue else { throw FileError("\(path): is a directory, expected a spec file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileError("\(path): cannot be read (permission denied?)")
        }
        return [UInt8](data)
    }

    /// The overlay files under `directory`: every `*.yaml` file at any depth, sorted.
    public static func overlayFiles(in directory: String) throws(FileError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FileError("\(directory): no such overlay directory")
        }
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw FileError("\(directory): cannot list directory")
        }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        var files: [String] = []
        for case let relative as String in enumerator where relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") {
            files.append(prefix + relative)
        }
        return files.sorted()
    }

    /// Expands each argument: a directory becomes the `*.cluster.yaml` files directly inside it
    /// (sorted); a file stays as given.
    public static func expand(_ arguments: [String]) throws(FileError) -> [String] {
        var result: [String] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue {
                let names: [String]
                do {
                    names = try FileManager.default.contentsOfDirectory(atPath: argument)
                } catch {
                    throw FileError("\(argument): cannot list directory")
                }
                let specs = names.filter { $0.hasSuffix(suffix) }.sorted()
                guard !specs.isEmpty else { throw FileError("\(argument): directory holds no *\(suffix) files") }
                let prefix = argument.hasSuffix("/") ? argument : argument + "/"
                result += specs.map { prefix + $0 }
            } else {
                result.append(argument)
            }
        }
        return result
    }
}
