import Foundation
import ManifestEmission
import SpecModel
import SpecParsing

/// JSON Schemas (draft 2020-12) of the spec, overlay and project-file formats, generated from the
/// decoder's key tables (`SpecKeys`), so they cannot drift from what the decoder accepts. Editors
/// with the YAML language server read them through the files' `# yaml-language-server: $schema=`
/// modeline; `schema/` holds the committed copies (`clusterspec schema -o schema`).
public enum SpecSchema {
    public enum Kind: String, CaseIterable, Sendable {
        case spec, overlay, project

        /// The file name under `schema/`.
        public var fileName: String {
            switch self {
            case .spec: return "clusterspec.schema.json"
            case .overlay: return "overlay.schema.json"
            case .project: return "project.schema.json"
            }
        }
    }

    /// The directory the committed schemas live in, relative to the project root.
    public static let directory = "schema"

    /// The modeline that points the YAML language server of a file in `fileDirectory` at the
    /// schema of `kind` in `schemaDirectory` (both relative to the same root).
    public static func modeline(_ kind: Kind, from fileDirectory: String, schemaDirectory: String = directory) -> String {
        let depth = fileDirectory.split(separator: "/").filter { $0 != "." }.count
        let up = String(repeating: "../", count: depth)
        return "# yaml-language-server: $schema=\(up)\(schemaDirectory)/\(kind.fileName)"
    }

    /// Every schema file by name, as `clusterspec schema -o DIR` writes them.
    public static var files: FileTree {
        var tree = FileTree()
        for kind in Kind.allCases { tree[kind.fileName] = text(kind) }
        return tree
    }

    /// One schema as JSON text (two-space indentation, keys in table order, a final newline).
    public static func text(_ kind: Kind) -> String {
        JSONText.pretty(document(kind)) + "\n"
    }

    /// The schema of `kind` as a value tree.
    public static func document(_ kind: Kind) -> ManifestValue {
        var generator = Generator(overlay: kind == .overlay)
        let root: ManifestValue
        let title: String
        switch kind {
        case .spec:
            title = "clusterspec spec (*.cluster.yaml)"
            root = generator.reference(SpecKeys.document)
        case .overlay:
            title = "clusterspec overlay (overlays/<system>/<env>.yaml)"
            let header = KeyTable([
                KeyDescription("clusterspec", SpecKeys.document["clusterspec"]?.type ?? .text, "Format version of the file.", required: true),
                KeyDescription("overlay", .object(SpecKeys.overlayHeader), "The system it layers on, and its environment.", required: true),
            ])
            let body = SpecKeys.document.without(["clusterspec", "name"])
            root = generator.reference((header + body).named("overlay", "An overlay: what one environment changes in a spec."))
        case .project:
            title = "clusterspec project file (clusterspec.yaml)"
            root = generator.reference(ProjectSchema.table)
        }
        var entries: [ManifestValue.Entry] = [
            .init("$schema", "https://json-schema.org/draft/2020-12/schema"),
            .init("title", .string(title)),
        ]
        if case .map(let reference) = root { entries += reference }
        entries.append(.init("$defs", .map(generator.definitions)))
        return .map(entries)
    }

    /// Turns key tables into schema objects, each table once under `$defs`.
    struct Generator {
        /// Overlay mode: nothing required, `null` removes a key, `$patch` directives allowed.
        let overlay: Bool
        private(set) var definitions: [ManifestValue.Entry] = []
        private var defined = Set<String>()

        init(overlay: Bool) { self.overlay = overlay }

        /// A `$ref` to the table's definition, defining it first.
        mutating func reference(_ table: KeyTable) -> ManifestValue {
            guard !table.id.isEmpty else { return object(table) }
            if defined.insert(table.id).inserted {
                let index = definitions.count
                definitions.append(.init(table.id, .null))
                definitions[index].value = object(table)
            }
            return ["$ref": .string("#/$defs/\(table.id)")]
        }

        /// The overlay file's own header: required and never removed, unlike what it changes.
        private static let overlayHeaderKeys: Set<String> = ["clusterspec", "overlay"]

