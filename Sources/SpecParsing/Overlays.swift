import SpecModel
import SpecDiagnostics

/// A spec file read and composed but not yet decoded, so overlays can be merged into it.
public struct LoadedSpec: Sendable {
    public let file: String
    /// The file's text, for quoting lines in diagnostics.
    public let text: String
    let root: YAMLNode?
    /// Problems found while reading and composing (size, encoding, YAML syntax, merge keys).
    public let diagnostics: [Diagnostic]

    /// The `name:` the spec declares, when it can be read.
    public var systemName: Located<String>? {
        guard let name = root?.pairs?.first(where: { $0.key.scalar == "name" })?.value, let text = name.scalar, !name.isNull else { return nil }
        return Located(text, at: name.location)
    }
}

/// An overlay file: which spec it layers on, its environment, its parent environment, and the
/// part of the spec it changes.
public struct LoadedOverlay: Sendable {
    public let file: String
    public let text: String
    /// The system (spec `name`) the overlay layers on.
    public let spec: Located<String>?
    public let environment: Located<String>?
    /// Another environment of the same system to layer on instead of the base spec.
    public let parent: Located<String>?
    let patch: YAMLNode?
    public let diagnostics: [Diagnostic]
    public let location: SourceLocation
}

extension SpecParser {
    /// Reads and composes a spec without decoding it.
    public static func load(file: String, bytes: [UInt8]) -> LoadedSpec {
        let reader = NodeReader()
        let (root, text, failure) = compose(file: file, bytes: bytes)
        if let failure { return LoadedSpec(file: file, text: text, root: nil, diagnostics: [failure]) }
        let expanded = root.map { MergeKeys.expand($0, reader: reader) }
        return LoadedSpec(file: file, text: text, root: expanded, diagnostics: reader.bag.diagnostics)
    }

    /// Decodes a loaded spec, with overlays merged in order (base first, the environment last).
    /// The model is kept despite errors whose ids are all in `tolerating` (the language server keeps
    /// it past unknown keys, which the decoder skips, so rule findings still show while a key is misspelt).
    public static func decode(_ spec: LoadedSpec, overlays: [LoadedOverlay] = [], tolerating: Set<String> = []) -> ParsedSpec {
        guard spec.diagnostics.allSatisfy({ $0.severity != .error }) else {
            return ParsedSpec(spec: nil, diagnostics: spec.diagnostics, text: spec.text)
        }
        guard var root = spec.root, !root.isNull else {
            return ParsedSpec(spec: nil, diagnostics: spec.diagnostics + [Diagnostic(
                id: "empty-spec", severity: .error, message: "spec file is empty",
                location: .start(of: spec.file), fix: "Start with 'clusterspec: v1' and 'name: <system>'.")], text: spec.text)
        }
        let reader = NodeReader()
        for overlay in overlays {
            guard let patch = overlay.patch else { continue }
            root = OverlayMerger(reader: reader).merge(root, patch)
        }
        var decoder = SpecDecoder(file: spec.file, reader: reader)
        let decoded = decoder.decodeDocument(root)
        let diagnostics = spec.diagnostics + reader.bag.diagnostics
        let blocking = diagnostics.contains { $0.severity == .error && !tolerating.contains($0.id) }
        return ParsedSpec(spec: blocking ? nil : decoded, diagnostics: diagnostics, text: spec.text)
    }

