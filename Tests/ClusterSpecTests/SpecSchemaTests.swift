import Foundation
import Testing
@testable import ClusterSpec
import SpecModel
import SpecDiagnostics
@testable import SpecParsing

/// The JSON Schemas are generated from the decoder's key tables; these tests hold the two to each
/// other: every key the tables list is described, the committed schemas are current (and a dropped
/// key is caught), the examples validate, and for every key of every table the decoder and the
/// schema agree — a sample of its type accepted, a misspelt key and a value of another type
/// rejected by both (the schema judged by the jsonschema library, the examples by check-jsonschema).
@Suite("JSON Schema of specs, overlays and the project file")
struct SpecSchemaTests {
    @Test func everyKeyHasATypeAndADescription() {
        for table in SpecVocabulary.allTables {
            for key in table.keys {
                #expect(key.type != nil && !key.summary.isEmpty,
                        "key '\(key.name)' of table '\(table.id)' has no type or description: write it as KeyDescription(\"\(key.name)\", type, \"one line\", default:) in its table (SpecKeys, or the engine's keyDescriptions)")
            }
        }
        for engine in Engines.all {
            let described = Set(((engine as? any EngineDecoding.Type)?.keyDescriptions ?? []).map(\.name))
            for key in engine.keys where !described.contains(key) {
                Issue.record("engine '\(engine.name)' accepts key '\(key)' but its decoder's keyDescriptions do not describe it (type, one line, default)")
            }
            for key in described.subtracting(engine.keys) {
                Issue.record("engine '\(engine.name)' describes key '\(key)' that its keys do not list")
            }
        }
    }

    @Test func committedSchemasAreCurrent() throws {
        let stale = SpecSchema.staleFiles(in: Paths.root.appendingPathComponent("schema").path)
        #expect(stale.isEmpty, "schema/ is stale; run 'swift run clusterspec schema -o schema':\n\(stale.map(\.diff).joined())")
    }

    /// The staleness check catches a schema that lost a key.
    @Test func droppingAKeyFailsTheStalenessCheck() throws {
        let scratch = try TemporaryDirectory()
        try SpecSchema.write(to: scratch.url.path)
        let file = scratch.url.appendingPathComponent(SpecSchema.Kind.spec.fileName)
        var schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        var definitions = try #require(schema["$defs"] as? [String: Any])
        var service = try #require(definitions["service"] as? [String: Any])
        var properties = try #require(service["properties"] as? [String: Any])
        #expect(properties.removeValue(forKey: "replicas") != nil)
        service["properties"] = properties
        definitions["service"] = service
        schema["$defs"] = definitions
        try JSONSerialization.data(withJSONObject: schema, options: [.prettyPrinted, .sortedKeys]).write(to: file)
        let result = try clusterspec(["schema", "--check", scratch.url.path])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("\"replicas\""), "the diff shows the dropped key:\n\(result.stdout)")
        #expect(try clusterspec(["schema", "--check", Paths.root.appendingPathComponent("schema").path]).status == 0)
    }

    @Test(.needsJudges) func examplesValidateWithCheckJSONSchema() throws {
        let groups: [(SpecSchema.Kind, [String])] = [
            (.spec, Paths.exampleSpecs),
            (.overlay, overlayFiles()),
            (.project, ["clusterspec.yaml"]),
        ]
        for (kind, files) in groups {
            #expect(!files.isEmpty)
            let result = try run(Judges.tool("check-jsonschema"), ["--schemafile", "schema/\(kind.fileName)"] + files)
            #expect(result.status == 0, "\(kind.fileName):\n\(result.stdout)\(result.stderr)")
        }
    }

    @Test func everyExampleStartsWithTheModeline() throws {
        for file in Paths.exampleSpecs + overlayFiles() + ["clusterspec.yaml"] {
            let text = try String(contentsOf: Paths.root.appendingPathComponent(file), encoding: .utf8)
            let kind: SpecSchema.Kind = file.hasPrefix("overlays/") ? .overlay : file == "clusterspec.yaml" ? .project : .spec
            let expected = SpecSchema.modeline(kind, from: (file as NSString).deletingLastPathComponent)
            #expect(text.hasPrefix(expected + "\n"), "\(file) must start with '\(expected)'")
        }
    }

    /// For every key of every table: a sample of its type is accepted by the decoder and the
    /// schema, a misspelt key and a value of another type are rejected by both; in an overlay,
    /// every key is optional and may be null.
    @Test(.needsJudges) func decoderAndSchemaAgreeOnEveryKey() throws {
        let cases = KeyCases.all()
        #expect(cases.count > 300, "\(cases.count) cases")
        let scratch = try TemporaryDirectory()
        var filesByKind: [SpecSchema.Kind: [String]] = [:]
        var written: [(KeyCases.Case, String)] = []
        for (index, item) in cases.enumerated() {
            let path = try scratch.write("case-\(index).yaml", item.text)
            filesByKind[item.kind, default: []].append(path)
            written.append((item, path))
        }
        var verdicts: [String: [String]] = [:]
        for (kind, files) in filesByKind {
            let result = try run(Judges.python, [Paths.root.appendingPathComponent("Tests/tools/validate_schema.py").path,
                                                 Paths.root.appendingPathComponent("schema/\(kind.fileName)").path] + files)
            #expect(result.status == 0, "\(result.stderr)")
            let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [String]] ?? [:]
            verdicts.merge(parsed) { first, _ in first }
        }
        var failures: [String] = []
        for (item, path) in written {
            let schemaErrors = verdicts[path] ?? ["(not validated)"]
            if item.expectation == .accepted, !schemaErrors.isEmpty {
                failures.append("schema rejects \(item.name): \(schemaErrors.joined(separator: "; "))\n\(item.text)")
            }
            if item.expectation != .accepted, schemaErrors.isEmpty {
                failures.append("schema accepts \(item.name) (\(item.expectation))\n\(item.text)")
            }
            guard let decoded = item.decoderDiagnostics() else { continue }
            let atLine = decoded.filter { $0.location?.line == item.line }
            switch item.expectation {
            case .accepted:
                if let problem = atLine.first(where: { ["unknown-key", "type-mismatch"].contains($0.id) }) {
                    failures.append("decoder rejects \(item.name): \(problem.id): \(problem.message)\n\(item.text)")
                }
            case .misspelt:
                if !atLine.contains(where: { $0.id == "unknown-key" }) {
                    failures.append("decoder accepts \(item.name)\n\(item.text)\n\(decoded.map { "\($0.location?.line ?? 0): \($0.id) \($0.message)" })")
                }
            case .wrongType:
                // A version the decoder does not read is its own error.
                if !atLine.contains(where: { $0.severity == .error && ["type-mismatch", "invalid-value", "unsupported-version"].contains($0.id) }) {
                    failures.append("decoder accepts \(item.name)\n\(item.text)\n\(decoded.map { "\($0.location?.line ?? 0): \($0.id) \($0.message)" })")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) disagreements:\n\(failures.prefix(20).joined(separator: "\n\n"))")
    }

    private func overlayFiles() -> [String] {
        let root = Paths.root.appendingPathComponent("overlays")
        let files = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".yaml") }
        return files.sorted().map { "overlays/\($0)" }
    }
}

