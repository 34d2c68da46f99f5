import Foundation
import Testing

/// Runs an emitted shell script with `/bin/sh` (dash here, as in the Debian-based images) in a
/// scratch directory, with stand-ins on `PATH` for the programs it calls: a scripted CLI that
/// answers from files and logs every call, `timeout` and `sleep` that do not wait, and servers
/// that only record how they were started. The script's absolute directories are moved into the
/// scratch directory by rewriting their assignments, so what runs is the emitted logic itself.
final class ShellSandbox {
    let root: URL
    private let manager = FileManager.default

    init() throws {
        root = manager.temporaryDirectory.appendingPathComponent("clusterspec-sandbox-\(UUID().uuidString)")
        for directory in ["bin", "answers", "data", "run", "etc"] {
            try manager.createDirectory(at: root.appendingPathComponent(directory), withIntermediateDirectories: true)
        }
        try executable("bin/timeout", "#!/bin/sh\nshift\nexec \"$@\"\n")
        try executable("bin/sleep", "#!/bin/sh\nexit 0\n")
        for cli in ["redis-cli", "valkey-cli"] { try executable("bin/\(cli)", Self.cli) }
        for server in ["redis-server", "redis-sentinel", "valkey-server", "valkey-sentinel"] {
            try executable("bin/\(server)", "#!/bin/sh\necho \"$(basename \"$0\") $*\" >> \"$SANDBOX/exec.log\"\n")
        }
    }

    deinit { try? manager.removeItem(at: root) }

    /// A CLI that logs `host port args…` and prints `answers/<host>_<port>_<args…>`, or the file
    /// with the call's number appended (`….2` for the second such call) when there is one; with no
    /// file it fails like a refused connection.
    private static let cli = """
        #!/bin/sh
        echo "$*" >> "$SANDBOX/argv.log"
        host=127.0.0.1 port=6379
        while [ $# -gt 0 ]; do
          case "$1" in
            -h) host=$2; shift 2 ;;
            -p) port=$2; shift 2 ;;
            --tls) shift ;;
            --cacert) shift 2 ;;
            *) break ;;
          esac
        done
        echo "$host $port $*" >> "$SANDBOX/calls.log"
        key=$(printf '%s' "$host $port $*" | tr ' ' '_')
        count=$(( $(cat "$SANDBOX/answers/$key.calls" 2>/dev/null || echo 0) + 1 ))
        echo "$count" > "$SANDBOX/answers/$key.calls"
        if [ -f "$SANDBOX/answers/$key.$count" ]; then cat "$SANDBOX/answers/$key.$count"; exit 0; fi
        if [ -f "$SANDBOX/answers/$key" ]; then cat "$SANDBOX/answers/$key"; exit 0; fi
        echo "Could not connect to $host:$port: Connection refused" >&2
        exit 1

        """

    private func executable(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try text.write(to: url, atomically: true, encoding: .utf8)
        try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }

    func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// What the CLI prints for `args` sent to `host:port` (the `call`-th such call only, when given).
    func answer(_ host: String, _ port: Int, _ args: String, _ text: String, call: Int? = nil) throws {
        let key = "\(host) \(port) \(args)".replacingOccurrences(of: " ", with: "_")
        try text.write(toFile: path("answers/\(key)\(call.map { ".\($0)" } ?? "")"), atomically: true, encoding: .utf8)
    }

    func write(_ relative: String, _ text: String) throws {
        try text.write(toFile: path(relative), atomically: true, encoding: .utf8)
    }

    func read(_ relative: String) -> String? { try? String(contentsOfFile: path(relative), encoding: .utf8) }

    /// Lines of a log (`calls.log`: `host port args…` of every CLI call; `exec.log`: the servers started).
    func log(_ name: String) -> [String] { (read(name) ?? "").split(separator: "\n").map(String.init) }

    /// Runs `script` with its `variable=` assignments pointed into the sandbox; returns the exit
    /// status and the combined output. A script still running after 20 s is killed (status 124).
    func run(_ script: String, relocating variables: [String: String], environment: [String: String]) throws -> (status: Int32, output: String) {
        var lines = script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (variable, relative) in variables {
            let index = try #require(lines.firstIndex { $0.hasPrefix("\(variable)=") }, "the script assigns no '\(variable)'")
            lines[index] = "\(variable)=\(path(relative))"
        }
        try write("script.sh", lines.joined(separator: "\n"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["20", "/bin/sh", path("script.sh")]
        process.environment = ["PATH": "\(path("bin")):/usr/bin:/bin", "SANDBOX": root.path].merging(environment) { $1 }
        let output = root.appendingPathComponent("output")
        try Data().write(to: output)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, read("output") ?? "")
    }
}
