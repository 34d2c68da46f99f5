/// Writes a manifest tree as block-style YAML, byte for byte what libyaml's emitter writes for the
/// same tree (indent 2, unlimited width, Unicode allowed, `\n` line breaks, no tags), without
/// building events or resolving tags.
///
/// It follows libyaml's emitter state for the shapes a manifest tree has — block mappings and
/// sequences, empty ones in flow style, scalars — including its choices that are not ours: a plain
/// scalar libyaml cannot write plain is single-quoted (or double-quoted when single quotes cannot
/// hold it), a key longer than 128 bytes or spanning lines is written as an explicit `? ` key, and
/// a block scalar kept with `|+` as the last one makes the document end with `...`. The test suite
/// compares it with libyaml over random trees.
struct YAMLEmitter {
    /// The scalar styles `ManifestWriter.style(for:)` asks for.
    enum Style {
        case plain, doubleQuoted, literal
    }

    private(set) var bytes: [UInt8] = []
    /// Characters (not bytes) written on the current line.
    private var column = 0
    /// Whether the last character written was whitespace (libyaml's `whitespace`).
    private var whitespace = true
    /// Whether only indentation has been written on this line (libyaml's `indention`).
    private var indention = true
    private var indent = -1
    /// 2 after a block scalar with keep chomping (`|+`): the stream must then end with `...`.
    private var openEnded = 0

    init(capacity: Int = 4_096) {
        bytes.reserveCapacity(capacity)
    }

    /// One document: the node and the final line break (and `...` when a kept block scalar needs it).
    mutating func document(_ value: ManifestValue) {
        node(value, mapping: false)
        writeIndent()
        if openEnded == 2 {
            writeIndicator("...", needWhitespace: true, isWhitespace: false, isIndention: false)
            writeIndent()
        }
    }

    // MARK: Nodes

    private mutating func node(_ value: ManifestValue, mapping: Bool) {
        switch value {
        case .string(let text):
            var text = text
            if !text.withUTF8({ writeSimple($0) }) { scalar(text, requested: ManifestWriter.style(for: text), simpleKey: false) }
        case .int(let number):
            // Digits with an optional minus: always plain.
            var text = String(number)
            text.withUTF8 { writePlain($0, characters: $0.count) }
        case .bool(let flag): writeWord(flag ? "true" : "false")
        case .absent, .null: writeWord("null")
        case .list(let items):
            if items.isEmpty { emptyFlow(open: "[", close: "]") } else { blockSequence(items, mapping: mapping) }
        case .map(let entries):
            if entries.isEmpty { emptyFlow(open: "{", close: "}") } else { blockMapping(entries) }
        }
    }

    private mutating func emptyFlow(open: StaticString, close: StaticString) {
        writeIndicator(open, needWhitespace: true, isWhitespace: true, isIndention: false)
        writeIndicator(close, needWhitespace: false, isWhitespace: false, isIndention: false)
    }

    private mutating func blockSequence(_ items: [ManifestValue], mapping: Bool) {
        let outer = indent
        // A sequence that is a mapping's value stays flush with the key (libyaml's indentless sequence).
        increaseIndent(flow: false, indentless: mapping && !indention)
        for item in items {
            writeIndent()
            writeIndicator("-", needWhitespace: true, isWhitespace: false, isIndention: true)
            node(item, mapping: false)
        }
        indent = outer
    }

    private mutating func blockMapping(_ entries: [ManifestValue.Entry]) {
        let outer = indent
        increaseIndent(flow: false, indentless: false)
        for entry in entries {
            writeIndent()
            var key = entry.key
            if key.withUTF8({ writeSimple($0) }) {
                writeIndicator(":", needWhitespace: false, isWhitespace: false, isIndention: false)
                node(entry.value, mapping: true)
                continue
            }
            let style = ManifestWriter.style(for: entry.key)
            let analysis = ScalarAnalysis(entry.key)
            if !analysis.multiline && entry.key.utf8.count <= 128 {
                scalar(entry.key, requested: style, simpleKey: true, analysis: analysis)
                writeIndicator(":", needWhitespace: false, isWhitespace: false, isIndention: false)
            } else {
                writeIndicator("?", needWhitespace: true, isWhitespace: false, isIndention: true)
                scalar(entry.key, requested: style, simpleKey: false, analysis: analysis)
                writeIndent()
                writeIndicator(":", needWhitespace: true, isWhitespace: false, isIndention: true)
            }
            node(entry.value, mapping: true)
        }
        indent = outer
    }

