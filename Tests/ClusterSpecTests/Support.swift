import Foundation
import Testing

/// Paths of the repository and the built products, found from this file and the test bundle.
enum Paths {
    /// The package root (three levels above this file).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `clusterspec` executable built next to the test bundle.
    static var binary: URL {
        let candidates = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        for directory in candidates {
            let url = directory.appendingPathComponent("clusterspec")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return candidates[0].appendingPathComponent("clusterspec")
    }

    /// Every example spec, relative to the root (`specs/x.cluster.yaml`).
    static var exampleSpecs: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("specs").path)) ?? []
        return names.filter { $0.hasSuffix(".cluster.yaml") }.sorted().map { "specs/\($0)" }
    }
}

/// The outcome of running a program.
struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `executable` with `arguments` in `directory`, capturing output through files (no pipe deadlocks).
func run(_ executable: URL, _ arguments: [String], in directory: URL = Paths.root, environment: [String: String]? = nil) throws -> RunResult {
    let scratch = try TemporaryDirectory()
    let outURL = scratch.url.appendingPathComponent("stdout"), errURL = scratch.url.appendingPathComponent("stderr")
    try Data().write(to: outURL)
    try Data().write(to: errURL)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    for (key, value) in environment ?? [:] { env[key] = value }
    process.environment = env
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    process.standardOutput = out
    process.standardError = err
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    return RunResult(status: process.terminationStatus,
                     stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                     stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
}

/// Runs the built `clusterspec`.
func clusterspec(_ arguments: [String], in directory: URL = Paths.root, environment: [String: String]? = nil) throws -> RunResult {
    try run(Paths.binary, arguments, in: directory, environment: environment)
}

/// The independent judges the end-to-end tests run (kubernetes-validate, check-jsonschema, real
/// kustomize through pykustomize), from the virtual environment `scripts/test` creates
/// (`.venv-test/`), or from the `bin` directory `CLUSTERSPEC_JUDGES` names. Never from PATH: the
/// pinned versions of requirements-test.txt judge, whatever else is installed.
enum Judges {
    static let directory: URL = ProcessInfo.processInfo.environment["CLUSTERSPEC_JUDGES"].map { URL(fileURLWithPath: $0) }
        ?? Paths.root.appendingPathComponent(".venv-test/bin")

    /// The one message a missing judge gives.
    static let missing = "the Python judges are not installed in \(directory.path): run scripts/test, which creates .venv-test/ "
        + "with requirements-test.txt and then runs the tests (afterwards plain 'swift test' finds them there too)"

    static var python: URL { directory.appendingPathComponent("python3") }

    /// A judge's console script, e.g. `kubernetes-validate`.
    static func tool(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Whether every judge is there: the console scripts, and Python with the modules the
    /// kustomize conformance script imports.
    static let available: Bool = {
        let scripts = ["kubernetes-validate", "check-jsonschema"].allSatisfy { FileManager.default.isExecutableFile(atPath: tool($0).path) }
        guard scripts, FileManager.default.isExecutableFile(atPath: python.path) else { return false }
        return (try? run(python, ["-c", "import pykustomize, yaml"]).status) == 0
    }()
}

/// A system tool on PATH (valgrind, objcopy, dot): Debian packages `.ci/run` installs. Never for
/// the Python judges, which come from `Judges`.
func systemTool(_ name: String) -> URL? {
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let url = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return nil
}

extension Trait where Self == ConditionTrait {
    /// For tests that need the judges: skipped without them (`JudgesTests` reports it once).
    static var needsJudges: Self { .enabled(if: Judges.available, "needs the Python judges: run scripts/test") }
}

@Suite("Test setup")
struct JudgesTests {
    @Test func theJudgesAreInstalled() {
        #expect(Judges.available, Comment(rawValue: Judges.missing))
    }
}

/// A directory removed when the value goes away. It lies one level inside a fresh directory of
/// its own, so a spec written straight into it finds no overlays beside it (`../overlays` would
/// otherwise be the shared temporary directory's).
final class TemporaryDirectory {
    let url: URL
    private let container: URL

    init() throws {
        container = FileManager.default.temporaryDirectory.appendingPathComponent("clusterspec-test-\(UUID().uuidString)")
        url = container.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: container) }

    /// Writes `text` to `name` inside the directory and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    @discardableResult
    func write(_ name: String, _ data: Data) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        return file.path
    }
}

/// Every regular file under `directory` with its contents, by relative path.
func snapshot(_ directory: URL) -> [String: Data] {
    var files: [String: Data] = [:]
    guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else { return files }
    let prefix = directory.standardizedFileURL.path + "/"
    for case let url as URL in enumerator {
        guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
        files[String(url.standardizedFileURL.path.dropFirst(prefix.count))] = try? Data(contentsOf: url)
    }
    return files
}