    /// Reads an overlay file: `clusterspec: v1`, an `overlay:` header (`spec`, `environment`,
    /// optional `parent`), and spec keys to change.
    public static func loadOverlay(file: String, bytes: [UInt8]) -> LoadedOverlay {
        let start = SourceLocation.start(of: file)
        let (root, text, failure) = compose(file: file, bytes: bytes)
        if let failure {
            return LoadedOverlay(file: file, text: text, spec: nil, environment: nil, parent: nil, patch: nil, diagnostics: [failure], location: start)
        }
        let reader = NodeReader()
        guard let root, let pairs = MergeKeys.expand(root, reader: reader).pairs else {
            reader.error("type-mismatch", "an overlay must be a mapping with 'clusterspec: v1' and 'overlay: {spec, environment}'", at: root?.location ?? start)
            return LoadedOverlay(file: file, text: text, spec: nil, environment: nil, parent: nil, patch: nil, diagnostics: reader.bag.diagnostics, location: start)
        }
        var header: YAMLNode?
        var patchPairs: [YAMLNode.Pair] = []
        for pair in pairs {
            switch pair.key.scalar {
            case "overlay": header = pair.value
            case "clusterspec":
                if let version = reader.string(pair.value, "'clusterspec'"), !supportedVersions.contains(version.value) {
                    reader.error("unsupported-version", "unsupported spec version '\(version.value)'", at: version.location)
                }
            case "name":
                reader.error("invalid-value", "an overlay cannot rename its system; remove 'name'", at: pair.key.location)
            default:
                if pair.key.scalar?.hasPrefix("x-") != true { patchPairs.append(pair) }
            }
        }
        if !pairs.contains(where: { $0.key.scalar == "clusterspec" }) {
            reader.error("missing-field", "the overlay is missing required field 'clusterspec' (the format version)", at: root.location)
        }
        var spec: Located<String>?, environment: Located<String>?, parent: Located<String>?
        if let header, let fields = reader.mapping(header, "'overlay'", known: SpecKeys.overlayHeader) {
            spec = fields["spec"].flatMap { reader.nonEmptyString($0, "'overlay.spec'") }
            environment = fields["environment"].flatMap { reader.nonEmptyString($0, "'overlay.environment'") }
            parent = fields["parent"].flatMap { reader.nonEmptyString($0, "'overlay.parent'") }
            if spec == nil, !fields.has("spec") { reader.error("missing-field", "'overlay' needs 'spec': the name of the system it layers on", at: header.location) }
            if environment == nil, !fields.has("environment") { reader.error("missing-field", "'overlay' needs 'environment'", at: header.location) }
            for name in [environment, parent].compactMap({ $0 }) where !KubernetesName.isDNSLabel(name.value) {
                reader.error("invalid-name", "environment name '\(name.value)' is not valid: expected a DNS-1123 label", at: name.location)
            }
        } else if header == nil {
            reader.error("missing-field", "the overlay is missing 'overlay: {spec: <system>, environment: <env>}'", at: root.location)
        }
        var patch = root
        patch.content = .mapping(patchPairs)
        return LoadedOverlay(file: file, text: text, spec: spec, environment: environment, parent: parent, patch: patch,
                             diagnostics: reader.bag.diagnostics, location: root.location)
    }

    /// Size and encoding checks, then YAML composition: the root node, the text, or a diagnostic.
    static func compose(file: String, bytes: [UInt8]) -> (YAMLNode?, String, Diagnostic?) {
        guard bytes.count <= maxFileSize else {
            return (nil, "", Diagnostic(
                id: "file-too-large", severity: .error,
                message: "spec file is \(formatSize(bytes.count)); the limit is \(formatSize(maxFileSize))",
                location: .start(of: file), fix: "Split the system into several specs, or check that this is the right file."))
        }
        if let invalid = firstInvalidUTF8(bytes) {
            return (nil, "", Diagnostic(
                id: "invalid-encoding", severity: .error,
                message: "spec file is not valid UTF-8 (byte 0x\(String(bytes[invalid], radix: 16, uppercase: true)) at offset \(invalid))",
                location: location(ofByte: invalid, in: bytes, file: file), fix: "Save the file as UTF-8."))
        }
        let text = String(decoding: bytes, as: UTF8.self)
        if let (offset, scalar) = firstForbiddenCharacter(bytes) {
            let code = unicodeName(scalar)
            let isMark = scalar == 0xFEFF
            return (nil, text, Diagnostic(
                id: "invalid-character", severity: .error,
                message: isMark ? "a byte order mark (\(code)) is only allowed at the very start of the file"
                    : "character \(code) is not allowed in YAML (a control or non-character)",
                location: location(ofByte: offset, in: bytes, file: file),
                fix: isMark ? "Remove it (joining files often leaves one behind)."
                    : "Remove it, or write it as the escape \"\\u\(code.dropFirst(2))\" inside a double-quoted string."))
        }
        var composer = YAMLComposer(file: file)
        do {
            return (try composer.compose(bytes), text, nil)
        } catch {
            switch error {
            case .diagnostic(let diagnostic): return (nil, text, diagnostic)
            }
        }
    }
}