        private mutating func object(_ table: KeyTable) -> ManifestValue {
            let isHeader = table.id == SpecKeys.overlayHeader.id
            let isOverlayRoot = overlay && table.id == "overlay"
            func relaxed(_ key: KeyDescription) -> Bool {
                overlay && !isHeader && !(isOverlayRoot && Self.overlayHeaderKeys.contains(key.name))
            }
            var properties: [ManifestValue.Entry] = []
            for key in table.keys {
                var entries: [ManifestValue.Entry] = []
                if let type = key.type {
                    let value = schema(type)
                    if case .map(let parts) = relaxed(key) ? nullable(value) : value { entries += parts }
                }
                if !key.summary.isEmpty { entries.append(.init("description", .string(key.summary))) }
                if let value = key.defaultValue { entries.append(.init("default", Self.json(value))) }
                properties.append(.init(key.name, .map(entries)))
            }
            if overlay, !isHeader, !isOverlayRoot {
                properties.append(.init("$patch", ["enum": ["replace", "delete"], "description": "Replace instead of merging, or delete this item."]))
            }
            let required = table.keys.filter { $0.isRequired && !relaxed($0) }.map { ManifestValue.string($0.name) }
            return Self.entries(
                .init("type", "object"),
                table.summary.isEmpty ? nil : .init("description", .string(table.summary)),
                .init("properties", .map(properties)),
                required.isEmpty ? nil : .init("required", .list(required)),
                table.allowsExtensions ? .init("patternProperties", ["^x-": ["description": "An extension field the compiler ignores (YAML anchors)."]]) : nil,
                .init("additionalProperties", false))
        }

        /// A map of the entries given, in order.
        static func entries(_ entries: ManifestValue.Entry?...) -> ManifestValue {
            .map(entries.compactMap { $0 })
        }

        /// `value` or `null` (an overlay removing the key).
        private func nullable(_ value: ManifestValue) -> ManifestValue {
            ["anyOf": [value, ["type": "null"]]]
        }

        private static let scalar: ManifestValue = ["type": ["string", "number", "boolean"]]

        mutating func schema(_ type: ValueType) -> ManifestValue {
            switch type {
            case .text: return Self.scalar
            case .nonEmptyText: return ["type": ["string", "number", "boolean"], "minLength": 1]
            case .path: return ["type": "string", "pattern": "^/"]
            case .name(let kind): return ["type": "string", "pattern": .string(Self.pattern(kind))]
            case .integer(let range):
                return Self.entries(.init("type", "integer"), .init("minimum", .int(range.lowerBound)),
                                    range.upperBound == Int.max ? nil : .init("maximum", .int(range.upperBound)))
            case .boolean: return ["type": "boolean"]
            case .choice(let options): return ["enum": .list(options.map(ManifestValue.string))]
            case .quantity:
                return ["anyOf": [["type": "string", "pattern": .string(Self.quantityPattern)], ["type": "number", "minimum": 0]]]
            case .duration: return ["type": "string", "pattern": "^([0-9]+[smhdwy])+$"]
            case .countOrPercent: return ["anyOf": [["type": "integer", "minimum": 0], ["type": "string", "pattern": "^(100|[1-9]?[0-9])%$"]]]
            case .date: return ["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"]
            case .list(let item): return ["type": "array", "items": schema(item)]
            case .textMap(let names): return map(Self.scalar, names: names)
            case .namedMap(let value, let names): return map(schema(value), names: names)
            case .object(let table): return reference(table)
            case .anyOf(let types): return ["anyOf": .list(types.map { schema($0) })]
            case .word(let word): return ["const": .string(word)]
            case .nothing: return ["type": "null"]
            case .store(let variants): return store(variants)
            }
        }

        private func map(_ value: ManifestValue, names: NameKind) -> ManifestValue {
            Self.entries(
                .init("type", "object"),
                names == .any ? nil : .init("propertyNames", ["pattern": .string(Self.pattern(names))]),
                .init("additionalProperties", overlay ? nullable(value) : value))
        }