    /// Writes text made only of ASCII letters, digits and `-._/` that starts with a letter, digit,
    /// `.` or `/` and is at most 128 bytes (most keys and values): libyaml would find nothing in it
    /// that plain style cannot hold and nothing to escape, so it is plain, or double-quoted where a
    /// YAML 1.1 reader would mistype it. Returns false, writing nothing, for any other text.
    private mutating func writeSimple(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = utf8.first, utf8.count <= 128, first != UInt8(ascii: "-"), first != UInt8(ascii: "_") else { return false }
        for byte in utf8 where !Self.simple[Int(byte)] { return false }
        if utf8.count >= 3, first == UInt8(ascii: "."), utf8[1] == UInt8(ascii: "."), utf8[2] == UInt8(ascii: ".") { return false }
        if ManifestWriter.needsQuotes(utf8) {
            writeIndicator("\"", needWhitespace: true, isWhitespace: false, isIndention: false)
            bytes.append(contentsOf: utf8)
            column += utf8.count
            writeIndicator("\"", needWhitespace: false, isWhitespace: false, isIndention: false)
            whitespace = false
            indention = false
        } else {
            writePlain(utf8, characters: utf8.count)
        }
        return true
    }

    /// Bytes `writeSimple` accepts: ASCII letters, digits, `-`, `.`, `_`, `/` (256 entries).
    private static let simple: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._/".utf8 { table[Int(byte)] = true }
        return table
    }()

    /// `true`, `false` or `null`, which plain style always holds.
    private mutating func writeWord(_ word: StaticString) {
        word.withUTF8Buffer { writePlain($0, characters: $0.count) }
    }

    private mutating func scalar(_ text: String, requested: Style, simpleKey: Bool, analysis given: ScalarAnalysis? = nil) {
        let analysis = given ?? ScalarAnalysis(text)
        let outer = indent
        increaseIndent(flow: true, indentless: false)
        var text = text
        text.withUTF8 { utf8 in
            switch Self.select(requested, analysis, simpleKey: simpleKey) {
            case .plain: writePlain(utf8, characters: analysis.characters)
            case .singleQuoted: writeSingleQuoted(utf8)
            case .doubleQuoted: writeDoubleQuoted(utf8)
            case .literal: writeLiteral(utf8)
            }
        }
        indent = outer
    }

    private enum Chosen {
        case plain, singleQuoted, doubleQuoted, literal
    }

    /// libyaml's `yaml_emitter_select_scalar_style` (block context, no tags).
    private static func select(_ requested: Style, _ analysis: ScalarAnalysis, simpleKey: Bool) -> Chosen {
        var style: Chosen
        switch requested {
        case .plain: style = .plain
        case .doubleQuoted: style = .doubleQuoted
        case .literal: style = .literal
        }
        if simpleKey && analysis.multiline { style = .doubleQuoted }
        if style == .plain {
            if !analysis.blockPlainAllowed { style = .singleQuoted }
            if analysis.isEmpty && simpleKey { style = .singleQuoted }
        }
        if style == .singleQuoted && !analysis.singleQuotedAllowed { style = .doubleQuoted }
        if style == .literal && (!analysis.blockAllowed || simpleKey) { style = .doubleQuoted }
        return style
    }

    // MARK: Layout (libyaml's write_indent, write_indicator, increase_indent)

    private mutating func increaseIndent(flow: Bool, indentless: Bool) {
        if indent < 0 {
            indent = flow ? 2 : 0
        } else if !indentless {
            indent += 2
        }
    }

    private mutating func writeIndent() {
        let target = max(indent, 0)
        if !indention || column > target || (column == target && !whitespace) {
            putBreak()
        }
        while column < target {
            bytes.append(UInt8(ascii: " "))
            column += 1
        }
        whitespace = true
        indention = true
    }

    private mutating func writeIndicator(_ indicator: StaticString, needWhitespace: Bool, isWhitespace: Bool, isIndention: Bool) {
        if needWhitespace && !whitespace { put(UInt8(ascii: " ")) }
        indicator.withUTF8Buffer { bytes.append(contentsOf: $0) }
        column += indicator.utf8CodeUnitCount
        whitespace = isWhitespace
        indention = indention && isIndention
    }

    private mutating func put(_ byte: UInt8) {
        bytes.append(byte)
        column += 1
    }

    private mutating func putBreak() {
        bytes.append(UInt8(ascii: "\n"))
        column = 0
    }

    /// Copies the character at `index` (one to four bytes), counting one column.
    private mutating func write(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int, width: Int) {
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[index..<min(index + width, utf8.count)]))
        column += 1
    }

    /// A line break from the text: `\n` as the configured break, others copied.
    private mutating func writeBreak(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int, width: Int) {
        if utf8[index] == UInt8(ascii: "\n") {
            putBreak()
        } else {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[index..<min(index + width, utf8.count)]))
            column = 0
        }
    }

    // MARK: Scalars (libyaml's write_plain, write_single_quoted, write_double_quoted, write_literal)

    private mutating func writePlain(_ utf8: UnsafeBufferPointer<UInt8>, characters: Int) {
        if !whitespace && !utf8.isEmpty { put(UInt8(ascii: " ")) }
        // Plain style is only chosen for text without line breaks, and lines are never folded.
        bytes.append(contentsOf: utf8)
        column += characters
        whitespace = false
        indention = false
    }

    private mutating func writeSingleQuoted(_ utf8: UnsafeBufferPointer<UInt8>) {
        writeIndicator("'", needWhitespace: true, isWhitespace: false, isIndention: false)
        var breaks = false
        var index = 0
        while index < utf8.count {
            let width = max(UTF8Character.width(utf8[index]), 1)
            if UTF8Character.isBreak(utf8, index) {
                if !breaks && utf8[index] == UInt8(ascii: "\n") { putBreak() }
                writeBreak(utf8, at: index, width: width)
                indention = true
                breaks = true
            } else if utf8[index] == UInt8(ascii: " ") {
                put(UInt8(ascii: " "))
            } else {
                if breaks { writeIndent() }
                if utf8[index] == UInt8(ascii: "'") { put(UInt8(ascii: "'")) }
                write(utf8, at: index, width: width)
                indention = false
                breaks = false
            }
            index += width
        }
        if breaks { writeIndent() }
        writeIndicator("'", needWhitespace: false, isWhitespace: false, isIndention: false)
        whitespace = false
        indention = false
    }

    private mutating func writeDoubleQuoted(_ utf8: UnsafeBufferPointer<UInt8>) {
        writeIndicator("\"", needWhitespace: true, isWhitespace: false, isIndention: false)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            let width = max(UTF8Character.width(byte), 1)
            if !UTF8Character.isPrintable(utf8, index) || UTF8Character.isBOM(utf8, index) || UTF8Character.isBreak(utf8, index)
                || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                writeEscape(UTF8Character.scalarValue(utf8, index, width: width))
            } else {
                write(utf8, at: index, width: width)
            }
            index += width
        }
        writeIndicator("\"", needWhitespace: false, isWhitespace: false, isIndention: false)
        whitespace = false
        indention = false
    }

    private mutating func writeEscape(_ value: UInt32) {
        put(UInt8(ascii: "\\"))
        let short: UInt8?
        switch value {
        case 0x00: short = UInt8(ascii: "0")
        case 0x07: short = UInt8(ascii: "a")
        case 0x08: short = UInt8(ascii: "b")
        case 0x09: short = UInt8(ascii: "t")
        case 0x0A: short = UInt8(ascii: "n")
        case 0x0B: short = UInt8(ascii: "v")
        case 0x0C: short = UInt8(ascii: "f")
        case 0x0D: short = UInt8(ascii: "r")
        case 0x1B: short = UInt8(ascii: "e")
        case 0x22: short = UInt8(ascii: "\"")
        case 0x5C: short = UInt8(ascii: "\\")
        case 0x85: short = UInt8(ascii: "N")
        case 0xA0: short = UInt8(ascii: "_")
        case 0x2028: short = UInt8(ascii: "L")
        case 0x2029: short = UInt8(ascii: "P")
        default: short = nil
        }
        if let short {
            put(short)
            return
        }
        let digits: Int
        if value <= 0xFF {
            put(UInt8(ascii: "x"))
            digits = 2
        } else if value <= 0xFFFF {
            put(UInt8(ascii: "u"))
            digits = 4
        } else {
            put(UInt8(ascii: "U"))
            digits = 8
        }
        for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            let digit = UInt8((value >> UInt32(shift)) & 0x0F)
            put(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "A") + digit - 10)
        }
    }

    private mutating func writeLiteral(_ utf8: UnsafeBufferPointer<UInt8>) {
        writeIndicator("|", needWhitespace: true, isWhitespace: false, isIndention: false)
        writeBlockHints(utf8)
        putBreak()
        indention = true
        whitespace = true
        var breaks = true
        var index = 0
        while index < utf8.count {
            let width = max(UTF8Character.width(utf8[index]), 1)
            if UTF8Character.isBreak(utf8, index) {
                writeBreak(utf8, at: index, width: width)
                indention = true
                breaks = true
            } else {
                if breaks { writeIndent() }
                write(utf8, at: index, width: width)
                indention = false
                breaks = false
            }
            index += width
        }
    }

    /// The indentation indicator (when the text starts with a space or break) and the chomping
    /// indicator: `-` without a final break, `+` with more than one (or only one break).
    private mutating func writeBlockHints(_ utf8: UnsafeBufferPointer<UInt8>) {
        if let first = utf8.first, first == UInt8(ascii: " ") || UTF8Character.isBreak(utf8, 0) {
            writeIndicator("2", needWhitespace: false, isWhitespace: false, isIndention: false)
        }
        openEnded = 0
        var chomp: StaticString?
        if utf8.isEmpty {
            chomp = "-"
        } else {
            var last = utf8.count - 1
            while last > 0 && utf8[last] & 0xC0 == 0x80 { last -= 1 }
            if !UTF8Character.isBreak(utf8, last) {
                chomp = "-"
            } else if last == 0 {
                chomp = "+"
                openEnded = 2
            } else {
                var previous = last - 1
                while previous > 0 && utf8[previous] & 0xC0 == 0x80 { previous -= 1 }
                if UTF8Character.isBreak(utf8, previous) {
                    chomp = "+"
                    openEnded = 2
                }
            }
        }
        if let chomp { writeIndicator(chomp, needWhitespace: false, isWhitespace: false, isIndention: false) }
    }
}

