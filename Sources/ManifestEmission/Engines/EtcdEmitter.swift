import SpecModel

extension EtcdSettings: EngineEmitting {
    func resources(of store: StoreSpec, kit: StatefulToolkit) -> [Resource] { EtcdEmitter(kit: kit).resources(store, self) }
}

/// etcd: a StatefulSet whose pods start through an emitted entrypoint script (`member.sh`, run by a
/// static busybox an init container copies in: the image has no shell). The script bootstraps a new
/// cluster with `ETCD_INITIAL_CLUSTER` (rendered once from name, headless Service, namespace,
/// domain and n), restarts a member with its data, and joins a running cluster otherwise: a new
/// ordinal adds itself (`member add`, one at a time), a member whose volume was lost is removed and
/// added again, a member removed by a scale-down whose stale volume remains refuses to start.
struct EtcdEmitter {
    let kit: StatefulToolkit

    func resources(_ store: StoreSpec, _ etcd: EtcdSettings) -> [Resource] {
        let name = store.name.value, namespace = store.namespace.value, at = store.name.location
        let headless = Topology.headless(name)
        let members = etcd.members.value
        let tlsSecret = kit.tlsSecret(for: store.tls, owner: name)
        let scheme = EtcdSettings.scheme(store)
        let domain = kit.domain
        let tlsDirectory = EtcdSettings.tlsDirectory

        let initialCluster = (0..<members).map {
            "\(name)-\($0)=\(scheme)://\(Topology.podFQDN(name, $0, namespace: namespace, domain: domain)):\(EtcdSettings.peerPort.number)"
        }.joined(separator: ",")
        let endpoints = (0..<members).map {
            "\(scheme)://\(Topology.podFQDN(name, $0, namespace: namespace, domain: domain)):\(EtcdSettings.clientPort.number)"
        }.joined(separator: ",")
        let selfHost = Topology.selfFQDN(name, namespace: namespace, domain: domain)
        var env = [
            StatefulToolkit.fieldEnv("POD_NAME", "metadata.name", at: at),
            StatefulToolkit.fieldEnv("POD_NAMESPACE", "metadata.namespace", at: at),
            StatefulToolkit.env("ETCD_NAME", "$(POD_NAME)", at: at),
            StatefulToolkit.env("ETCD_DATA_DIR", "\(EtcdSettings.dataDirectory)/data", at: at),
            // The bootstrap membership; the entrypoint replaces it (and the state) when joining a running cluster.
            StatefulToolkit.env("ETCD_INITIAL_CLUSTER", initialCluster, at: at),
            StatefulToolkit.env("ETCD_INITIAL_CLUSTER_STATE", "new", at: at),
            StatefulToolkit.env("ETCD_INITIAL_CLUSTER_TOKEN", "\(namespace)-\(name)", at: at),
            StatefulToolkit.env("ETCD_LISTEN_PEER_URLS", "\(scheme)://0.0.0.0:\(EtcdSettings.peerPort.number)", at: at),
            StatefulToolkit.env("ETCD_LISTEN_CLIENT_URLS", "\(scheme)://0.0.0.0:\(EtcdSettings.clientPort.number)", at: at),
            StatefulToolkit.env("ETCD_LISTEN_METRICS_URLS", "http://0.0.0.0:\(EtcdSettings.metricsPort.number)", at: at),
            StatefulToolkit.env("ETCD_ADVERTISE_CLIENT_URLS", "\(scheme)://\(selfHost):\(EtcdSettings.clientPort.number)", at: at),
            StatefulToolkit.env("ETCD_INITIAL_ADVERTISE_PEER_URLS", "\(scheme)://\(selfHost):\(EtcdSettings.peerPort.number)", at: at),
            // Old revisions are compacted hourly, so the keyspace history cannot fill the backend quota.
            StatefulToolkit.env("ETCD_AUTO_COMPACTION_MODE", "periodic", at: at),
            StatefulToolkit.env("ETCD_AUTO_COMPACTION_RETENTION", "1h", at: at),
            // Every member's client URL, for the entrypoint to find the running cluster.
            StatefulToolkit.env("MEMBER_ENDPOINTS", endpoints, at: at),
        ]
        var volumes = [
            StatefulToolkit.volume(EtcdSettings.dataClaim, .claimTemplate(store.storage), at: EtcdSettings.dataDirectory, location: at),
            StatefulToolkit.volume("tools", .emptyDir(sizeLimit: nil, inMemory: false), at: EtcdSettings.toolsDirectory, location: at),
            StatefulToolkit.volume("scripts", .configMap(Located(EtcdSettings.scriptConfigMap(name), at: at)), at: EtcdSettings.scriptDirectory,
                                   readOnly: true, location: at),
        ]
        if let tlsSecret {
            env += [
                StatefulToolkit.env("ETCD_CERT_FILE", "\(tlsDirectory)/tls.crt", at: at),
                StatefulToolkit.env("ETCD_KEY_FILE", "\(tlsDirectory)/tls.key", at: at),
                StatefulToolkit.env("ETCD_TRUSTED_CA_FILE", "\(tlsDirectory)/ca.crt", at: at),
                StatefulToolkit.env("ETCD_CLIENT_CERT_AUTH", "true", at: at),
                StatefulToolkit.env("ETCD_PEER_CERT_FILE", "\(tlsDirectory)/tls.crt", at: at),
                StatefulToolkit.env("ETCD_PEER_KEY_FILE", "\(tlsDirectory)/tls.key", at: at),
                StatefulToolkit.env("ETCD_PEER_TRUSTED_CA_FILE", "\(tlsDirectory)/ca.crt", at: at),
                StatefulToolkit.env("ETCD_PEER_CLIENT_CERT_AUTH", "true", at: at),
                // etcdctl in the pod (the entrypoint, `kubectl exec`) authenticates with the pod's own certificate.
                StatefulToolkit.env("ETCDCTL_CACERT", "\(tlsDirectory)/ca.crt", at: at),
                StatefulToolkit.env("ETCDCTL_CERT", "\(tlsDirectory)/tls.crt", at: at),
                StatefulToolkit.env("ETCDCTL_KEY", "\(tlsDirectory)/tls.key", at: at),
            ]
            // A whole-directory Secret mount (no subPath): the kubelet swaps rotated files in place
            // and etcd reads them again on the next TLS handshake.
            volumes.append(StatefulToolkit.volume("tls", .secret(Located(tlsSecret, at: at)), at: tlsDirectory, readOnly: true, location: at))
        }
        // Probes use the plain-HTTP metrics listener so they keep working when client TLS is on.
        let metrics = StatefulToolkit.port("metrics", at: at)
        let health = HealthSpec(
            liveness: StatefulToolkit.probe(.http(path: Located("/livez", at: at), port: metrics), initialDelay: 10, period: 10, timeout: 5, failures: 5, at: at),
            readiness: StatefulToolkit.probe(.http(path: Located("/readyz", at: at), port: metrics), period: 5, timeout: 5, failures: 3, at: at),
            startup: StatefulToolkit.probe(.http(path: Located("/livez", at: at), port: metrics), period: 5, timeout: 5, failures: 60, at: at),
            location: at)
        let role = EtcdSettings.members
        let ports = etcd.roles(named: name).flatMap(\.ports)
        let container = kit.container(store: store, command: EtcdSettings.scriptCommand, ports: ports, env: env, volumes: volumes, health: health)
        var workload = kit.workload(store: store, statefulSet: name, container: container)
        workload.initContainers = [tools(store, etcd)]
        let script = Self.memberScript(store: name)

        let labels = kit.labels(store: store, name: name, component: role.component)
        let selector = Labels.selector(workload: name, system: kit.systemName)
        var resources = kit.identity(store: store)
        var scripts: [ManifestValue.Entry] = [.init(EtcdSettings.scriptName, .string(script))]
        var backups: [Resource] = []
        if let backup = etcd.backup {
            let backupScript = Self.backupScript(store: name)
            scripts.append(.init(EtcdSettings.backupScriptName, .string(backupScript)))
            backups = backupResources(store, etcd, backup, env: env.filter { $0.name.value.hasPrefix("ETCDCTL_") },
                                      tls: volumes.filter { $0.name.value == "tls" }, script: backupScript)
        }
        resources.append(Resource(apiVersion: "v1", kind: "ConfigMap",
                                  metadata: ObjectMeta(name: EtcdSettings.scriptConfigMap(name), namespace: namespace, labels: labels), origin: at,
                                  fields: ["data": .map(scripts)]))
        resources += backups
        resources.append(kit.statefulSet(workload, replicas: members, serviceName: headless, component: role.component, containerName: EtcdSettings.containerName,
                                         extraAnnotations: [("clusterspec.io/config-hash", StableHash.hex(script))], origin: at))
        resources.append(kit.service(name: headless, namespace: namespace, labels: labels, selector: selector, ports: ports, headless: true, origin: at))
        resources.append(kit.service(name: name, namespace: namespace, labels: labels, selector: selector,
                                     ports: [EtcdSettings.clientPort], headless: false, origin: at))
        if let budget = StatefulToolkit.quorumBudget(members: members, explicit: store.pdb) {
            resources.append(kit.disruptionBudget(name: name, namespace: namespace, labels: labels, selector: selector,
                                                  budget: budget, origin: store.pdb?.budget?.location ?? etcd.members.location))
        }
        if case .issuer(let issuer, let kind) = store.tls?.source {
            resources.append(kit.certificate(name: Topology.tlsSecret(name), namespace: namespace, labels: labels, issuer: issuer.value,
                                             kind: kind.value, headless: [headless], clients: [name], origin: store.tls?.location ?? at))
        }
        return resources
    }

