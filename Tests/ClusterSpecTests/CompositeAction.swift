import Foundation
import Testing
import Yams

/// Runs a composite GitHub Action's shell steps on this machine the way GitHub's runner does:
/// each `run:` script with `bash --noprofile --norc -eo pipefail`, in the workspace, with the
/// runner's variables (`GITHUB_ACTION_PATH`, `GITHUB_OUTPUT`, `GITHUB_PATH`, `RUNNER_TEMP`…), the
/// step's `env:` with its `${{ }}` expressions resolved, outputs and PATH additions carried to the
/// later steps, and the steps after a failed one skipped. `uses:` steps (other actions) are not
/// run; they are recorded with their resolved `with:`. Only the expressions the action needs are
/// understood (`inputs.*`, `steps.<id>.outputs.*`, `github.*`, `runner.temp`): anything else, or
/// an expression inside a script (script injection), is an error rather than a guess.
struct CompositeAction {
    let file: URL
    let steps: [[String: Any]]
    let inputDefaults: [String: String]
    let outputs: [String: String]

    init(file: URL = Paths.root.appendingPathComponent("action.yml")) throws {
        self.file = file
        let action = try #require(try Yams.load(yaml: String(contentsOf: file, encoding: .utf8)) as? [String: Any])
        let runs = try #require(action["runs"] as? [String: Any])
        try #require(runs["using"] as? String == "composite", "not a composite action")
        steps = try #require(runs["steps"] as? [[String: Any]])
        inputDefaults = ((action["inputs"] as? [String: [String: Any]]) ?? [:]).mapValues { "\($0["default"] ?? "")" }
        outputs = ((action["outputs"] as? [String: [String: Any]]) ?? [:]).mapValues { "\($0["value"] ?? "")" }
    }

    /// Where and for what the action runs.
    struct Context {
        var workspace: URL
        var inputs: [String: String] = [:]
        /// `github.*` values: `event_name`, `repository`, `token`, `event.pull_request.number`…
        var github: [String: String] = [:]
        /// The job's PATH before the action.
        var path: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    }

    struct Step {
        var name: String
        var id: String?
        /// The action a `uses:` step calls (nil for a shell step).
        var uses: String?
        var with: [String: String] = [:]
        var condition: String?
        /// nil when the step did not run (a `uses:` step, or skipped after a failure).
        var result: RunResult?
        var outputs: [String: String] = [:]
    }

    struct Run {
        /// The runner's directories (RUNNER_TEMP…), kept while the run is inspected.
        let runner: TemporaryDirectory
        var steps: [Step]
        var outputs: [String: String]
        var succeeded: Bool { steps.allSatisfy { ($0.result?.status ?? 0) == 0 } }
        /// Everything the shell steps printed, in order.
        var log: String { steps.compactMap { $0.result.map { $0.stdout + $0.stderr } }.joined() }

        func step(_ name: String) -> Step? { steps.first { $0.name == name || $0.id == name } }
    }

