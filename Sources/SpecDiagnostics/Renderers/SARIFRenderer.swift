import SpecModel

/// SARIF 2.1.0 as GitHub code scanning reads it: one run, the rule catalog in
/// `tool.driver.rules`, one result per finding with a repo-relative location, related locations
/// for notes, waived findings as `inSource` suppressions, and a stable partial fingerprint.
public enum SARIFRenderer {
    struct Log: Encodable {
        var schema = "https://json.schemastore.org/sarif-2.1.0.json"
        var version = "2.1.0"
        var runs: [Run]

        enum CodingKeys: String, CodingKey {
            case schema = "$schema", version, runs
        }
    }

    struct Run: Encodable {
        var tool: Tool
        var results: [Result]
        var columnKind = "unicodeCodePoints"
    }

    struct Tool: Encodable {
        var driver: Driver
    }

    struct Driver: Encodable {
        var name = "clusterspec"
        var semanticVersion: String
        var version: String
        var rules: [Rule]
    }

    struct Message: Encodable {
        var text: String
    }

    struct MultiformatMessage: Encodable {
        var text: String
        var markdown: String?
    }

    struct Configuration: Encodable {
        var level: String
    }

    struct Rule: Encodable {
        var id: String
        var name: String
        var shortDescription: Message
        var fullDescription: Message
        var help: MultiformatMessage
        var defaultConfiguration: Configuration
    }

    struct ArtifactLocation: Encodable {
        var uri: String
    }

    struct Region: Encodable {
        var startLine: Int
        var startColumn: Int
    }

    struct PhysicalLocation: Encodable {
        var artifactLocation: ArtifactLocation
        var region: Region
    }

    struct Location: Encodable {
        var id: Int?
        var physicalLocation: PhysicalLocation
        var message: Message?
    }

    struct Suppression: Encodable {
        var kind = "inSource"
        var justification: String
        var location: Location?
    }

    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int
        var level: String
        var message: Message
        var locations: [Location]?
        var relatedLocations: [Location]?
        var suppressions: [Suppression]?
        var partialFingerprints: [String: String]
    }

    public static func render(_ report: Report) -> String {
        var rules = report.rules.map { rule in
            Rule(id: rule.id, name: pascalCase(rule.id), shortDescription: Message(text: rule.title),
                 fullDescription: Message(text: "\(rule.summary) \(rule.rationale)"),
                 help: MultiformatMessage(text: rule.remediation,
                                          markdown: "**\(rule.title)**\n\n\(rule.rationale)\n\n**Fix:** \(rule.remediation)"),
                 defaultConfiguration: Configuration(level: level(rule.defaultSeverity)))
        }
        var index: [String: Int] = [:]
        for (position, rule) in rules.enumerated() { index[rule.id] = position }
        // Input problems (parse errors and the like) get descriptors too, so every result has a rule.
        for id in Set(report.diagnostics.map(\.id)).sorted() where index[id] == nil {
            index[id] = rules.count
            rules.append(Rule(id: id, name: pascalCase(id), shortDescription: Message(text: "clusterspec input check '\(id)'"),
                              fullDescription: Message(text: "The spec could not be read, parsed or validated ('\(id)')."),
                              help: MultiformatMessage(text: "Fix the spec at the reported location.", markdown: nil),
                              defaultConfiguration: Configuration(level: "error")))
        }
        let results = report.diagnostics.map { diagnostic -> Result in
            let related = diagnostic.notes.enumerated().compactMap { offset, note -> Location? in
                note.location.map { Location(id: offset + 1, physicalLocation: physical($0), message: Message(text: note.message)) }
            }
            var text = diagnostic.message
            let unlocated = diagnostic.notes.filter { $0.location == nil }.map(\.message)
            if !unlocated.isEmpty { text += " (" + unlocated.joined(separator: "; ") + ")" }
            if let fix = diagnostic.fix { text += " Fix: \(fix)" }
            return Result(
                ruleId: diagnostic.id, ruleIndex: index[diagnostic.id] ?? 0, level: level(diagnostic.severity),
                message: Message(text: text),
                locations: diagnostic.location.map { [Location(id: nil, physicalLocation: physical($0), message: nil)] },
                relatedLocations: related.isEmpty ? nil : related,
                suppressions: diagnostic.suppression.map { [Suppression(justification: $0.reason,
                                                                        location: Location(id: nil, physicalLocation: physical($0.location), message: nil))] },
                partialFingerprints: ["clusterspecFinding/v1": fingerprint(diagnostic)])
        }
        let log = Log(runs: [Run(tool: Tool(driver: Driver(semanticVersion: report.toolVersion, version: report.toolVersion, rules: rules)),
                                 results: results)])
        return JSONRenderer.encode(log)
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: return "error"
        case .warning: return "warning"
        case .note: return "note"
        }
    }

    static func physical(_ location: SourceLocation) -> PhysicalLocation {
        PhysicalLocation(artifactLocation: ArtifactLocation(uri: uri(Report.reportPath(location.file))),
                         region: Region(startLine: location.line, startColumn: location.column))
    }

    /// A relative URI reference: path segments percent-encoded where RFC 3986 requires it.
    static func uri(_ path: String) -> String {
        var output = ""
        for byte in path.utf8 {
            let character = Character(Unicode.Scalar(byte))
            if character.isASCII, character.isLetter || character.isNumber || "-._~/!$&'()*+,;=:@".contains(character) {
                output.append(character)
            } else {
                output += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return output
    }

    /// Stable across runs and line moves: the rule, file, subject and message, hashed (FNV-1a 64).
    static func fingerprint(_ diagnostic: Diagnostic) -> String {
        let key = [diagnostic.id, Report.reportPath(diagnostic.location?.file ?? ""), diagnostic.subject ?? "", diagnostic.message].joined(separator: "\u{1F}")
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100000001b3
        }
        return String(hash, radix: 16).leftPadded(to: 16)
    }

    /// `pdb-keeps-quorum` → `PdbKeepsQuorum`.
    static func pascalCase(_ id: String) -> String {
        id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