    /// The backup claim and the CronJob that saves a snapshot there and keeps the newest `keep`.
    private func backupResources(_ store: StoreSpec, _ etcd: EtcdSettings, _ backup: EtcdBackupSpec, env: [EnvVarSpec], tls: [VolumeSpec],
                                 script: String) -> [Resource] {
        let name = store.name.value, namespace = store.namespace.value, at = backup.location
        let job = EtcdSettings.backups(name)
        let endpoint = "\(EtcdSettings.scheme(store))://\(Topology.serviceFQDN(name, namespace: namespace, domain: kit.domain)):\(EtcdSettings.clientPort.number)"
        let volumes = [
            StatefulToolkit.volume("backup", .claim(Located(job, at: at)), at: EtcdSettings.backupDirectory, location: at),
            StatefulToolkit.volume("tools", .emptyDir(sizeLimit: nil, inMemory: false), at: EtcdSettings.toolsDirectory, location: at),
            StatefulToolkit.volume("scripts", .configMap(Located(EtcdSettings.scriptConfigMap(name), at: at)), at: EtcdSettings.scriptDirectory,
                                   readOnly: true, location: at),
        ] + tls
        let container = kit.container(
            store: store, command: [EtcdSettings.scriptCommand[0], "\(EtcdSettings.scriptDirectory)/\(EtcdSettings.backupScriptName)"], ports: [],
            env: [StatefulToolkit.env("SNAPSHOT_ENDPOINT", endpoint, at: at), StatefulToolkit.env("KEEP", String(backup.keep.value), at: backup.keep.location)] + env,
            volumes: volumes, health: nil)
        var workload = kit.workload(store: store, statefulSet: job, container: container)
        workload.initContainers = [tools(store, etcd)]
        workload.podAnnotations.append(KeyValue(key: Located("clusterspec.io/config-hash", at: at), value: Located(StableHash.hex(script), at: at)))
        let labels = kit.labels(store: store, name: job, component: EtcdSettings.backupRun.component)
        return [kit.claim(name: job, namespace: namespace, labels: labels, storage: backup.storage, origin: at),
                kit.cronJob(workload, schedule: backup.schedule.value, component: EtcdSettings.backupRun.component, origin: at)]
    }