/// What libyaml's `yaml_emitter_analyze_scalar` learns about a scalar: which styles can hold it.
struct ScalarAnalysis {
    var isEmpty = false
    var multiline = false
    var blockPlainAllowed = true
    var singleQuotedAllowed = true
    var blockAllowed = true
    /// Characters (Unicode scalars), for column counting.
    var characters = 0

    init(_ text: String) {
        var text = text
        self = text.withUTF8 { ScalarAnalysis($0) }
    }

    init(_ utf8: UnsafeBufferPointer<UInt8>) {
        let count = utf8.count
        guard count > 0 else {
            isEmpty = true
            blockAllowed = false
            return
        }
        var blockIndicators = false, lineBreaks = false, special = false
        var leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false
        var breakSpace = false, spaceBreak = false
        var previousSpace = false, previousBreak = false
        if count >= 3, (utf8[0] == UInt8(ascii: "-") && utf8[1] == UInt8(ascii: "-") && utf8[2] == UInt8(ascii: "-"))
            || (utf8[0] == UInt8(ascii: ".") && utf8[1] == UInt8(ascii: ".") && utf8[2] == UInt8(ascii: ".")) {
            blockIndicators = true
        }
        var precededByWhitespace = true
        var index = 0
        var characters = 0
        while index < count {
            let byte = utf8[index]
            let width = max(UTF8Character.width(byte), 1)
            let next = index + width
            let followedByWhitespace = next >= count || UTF8Character.isBlankOrBreakOrNUL(utf8, next)
            if index == 0 {
                switch byte {
                case UInt8(ascii: "#"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
                     UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "'"),
                     UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"):
                    blockIndicators = true
                case UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: "-"):
                    if followedByWhitespace { blockIndicators = true }
                default: break
                }
            } else {
                if byte == UInt8(ascii: ":") && followedByWhitespace { blockIndicators = true }
                if byte == UInt8(ascii: "#") && precededByWhitespace { blockIndicators = true }
            }
            if !UTF8Character.isPrintable(utf8, index) { special = true }
            let isBreak = UTF8Character.isBreak(utf8, index)
            if isBreak { lineBreaks = true }
            if byte == UInt8(ascii: " ") {
                if index == 0 { leadingSpace = true }
                if next >= count { trailingSpace = true }
                if previousBreak { breakSpace = true }
                previousSpace = true
                previousBreak = false
            } else if isBreak {
                if index == 0 { leadingBreak = true }
                if next >= count { trailingBreak = true }
                if previousSpace { spaceBreak = true }
                previousSpace = false
                previousBreak = true
            } else {
                previousSpace = false
                previousBreak = false
            }
            precededByWhitespace = UTF8Character.isBlankOrBreakOrNUL(utf8, index)
            index = next
            characters += 1
        }
        self.characters = characters
        multiline = lineBreaks
        if leadingSpace || leadingBreak || trailingSpace || trailingBreak { blockPlainAllowed = false }
        if trailingSpace { blockAllowed = false }
        if breakSpace {
            blockPlainAllowed = false
            singleQuotedAllowed = false
        }
        if spaceBreak || special {
            blockPlainAllowed = false
            singleQuotedAllowed = false
            blockAllowed = false
        }
        if lineBreaks { blockPlainAllowed = false }
        if blockIndicators { blockPlainAllowed = false }
    }
}

