import ClusterSpecFuzz
import Foundation
import Testing

/// CI's share of the fuzz campaign: every seed made from the examples and every committed corpus
/// file (`Fuzz/corpus/`: inputs the fuzzer found interesting, findings included) goes through the
/// fuzz target's own harness in-process, so each finding stays a regression test. The long run is
/// `scripts/fuzz` (README, "Fuzzing").
@Suite("Fuzz corpus replay")
struct FuzzCorpusTests {
    static let corpus = Paths.root.appendingPathComponent("Fuzz/corpus")

    /// Each example spec with its overlays, as `scripts/fuzz` seeds the fuzzer.
    static var exampleSeeds: [(name: String, bytes: [UInt8])] {
        Paths.exampleSpecs.map { path in
            let name = URL(fileURLWithPath: path).lastPathComponent.replacingOccurrences(of: ".cluster.yaml", with: "")
            let spec = (try? String(contentsOf: Paths.root.appendingPathComponent(path), encoding: .utf8)) ?? ""
            let overlayDirectory = Paths.root.appendingPathComponent("overlays/\(name)")
            let overlays = ((try? FileManager.default.contentsOfDirectory(atPath: overlayDirectory.path)) ?? [])
                .filter { $0.hasSuffix(".yaml") }.sorted()
                .compactMap { try? String(contentsOf: overlayDirectory.appendingPathComponent($0), encoding: .utf8) }
            return (name, FuzzHarness.join(spec: spec, overlays: overlays))
        }
    }

    /// Every file under `Fuzz/corpus/`, by relative path.
    static var corpusFiles: [String] {
        (FileManager.default.enumerator(atPath: corpus.path)?.allObjects as? [String] ?? []).filter { path in
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: corpus.appendingPathComponent(path).path, isDirectory: &isDirectory)
            return exists && !isDirectory.boolValue && !path.hasPrefix(".")
        }.sorted()
    }

    @Test func everyExampleSeedKeepsTheInvariants() {
        let seeds = Self.exampleSeeds
        #expect(seeds.count == Paths.exampleSpecs.count && !seeds.isEmpty)
        for seed in seeds {
            #expect(FuzzHarness.run(seed.bytes).isEmpty, "\(seed.name): \(FuzzHarness.run(seed.bytes))")
        }
    }

    @Test func everyCorpusFileKeepsTheInvariants() throws {
        let files = Self.corpusFiles
        #expect(files.count >= 10, "the committed corpus is missing (scripts/fuzz --merge refreshes it)")
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: Self.corpus.appendingPathComponent(file)))
            let problems = FuzzHarness.run(bytes)
            #expect(problems.isEmpty, "Fuzz/corpus/\(file): \(problems)")
        }
    }

    /// Every rule example is a seed in `Fuzz/corpus/rules/` (small inputs that reach each rule).
    @Test func ruleExamplesAreInTheCorpus() throws {
        let directory = Self.corpus.appendingPathComponent("rules")
        let seeds = FuzzHarness.ruleExampleSeeds()
        if ProcessInfo.processInfo.environment["RECORD"] == "1" {
            try? FileManager.default.removeItem(at: directory)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for seed in seeds { try Data(seed.bytes).write(to: directory.appendingPathComponent(seed.name)) }
            Issue.record("recorded Fuzz/corpus/rules; run again without RECORD=1")
            return
        }
        let committed = Set(((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []))
        #expect(committed == Set(seeds.map(\.name)), "Fuzz/corpus/rules is stale: RECORD=1 swift test --filter FuzzCorpusTests")
        for seed in seeds where committed.contains(seed.name) {
            #expect(try [UInt8](Data(contentsOf: directory.appendingPathComponent(seed.name))) == seed.bytes, "\(seed.name) is stale")
        }
    }

    @Test func seedsRoundTripThroughTheSeparator() {
        let bytes = FuzzHarness.join(spec: "clusterspec: v1\n", overlays: ["a: 1\n", ""])
        let (spec, overlays) = FuzzHarness.split(bytes)
        #expect(spec == Array("clusterspec: v1\n".utf8))
        #expect(overlays == [Array("a: 1\n".utf8), []])
    }

    /// The dictionary is generated from the decoder's key tables; the committed copy must match.
    @Test func dictionaryIsCurrent() throws {
        let url = Paths.root.appendingPathComponent("Fuzz/clusterspec.dict")
        let expected = FuzzHarness.dictionary()
        if ProcessInfo.processInfo.environment["RECORD"] == "1" {
            try Data(expected.utf8).write(to: url)
            Issue.record("recorded Fuzz/clusterspec.dict; review it and run again without RECORD=1")
            return
        }
        let committed = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        #expect(committed == expected, "Fuzz/clusterspec.dict is stale: RECORD=1 swift test --filter FuzzCorpusTests")
        for word in ["statefulServices", "clickhouse", "deny-by-default", "minInSync", "$patch"] {
            #expect(committed.contains("\"\(word.replacingOccurrences(of: "$", with: "$"))\""), "\(word) missing from the dictionary")
        }
    }
}
