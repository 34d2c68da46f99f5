import Crypto

/// SHA-256 over strings, shortened to 16 hex digits: enough to tell configurations apart in a
/// rollout annotation.
struct SHA256Hasher {
    private var hasher = SHA256()

    mutating func update(_ text: String) {
        hasher.update(data: Array(text.utf8))
    }

    var hex: String {
        hasher.finalize().prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}

/// A short, stable digest of configuration text.
enum StableHash {
    static func hex(_ text: String) -> String {
        var hasher = SHA256Hasher()
        hasher.update(text)
        return hasher.hex
    }
}
