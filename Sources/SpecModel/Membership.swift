/// A store role whose member count differs between the running cluster (the previous revision's
/// StatefulSet) and this revision: what each engine's description judges in
/// `StoreEngine.membershipPolicy(for:of:domain:)`.
public struct MembershipChange: Sendable {
    public enum Direction: String, Sendable {
        case grow, shrink
    }

    /// The role as this revision describes it.
    public var role: StoreRole
    /// The StatefulSet whose `spec.replicas` changes.
    public var statefulSet: String
    /// Members the running cluster has (the previous revision's `spec.replicas`).
    public var from: Int
    /// Members this revision declares.
    public var to: Int

    public init(role: StoreRole, statefulSet: String, from: Int, to: Int) {
        self.role = role
        self.statefulSet = statefulSet
        self.from = from
        self.to = to
    }

    public var direction: Direction { to > from ? .grow : .shrink }

    /// Ordinals that leave (shrink), highest first: the StatefulSet controller deletes them in that order.
    public var leavingOrdinals: [Int] { direction == .shrink ? Array((to..<from).reversed()) : [] }
    /// Ordinals that join (grow), lowest first.
    public var joiningOrdinals: [Int] { direction == .grow ? Array(from..<to) : [] }
    /// The pod names of `ordinals`.
    public func pods(_ ordinals: [Int]) -> [String] { ordinals.map { "\(statefulSet)-\($0)" } }
}

/// What a membership change takes on a running cluster, as the engine's description says.
public enum MembershipPolicy: Sendable {
    /// The emitted manifests make it safe on their own; the text says how (for summaries).
    case automatic(String)
    /// Safe only with the operator's steps around applying the revision, which must be declared
    /// as reviewed (`membership: {from: N}` on the store).
    case needsStep(MembershipProcedure)
    /// Never on an existing cluster; the text says what to do instead.
    case refused(String)
}

/// Shell lines an operator pastes, in order, around applying the revision.
public struct MembershipProcedure: Sendable {
    /// One sentence: why the steps are needed.
    public var reason: String
    public var beforeApplying: [String]
    public var afterApplying: [String]

    public init(reason: String, beforeApplying: [String], afterApplying: [String]) {
        self.reason = reason
        self.beforeApplying = beforeApplying
        self.afterApplying = afterApplying
    }
}

/// `membership: {from: N}` on a store: the operator has reviewed a member-count change of the
/// running cluster, which has `from` members (the previous revision's count).
public struct MembershipStep: Sendable {
    public var from: Located<Int>
    public var location: SourceLocation

    public init(from: Located<Int>, location: SourceLocation) {
        self.from = from
        self.location = location
    }
}

/// Pieces of printed procedures every engine uses, spelled like the emitted objects.
public enum Procedures {
    /// `kubectl -n <namespace> exec [-it] <pod> -c <container> -- <command…>`, the words shell-quoted;
    /// `interactive` for a step that asks the operator (a login).
    public static func exec(namespace: String, pod: String, container: String, interactive: Bool = false, _ command: [String]) -> String {
        "kubectl -n \(namespace) exec \(interactive ? "-it " : "")\(pod) -c \(container) -- " + command.map(shellQuoted).joined(separator: " ")
    }

    /// `kubectl -n <namespace> delete pvc <claim>-<pod>…`: the claims the StatefulSet controller keeps.
    public static func deleteClaims(namespace: String, claims: [String], pods: [String]) -> String {
        "kubectl -n \(namespace) delete pvc " + pods.flatMap { pod in claims.map { "\($0)-\(pod)" } }.joined(separator: " ")
    }

    /// A word as a POSIX shell reads it back: bare when it is safe, else single-quoted.
    public static func shellQuoted(_ word: String) -> String {
        let safe = !word.isEmpty && word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./:=@,%+".contains($0)) }
        return safe ? word : "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
