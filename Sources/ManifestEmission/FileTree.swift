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

    /// Adds every file of `other` under `prefix/` (`other`'s paths are safe already, so only the
    /// prefix is checked).
    public mutating func merge(_ other: FileTree, under prefix: String) {
        precondition(Self.isSafeRelativePath(prefix), "unsafe output path '\(prefix)'")
        files.reserveCapacity(files.count + other.files.count)
        for (path, contents) in other.files {
            files["\(prefix)/\(path)"] = contents
        }
    }

    /// True for a relative path whose components are all ordinary names.
    public static func isSafeRelativePath(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { bytes in
            guard let first = bytes.first, first != UInt8(ascii: "/") else { return false }
            var componentStart = 0
            for index in 0...bytes.count {
                let atEnd = index == bytes.count
                if !atEnd && bytes[index] == 0 { return false }
                guard atEnd || bytes[index] == UInt8(ascii: "/") else { continue }
                let length = index - componentStart
                if length == 0 { return false }
                if bytes[componentStart] == UInt8(ascii: "."), length == 1 || (length == 2 && bytes[componentStart + 1] == UInt8(ascii: ".")) {
                    return false
                }
                componentStart = index + 1
            }
            return true
        }
    }
}
