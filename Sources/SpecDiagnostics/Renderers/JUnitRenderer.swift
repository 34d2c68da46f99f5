import SpecModel

/// JUnit XML for CI dashboards: a test suite per spec file and a test case per rule. A rule
/// fails when it has a finding at or above `--fail-on`; a rule whose findings are all waived is
/// skipped; input problems are a test case named `input` with an error.
public enum JUnitRenderer {
    public static func render(_ report: Report) -> String {
        var suites: [String] = []
        var totals = (tests: 0, failures: 0, errors: 0, skipped: 0)
        for file in report.files {
            let findings = report.diagnostics.filter { $0.location?.file == file }
            let inputProblems = findings.filter { !report.isRuleID($0.id) && $0.severity == .error && $0.suppression == nil }
            var cases: [String] = []
            var counts = (tests: 0, failures: 0, errors: 0, skipped: 0)
            let name = xml(Report.reportPath(file))
            if !inputProblems.isEmpty {
                counts.tests += 1
                counts.errors += 1
                let body = inputProblems.map(line).joined(separator: "\n")
                cases.append("    <testcase classname=\"\(name)\" name=\"input\" file=\"\(name)\">\n"
                             + "      <error type=\"\(xml(inputProblems[0].id))\" message=\"\(xml(inputProblems[0].message))\">\(xml(body))</error>\n"
                             + "    </testcase>")
            } else {
                // The catalog's rules, then policy diagnostics outside it (expired waivers and the like).
                let catalog = report.rules.map(\.id)
                let extra = Set(findings.map(\.id).filter { report.isRuleID($0) && !catalog.contains($0) }).sorted()
                for id in catalog + extra {
                    counts.tests += 1
                    let ruleFindings = findings.filter { $0.id == id }
                    let active = ruleFindings.filter { $0.suppression == nil }
                    let failing = active.filter(report.isViolation)
                    var element = "    <testcase classname=\"\(name)\" name=\"\(xml(id))\" file=\"\(name)\""
                    if let first = failing.first {
                        counts.failures += 1
                        element += ">\n      <failure type=\"\(first.severity.rawValue)\" message=\"\(xml(first.message))\">"
                            + xml(failing.map(line).joined(separator: "\n")) + "</failure>\n    </testcase>"
                    } else if !ruleFindings.isEmpty, active.isEmpty {
                        counts.skipped += 1
                        element += ">\n      <skipped message=\"\(xml("waived: " + (ruleFindings[0].suppression?.reason ?? "")))\"/>\n    </testcase>"
                    } else if !active.isEmpty {
                        element += ">\n      <system-out>\(xml(active.map(line).joined(separator: "\n")))</system-out>\n    </testcase>"
                    } else {
                        element += "/>"
                    }
                    cases.append(element)
                }
            }
            totals.tests += counts.tests
            totals.failures += counts.failures
            totals.errors += counts.errors
            totals.skipped += counts.skipped
            suites.append("  <testsuite name=\"\(name)\" tests=\"\(counts.tests)\" failures=\"\(counts.failures)\" errors=\"\(counts.errors)\" skipped=\"\(counts.skipped)\">\n"
                          + cases.joined(separator: "\n") + "\n  </testsuite>")
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"clusterspec\" tests=\"\(totals.tests)\" failures=\"\(totals.failures)\" errors=\"\(totals.errors)\" skipped=\"\(totals.skipped)\">\n"
            + suites.joined(separator: "\n") + (suites.isEmpty ? "" : "\n") + "</testsuites>\n"
    }

    private static func line(_ diagnostic: Diagnostic) -> String {
        let location = diagnostic.location.map { "\(Report.reportPath($0.file)):\($0.line):\($0.column): " } ?? ""
        return "\(location)\(diagnostic.severity.rawValue): \(diagnostic.message) [\(diagnostic.id)]"
    }

    /// XML attribute and text escaping. Characters XML 1.0 forbids (C0 controls, U+FFFE, U+FFFF)
    /// are shown as `\u{…}` text; DEL, C1 and bidirectional controls, which XML allows but a
    /// terminal would obey, become character references that parsers decode back.
    static func xml(_ text: String) -> String {
        var output = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            case "\n": output += "&#10;"
            case "\t": output += "&#9;"
            case "\r": output += "&#13;"
            case "\u{FFFE}", "\u{FFFF}": output += TerminalSafety.visible(scalar)
            default:
                if scalar.value < 0x20 {
                    output += TerminalSafety.visible(scalar)
                } else if TerminalSafety.isUnsafe(scalar) {
                    output += "&#x\(String(scalar.value, radix: 16, uppercase: true));"
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output
    }
}
