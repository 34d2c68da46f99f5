import SpecModel

extension VaultSettings: EngineEmitting {
    func resources(of store: StoreSpec, kit: StatefulToolkit) -> [Resource] { VaultEmitter(kit: kit).resources(store, self) }
}

/// Secrets synced from Vault by the Vault Secrets Operator.
extension VaultSecretSource: SecretSyncEmitting {
    /// A `VaultStaticSecret` whose destination is the spec's Secret, restarting the workloads that
    /// read it when its content changes.
    func resources(for secret: SecretRefSpec, system: SystemSpec) -> [Resource] {
        let readers = SecretReaders.readers(of: secret.name.value, in: secret.namespace.value, system: system)
        return [Resource(
            apiVersion: "secrets.hashicorp.com/v1beta1", kind: "VaultStaticSecret",
            metadata: ObjectMeta(name: secret.name.value, namespace: secret.namespace.value, labels: Labels.system(system.name.value)),
            origin: location,
            fields: ["spec": [
                "vaultAuthRef": .optional(authRef?.value),
                "type": .string(type.value.rawValue),
                "mount": .string(mount.value),
                "path": .string(path.value),
                "refreshAfter": .optional(refreshAfter?.value),
                "destination": ["name": .string(secret.name.value), "create": true],
                "rolloutRestartTargets": .nonEmpty(readers.map { ["kind": .string($0.kind), "name": .string($0.name)] }),
            ]])]
    }
}

/// Vault with integrated Raft storage: one `retry_join` per member inside the `storage "raft"`
/// stanza, `disable_mlock`, Kubernetes service registration for the `vault-active` Service, and
/// `OnDelete` updates (each pod is restarted and unsealed deliberately).
struct VaultEmitter {
    let kit: StatefulToolkit

    static let configDirectory = "/vault/config"
    static let tlsDirectory = "/vault/tls"
    static let dataDirectory = "/vault/data"
    /// A writable home for the CLI's token helper (`vault login` writes ~/.vault-token).
    static let homeDirectory = "/home/vault"
    /// How often the pod checks whether the kubelet swapped in a rotated certificate.
    static let certificateCheckSeconds = 10

    func resources(_ store: StoreSpec, _ vault: VaultSettings) -> [Resource] {
        let name = store.name.value, namespace = store.namespace.value, at = store.name.location
        let headless = Topology.headless(name)
        let tlsSecret = kit.tlsSecret(for: store.tls, owner: name)
        let scheme = VaultSettings.scheme(store)
        let role = VaultSettings.members
        let labels = kit.labels(store: store, name: name, component: role.component)
        let selector = Labels.selector(workload: name, system: kit.systemName)
        let configName = Topology.configMap(name)
        let config = Self.configuration(store: store, vault: vault, domain: kit.domain, tls: tlsSecret != nil)

        let selfHost = Topology.selfFQDN(name, namespace: namespace, domain: kit.domain)
        var env = [
            StatefulToolkit.fieldEnv("POD_NAME", "metadata.name", at: at),
            StatefulToolkit.fieldEnv("POD_NAMESPACE", "metadata.namespace", at: at),
            // Per-pod settings through Vault's documented overrides keep the config file identical in every pod.
            StatefulToolkit.env("VAULT_RAFT_NODE_ID", "$(POD_NAME)", at: at),
            StatefulToolkit.env("VAULT_API_ADDR", "\(scheme)://\(selfHost):\(VaultSettings.apiPort.number)", at: at),
            StatefulToolkit.env("VAULT_CLUSTER_ADDR", "https://\(selfHost):\(VaultSettings.clusterPort.number)", at: at),
            StatefulToolkit.env("VAULT_K8S_POD_NAME", "$(POD_NAME)", at: at),
            StatefulToolkit.env("VAULT_K8S_NAMESPACE", "$(POD_NAMESPACE)", at: at),
            StatefulToolkit.env("VAULT_ADDR", "\(scheme)://127.0.0.1:\(VaultSettings.apiPort.number)", at: at),
            // Running as non-root with a read-only root: the entrypoint must not chown or setcap.
            StatefulToolkit.env("SKIP_CHOWN", "true", at: at),
            StatefulToolkit.env("SKIP_SETCAP", "true", at: at),
            StatefulToolkit.env("HOME", Self.homeDirectory, at: at),
        ]
        var volumes = [
            StatefulToolkit.volume(VaultSettings.dataClaim, .claimTemplate(store.storage), at: Self.dataDirectory, location: at),
            StatefulToolkit.volume("config", .configMap(Located(configName, at: at)), at: Self.configDirectory, readOnly: true, location: at),
            StatefulToolkit.volume("home", .emptyDir(sizeLimit: nil, inMemory: false), at: Self.homeDirectory, location: at),
        ]
        if let tlsSecret {
            env.append(StatefulToolkit.env("VAULT_CACERT", "\(Self.tlsDirectory)/ca.crt", at: at))
            volumes.append(StatefulToolkit.volume("tls", .secret(Located(tlsSecret, at: at)), at: Self.tlsDirectory, readOnly: true, location: at))
        }
        let api = StatefulToolkit.port(VaultSettings.apiPort.name, at: at)
        let probeScheme: ProbeScheme = tlsSecret == nil ? .http : .https
        let health = HealthSpec(
            // Alive even when sealed or uninitialised. With a Shamir seal there is none: a liveness
            // kill of a slow pod would leave it sealed until someone unseals it by hand.
            liveness: vault.seal == nil ? nil
                : StatefulToolkit.probe(.http(path: Located("/v1/sys/health?standbyok=true&sealedcode=204&uninitcode=204", at: at), port: api),
                                        scheme: probeScheme, initialDelay: 60, period: 10, timeout: 5, failures: 3, at: at),
            readiness: StatefulToolkit.probe(.http(path: Located("/v1/sys/health?standbyok=true", at: at), port: api),
                                             scheme: probeScheme, period: 5, timeout: 3, failures: 2, at: at),
            startup: nil, location: at)
        let ports = vault.roles(named: name).flatMap(\.ports)
        // With TLS the pod sends Vault a SIGHUP when the kubelet swaps in a rotated certificate
        // (the Secret is mounted as a directory, so `..data` changes); Vault reloads its listener
        // certificates on SIGHUP. Without TLS the image's entrypoint runs as it is.
        let command: [String]? = tlsSecret == nil ? nil : ["/bin/sh", "-ec", Self.reloadingEntrypoint]
        let container = kit.container(store: store, command: command, args: tlsSecret == nil ? ["server"] : nil, ports: ports, env: env,
                                      volumes: volumes, health: health)
        let workload = kit.workload(store: store, statefulSet: name, container: container, automountToken: true)

        let registration = AccessRuleSpec(apiGroups: [Located("", at: at)], resources: [Located("pods", at: at)],
                                          verbs: ["get", "update", "patch"].map { Located($0, at: at) }, location: at)
        var resources = kit.identity(store: store, rules: [registration])
        resources.append(Resource(apiVersion: "v1", kind: "ConfigMap",
                                  metadata: ObjectMeta(name: configName, namespace: namespace, labels: labels), origin: at,
                                  fields: ["data": ["vault.hcl": .string(config)]]))
        resources.append(kit.statefulSet(workload, replicas: vault.members.value, serviceName: headless, component: role.component,
                                         containerName: VaultSettings.containerName, onDelete: true,
                                         extraAnnotations: [("clusterspec.io/config-hash", StableHash.hex(config))], origin: at))
        resources.append(kit.service(name: headless, namespace: namespace, labels: labels, selector: selector, ports: ports, headless: true, origin: at))
        resources.append(kit.service(name: name, namespace: namespace, labels: labels, selector: selector,
                                     ports: [VaultSettings.apiPort], headless: false, origin: at))
        resources.append(kit.service(name: VaultSettings.activeService(name), namespace: namespace, labels: labels,
                                     selector: selector + [("vault-active", "true")], ports: [VaultSettings.apiPort],
                                     headless: false, origin: at))
        if let budget = StatefulToolkit.quorumBudget(members: vault.members.value, explicit: store.pdb) {
            resources.append(kit.disruptionBudget(name: name, namespace: namespace, labels: labels, selector: selector,
                                                  budget: budget, origin: store.pdb?.budget?.location ?? vault.members.location))
        }
        if case .issuer(let issuer, let kind) = store.tls?.source {
            resources.append(kit.certificate(name: Topology.tlsSecret(name), namespace: namespace, labels: labels, issuer: issuer.value,
                                             kind: kind.value, headless: [headless], clients: [name, VaultSettings.activeService(name)],
                                             origin: store.tls?.location ?? at))
        }
        return resources
    }