/// Documents probing one key each, generated from the key tables.
enum KeyCases {
    enum Expectation: String { case accepted, misspelt, wrongType }

    struct Case {
        var name: String
        var kind: SpecSchema.Kind
        var text: String
        /// The line of the key under test.
        var line: Int
        var expectation: Expectation
        /// Whether the decoder judges it too (overlay null cases are the schema's alone).
        var decoded: Bool

        func decoderDiagnostics() -> [Diagnostic]? {
            guard decoded else { return nil }
            let bytes = Array(text.utf8)
            switch kind {
            case .spec: return SpecParser.parse(file: "case.yaml", bytes: bytes).diagnostics
            case .overlay: return SpecParser.loadOverlay(file: "case.yaml", bytes: bytes).diagnostics
            case .project: return SpecParser.parseProjectFile(file: "case.yaml", bytes: bytes).diagnostics
            }
        }
    }

    /// A YAML document under construction; one entry may be the key under test.
    indirect enum Node: Sendable {
        case scalar(String)
        case map([Entry])
        case list([Node])
    }

    struct Entry: Sendable {
        var key: String
        var value: Node
        var isTarget = false
    }

    /// Block-style YAML, and the line of the target entry.
    static func render(_ node: Node) -> (text: String, line: Int) {
        var lines: [String] = [], target = 0
        func emit(_ node: Node, indent: String) {
            switch node {
            case .scalar(let text): lines.append(indent + text)
            case .list(let items):
                for item in items {
                    if case .scalar(let text) = item { lines.append(indent + "- " + text) } else if case .map(let inner) = item, inner.isEmpty {
                        lines.append(indent + "- {}")
                    } else {
                        lines.append(indent + "-")
                        emit(item, indent: indent + "  ")
                    }
                }
            case .map(let entries):
                for entry in entries {
                    switch entry.value {
                    case .scalar(let text): lines.append("\(indent)\(entry.key): \(text)")
                    case .map(let inner) where inner.isEmpty: lines.append("\(indent)\(entry.key): {}")
                    case .list(let inner) where inner.isEmpty: lines.append("\(indent)\(entry.key): []")
                    default:
                        lines.append("\(indent)\(entry.key):")
                        if entry.isTarget { target = lines.count }
                        emit(entry.value, indent: indent + "  ")
                        continue
                    }
                    if entry.isTarget { target = lines.count }
                }
            }
        }
        emit(node, indent: "")
        return (lines.joined(separator: "\n") + "\n", target)
    }