    /// `backup.sh`: one snapshot through the client Service, saved under a UTC timestamp, then the
    /// oldest removed beyond `$KEEP`.
    static func backupScript(store: String) -> String {
        let tools = EtcdSettings.toolsDirectory, directory = EtcdSettings.backupDirectory
        return #"""
        #!/bin/sh
        # One backup of the etcd store '\#(store)' (emitted by clusterspec): a snapshot named after the
        # time, then only the newest $KEEP snapshots are kept. Restore one with
        #   etcdutl snapshot restore \#(directory)/snapshot-<time>.db --data-dir <new data dir>
        set -eu
        PATH=\#(tools):/usr/local/bin:/usr/bin:/bin
        export PATH
        name="snapshot-$(date -u +%Y%m%dT%H%M%SZ).db"
        etcdctl --endpoints="$SNAPSHOT_ENDPOINT" --dial-timeout=5s --command-timeout=300s snapshot save "\#(directory)/.partial-$name"
        mv "\#(directory)/.partial-$name" "\#(directory)/$name"
        ls -1 \#(directory) | grep '^snapshot-.*\.db$' | sort -r | tail -n +$((KEEP + 1)) | while read -r old; do
          rm -f "\#(directory)/$old"
          echo "removed $old (keeping the newest $KEEP)"
        done
        echo "saved $name"

        """#
    }

    /// The init container that copies the static busybox into the pod and installs its applets.
    private func tools(_ store: StoreSpec, _ etcd: EtcdSettings) -> InitContainerSpec {
        let at = etcd.toolsImage.location, directory = EtcdSettings.toolsDirectory
        let volume = StatefulToolkit.volume("tools", .emptyDir(sizeLimit: nil, inMemory: false), at: directory, location: at)
        let install = "cp /bin/busybox \(directory)/busybox && \(directory)/busybox --install -s \(directory)"
        return InitContainerSpec(name: Located("tools", at: at),
                                 container: kit.container(store: store, image: etcd.toolsImage, command: ["/bin/busybox", "sh", "-c", install],
                                                          ports: [], env: [], volumes: [volume], health: nil))
    }

    /// `member.sh`: the pod's entrypoint (no arguments) and `member.sh remove NAME` for printed
    /// procedures. Every failure prints one line saying what to run and exits non-zero.
    static func memberScript(store: String) -> String {
        let claim = EtcdSettings.dataClaim, tools = EtcdSettings.toolsDirectory
        let remove = (EtcdSettings.scriptCommand + ["remove"]).joined(separator: " ")
        return #"""
        #!/bin/sh
        # Entrypoint of the etcd members of '\#(store)' (emitted by clusterspec):
        #   member.sh              start this member: restart with its data, bootstrap a new cluster,
        #                          or join the running one (adding itself; re-adding after a lost volume)
        #   member.sh remove NAME  remove member NAME from the cluster (before a scale-down)
        set -eu
        PATH=\#(tools):/usr/local/bin:/usr/bin:/bin
        export PATH
        self="$ETCD_NAME"
        peer_url="$ETCD_INITIAL_ADVERTISE_PEER_URLS"
        say() { echo "clusterspec: $self: $*" >&2; }
        fail() { say "$*"; exit 1; }
        ctl() { etcdctl --dial-timeout=2s --command-timeout=10s "$@"; }

        # The client URLs of the other members, and how many members this revision declares.
        others=""
        count=0
        for url in $(echo "$MEMBER_ENDPOINTS" | tr ',' ' '); do
          count=$((count + 1))
          case "$url" in *"//$self."*) ;; *) others="$others $url" ;; esac
        done

        # One round of probes of every other member at once (an absent member costs the dial
        # timeout, so they run in parallel): "healthy URL" for a member of a cluster with a quorum,
        # "index URL N" with the raft index of every member that runs (it answers without a quorum).
        probe() {
          for url in $others; do
            (etcdctl --endpoints="$url" --dial-timeout=2s --command-timeout=3s endpoint health >/dev/null 2>&1 && echo "healthy $url") &
            (etcdctl --endpoints="$url" --dial-timeout=2s --command-timeout=3s endpoint status -w json 2>/dev/null \
              | sed -n "s|.*\"raftIndex\":\\([0-9]*\\).*|index $url \\1|p") &
          done
          wait
        }

        # The first other member that answers for a cluster with a quorum (in a round's output, or a new round).
        healthy() {
          [ "$#" -gt 0 ] || set -- "$(probe)"
          echo "$1" | awk '$1 == "healthy" { print $2; found = 1; exit } END { exit !found }'
        }

        members() { ctl --endpoints="$1" member list -w simple; }
        # This pod's line of a member list (matched by its peer URL).
        listed() { echo "$1" | grep -F ", $peer_url, " || true; }

        if [ "${1:-}" = remove ]; then
          target="${2:?usage: member.sh remove MEMBER}"
          list=$(members "$ETCD_ADVERTISE_CLIENT_URLS") || fail "cannot list the members through $ETCD_ADVERTISE_CLIENT_URLS"
          id=$(echo "$list" | awk -F', ' -v name="$target" '$3 == name || index($4, "//" name ".") { print $1 }')
          if [ -z "$id" ]; then
            echo "$target is not a member of the cluster (already removed)"
            exit 0
          fi
          # etcd refuses membership changes until every member has been connected for a few seconds.
          waited=0
          until out=$(ctl --endpoints="$ETCD_ADVERTISE_CLIENT_URLS" member remove "$id" 2>&1); do
            [ "$waited" -lt 60 ] || fail "cannot remove $target ($id): $(echo "$out" | tail -n 1)"
            say "member remove refused ($(echo "$out" | tail -n 1)); retrying in 2s"
            sleep 2
            waited=$((waited + 2))
          done
          echo "$out"
          exit 0
        fi

        if [ -d "$ETCD_DATA_DIR/member" ]; then
          # A restart with its data: rejoin as the same member, unless a scale-down removed it.
          if url=$(healthy); then
            list=$(members "$url") || fail "cannot list the members through $url; the pod restarts and tries again"
            if [ -z "$(listed "$list")" ]; then
              fail "removed from the cluster, but its volume still holds the old member's data. If a scale-down is removing $self, nothing needs doing. To make it a member again: kubectl -n $POD_NAMESPACE delete pvc \#(claim)-$self --wait=false && kubectl -n $POD_NAMESPACE delete pod $self"
            fi
          fi
          exec etcd
        fi

        # An empty data directory: find the running cluster, or bootstrap this revision's.
        waited=0
        while state=$(probe) && ! url=$(healthy "$state"); do
          running=no
          forming=yes
          for index in $(echo "$state" | awk '$1 == "index" { print $3 }'); do
            running=yes
            # A member bootstrapping this revision's cluster has exactly its initial membership
            # entries in its log; one that joined a running cluster starts from 0 and catches up.
            [ "$index" -eq "$count" ] || forming=no
          done
          if [ "$running" = no ] || [ "$forming" = yes ]; then
            say "no running cluster answers: bootstrapping with $ETCD_INITIAL_CLUSTER"
            export ETCD_INITIAL_CLUSTER_STATE=new
            exec etcd
          fi
          [ "$waited" -lt 120 ] || fail "members run but the cluster has no quorum; see: kubectl -n $POD_NAMESPACE logs -l app.kubernetes.io/name=\#(store)"
          say "members run but the cluster has no quorum yet; waiting"
          sleep 2
          waited=$((waited + 2))
        done

        list=$(members "$url") || fail "cannot list the members through $url; the pod restarts and tries again"
        line=$(listed "$list")
        if [ -n "$line" ] && [ -n "$(echo "$line" | awk -F', ' '{ print $5 }')" ]; then
          id="${line%%,*}"
          say "listed as member $id, which has run before, with an empty data directory (a lost volume): removing it and adding it again"
          ctl --endpoints="$url" member remove "$id" >/dev/null \
            || fail "cannot remove the old member $id; run: kubectl -n $POD_NAMESPACE exec \#(store)-0 -c \#(EtcdSettings.containerName) -- \#(remove) $self"
          line=""
        fi
        if [ -n "$line" ]; then
          # Added before (by an earlier start of this pod) but never started: the current membership
          # (an unstarted member has no name yet: its pod name is its peer URL's first label).
          ETCD_INITIAL_CLUSTER=$(echo "$list" | awk -F', ' -v self="$self" -v peer="$peer_url" '{
            name = $3
            if ($4 == peer) name = self
            n = split($4, urls, ",")
            for (i = 1; i <= n; i++) {
              member = name
              if (member == "") { member = urls[i]; sub(/^[a-z]+:\/\//, "", member); sub(/\..*$/, "", member) }
              cluster = cluster (cluster == "" ? "" : ",") member "=" urls[i]
            }
          } END { print cluster }')
        else
          # Not a member: add itself. etcd refuses a second new member until the previous one has
          # connected, so pods that start together are added one at a time.
          delay=1
          waited=0
          until out=$(ctl --endpoints="$url" member add "$self" --peer-urls="$peer_url" 2>&1); do
            [ "$waited" -lt 180 ] || fail "cannot add itself to the cluster: $(echo "$out" | tail -n 1); see: kubectl -n $POD_NAMESPACE exec \#(store)-0 -c \#(EtcdSettings.containerName) -- etcdctl member list"
            say "member add refused ($(echo "$out" | tail -n 1)); retrying in ${delay}s (etcd adds one member at a time)"
            sleep "$delay"
            waited=$((waited + delay))
            [ "$delay" -ge 8 ] || delay=$((delay * 2))
            url=$(healthy) || url="$url"
          done
          say "added to the cluster"
          # The membership including this member, as 'member add' prints it.
          ETCD_INITIAL_CLUSTER=$(echo "$out" | sed -n 's/^ETCD_INITIAL_CLUSTER="\(.*\)"$/\1/p')
          [ -n "$ETCD_INITIAL_CLUSTER" ] || fail "'member add' did not print the membership: $out"
        fi
        ETCD_INITIAL_CLUSTER_STATE=existing
        export ETCD_INITIAL_CLUSTER ETCD_INITIAL_CLUSTER_STATE
        say "joining the running cluster: $ETCD_INITIAL_CLUSTER"
        exec etcd

        """#
    }
}