/// libyaml's character classes on UTF-8 bytes (its `IS_PRINTABLE`, `IS_BREAK`, `IS_BLANKZ`, `WIDTH`).
enum UTF8Character {
    @inline(__always)
    static func width(_ lead: UInt8) -> Int {
        if lead & 0x80 == 0 { return 1 }
        if lead & 0xE0 == 0xC0 { return 2 }
        if lead & 0xF0 == 0xE0 { return 3 }
        if lead & 0xF8 == 0xF0 { return 4 }
        return 0
    }

    @inline(__always)
    private static func byte(_ utf8: UnsafeBufferPointer<UInt8>, _ index: Int) -> UInt8 {
        index < utf8.count ? utf8[index] : 0
    }

    static func isPrintable(_ utf8: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        let first = utf8[index]
        if first == 0x0A || (first >= 0x20 && first <= 0x7E) { return true }
        let second = byte(utf8, index + 1)
        switch first {
        case 0xC2: return second >= 0xA0
        case 0xC3..<0xED: return true
        case 0xED: return second < 0xA0
        case 0xEE: return true
        case 0xEF:
            let third = byte(utf8, index + 2)
            return !(second == 0xBB && third == 0xBF) && !(second == 0xBF && (third == 0xBE || third == 0xBF))
        default: return false
        }
    }

