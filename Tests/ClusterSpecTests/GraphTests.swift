import ClusterSpec
import Foundation
import ManifestEmission
import Testing

/// `clusterspec graph`: golden output for every example, DOT rendered by Graphviz, Mermaid and DOT
/// drawing the same graph, and `--policy` edges that follow the emitted objects.
@Suite("clusterspec graph")
struct GraphTests {
    static let fixtures = Paths.root.appendingPathComponent("Tests/ClusterSpecTests/Fixtures/graph")

    /// What each example's golden files hold: the base in both formats, and what prod's policies allow.
    static func variants(_ spec: String) -> [(file: String, arguments: [String])] {
        let name = (spec as NSString).lastPathComponent.replacingOccurrences(of: ".cluster.yaml", with: "")
        return [("\(name).mmd", ["graph", spec]), ("\(name).dot", ["graph", spec, "--format", "dot"]),
                ("\(name).prod-policy.mmd", ["graph", spec, "--env", "prod", "--policy"])]
    }

    @Test func everyExampleMatchesItsGolden() throws {
        let record = ProcessInfo.processInfo.environment["RECORD"] == "1"
        if record { try FileManager.default.createDirectory(at: Self.fixtures, withIntermediateDirectories: true) }
        var expected = Set<String>()
        for spec in Paths.exampleSpecs {
            for (file, arguments) in Self.variants(spec) {
                expected.insert(file)
                let result = try clusterspec(arguments)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
                let url = Self.fixtures.appendingPathComponent(file)
                if record {
                    try Data(result.stdout.utf8).write(to: url)
                    continue
                }
                let committed = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
                #expect(committed == result.stdout, "Fixtures/graph/\(file) is stale: RECORD=1 swift test --filter GraphTests")
            }
        }
        if record { Issue.record("recorded Fixtures/graph; review the diff and run again without RECORD=1") }
        let committed = Set((try? FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path)) ?? [])
        #expect(committed == expected, "Fixtures/graph holds files of no example")
    }

    /// The README's Mermaid example is the program's output.
    @Test func readmeShowsTheRealGraph() throws {
        let readme = try String(contentsOf: Paths.root.appendingPathComponent("README.md"), encoding: .utf8)
        let golden = try String(contentsOf: Self.fixtures.appendingPathComponent("cyoda-go.mmd"), encoding: .utf8)
        #expect(readme.contains("```mermaid\n" + golden + "```\n"), "README's graph of cyoda-go differs from Fixtures/graph/cyoda-go.mmd")
    }

    @Test func graphsDoNotDependOnArgumentOrder() throws {
        let specs = Paths.exampleSpecs
        let forward = try clusterspec(["graph"] + specs), backward = try clusterspec(["graph"] + specs.reversed())
        #expect(forward.status == 0 && !forward.stdout.isEmpty)
        #expect(forward.stdout == backward.stdout)
    }

    @Test func graphvizRendersEveryExample() throws {
        let dot = URL(fileURLWithPath: "/usr/bin/dot")
        guard FileManager.default.isExecutableFile(atPath: dot.path) else {
            #expect(ProcessInfo.processInfo.environment["CLUSTERSPEC_LIVE"] != "required", "Graphviz is missing (apt-get install graphviz)")
            return
        }
        let scratch = try TemporaryDirectory()
        for spec in Paths.exampleSpecs {
            for policy in [false, true] {
                let result = try clusterspec(["graph", spec, "--format", "dot"] + (policy ? ["--policy"] : []))
                #expect(result.status == 0, "\(result.stderr)")
                let input = scratch.url.appendingPathComponent("graph.dot")
                try Data(result.stdout.utf8).write(to: input)
                let rendered = try run(dot, ["-Tsvg", input.path])
                #expect(rendered.status == 0 && rendered.stderr.isEmpty, "\(spec): dot -Tsvg: \(rendered.stderr)")
                #expect(rendered.stdout.contains("<svg"), "\(spec): no SVG")
                // Graphviz drew every node: one <g class="node"> per node line of the input.
                let nodes = result.stdout.split(separator: "\n").filter { $0.contains(" [label=") && !$0.contains(" -> ") }.count
                #expect(rendered.stdout.components(separatedBy: "class=\"node\"").count - 1 == nodes, "\(spec): nodes drawn")
            }
        }
    }

    /// Mermaid and DOT, read back with a small reader of each syntax, list the same nodes (by
    /// label and group) and the same edges (by end labels and edge label).
    @Test func mermaidAndDotDrawTheSameGraph() throws {
        for spec in Paths.exampleSpecs {
            for extra in [[], ["--policy"]] {
                let mermaid = try clusterspec(["graph", spec] + extra), dot = try clusterspec(["graph", spec, "--format", "dot"] + extra)
                let fromMermaid = DrawnGraph(mermaid: mermaid.stdout), fromDot = DrawnGraph(dot: dot.stdout)
                #expect(!fromMermaid.nodes.isEmpty && !fromMermaid.edges.isEmpty, "\(spec) \(extra): nothing drawn")
                #expect(fromMermaid.nodes == fromDot.nodes, "\(spec) \(extra): nodes")
                #expect(fromMermaid.edges == fromDot.edges, "\(spec) \(extra): edges")
            }
        }
    }

    /// The policy graph is read from the emitted objects: deleting one ingress rule of one
    /// NetworkPolicy removes exactly the edge it allowed.
    @Test func deletingAnEmittedRuleRemovesItsEdge() throws {
        let compilation = Compiler.compile(specPaths: [Paths.root.appendingPathComponent("specs/cyoda-go.cluster.yaml").path])
        let system = try #require(compilation.systems.first)
        let full = SystemGraph.policy(system.spec, resources: system.resources)
        let fromIngress = full.edges.filter { $0.from == "namespace/ingress-nginx" && $0.to == "cyoda/cyoda-go" }
        #expect(fromIngress.map(\.label) == ["8080"], "\(full.edges)")

        let trimmed = system.resources.map { resource -> Resource in
            guard resource.kind == "NetworkPolicy", resource.name == "cyoda-go" else { return resource }
            var copy = resource
            copy.body = Self.removingIngressRules(from: resource.body) { rule in
                rule["from"].map { "\($0)".contains("ingress-nginx") } ?? false
            }
            return copy
        }
        #expect(trimmed != system.resources, "the rule was found and removed")
        let cut = SystemGraph.policy(system.spec, resources: trimmed)
        #expect(!cut.edges.contains { $0.from == "namespace/ingress-nginx" && $0.to == "cyoda/cyoda-go" }, "\(cut.edges)")
        #expect(Set(full.edges).subtracting(cut.edges) == Set(fromIngress), "only that edge went")
        #expect(Set(cut.edges).isSubset(of: Set(full.edges)))
    }

    static func removingIngressRules(from body: ManifestValue, where drop: (ManifestValue) -> Bool) -> ManifestValue {
        guard case .map(let entries) = body else { return body }
        return .map(entries.map { entry in
            guard entry.key == "spec", case .map(let spec) = entry.value else { return entry }
            return .init("spec", .map(spec.map { field in
                guard field.key == "ingress", case .list(let rules) = field.value else { return field }
                return .init("ingress", .list(rules.filter { !drop($0) }))
            }))
        })
    }
}