    func execute(_ context: Context) throws -> Run {
        let runner = try TemporaryDirectory()
        let temp = runner.url.appendingPathComponent("temp")
        try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
        var path = context.path
        var addedEnvironment: [String: String] = [:]
        var results: [Step] = []
        var failed = false
        var stepOutputs: [String: [String: String]] = [:]
        let resolve = { (text: String) throws -> String in
            try Self.expand(text, context: context, inputDefaults: self.inputDefaults, steps: stepOutputs, actionPath: self.file.deletingLastPathComponent(), temp: temp)
        }
        for (index, definition) in steps.enumerated() {
            var step = Step(name: definition["name"] as? String ?? "step \(index + 1)", id: definition["id"] as? String,
                            uses: definition["uses"] as? String, condition: definition["if"] as? String)
            if step.uses != nil {
                for (key, value) in (definition["with"] as? [String: Any]) ?? [:] { step.with[key] = try resolve("\(value)") }
                results.append(step)
                continue
            }
            let script = try #require(definition["run"] as? String, "\(step.name): neither run nor uses")
            try #require(definition["shell"] as? String == "bash", "\(step.name): only shell: bash is run here")
            try #require(step.condition == nil, "\(step.name): an if: on a shell step is not evaluated here")
            try #require(!script.contains("${{"), "\(step.name): an expression inside the script (pass it through env:)")
            if failed {
                results.append(step)
                continue
            }
            let files = ["GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_ENV", "GITHUB_STEP_SUMMARY"].map { ($0, runner.url.appendingPathComponent("\($0)-\(index)")) }
            for (_, url) in files { try Data().write(to: url) }
            let scriptFile = runner.url.appendingPathComponent("step-\(index).sh")
            try Data(script.utf8).write(to: scriptFile)
            var environment = addedEnvironment
            for (key, value) in (definition["env"] as? [String: Any]) ?? [:] { environment[key] = try resolve("\(value)") }
            environment["PATH"] = path
            environment["CI"] = "true"
            environment["GITHUB_ACTIONS"] = "true"
            environment["GITHUB_ACTION_PATH"] = file.deletingLastPathComponent().path
            environment["GITHUB_WORKSPACE"] = context.workspace.path
            environment["GITHUB_REPOSITORY"] = context.github["repository"] ?? ""
            environment["GITHUB_EVENT_NAME"] = context.github["event_name"] ?? ""
            environment["RUNNER_TEMP"] = temp.path
            for (name, url) in files { environment[name] = url.path }
            let directory = try (definition["working-directory"] as? String).map { context.workspace.appendingPathComponent(try resolve($0)) } ?? context.workspace
            let result = try run(URL(fileURLWithPath: "/bin/bash"), ["--noprofile", "--norc", "-eo", "pipefail", scriptFile.path],
                                                      in: directory, environment: environment)
            step.result = result
            step.outputs = Self.keyValues(try String(contentsOf: files[0].1, encoding: .utf8))
            if let id = step.id { stepOutputs[id] = step.outputs }
            let added = try String(contentsOf: files[1].1, encoding: .utf8).split(separator: "\n").map(String.init)
            if !added.isEmpty { path = added.reversed().joined(separator: ":") + ":" + path }
            addedEnvironment.merge(Self.keyValues(try String(contentsOf: files[2].1, encoding: .utf8))) { _, new in new }
            failed = result.status != 0
            results.append(step)
        }
        let outputs = try self.outputs.mapValues { try resolve($0) }
        return Run(runner: runner, steps: results, outputs: outputs)
    }

    /// `name=value` lines and `name<<DELIMITER` blocks, as the runner reads GITHUB_OUTPUT and GITHUB_ENV.
    static func keyValues(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)[...]
        while let line = lines.popFirst() {
            if let range = line.range(of: "<<"), !line[..<range.lowerBound].contains("=") {
                let delimiter = String(line[range.upperBound...])
                var body: [String] = []
                while let next = lines.popFirst(), next != delimiter { body.append(next) }
                values[String(line[..<range.lowerBound])] = body.joined(separator: "\n")
            } else if let equals = line.firstIndex(of: "=") {
                values[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
        }
        return values
    }

    /// `text` with every `${{ expression }}` replaced by its value.
    static func expand(_ text: String, context: Context, inputDefaults: [String: String], steps: [String: [String: String]],
                       actionPath: URL, temp: URL) throws -> String {
        var result = ""
        var rest = text[...]
        while let open = rest.range(of: "${{") {
            result += rest[..<open.lowerBound]
            let close = try #require(rest[open.upperBound...].range(of: "}}"), "unterminated expression in '\(text)'")
            let expression = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let parts = expression.split(separator: ".", maxSplits: 1).map(String.init)
            switch (parts.first, parts.count) {
            case ("inputs", 2):
                let value = try context.inputs[parts[1]] ?? #require(inputDefaults[parts[1]], "unknown input '\(parts[1])'")
                result += try expand(value, context: context, inputDefaults: inputDefaults, steps: steps, actionPath: actionPath, temp: temp)
            case ("steps", 2):
                let path = parts[1].split(separator: ".").map(String.init)
                try #require(path.count == 3 && path[1] == "outputs", "unsupported expression '\(expression)'")
                result += steps[path[0]]?[path[2]] ?? ""
            case ("github", 2) where parts[1] == "action_path":
                result += actionPath.path
            case ("github", 2):
                result += context.github[parts[1]] ?? ""
            case ("runner", 2) where parts[1] == "temp":
                result += temp.path
            default:
                Issue.record("unsupported expression '\(expression)' in '\(text)'")
            }
            rest = rest[close.upperBound...]
        }
        return result + rest
    }
}
