/// Client certificates for workloads that `uses:` a store which authenticates its clients by
/// certificate (`StoreEngine.requiresClientCertificates`): where each client's certificate comes
/// from, where the client's pods mount it, and the connection facts that name the files. Wiring
/// mounts them; the store emitter issues the cert-manager Certificates.
public enum ClientCertificates {
    /// Where a client's containers find the certificate for `store` (`tls.crt`, `tls.key`, `ca.crt`).
    public static func directory(_ store: String) -> String { "/etc/clusterspec/clients/\(store)" }

    /// The client pod's volume holding that Secret.
    public static func volume(_ store: String) -> String { "\(store)-client-tls" }

    /// The Secret (and Certificate) cert-manager issues for `client`'s certificate to `store`.
    public static func issuedSecret(store: String, client: String) -> String { "\(store)-client-\(client)" }

    /// The facts naming the mounted files: `caFile`, `certFile`, `keyFile`.
    public static func facts(_ store: String) -> [ConnectionFact] {
        let directory = directory(store)
        return [ConnectionFact("caFile", .literal("\(directory)/ca.crt")), ConnectionFact("certFile", .literal("\(directory)/tls.crt")),
                ConnectionFact("keyFile", .literal("\(directory)/tls.key"))]
    }

    /// Where one client's certificate comes from.
    public enum Source: Sendable {
        /// A Certificate in the client's namespace, from the store's issuer.
        case issued(secret: String, issuer: Located<String>, kind: Located<IssuerKind>)
        /// The store's declared `tls.clientSecret`, which must exist in the client's namespace.
        case declared(Located<String>)
    }

    /// Whether `store` needs a certificate from each client.
    public static func required(by store: StoreSpec) -> Bool { store.settings.requiresClientCertificates(store) }

    /// The source of `client`'s certificate to `store`, or what is missing (the message of a
    /// located error at the `uses:` entry).
    public static func source(store: StoreSpec, client: WorkloadSpec) -> Result<Source, MissingClientCertificate> {
        let name = store.name.value
        if let declared = store.tls?.clientSecret { return .success(.declared(declared)) }
        switch store.tls?.source {
        case .issuer(let issuer, let kind):
            if kind.value == .issuer, client.namespace.value != store.namespace.value {
                return .failure(MissingClientCertificate(
                    message: "'\(client.name.value)' in namespace '\(client.namespace.value)' cannot get a client certificate for store '\(name)' from "
                        + "Issuer '\(issuer.value)': an Issuer issues only in its own namespace '\(store.namespace.value)'",
                    fix: "Give the store's 'tls' a ClusterIssuer ('kind: ClusterIssuer'), or run the client in namespace '\(store.namespace.value)'."))
            }
            return .success(.issued(secret: issuedSecret(store: name, client: client.name.value), issuer: issuer, kind: kind))
        case .secret, nil:
            return .failure(MissingClientCertificate(
                message: "store '\(name)' accepts only clients with a certificate, and nothing gives '\(client.name.value)' one",
                fix: "Add 'clientSecret: <Secret with tls.crt, tls.key and ca.crt>' to the store's 'tls', or let cert-manager issue the "
                    + "certificates ('tls: {issuer: …}')."))
        }
    }
}

/// Why a client of a store gets no client certificate.
public struct MissingClientCertificate: Error, Sendable {
    public var message: String
    public var fix: String
}