/// A drawn graph read back from Mermaid or DOT text: nodes as (group, label), edges as
/// (from label, to label, edge label), with each syntax's escapes undone.
struct DrawnGraph: Equatable {
    var nodes: Set<[String]> = []
    var edges: Set<[String]> = []

    init(mermaid text: String) {
        var labels: [String: String] = [:], group = ""
        var pending: [(String, String, String)] = []
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("subgraph "), let label = Self.quoted(line) {
                group = Self.unescapeMermaid(label)
            } else if let arrow = line.range(of: " -->|\"") {
                let from = String(line[..<arrow.lowerBound])
                let rest = line[arrow.upperBound...]
                guard let close = rest.range(of: "\"| ") else { continue }
                pending.append((from, String(rest[close.upperBound...]), Self.unescapeMermaid(String(rest[..<close.lowerBound]))))
            } else if let bracket = line.firstIndex(of: "["), let label = Self.quoted(line) {
                let id = String(line[..<bracket])
                labels[id] = Self.unescapeMermaid(label)
                nodes.insert([group, labels[id] ?? ""])
            }
        }
        for (from, to, label) in pending { edges.insert([labels[from] ?? "?\(from)", labels[to] ?? "?\(to)", label]) }
    }

    init(dot text: String) {
        var labels: [String: String] = [:], group = ""
        var pending: [(String, String, String)] = []
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let strings = Self.dotStrings(line)
            if line.hasPrefix("label="), let label = strings.first {
                group = label
            } else if line.contains(" -> "), strings.count == 3 {
                pending.append((strings[0], strings[1], strings[2]))
            } else if line.contains(" [label="), strings.count == 2 {
                labels[strings[0]] = strings[1]
                nodes.insert([group, strings[1]])
            }
        }
        for (from, to, label) in pending { edges.insert([labels[from] ?? "?\(from)", labels[to] ?? "?\(to)", label]) }
    }

    /// The text between the first and the last double quote.
    private static func quoted(_ line: String) -> String? {
        guard let first = line.firstIndex(of: "\""), let last = line.lastIndex(of: "\""), first < last else { return nil }
        return String(line[line.index(after: first)..<last])
    }

    private static func unescapeMermaid(_ text: String) -> String {
        text.replacingOccurrences(of: "<br/>", with: "\n").replacingOccurrences(of: "#quot;", with: "\"")
            .replacingOccurrences(of: "#lt;", with: "<").replacingOccurrences(of: "#gt;", with: ">").replacingOccurrences(of: "#35;", with: "#")
    }

    /// The DOT string literals of a line, unescaped.
    private static func dotStrings(_ line: String) -> [String] {
        var strings: [String] = [], current: String?
        var escaped = false
        for character in line {
            guard var text = current else {
                if character == "\"" { current = "" }
                continue
            }
            if escaped {
                text.append(character == "n" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                strings.append(text)
                current = nil
                continue
            } else {
                text.append(character)
            }
            current = text
        }
        return strings
    }
}
