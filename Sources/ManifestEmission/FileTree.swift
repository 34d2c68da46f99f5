/// Generated files by relative path. Paths are built only from validated names, never contain
/// `..` or a leading `/`, and iterate in sorted order so every writer sees the same sequence.
public struct FileTree: Sendable, Equatable {
    public private(set) var files: [String: String] = [:]

    public init() {}

    public init(files: [String: String]) {
        for (path, contents) in files { self[path] = contents }
    }

    /// The contents at `path`. Setting a path that could escape the tree is a programming error.
    public subscript(path: String) -> String? {
        get { files[path] }
        set {
            precondition(Self.isSafeRelativePath(path), "unsafe output path '\(path)'")
            files[path] = newValue
        }
    }

    /// Every path, sorted.
    public var paths: [String] { files.keys.sorted() }

    /// Adds every file of `other` under `prefix/`.
    public mutating func merge(_ other: FileTree, under prefix: String) {
        for path in other.paths {
            self["\(prefix)/\(path)"] = other.files[path]
        }
    }

    /// True for a relative path whose components are all ordinary names.
    public static func isSafeRelativePath(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/") else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { component in
            !component.isEmpty && component != "." && component != ".." && !component.contains("\0")
        }
    }
}
