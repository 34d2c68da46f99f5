import Foundation
import Testing

/// Regression (issue 14): spec text was echoed raw into diagnostics, so a value decoded from YAML
/// escapes (`"\e[2J"`, `"\u202e"`) cleared, recoloured or reversed the terminal of whoever ran
/// `clusterspec check`. Every format must show such characters inert and keep its own syntax.
@Suite("Diagnostics cannot drive the terminal")
struct TerminalSafetyTests {
    /// The hostile name from the issue, plus a raw right-to-left override in a comment on the same
    /// line (raw bytes libyaml accepts end up in the quoted source line).
    static let spec = "clusterspec: v1\nname: \"x\\e[2J\\e[31mPWNED\\u202e\"   # \u{202E}raw\nnamespaces:\n  apps: {}\n"

    /// Characters a terminal obeys: C0 controls except the line breaks a report is made of, DEL,
    /// C1 controls, and the bidirectional overrides, embeddings and isolates.
    static func unsafeCharacters(in text: String) -> [String] {
        text.unicodeScalars.filter { scalar in
            switch scalar.value {
            case 0x0A: return false
            case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
            default: return false
            }
        }.map { "U+" + String($0.value, radix: 16, uppercase: true) }
    }

    static func check(_ format: String, extra: [String] = []) throws -> RunResult {
        let directory = try TemporaryDirectory()
        try Data(spec.utf8).write(to: directory.url.appendingPathComponent("pwned.cluster.yaml"))
        return try clusterspec(["check", "pwned.cluster.yaml", "--format", format] + extra, in: directory.url)
    }

    @Test(arguments: ["text", "json", "sarif", "github", "junit"])
    func noFormatPrintsATerminalControl(format: String) throws {
        let result = try Self.check(format)
        #expect(result.status == 2, "the name is invalid: \(result.stdout)\(result.stderr)")
        #expect(!(result.stdout + result.stderr).isEmpty)
        #expect(Self.unsafeCharacters(in: result.stdout).isEmpty, "\(format) stdout: \(Self.unsafeCharacters(in: result.stdout))")
        #expect(Self.unsafeCharacters(in: result.stderr).isEmpty, "\(format) stderr: \(Self.unsafeCharacters(in: result.stderr))")
    }

    @Test func textShowsTheEscapesAndKeepsTheCaretUnderTheColumn() throws {
        let result = try Self.check("text")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "pwned.cluster.yaml:2:7: error: system name 'x\\u{1B}[2J\\u{1B}[31mPWNED\\u{202E}' is not valid: expected a DNS-1123 label: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit [invalid-name]",
                "\(result.stdout)")
        #expect(lines.dropFirst().first == " 2 | name: \"x\\e[2J\\e[31mPWNED\\u202e\"   # \\u{202E}raw")
        #expect(lines.dropFirst(2).first == "   |       ^")
    }

    @Test func colourOnlyAddsStyleSequences() throws {
        let result = try Self.check("text", extra: ["--color", "always"])
        #expect(!result.stdout.contains("\u{1B}[2J") && !result.stdout.contains("\u{202E}"))
        // The only escape sequences are the renderer's own SGR styles (ESC [ digits;… m).
        let sequences = result.stdout.components(separatedBy: "\u{1B}").dropFirst()
        #expect(!sequences.isEmpty, "colour was asked for")
        for sequence in sequences {
            let body = sequence.prefix { $0 != "m" }
            #expect(body.hasPrefix("[") && body.dropFirst().allSatisfy { $0.isNumber || $0 == ";" } && sequence.dropFirst(body.count).hasPrefix("m"),
                    "unexpected escape sequence: \(sequence.prefix(12).debugDescription)")
        }
    }

    @Test func jsonAndSarifStayValidAndKeepTheDecodedValue() throws {
        for format in ["json", "sarif"] {
            let result = try Self.check(format)
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
            let text = String(describing: object)
            #expect(text.contains("\u{202E}"), "\(format): the decoded value survives JSON escaping")
            #expect(result.stdout.contains("\\u202e") && result.stdout.contains("\\u001b"), "\(format): \(result.stdout.prefix(400))")
        }
        let sarif = try Self.check("sarif")
        let directory = try TemporaryDirectory()
        let file = directory.url.appendingPathComponent("report.sarif")
        try Data(sarif.stdout.utf8).write(to: file)
        guard Judges.available else {
            Issue.record(Comment(rawValue: Judges.missing))
            return
        }
        let checker = Judges.tool("check-jsonschema")
        let schema = Paths.root.appendingPathComponent("Tests/ClusterSpecTests/Fixtures/sarif/sarif-schema-2.1.0.json").path
        let validation = try run(checker, ["--schemafile", schema, file.path])
        #expect(validation.status == 0, "\(validation.stdout)\(validation.stderr)")
    }

    @Test func junitIsWellFormedXML10() throws {
        let result = try Self.check("junit")
        let directory = try TemporaryDirectory()
        let file = directory.url.appendingPathComponent("report.xml")
        try Data(result.stdout.utf8).write(to: file)
        // A real XML 1.0 parser; it rejects characters XML forbids, even as references.
        let parse = try run(Judges.python, ["-c", """
            import sys, xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            error = root.find('.//error')
            print(error.get('message'))
            """, file.path])
        #expect(parse.status == 0, "\(parse.stderr)")
        #expect(parse.stdout.contains("x\\u{1B}[2J\\u{1B}[31mPWNED\u{202E}"), "C0 shown as text, the override decoded from its reference: \(parse.stdout.debugDescription)")
    }

    @Test func githubAnnotationsShowTheEscapes() throws {
        let result = try Self.check("github")
        #expect(result.stdout.hasPrefix("::error file=pwned.cluster.yaml,line=2,col=7,title=clusterspec invalid-name::system name 'x\\u{1B}[2J"), "\(result.stdout)")
    }
}
