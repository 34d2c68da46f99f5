import Foundation
import ManifestEmission

/// Writes a generated tree to a directory atomically: everything goes into a temporary sibling
/// directory first, which then replaces the target in one rename. A failure at any point leaves
/// the target as it was; nothing is ever written outside it.
public enum OutputDirectory {
    /// Replaces the directory at `path` with `tree`.
    ///
    /// Refuses a target that exists but does not look like clusterspec output (every entry a system
    /// directory with `base/kustomization.yaml`), so a mistyped `-o .` cannot delete a project.
    public static func replace(_ path: String, with tree: FileTree, requireOwnedTarget: Bool = true) throws(FileError) {
        let manager = FileManager.default
        let target = URL(fileURLWithPath: path).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        let name = target.lastPathComponent
        guard !name.isEmpty, name != "/", name != "..", name != "." else {
            throw FileError("\(path): not a usable output directory")
        }
        if let type = try? manager.attributesOfItem(atPath: target.path)[.type] as? FileAttributeType {
            if type == .typeSymbolicLink { throw FileError("\(path): is a symbolic link; give the real directory") }
            if type != .typeDirectory { throw FileError("\(path): exists and is not a directory") }
            if requireOwnedTarget, let stranger = try foreignEntry(in: target) {
                throw FileError("\(path): refusing to replace a directory clusterspec did not write (it holds '\(stranger)'); choose a new or empty directory")
            }
        }
        do {
            try manager.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw FileError("\(parent.path): cannot create directory (\(error.localizedDescription))")
        }
        let staging = parent.appendingPathComponent(".\(name).clusterspec-\(ProcessInfo.processInfo.processIdentifier)")
        try? manager.removeItem(at: staging)
        do {
            try write(tree, into: staging)
            try swap(staging, into: target)
        } catch {
            try? manager.removeItem(at: staging)
            throw error
        }
    }

    private static func write(_ tree: FileTree, into root: URL) throws(FileError) {
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: root, withIntermediateDirectories: false)
            for path in tree.paths {
                let url = root.appendingPathComponent(path)
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data((tree[path] ?? "").utf8).write(to: url)
            }
        } catch {
            throw FileError("\(root.path): cannot write output (\(error.localizedDescription))")
        }
    }

    /// Moves `staging` to `target`: a plain rename when the target is new, else an atomic exchange
    /// (Linux `renameat2(RENAME_EXCHANGE)`), falling back to rename-aside-then-rename.
    private static func swap(_ staging: URL, into target: URL) throws(FileError) {
        let manager = FileManager.default
        guard manager.fileExists(atPath: target.path) else {
            guard rename(staging.path, target.path) == 0 else {
                throw FileError("\(target.path): cannot move output into place (\(String(cString: strerror(errno))))")
            }
            return
        }
        if exchange(staging.path, target.path) {
            try? manager.removeItem(at: staging)
            return
        }
        let aside = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).clusterspec-old-\(ProcessInfo.processInfo.processIdentifier)")
        try? manager.removeItem(at: aside)
        guard rename(target.path, aside.path) == 0 else {
            throw FileError("\(target.path): cannot replace (\(String(cString: strerror(errno))))")
        }
        guard rename(staging.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = rename(aside.path, target.path)
            throw FileError("\(target.path): cannot replace (\(reason))")
        }
        try? manager.removeItem(at: aside)
    }

    /// Swaps two paths atomically when the platform can (glibc ≥ 2.28 has `renameat2`; it is looked
    /// up at run time because Swift does not import it).
    private static func exchange(_ first: String, _ second: String) -> Bool {
        #if os(Linux)
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return false }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        let renameExchange: UInt32 = 2
        return renameat2(AT_FDCWD, first, AT_FDCWD, second, renameExchange) == 0
        #else
        return false
        #endif
    }

    /// The first entry of `directory` that clusterspec would not have written, if any.
    private static func foreignEntry(in directory: URL) throws(FileError) -> String? {
        let manager = FileManager.default
        let entries: [String]
        do {
            entries = try manager.contentsOfDirectory(atPath: directory.path).sorted()
        } catch {
            throw FileError("\(directory.path): cannot list directory")
        }
        for entry in entries {
            let kustomization = directory.appendingPathComponent(entry).appendingPathComponent("base/kustomization.yaml")
            if !manager.fileExists(atPath: kustomization.path) { return entry }
        }
        return nil
    }
}