    static func isBreak(_ utf8: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        let first = utf8[index]
        if first == UInt8(ascii: "\r") || first == UInt8(ascii: "\n") { return true }
        if first == 0xC2 { return byte(utf8, index + 1) == 0x85 }
        if first == 0xE2 {
            let third = byte(utf8, index + 2)
            return byte(utf8, index + 1) == 0x80 && (third == 0xA8 || third == 0xA9)
        }
        return false
    }

    static func isBOM(_ utf8: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        utf8[index] == 0xEF && byte(utf8, index + 1) == 0xBB && byte(utf8, index + 2) == 0xBF
    }

    /// Space, tab, a line break or NUL (libyaml's `IS_BLANKZ`).
    static func isBlankOrBreakOrNUL(_ utf8: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        let first = utf8[index]
        return first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") || first == 0 || isBreak(utf8, index)
    }

    /// The code point of the character at `index` as libyaml decodes it.
    static func scalarValue(_ utf8: UnsafeBufferPointer<UInt8>, _ index: Int, width: Int) -> UInt32 {
        let lead = UInt32(utf8[index])
        var value: UInt32
        switch width {
        case 1: value = lead & 0x7F
        case 2: value = lead & 0x1F
        case 3: value = lead & 0x0F
        case 4: value = lead & 0x07
        default: value = 0
        }
        if width > 1 {
            for offset in 1..<width { value = (value << 6) + (UInt32(byte(utf8, index + offset)) & 0x3F) }
        }
        return value
    }
}
