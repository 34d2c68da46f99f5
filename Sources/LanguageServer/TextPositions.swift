/// Positions in a document's text. clusterspec counts columns in Unicode scalars from 1; LSP
/// counts `character` in UTF-16 code units from 0 (its default position encoding), so an `é`
/// (one unit) and an emoji (two units, one scalar) before a finding shift them differently.
struct TextLines: Sendable {
    let lines: [Substring]

    init(_ text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
    }

    func line(_ index: Int) -> Substring { lines.indices.contains(index) ? lines[index] : "" }

    /// The UTF-16 offset of 1-based scalar column `column` on 0-based `line`.
    func utf16(line: Int, column: Int) -> Int {
        let scalars = self.line(line).unicodeScalars
        var units = 0, seen = 1
        for scalar in scalars {
            if seen >= column { break }
            units += scalar.utf16.count
            seen += 1
        }
        return units + max(0, column - seen)
    }

    /// The 1-based scalar column of UTF-16 offset `character` on 0-based `line` (an offset inside
    /// a surrogate pair rounds down to its scalar).
    func column(line: Int, character: Int) -> Int {
        var units = 0, column = 1
        for scalar in self.line(line).unicodeScalars {
            if units + scalar.utf16.count > character { return column }
            units += scalar.utf16.count
            column += 1
        }
        return column + max(0, character - units)
    }

    /// The scalar length of the YAML token starting at 1-based `column` on 0-based `line`: a quoted
    /// scalar to its closing quote, otherwise up to a flow indicator, `: `, ` #` or the line's end
    /// (trailing blanks dropped); at least one character.
    func tokenLength(line: Int, column: Int) -> Int {
        let scalars = Array(self.line(line).unicodeScalars)
        let start = column - 1
        guard scalars.indices.contains(start) else { return 1 }
        if scalars[start] == "\"" || scalars[start] == "'" {
            var index = start + 1
            while index < scalars.count {
                if scalars[index] == "\\", scalars[start] == "\"" { index += 2; continue }
                if scalars[index] == scalars[start] { return index - start + 1 }
                index += 1
            }
            return scalars.count - start
        }
        var end = start
        while end < scalars.count {
            let scalar = scalars[end]
            if ",{}[]".unicodeScalars.contains(scalar), end > start { break }
            let next = end + 1 < scalars.count ? scalars[end + 1] : " "
            if scalar == ":", next == " " || next == "\t" { break }
            if scalar == " ", next == "#" { break }
            end += 1
        }
        while end > start + 1, scalars[end - 1] == " " { end -= 1 }
        return max(1, end - start)
    }
}