    /// Starts a watcher of the mounted certificate, then the image's entrypoint (which execs Vault
    /// as PID 1, the process the watcher signals).
    static let reloadingEntrypoint = """
        (
          seen=$(readlink \(tlsDirectory)/..data || true)
          while sleep \(certificateCheckSeconds); do
            now=$(readlink \(tlsDirectory)/..data || true)
            if [ "$now" != "$seen" ]; then
              echo "clusterspec: \(tlsDirectory) changed ($seen -> $now): SIGHUP to reload the listener certificates"
              kill -HUP 1 || true
              seen="$now"
            fi
          done
        ) &
        exec docker-entrypoint.sh server

        """

    /// `vault.hcl`, identical for every pod.
    static func configuration(store: StoreSpec, vault: VaultSettings, domain: String, tls: Bool) -> String {
        let name = store.name.value, namespace = store.namespace.value
        let scheme = tls ? "https" : "http"
        var lines = [
            "ui = \(vault.ui.value)",
            "disable_mlock = true",
            "",
            "listener \"tcp\" {",
            "  address = \"[::]:\(VaultSettings.apiPort.number)\"",
            "  cluster_address = \"[::]:\(VaultSettings.clusterPort.number)\"",
        ]
        if tls {
            lines += ["  tls_cert_file = \"\(tlsDirectory)/tls.crt\"", "  tls_key_file = \"\(tlsDirectory)/tls.key\""]
        } else {
            lines.append("  tls_disable = true")
        }
        lines += ["}", "", "storage \"raft\" {", "  path = \"\(dataDirectory)\""]
        for index in 0..<vault.members.value {
            lines.append("  retry_join {")
            lines.append("    leader_api_addr = \"\(scheme)://\(Topology.podFQDN(name, index, namespace: namespace, domain: domain)):\(VaultSettings.apiPort.number)\"")
            if tls { lines.append("    leader_ca_cert_file = \"\(tlsDirectory)/ca.crt\"") }
            lines.append("  }")
        }
        lines.append("}")
        if let seal = vault.seal {
            lines += ["", "seal \"\(seal.type.value)\" {"]
            for entry in seal.config { lines.append("  \(entry.key.value) = \(hclString(entry.value.value))") }
            lines.append("}")
        }
        lines += ["", "service_registration \"kubernetes\" {}"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// An HCL string literal that HCL1 (what Vault parses its configuration with) and HCL2 read
    /// back as `text`: quotes, backslashes and newlines escaped. A `$` stays as it is: HCL1 has no
    /// `$$` escape (it would read two dollars), and a `$` not followed by `{` is literal in both;
    /// the decoder refuses `${` and `%{`, which neither can hold literally.
    static func hclString(_ text: String) -> String {
        var escaped = "\""
        for character in text {
            switch character {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped + "\""
    }
}
