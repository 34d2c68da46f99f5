import Foundation
import Testing
import SpecModel
@testable import SpecParsing
@testable import ManifestEmission
@testable import SpecRules

/// An engine is one description and its stage conformances, registered once in `Engines.all`;
/// no other source file names an engine.
@Suite("Engines live in their own files")
struct EngineStructureTests {
    /// Words that name a registered engine: its `engine:` value, in any case and inside longer
    /// words (`KafkaSettings`, `kafkaBrokers`, `"clickhouse-keeper"`).
    static func engineNamed(by word: String) -> String? {
        let lower = word.lowercased()
        return Engines.names.first { lower.contains($0) }
    }

    /// Mentions of an engine in a Swift source, comments and rule documentation left out.
    static func mentions(in source: String) -> [(line: Int, word: String, engine: String)] {
        SwiftSourceWords(source, skipping: ["RuleDescription"]).words.compactMap { word in
            engineNamed(by: word.text).map { (word.line, word.isString ? "\"\(word.text)\"" : word.text, $0) }
        }
    }

    @Test func noSourceOutsideAnEnginesFolderNamesAnEngine() throws {
        let sources = Paths.root.appendingPathComponent("Sources")
        let files = try FileManager.default.subpathsOfDirectory(atPath: sources.path).filter { $0.hasSuffix(".swift") }.sorted()
        #expect(files.count > 50, "found only \(files.count) Swift files under Sources/")
        var violations: [String] = []
        for file in files where !file.split(separator: "/").contains("Engines") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            violations += Self.mentions(in: text).map { "Sources/\(file):\($0.line): \($0.word) names engine '\($0.engine)'" }
        }
        #expect(violations.isEmpty, "an engine is named outside its Engines/ files; ask its description instead:\n\(violations.joined(separator: "\n"))")
    }

    /// The scan sees every way code names an engine, and only code.
    @Test func theScanFindsEngineNamesInCodeAndStrings() {
        let source = #"""
        import SpecModel
        // etcd in a comment, /* vault */ in a block comment
        func f(_ store: StoreSpec) -> Int {
            switch store.settings { case is KafkaSettings: return 1 default: break }
            if case .etcd = engine { return 2 }
            let component = "clickhouse-keeper", other = "\(Topology.postgresStuff) and more"
            let raw = #"vault"#
            return Topology.kafkaBrokers("x").count
        }
        let documented = RuleDescription(id: "x", summary: "Every Raft group (etcd, Kafka controllers)", triggering: [RuleExample("stores:\n  v: {engine: vault}\n")])
        """#
        let found = Self.mentions(in: source).map { "\($0.line) \($0.word) \($0.engine)" }
        #expect(found == [
            "4 KafkaSettings kafka",
            "5 etcd etcd",
            "6 \"clickhouse-keeper\" clickhouse",
            "6 postgresStuff postgres",
            "7 \"vault\" vault",
            "8 kafkaBrokers kafka",
        ])
    }

    @Test func everyRegisteredEngineHasEveryStage() {
        for engine in Engines.all {
            #expect(engine is any EngineDecoding.Type, "engine '\(engine.name)' has no decoder (SpecParsing/Engines/)")
            #expect(engine is any EngineEmitting.Type, "engine '\(engine.name)' has no emitter (ManifestEmission/Engines/)")
            #expect(engine is any EngineRules.Type, "engine '\(engine.name)' lists no rules (SpecRules/Engines/)")
            if let sync = engine.secretSync {
                #expect(sync is any SecretSyncDecoding.Type, "'\(sync.key)' Secrets of '\(engine.name)' have no decoder")
                #expect(sync is any SecretSyncEmitting.Type, "'\(sync.key)' Secrets of '\(engine.name)' have no emitter")
            }
        }
    }

    @Test func enginesDoNotCollide() {
        let names = Engines.names
        #expect(Set(names).count == names.count, "\(names)")
        for engine in Engines.all {
            let common = Set(SpecKeys.storeCommon.names).intersection(engine.keys)
            #expect(common.isEmpty, "'\(engine.name)' redefines common store keys \(common.sorted())")
        }
        // Golden summaries tell quorum StatefulSets by their component label.
        let components = Engines.all.flatMap { $0.roleKinds.map(\.component) }
        #expect(Set(components).count == components.count, "\(components)")
        let syncKeys = Engines.secretSyncs.map { $0.key }
        #expect(Set(syncKeys).count == syncKeys.count && Set(syncKeys).isDisjoint(with: ["namespace", "keys", "description"]), "\(syncKeys)")
    }
}
