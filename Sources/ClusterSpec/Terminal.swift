import Foundation
@preconcurrency import Rainbow
import SpecDiagnostics

/// When to colour output.
public enum ColorMode: String, Sendable, CaseIterable {
    case auto, always, never

    /// Whether to colour a stream: `always`, or `auto` on a terminal without `NO_COLOR` set.
    public func enabled(forFileDescriptor descriptor: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
            return isatty(descriptor) == 1
        }
    }
}

/// Colour styles for diagnostics, applied only when colour is on.
public enum DiagnosticStyles {
    /// Styles for a stream; colour on means ANSI codes whatever Rainbow guessed about stdout.
    public static func styles(colored: Bool) -> TextRenderer.Styles {
        guard colored else { return .plain }
        Rainbow.outputTarget = .console
        Rainbow.enabled = true
        return TextRenderer.Styles(
            error: { Rainbow.generateString(for: Rainbow.Entry(segments: [.init(text: $0, color: .named(.red), styles: [.bold])])) },
            warning: { Rainbow.generateString(for: Rainbow.Entry(segments: [.init(text: $0, color: .named(.yellow), styles: [.bold])])) },
            note: { Rainbow.generateString(for: Rainbow.Entry(segments: [.init(text: $0, color: .named(.cyan))])) },
            emphasis: { Rainbow.generateString(for: Rainbow.Entry(segments: [.init(text: $0, styles: [.bold])])) },
            caret: { Rainbow.generateString(for: Rainbow.Entry(segments: [.init(text: $0, color: .named(.green), styles: [.bold])])) })
    }
}

extension Compilation {
    /// The diagnostics as compiler-style text (`file:line:col: error: … [id]`, source line, caret).
    public func renderDiagnostics(colored: Bool) -> String {
        TextRenderer(sources: sources, styles: DiagnosticStyles.styles(colored: colored)).render(diagnostics)
    }
}