    // MARK: Samples

    static func nameSample(_ kind: NameKind) -> String {
        switch kind {
        case .port: return "http"
        case .environmentVariable: return "SAMPLE"
        case .qualified: return "example.com/sample"
        case .path: return "/sample"
        case .label, .subdomain, .any: return "sample"
        }
    }

    /// A value of `type` the decoder reads without a type error.
    static func sample(_ type: ValueType, overlay: Bool) -> Node {
        switch type {
        case .text, .nonEmptyText: return .scalar("sample")
        case .path: return .scalar("/sample")
        case .name(let kind): return .scalar(nameSample(kind))
        case .integer(let range): return .scalar(String(range.lowerBound))
        case .boolean: return .scalar("true")
        case .choice(let options): return .scalar(options.first ?? "")
        case .quantity: return .scalar("1Gi")
        case .duration: return .scalar("30s")
        case .countOrPercent: return .scalar("1")
        case .date: return .scalar("2030-01-31")
        case .list(let item): return .list([sample(item, overlay: overlay)])
        case .textMap(let names): return .map([Entry(key: nameSample(names), value: .scalar("sample"))])
        case .namedMap(let value, let names): return .map([Entry(key: nameSample(names), value: sample(value, overlay: overlay))])
        case .object(let table): return .map(minimal(table, overlay: overlay))
        case .anyOf(let types): return sample(types.first ?? .text, overlay: overlay)
        case .word(let word): return .scalar(word)
        case .nothing: return .scalar("null")
        case .store(let variants): return .map(variants.first.map { minimal($0.table, overlay: overlay) } ?? [])
        }
    }

    /// A value no alternative of `type` accepts.
    static func wrong(_ type: ValueType) -> Node {
        switch type {
        case .integer, .countOrPercent: return .scalar("abc")
        case .boolean: return .scalar("maybe")
        case .choice, .quantity, .duration, .date: return .scalar("zz-wrong")
        default: return acceptsList(type) ? .scalar("{zz: 1}") : .scalar("[1]")
        }
    }

    private static func acceptsList(_ type: ValueType) -> Bool {
        switch type {
        case .list: return true
        case .anyOf(let types): return types.contains(where: acceptsList)
        default: return false
        }
    }