        /// A store: `engine` picks the keys. In an overlay `engine` may be left out (the spec has it),
        /// so any engine's keys are allowed there.
        private mutating func store(_ variants: [StoreVariant]) -> ManifestValue {
            let id = "store"
            if defined.insert(id).inserted {
                let index = definitions.count
                definitions.append(.init(id, .null))
                var cases: [ManifestValue] = []
                for variant in variants {
                    let reference = reference(variant.table)
                    cases.append(overlay ? reference
                                 : ["if": ["properties": ["engine": ["const": .string(variant.engine)]], "required": ["engine"]], "then": reference])
                }
                definitions[index].value = overlay
                    ? ["description": "A store; the spec's `engine` picks its keys.", "anyOf": .list(cases)]
                    : ["type": "object", "description": .string(SpecKeys.storeCommon.summary), "required": ["engine"],
                       "properties": ["engine": ["enum": .list(variants.map { .string($0.engine) })]], "allOf": .list(cases)]
            }
            return ["$ref": .string("#/$defs/\(id)")]
        }

        static func json(_ value: DefaultValue) -> ManifestValue {
            switch value {
            case .integer(let number): return .int(number)
            case .text(let text): return .string(text)
            case .boolean(let flag): return .bool(flag)
            }
        }

        /// Non-negative decimal, optional binary or decimal suffix or exponent (`Quantity`).
        static let quantityPattern = "^[+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$"

        static func pattern(_ kind: NameKind) -> String {
            switch kind {
            case .label: return "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
            case .subdomain: return "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"
            case .port: return "^(?=.*[a-z])[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$"
            case .environmentVariable: return "^[-._a-zA-Z][-._a-zA-Z0-9]*$"
            case .qualified: return "^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
            case .path: return "^/"
            case .any: return ".*"
            }
        }
    }
}

/// The project file's table with `check.format` narrowed to the report formats of
/// `clusterspec check` (which this room defines).
enum ProjectSchema {
    static var table: KeyTable {
        var check = SpecKeys.projectCheck
        if let index = check.keys.firstIndex(where: { $0.name == "format" }) {
            let formats = ValueType.choice(of: OutputFormat.self)
            check.keys[index].type = .anyOf([formats, .list(formats)])
            check.keys[index].summary += " Formats: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))."
        }
        var project = SpecKeys.projectFile
        if let index = project.keys.firstIndex(where: { $0.name == "check" }) { project.keys[index].type = .object(check) }
        return project
    }
}

/// Indented JSON for committed files people read (schemas); values in tree order.
enum JSONText {
    static func pretty(_ value: ManifestValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .map(let entries):
            guard !entries.isEmpty else { return "{}" }
            return "{\n" + entries.map { entry in
                var key = ""
                ManifestWriter.appendJSONString(entry.key, to: &key)
                return inner + key + ": " + pretty(entry.value, indent: inner)
            }.joined(separator: ",\n") + "\n" + indent + "}"
        case .list(let items):
            guard !items.isEmpty else { return "[]" }
            if items.allSatisfy({ if case .map = $0 { return false }; if case .list = $0 { return false }; return true }) {
                return "[" + items.map { pretty($0) }.joined(separator: ", ") + "]"
            }
            return "[\n" + items.map { inner + pretty($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        default:
            return ManifestWriter.json(value)
        }
    }
}

extension SpecSchema {
    /// The committed schema files in `directory` that differ from the generated ones, each with a
    /// unified diff (a missing file diffs against nothing).
    public static func staleFiles(in directory: String) -> [(file: String, diff: String)] {
        files.paths.compactMap { name in
            let path = directory + "/" + name
            let committed = (try? SpecFiles.read(path)).map { String(decoding: $0, as: UTF8.self) }
            let generated = files[name] ?? ""
            guard committed != generated else { return nil }
            return (path, UnifiedDiff.render(old: committed ?? "", new: generated, oldName: committed == nil ? "/dev/null" : path, newName: path))
        }
    }

    /// Writes every schema file into `directory` (created when missing), each atomically.
    public static func write(to directory: String) throws(FileError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw FileError("\(directory): cannot create the directory (\(error.localizedDescription))")
        }
        for name in files.paths { try ReportFiles.write(files[name] ?? "", to: directory + "/" + name) }
    }
}
