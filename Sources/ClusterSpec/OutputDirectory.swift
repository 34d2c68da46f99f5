import Foundation
import ManifestEmission
#if canImport(Glibc)
import Glibc
#endif

/// Writes a generated tree to a directory atomically: everything goes into a temporary sibling
/// directory first, which then replaces the target in one rename. A failure at any point leaves
/// the target as it was; nothing is ever written outside it.
public enum OutputDirectory {
    /// Replaces the directory at `path` with `tree`.
    ///
    /// Refuses an empty path, a target that is or holds the working directory or one of `inputs`
    /// (symbolic links resolved), and a target that exists but does not look like clusterspec
    /// output (every entry a system directory with `base/kustomization.yaml`), so a mistyped
    /// `-o .` cannot delete a project. Staging directories that builds killed midway left beside
    /// the target are removed first.
    public static func replace(_ path: String, with tree: FileTree, protecting inputs: [String] = [],
                               requireOwnedTarget: Bool = true) throws(FileError) {
        let manager = FileManager.default
        guard !path.isEmpty else { throw FileError("'': the output directory is empty; name a directory such as 'out'") }
        let target = URL(fileURLWithPath: path).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        let name = target.lastPathComponent
        guard !name.isEmpty, name != "/", name != "..", name != "." else {
            throw FileError("\(path): not a usable output directory")
        }
        try refuseEnclosing(path, inputs: inputs)
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
        StagingDirectory.removeAbandoned(beside: target)
        let staging = parent.appendingPathComponent(StagingDirectory.name(for: name))
        try? manager.removeItem(at: staging)
        do {
            try write(tree, into: staging)
            try swap(staging, into: target)
            syncDirectory(parent)
        } catch {
            try? manager.removeItem(at: staging)
            throw error
        }
    }

    /// Throws when the target, symbolic links resolved, is the working directory, one of `inputs`,
    /// or a directory holding either (replacing it would delete them).
    private static func refuseEnclosing(_ path: String, inputs: [String]) throws(FileError) {
        let target = resolved(path)
        let cwd = resolved(FileManager.default.currentDirectoryPath)
        func encloses(_ other: String) -> Bool {
            target == "/" || other == target || other.hasPrefix(target + "/")
        }
        if encloses(cwd) {
            throw FileError("\(path): the output directory \(target == cwd ? "is" : "contains") the working directory; choose a directory such as 'out'")
        }
        if let input = inputs.first(where: { encloses(resolved($0)) }) {
            throw FileError("\(path): the output directory \(resolved(input) == target ? "is" : "contains") the input '\(input)'; choose a directory such as 'out'")
        }
    }

    /// The absolute path with every symbolic link resolved: `realpath` of the longest existing
    /// prefix, the components that do not exist yet appended.
    static func resolved(_ path: String) -> String {
        var existing = URL(fileURLWithPath: path).standardizedFileURL
        var missing: [String] = []
        while true {
            if let real = realpath(existing.path, nil) {
                defer { free(real) }
                var result = String(cString: real)
                for component in missing.reversed() { result += (result.hasSuffix("/") ? "" : "/") + component }
                return result
            }
            let parent = existing.deletingLastPathComponent()
            if parent.path == existing.path { return URL(fileURLWithPath: path).standardizedFileURL.path }
            missing.append(existing.lastPathComponent)
            existing = parent
        }
    }