    // MARK: Contexts

    /// Keys a table needs besides its required ones for the decoder to read the rest (exactly one
    /// probe kind, a Secret for an env source…), and groups of which only one may be written.
    static let companions: [String: [(String, Node)]] = [
        "spec": [("namespaces", .map([Entry(key: "apps", value: .map([]))]))],
        "probe": [("path", .scalar("/live"))],
        "envSource": [("secret", .scalar("creds")), ("key", .scalar("token"))],
        "envFrom": [("secret", .scalar("creds"))],
        "volume": [("claim", .scalar("data"))],
        "external": [("cidr", .scalar("10.0.0.0/8"))],
        "tls": [("issuer", .scalar("ca"))],
        "pdb": [("maxUnavailable", .scalar("1"))],
        "lifecycleHandler": [("path", .scalar("/drain"))],
        "statefulService": [("ports", .map([Entry(key: "http", value: .scalar("8080"))]))],
        // Probes and exposure need a port to be read at all.
        "service": [("ports", .map([Entry(key: "http", value: .scalar("8080"))]))],
    ]
    static let exclusive: [String: [Set<String>]] = [
        "probe": [["path", "exec", "tcp", "grpc"]],
        "envSource": [["secret", "configMap", "field", "resource"]],
        "envFrom": [["secret", "configMap"]],
        "volume": [["configMap", "secret", "emptyDir", "claim"]],
        "external": [["cidr", "host", "namespace"]],
        "tls": [["secret", "issuer"]],
        "pdb": [["minAvailable", "maxUnavailable"]],
        "lifecycleHandler": [["exec", "sleep", "path"]],
    ]
    /// Siblings one key needs (PostgreSQL reads `external` only in external mode).
    static let extras: [String: [String: [(String, Node)]]] = [
        "external": ["podLabels": [("namespace", .scalar("shared"))]],
        "store-postgres": ["external": [("mode", .scalar("external"))],
                           // The operator runs replication and backups.
                           "synchronous": [("mode", .scalar("cloudnative-pg"))], "backup": [("mode", .scalar("cloudnative-pg"))]],
        // A client certificate goes with a declared server certificate, not an issuer.
        "tls": ["clientSecret": [("secret", .scalar("certs"))]],
        // A route's paths are read against the spec's services and the ports they publish.
        "spec": ["routes": [("services", .map([Entry(key: "sample", value: .map([
            Entry(key: "image", value: .scalar("sample:1")), Entry(key: "ports", value: .map([Entry(key: "http", value: .scalar("8080"))])),
        ]))]))]],
    ]

    /// The entries of a smallest instance of `table` that decodes, without the keys that would
    /// conflict with `target`.
    static func minimal(_ table: KeyTable, overlay: Bool, target: String? = nil) -> [Entry] {
        if overlay { return [] }
        let groups = (exclusive[table.id] ?? []).filter { target.map($0.contains) ?? false }
        let excluded = groups.reduce(Set<String>()) { $0.union($1) }.union(target.map { [$0] } ?? [])
        var entries: [Entry] = []
        for key in table.keys where key.isRequired && !excluded.contains(key.name) {
            if key.name == "engine", table.id.hasPrefix("store-") {
                entries.append(Entry(key: "engine", value: .scalar(String(table.id.dropFirst("store-".count)))))
            } else if let type = key.type {
                entries.append(Entry(key: key.name, value: sample(type, overlay: overlay)))
            }
        }
        var siblings = companions[table.id] ?? []
        if let target, let extra = extras[table.id]?[target] {
            let extraGroups = (exclusive[table.id] ?? []).filter { group in extra.contains { group.contains($0.0) } }
            siblings = siblings.filter { sibling in !extraGroups.contains { $0.contains(sibling.0) } } + extra
        }
        for (name, value) in siblings where !excluded.contains(name) && !entries.contains(where: { $0.key == name }) {
            entries.append(Entry(key: name, value: value))
        }
        return entries
    }

