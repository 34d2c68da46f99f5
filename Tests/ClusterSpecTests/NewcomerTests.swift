import Foundation
import Testing

/// `init`, `version` and `completions`: what a newcomer types first.
@Suite("Newcomer commands")
struct NewcomerTests {
    @Test func initScaffoldsASystemThatChecksAndBuilds() throws {
        let scratch = try TemporaryDirectory()
        let created = try clusterspec(["init", "shop"], in: scratch.url)
        #expect(created.status == 0, "\(created.stderr)")
        for file in ["clusterspec.yaml", "specs/shop.cluster.yaml", "overlays/shop/dev.yaml", "overlays/shop/prod.yaml",
                     "schema/clusterspec.schema.json", "schema/overlay.schema.json", "schema/project.schema.json"] {
            #expect(FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent(file).path), "init writes \(file)")
        }
        let spec = try String(contentsOf: scratch.url.appendingPathComponent("specs/shop.cluster.yaml"), encoding: .utf8)
        #expect(spec.hasPrefix("# yaml-language-server: $schema=../schema/clusterspec.schema.json\n"))
        let overlay = try String(contentsOf: scratch.url.appendingPathComponent("overlays/shop/prod.yaml"), encoding: .utf8)
        #expect(overlay.hasPrefix("# yaml-language-server: $schema=../../schema/overlay.schema.json\n"))
        #expect(created.stdout.contains("clusterspec check specs/shop.cluster.yaml"), "the README snippet:\n\(created.stdout)")

        let checked = try clusterspec(["check", "specs", "--fail-on", "warning"], in: scratch.url)
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
        // A system without stores has no membership to compare: no previous-revision note.
        #expect(checked.stdout == "0 errors, 0 warnings in 1 spec and 2 overlays\n", "\(checked.stdout)")
        let built = try clusterspec(["build", "specs", "-o", "out"], in: scratch.url)
        #expect(built.status == 0, "\(built.stderr)")
        for file in ["out/shop/base/kustomization.yaml", "out/shop/overlays/dev/kustomization.yaml", "out/shop/rendered/prod.yaml"] {
            #expect(FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent(file).path), "build writes \(file)")
        }
        // The README snippet's commands run as printed.
        for line in created.stdout.split(separator: "\n") where line.hasPrefix("clusterspec ") {
            let words = line.split(separator: " ").dropFirst().map(String.init)
            #expect(try clusterspec(words, in: scratch.url).status == 0, "\(line)")
        }
        let again = try clusterspec(["init", "shop"], in: scratch.url)
        #expect(again.status == 2 && again.stderr.contains("exists already"), "\(again.stderr)")
        // A second system in the same project reuses its clusterspec.yaml and schemas.
        let second = try clusterspec(["init", "billing"], in: scratch.url.appendingPathComponent("specs"))
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!second.stderr.contains("clusterspec.yaml") && !second.stderr.contains("schema/"), "\(second.stderr)")
        #expect(try clusterspec(["check", "specs", "--fail-on", "warning"], in: scratch.url).status == 0)
    }

    @Test(.needsJudges) func initOutputValidatesAgainstItsSchemas() throws {
        let scratch = try TemporaryDirectory()
        #expect(try clusterspec(["init", "shop"], in: scratch.url).status == 0)
        for (schema, file) in [("clusterspec", "specs/shop.cluster.yaml"), ("overlay", "overlays/shop/dev.yaml"),
                               ("overlay", "overlays/shop/prod.yaml"), ("project", "clusterspec.yaml")] {
            let result = try run(Judges.tool("check-jsonschema"), ["--schemafile", "schema/\(schema).schema.json", file], in: scratch.url)
            #expect(result.status == 0, "\(file): \(result.stdout)\(result.stderr)")
        }
    }

    @Test func initNamesTheSystemAfterTheDirectory() throws {
        let scratch = try TemporaryDirectory()
        let directory = scratch.url.appendingPathComponent("My Shop_2")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let created = try clusterspec(["init"], in: directory)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("specs/my-shop-2.cluster.yaml").path))
        let invalid = try clusterspec(["init", "Not_A_Name"], in: directory)
        #expect(invalid.status == 2 && invalid.stderr.contains("not a valid system name"), "\(invalid.stderr)")
    }

    @Test func versionBesideTheFlag() throws {
        let command = try clusterspec(["version"]), flag = try clusterspec(["--version"])
        #expect(command.status == 0 && flag.status == 0)
        #expect(command.stdout == flag.stdout && !command.stdout.isEmpty, "\(command.stdout) vs \(flag.stdout)")
    }

    @Test func completionsForEachShellAreListed() throws {
        let help = try clusterspec(["--help"])
        for command in ["init", "schema", "version", "completions"] {
            #expect(help.stdout.contains("  \(command) "), "--help lists '\(command)':\n\(help.stdout)")
        }
        let markers = ["bash": "-F _clusterspec clusterspec", "zsh": "#compdef clusterspec", "fish": "complete -c 'clusterspec'"]
        for (shell, marker) in markers {
            let script = try clusterspec(["completions", shell])
            #expect(script.status == 0 && script.stdout.contains(marker), "\(shell): \(script.stdout.prefix(300))")
            #expect(script.stdout.contains("golden"), "\(shell) completes subcommands")
        }
        #expect(try clusterspec(["completions", "tcsh"]).status == 2)
    }
}
