import ArgumentParser
import ClusterSpec
import Foundation
import LanguageServer

/// `clusterspec schema`: the JSON Schemas editors validate and complete with.
struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print or write the JSON Schemas of specs, overlays and the project file.",
        discussion: """
            Generated from the decoder's own key tables, so they accept exactly the keys the compiler \
            does. Without options, prints the schema of --kind (default: spec). -o DIR writes all three \
            (clusterspec.schema.json, overlay.schema.json, project.schema.json); --check DIR exits 1 with \
            a diff when the files there are stale.

            EXAMPLES
              clusterspec schema -o schema
              clusterspec schema --check schema
              clusterspec schema --kind overlay
            """)

    @Option(name: .long, help: "spec, overlay or project.")
    var kind: SpecSchema.Kind = .spec

    @Option(name: .shortAndLong, help: "Write every schema file into this directory.")
    var output: String?

    @Option(name: .long, help: "Exit 1 when the schema files in this directory differ from the generated ones.")
    var check: String?

    func validate() throws {
        if output != nil, check != nil { throw ValidationError("give -o or --check, not both") }
    }

    func run() throws {
        if let check {
            let stale = SpecSchema.staleFiles(in: check)
            guard !stale.isEmpty else {
                print("\(check)/ is up to date")
                return
            }
            for file in stale { print(file.diff, terminator: "") }
            print("\(stale.count) schema file\(stale.count == 1 ? " is" : "s are") stale; run 'clusterspec schema -o \(check)'")
            throw Exit.violations
        }
        if let output {
            do {
                try SpecSchema.write(to: output)
            } catch {
                printError("clusterspec: error: \(error.description)\n")
                throw Exit.inputError
            }
            printError("wrote \(SpecSchema.files.paths.count) schemas to \(output)\n")
            return
        }
        print(SpecSchema.text(kind), terminator: "")
    }
}

extension SpecSchema.Kind: ExpressibleByArgument {}

/// `clusterspec lsp`: the language server, over stdio.
struct Lsp: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp",
        abstract: "Run the Language Server Protocol server on stdin/stdout (for editors).",
        discussion: """
            Publishes clusterspec's own diagnostics (overlays and rules included) as you type, with \
            fixes that are edits as code actions, hover with key descriptions and rule explanations, \
            and completion of keys, values, engines and 'uses:' targets. Editors start it themselves; \
            see README ("Editor support").
            """)

    func run() throws {
        let code = LanguageServer.run()
        if code != 0 { throw ExitCode(code) }
    }
}

/// `clusterspec graph`: the system as the compiler sees it, as Mermaid or DOT.
struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw each system: namespaces, workloads and store roles, and the traffic between them.",
        discussion: """
            Namespaces are groups; workloads and store roles are nodes (with replicas or members); edges \
            are the declared traffic with its ports ('uses:', store peers, exposure, metrics, API access, \
            external endpoints). With --policy the edges are instead what the emitted NetworkPolicy objects \
            allow, read back from the objects. Mermaid renders inline on GitHub; DOT is for Graphviz \
            (dot -Tsvg). Several specs print one graph each, in system order.

            EXAMPLES
              clusterspec graph specs/cyoda-go.cluster.yaml
              clusterspec graph specs/cyoda-go.cluster.yaml --env prod --format dot | dot -Tsvg > cyoda.svg
              clusterspec graph specs --policy
            """)

    @OptionGroup var inputs: InputOptions

    @Option(name: .long, help: "Draw this environment (its overlays applied). Default: the base.")
    var env: String?

    @Option(name: .long, help: "mermaid (default) or dot.")
    var format: SystemGraph.Format = .mermaid

    @Flag(name: .long, help: "Edges from what the emitted NetworkPolicy objects allow, instead of the declared traffic.")
    var policy = false

    @OptionGroup var options: OutputOptions

    func run() throws {
        let workspace = try inputs.resolve(color: options.color)
        var compileOptions = CompileOptions(environments: env.map { .only($0) } ?? .all)
        compileOptions.runRules = false
        let compilation = Compiler.compile(workspace, options: compileOptions)
        report(compilation, color: options.color)
        if compilation.hasInputErrors { throw Exit.inputError }
        var graphs: [String] = []
        for system in compilation.systems {
            let selected = env.flatMap { name in system.environments.first { $0.name == name } }
            let spec = selected?.spec ?? system.spec
            let resources = selected?.resources ?? system.resources
            let graph = policy ? SystemGraph.policy(spec, resources: resources) : SystemGraph.declared(spec)
            graphs.append(graph.render(format))
        }
        print(graphs.joined(separator: "\n"), terminator: "")
    }
}

extension SystemGraph.Format: ExpressibleByArgument {}