    /// An instance of `table` whose key `target` holds `value`.
    static func instance(_ table: KeyTable, overlay: Bool, target: String, value: Node) -> Node {
        .map(minimal(table, overlay: overlay, target: target) + [Entry(key: target, value: value, isTarget: true)])
    }

    /// The object tables inside `type`, each with how an instance of it sits in a value of `type`.
    static func children(_ type: ValueType) -> [(KeyTable, (Node) -> Node)] {
        switch type {
        case .object(let table): return [(table, { $0 })]
        case .list(let item): return children(item).map { table, wrap in (table, { .list([wrap($0)]) }) }
        case .namedMap(let value, let names): return children(value).map { table, wrap in (table, { .map([Entry(key: nameSample(names), value: wrap($0))]) }) }
        case .anyOf(let types): return types.flatMap(children)
        case .store(let variants): return variants.map { ($0.table, { $0 }) }
        default: return []
        }
    }

    /// Every case, walking from each root table.
    static func all() -> [Case] {
        var cases: [Case] = []
        let overlayHeader: [Entry] = [Entry(key: "clusterspec", value: .scalar("v1")),
                                      Entry(key: "overlay", value: .map([Entry(key: "spec", value: .scalar("demo")),
                                                                         Entry(key: "environment", value: .scalar("dev"))]))]
        walk(SpecKeys.document, kind: .spec, overlay: false, path: [], context: { $0 }, into: &cases)
        walk(SpecKeys.document.without(["clusterspec", "name"]), kind: .overlay, overlay: true, path: [], context: { node in
            guard case .map(let entries) = node else { return node }
            return .map(overlayHeader + entries)
        }, into: &cases)
        walk(SpecKeys.overlayHeader, kind: .overlay, overlay: false, path: ["overlay"], context: { node in
            .map([Entry(key: "clusterspec", value: .scalar("v1")), Entry(key: "overlay", value: node)])
        }, into: &cases)
        walk(ProjectSchema.table, kind: .project, overlay: false, path: [], context: { $0 }, into: &cases)
        return cases
    }

    private static func walk(_ table: KeyTable, kind: SpecSchema.Kind, overlay: Bool, path: [String], context: (Node) -> Node,
                             visited: inout Set<String>, into cases: inout [Case]) {
        for key in table.keys {
            guard let type = key.type else { continue }
            let name = (path + [key.name]).joined(separator: ".") + (overlay ? " (overlay)" : "")
            func add(_ node: Node, _ expectation: Expectation, decoded: Bool) {
                let (text, line) = render(context(node))
                cases.append(Case(name: name, kind: kind, text: text, line: line, expectation: expectation, decoded: decoded))
            }
            if overlay {
                add(instance(table, overlay: true, target: key.name, value: .scalar("null")), .accepted, decoded: false)
                add(instance(table, overlay: true, target: key.name, value: sample(type, overlay: true)), .accepted, decoded: false)
            } else {
                add(instance(table, overlay: false, target: key.name, value: sample(type, overlay: false)), .accepted, decoded: true)
                add(instance(table, overlay: false, target: key.name, value: wrong(type)), .wrongType, decoded: true)
            }
            var misspelt = minimal(table, overlay: overlay)
            misspelt.append(Entry(key: key.name + "Typo", value: sample(type, overlay: overlay), isTarget: true))
            add(.map(misspelt), .misspelt, decoded: !overlay)
            for (child, wrap) in children(type) where visited.insert(child.id + (overlay ? "/overlay" : "")).inserted {
                walk(child, kind: kind, overlay: overlay, path: path + [key.name], context: { inner in
                    context(instance(table, overlay: overlay, target: key.name, value: wrap(inner)))
                }, visited: &visited, into: &cases)
            }
        }
    }

    private static func walk(_ table: KeyTable, kind: SpecSchema.Kind, overlay: Bool, path: [String], context: (Node) -> Node,
                             into cases: inout [Case]) {
        var visited: Set<String> = [table.id]
        walk(table, kind: kind, overlay: overlay, path: path, context: context, visited: &visited, into: &cases)
    }
}
