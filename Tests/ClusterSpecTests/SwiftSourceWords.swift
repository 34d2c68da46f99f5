/// The words a Swift source file says outside its comments: every identifier and the text of every
/// string literal (interpolated code counts as code), each with its line. Arguments of calls to
/// the functions in `skipping` are left out — `RuleDescription(…)` is documentation and examples.
struct SwiftSourceWords {
    struct Word: Equatable {
        var text: String
        var isString: Bool
        var line: Int
    }

    private(set) var words: [Word] = []
    private let characters: [Character]
    private let skipped: Set<String>
    private var index = 0
    private var line = 1

    init(_ source: String, skipping skipped: Set<String> = []) {
        characters = Array(source)
        self.skipped = skipped
        code(untilClosingParenthesis: false, recording: true)
    }

    private func peek(_ offset: Int = 0) -> Character? {
        index + offset < characters.count ? characters[index + offset] : nil
    }

    private mutating func advance(_ count: Int = 1) {
        for _ in 0..<count where index < characters.count {
            if characters[index] == "\n" { line += 1 }
            index += 1
        }
    }

    /// Code up to the end, or up to the `)` closing a parenthesis opened just before.
    private mutating func code(untilClosingParenthesis: Bool, recording: Bool) {
        var depth = 0
        while let character = peek() {
            if character == "/", peek(1) == "/" {
                while let next = peek(), next != "\n" { advance() }
            } else if character == "/", peek(1) == "*" {
                blockComment()
            } else if character == "\"" || (character == "#" && startsRawString()) {
                string(recording: recording)
            } else if character == "(" {
                depth += 1
                advance()
            } else if character == ")" {
                advance()
                if depth == 0, untilClosingParenthesis { return }
                depth -= 1
            } else if character.isLetter || character == "_" {
                identifier(recording: recording)
            } else {
                advance()
            }
        }
    }

    private mutating func blockComment() {
        var depth = 0
        while peek() != nil {
            if peek() == "/", peek(1) == "*" {
                depth += 1
                advance(2)
            } else if peek() == "*", peek(1) == "/" {
                depth -= 1
                advance(2)
                if depth == 0 { return }
            } else {
                advance()
            }
        }
    }

    private mutating func identifier(recording: Bool) {
        let start = index, startLine = line
        while let character = peek(), character.isLetter || character.isNumber || character == "_" { advance() }
        let name = String(characters[start..<index])
        if recording { words.append(Word(text: name, isString: false, line: startLine)) }
        guard skipped.contains(name) else { return }
        while let character = peek(), character.isWhitespace { advance() }
        if peek() == "(" {
            advance()
            code(untilClosingParenthesis: true, recording: false)
        }
    }

    private func startsRawString() -> Bool {
        var offset = 0
        while peek(offset) == "#" { offset += 1 }
        return peek(offset) == "\""
    }

    /// A string literal (plain, multi-line or raw); its text is recorded in the pieces between
    /// interpolations, and the interpolations are scanned as code.
    private mutating func string(recording: Bool) {
        var hashes = 0
        while peek() == "#" {
            hashes += 1
            advance()
        }
        let multiline = peek() == "\"" && peek(1) == "\"" && peek(2) == "\""
        let quotes = multiline ? 3 : 1
        advance(quotes)
        var text = "", textLine = line
        func flush(_ words: inout [Word]) {
            if recording, !text.isEmpty { words.append(Word(text: text, isString: true, line: textLine)) }
            text = ""
        }
        while let character = peek() {
            if character == "\\", (0..<hashes).allSatisfy({ peek(1 + $0) == "#" }) {
                advance(1 + hashes)
                if peek() == "(" {
                    flush(&words)
                    advance()
                    code(untilClosingParenthesis: true, recording: recording)
                    textLine = line
                } else {
                    advance()
                }
            } else if character == "\"", (0..<quotes).allSatisfy({ peek($0) == "\"" }),
                      (0..<hashes).allSatisfy({ peek(quotes + $0) == "#" }) {
                flush(&words)
                advance(quotes + hashes)
                return
            } else {
                text.append(character)
                advance()
            }
        }
        flush(&words)
    }
}
