import Foundation

/// A JSON value, as JSON-RPC messages carry them.
public enum JSON: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null } else if let value = try? container.decode(Bool.self) { self = .bool(value) } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) { self = .double(value) } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSON].self) { self = .array(value) } else {
            self = .object(try container.decode([String: JSON].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(_ key: String) -> JSON? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var int: Int? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value == value.rounded(): return Int(value)
        default: return nil
        }
    }

    public var array: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

/// What arrives on the wire: a message, a frame that is not one (answered with an error), or
/// the end of input.
enum Incoming: Sendable {
    case message(JSON)
    /// A frame whose body is not JSON, or a header without a usable Content-Length.
    case malformed(String)
    case end
}

/// JSON-RPC 2.0 over LSP's base protocol: `Content-Length: N\r\n\r\n` then N bytes of JSON.
struct MessageReader {
    private let input: FileHandle
    private var buffer: [UInt8] = []
    /// Bodies larger than this are refused (a spec is at most 1 MiB; JSON escaping can double it).
    static let maxBody = 8 << 20

    init(_ input: FileHandle) { self.input = input }

    /// The next frame; blocks until it has arrived.
    mutating func next() -> Incoming {
        while true {
            if let headerEnd = find([13, 10, 13, 10]) {
                let header = String(decoding: buffer[..<headerEnd], as: UTF8.self)
                buffer.removeFirst(headerEnd + 4)
                let length = header.split(separator: "\r\n").compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "content-length" else { return nil }
                    return Int(parts[1].trimmingCharacters(in: .whitespaces))
                }.first
                guard let length, length >= 0, length <= Self.maxBody else {
                    return .malformed("a header without a valid Content-Length: \(header.prefix(80))")
                }
                while buffer.count < length {
                    guard fill() else { return .end }
                }
                let body = Data(buffer[..<length])
                buffer.removeFirst(length)
                guard let message = try? JSONDecoder().decode(JSON.self, from: body), case .object = message else {
                    return .malformed("the body is not a JSON object")
                }
                return .message(message)
            }
            guard fill() else { return .end }
        }
    }

    private mutating func fill() -> Bool {
        let chunk = input.availableData
        guard !chunk.isEmpty else { return false }
        buffer.append(contentsOf: chunk)
        return true
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for index in 0...(buffer.count - pattern.count) where buffer[index] == pattern[0] {
            if Array(buffer[index..<(index + pattern.count)]) == pattern { return index }
        }
        return nil
    }
}

/// Writes framed messages.
struct MessageWriter {
    let output: FileHandle

    func send(_ message: JSON) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let body = try? encoder.encode(message) else { return }
        output.write(Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
    }
}