    /// Writes every file of `tree` under `root` (which must not exist), then makes all of it
    /// durable with one `syncfs` of the file system rather than an `fsync` per file: the tree only
    /// becomes visible by the swap that follows, so a crash before it leaves the previous tree.
    private static func write(_ tree: FileTree, into root: URL) throws(FileError) {
        func failure(_ path: String, _ what: String) -> FileError {
            FileError("\(path): cannot write output (\(what): \(String(cString: strerror(errno))))")
        }
        guard mkdir(root.path, 0o755) == 0 else { throw failure(root.path, "mkdir") }
        var directories: Set<String> = [""]
        for path in tree.paths {
            // Parent directories first, each created once.
            var parent = ""
            for component in path.split(separator: "/").dropLast() {
                parent += parent.isEmpty ? String(component) : "/\(component)"
                guard directories.insert(parent).inserted else { continue }
                let directory = root.path + "/" + parent
                guard mkdir(directory, 0o755) == 0 || errno == EEXIST else { throw failure(directory, "mkdir") }
            }
            let file = root.path + "/" + path
            let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw failure(file, "open") }
            var contents = tree[path] ?? ""
            let written = contents.withUTF8 { bytes -> Bool in
                var offset = 0
                while offset < bytes.count {
                    let count = systemWrite(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { return false }
                    offset += count
                }
                return true
            }
            guard written, close(descriptor) == 0 else {
                let error = failure(file, "write")
                _ = close(descriptor)
                throw error
            }
        }
        try syncFileSystem(of: root.path)
    }

    private static func systemWrite(_ descriptor: Int32, _ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
        #else
        Darwin.write(descriptor, bytes, count)
        #endif
    }

    /// Flushes the file system holding `path` to disk: Linux `syncfs` (looked up at run time, as
    /// `renameat2` is), else `sync`.
    private static func syncFileSystem(of path: String) throws(FileError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError("\(path): cannot open to sync (\(String(cString: strerror(errno))))") }
        defer { _ = close(descriptor) }
        #if os(Linux)
        typealias SyncFS = @convention(c) (Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") {
            guard unsafeBitCast(symbol, to: SyncFS.self)(descriptor) == 0 else {
                throw FileError("\(path): cannot sync output to disk (\(String(cString: strerror(errno))))")
            }
            return
        }
        #endif
        sync()
    }

    /// Makes a rename in `directory` durable.
    private static func syncDirectory(_ directory: URL) {
        let descriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = close(descriptor)
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
        let aside = target.deletingLastPathComponent().appendingPathComponent(StagingDirectory.name(for: target.lastPathComponent, aside: true))
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

/// The hidden siblings a build writes (`.<out>.clusterspec-<pid>`) or moves the old tree to
/// (`.<out>.clusterspec-old-<pid>`). A build killed midway (`kill -9`) leaves one behind; the next
/// build removes it once its process is gone — never one of a build still running.
enum StagingDirectory {
    /// The staging (or, with `aside`, the set-aside) directory name of this process for `target`.
    static func name(for target: String, aside: Bool = false, pid: Int32 = ProcessInfo.processInfo.processIdentifier) -> String {
        ".\(target).clusterspec-\(aside ? "old-" : "")\(pid)"
    }

    /// The process id in a staging or set-aside name for `target`, nil for any other name.
    static func owner(of entry: String, target: String) -> Int32? {
        let prefix = ".\(target).clusterspec-"
        guard entry.hasPrefix(prefix) else { return nil }
        var rest = entry.dropFirst(prefix.count)
        if rest.hasPrefix("old-") { rest = rest.dropFirst(4) }
        guard !rest.isEmpty, rest.allSatisfy(\.isASCII), rest.allSatisfy(\.isNumber), let pid = Int32(rest), pid > 0 else { return nil }
        return pid
    }

    /// Whether process `pid` exists (a process we may not signal exists too).
    static func isRunning(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// Removes the staging and set-aside directories beside `target` whose process is gone.
    static func removeAbandoned(beside target: URL) {
        let manager = FileManager.default
        let parent = target.deletingLastPathComponent()
        let own = ProcessInfo.processInfo.processIdentifier
        guard let entries = try? manager.contentsOfDirectory(atPath: parent.path) else { return }
        for entry in entries.sorted() {
            guard let pid = owner(of: entry, target: target.lastPathComponent), pid != own, !isRunning(pid) else { continue }
            try? manager.removeItem(at: parent.appendingPathComponent(entry))
        }
    }
}
