"""etcd from the emitted StatefulSet, run by Debian's etcd 3.4.23 (the emitted image is 3.5).

Where Debian's 3.4.23 differs from the image, the tests say so and test the rest:
- /livez and /readyz do not exist before v3.4.29 / v3.5.11: the harness judges the emitted
  httpGet probes by /health (test_debian_etcd_lacks_livez_and_readyz shows why), and the tests
  check health with `etcdctl endpoint health` as well.
- etcdctl 3.4's JSON output is the one used here (`endpoint status`, `member list`); the
  fields read (cluster_id, member_id, leader, name, peerURLs) are the same in 3.5.
- 3.4.23 logs with capnslog (3.5 with zap): log lines are matched on message text only.
- Both versions only warn about unknown ETCD_* variables, such as the kubelet's Service links
  for the `etcd` Service (ETCD_PORT, ETCD_SERVICE_HOST…), which the harness injects too.
"""
from __future__ import annotations

import json
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from harness import check_spec, compile_spec
from specs import NAMESPACE, store_spec

def etcd_spec(members: int, extra: str = "") -> str:
    return store_spec("live-etcd", {"etcd": f"engine: etcd, members: {members}{extra}"})


def etcdctl(cluster, pod, *args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    """etcdctl inside the pod, against its default endpoint (127.0.0.1:2379: the pod itself)."""
    return cluster.exec(pod, ["etcdctl", *args], timeout=timeout)


def etcdctl_json(cluster, pod, *args: str):
    result = etcdctl(cluster, pod, *args, "-w", "json")
    assert result.returncode == 0, f"etcdctl {' '.join(args)} in {pod.name}: {result.stderr.decode()}"
    return json.loads(result.stdout)


def start(cluster, members: int):
    cluster.apply(compile_spec(etcd_spec(members), check=False), timeout=60)
    return cluster.pods_of(NAMESPACE, "etcd")


def put_keys(cluster, pod, prefix: str, count: int) -> None:
    script = f'for i in $(seq 1 {count}); do etcdctl put {prefix}$i value-$i >/dev/null || exit 1; done'
    result = cluster.exec(pod, ["/bin/sh", "-ec", script], timeout=60)
    assert result.returncode == 0, result.stderr.decode()


def keys_on(cluster, pod, prefix: str) -> dict[str, str]:
    """Keys with `prefix` in the pod's own copy (serializable read: no quorum, the member's store)."""
    result = etcdctl(cluster, pod, "get", prefix, "--prefix", "--consistency=s")
    assert result.returncode == 0, result.stderr.decode()
    lines = result.stdout.decode().splitlines()
    return dict(zip(lines[0::2], lines[1::2]))


def cluster_view(cluster, pods):
    """(cluster ids seen by each pod, member names each pod lists, leader ids each pod reports)."""
    ids, members, leaders = {}, {}, {}
    for pod in pods:
        status = etcdctl_json(cluster, pod, "endpoint", "status")[0]["Status"]
        ids[pod.name] = status["header"]["cluster_id"]
        leaders[pod.name] = status["leader"]
        members[pod.name] = sorted(m["name"] for m in etcdctl_json(cluster, pod, "member", "list")["members"])
    return ids, members, leaders


def wait_for(condition, timeout: float = 30, interval: float = 0.3):
    import time
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


@pytest.mark.parametrize("members", [1, 3, 5])
def test_members_form_one_cluster(cluster, members):
    pods = start(cluster, members)
    assert [p.name for p in pods] == [f"etcd-{i}" for i in range(members)]
    ids, listed, leaders = cluster_view(cluster, pods)
    assert len(set(ids.values())) == 1, f"more than one cluster id: {ids}"
    expected = sorted(f"etcd-{i}" for i in range(members))
    assert all(names == expected for names in listed.values()), listed
    assert len(set(leaders.values())) == 1 and 0 not in leaders.values(), leaders
    for pod in pods:
        health = etcdctl(cluster, pod, "endpoint", "health")
        assert health.returncode == 0 and b"is healthy" in health.stdout + health.stderr, health.stderr
    # Peer URLs are the pod FQDNs of the headless Service (as emitted), never an address.
    view = etcdctl_json(cluster, pods[0], "member", "list")["members"]
    for member in view:
        assert member["peerURLs"] == [f"http://{member['name']}.etcd-headless.{NAMESPACE}.svc.cluster.local:2380"]
    # The kubectl stand-in runs a printed line verbatim and sees the same cluster.
    printed = cluster.kubectl(f"kubectl -n {NAMESPACE} exec etcd-{members - 1} -c etcd -- etcdctl member list -w json")
    assert printed.returncode == 0, printed.stderr
    assert sorted(m["name"] for m in json.loads(printed.stdout)["members"]) == expected
    # A write on the last member is read on the first (one cluster, not n).
    assert etcdctl(cluster, pods[-1], "put", "formed", str(members)).returncode == 0
    assert wait_for(lambda: keys_on(cluster, pods[0], "formed") == {"formed": str(members)})
    assert_loopback_only(cluster)


def assert_loopback_only(cluster):
    """Every socket a pod process listens on or talks over is inside 127.0.0.0/8."""
    namespaces = cluster.processes.namespaces
    from harness.processes import pid_namespace
    output = subprocess.run(["ss", "-tanpH"], capture_output=True, text=True, check=True).stdout
    checked = 0
    for line in output.splitlines():
        pids = [int(p) for p in re.findall(r"pid=(\d+)", line)]
        if not any(pid_namespace(pid) in namespaces for pid in pids):
            continue
        fields = line.split()
        endpoints = fields[3:4] if fields[0] == "LISTEN" else fields[3:5]
        for endpoint in endpoints:
            address = endpoint.rsplit(":", 1)[0].strip("[]")
            assert address.startswith("127."), f"pod socket outside 127.0.0.0/8: {line}"
        checked += 1
    assert checked > 0, "no pod sockets found (the check would prove nothing)"


def test_debian_etcd_lacks_livez_and_readyz(cluster):
    """Why the harness maps the emitted /livez and /readyz probes to /health: Debian's 3.4.23
    answers 404 there. The emitted probe paths and port are taken from the manifest."""
    pods = start(cluster, 1)
    container = pods[0].main_container
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    port = pods[0].ports()[container["readinessProbe"]["httpGet"]["port"]]
    for path in ("/readyz", "/livez"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://{pods[0].address}:{port}{path}", timeout=5)
        assert refused.value.code == 404
    with urllib.request.urlopen(f"http://{pods[0].address}:{port}/health", timeout=5) as response:
        assert json.loads(response.read())["health"] == "true"
    version = etcdctl(cluster, pods[0], "version").stdout.decode()
    assert "3.4." in version, version


def test_leader_kill_and_restart_keep_every_key(cluster):
    pods = start(cluster, 3)
    put_keys(cluster, pods[0], "before/", 30)
    ids, _, leaders = cluster_view(cluster, pods)
    leader_id = next(iter(leaders.values()))
    members = etcdctl_json(cluster, pods[0], "member", "list")["members"]
    leader = next(p for p in pods if any(m["ID"] == leader_id and m["name"] == p.name for m in members))
    cluster.kill(leader)
    assert not leader.running()
    survivors = [p for p in pods if p is not leader]
    # The two survivors elect a new leader and keep accepting writes.
    assert wait_for(lambda: etcdctl(cluster, survivors[0], "put", "during/1", "x").returncode == 0, timeout=30)
    put_keys(cluster, survivors[1], "during/", 10)
    cluster.restart(leader)
    cluster.wait_ready([leader])
    expected_before = {f"before/{i}": f"value-{i}" for i in range(1, 31)}
    expected_during = {f"during/{i}": f"value-{i}" for i in range(1, 11)}
    for pod in pods:
        assert wait_for(lambda pod=pod: keys_on(cluster, pod, "before/") == expected_before), pod.name
        assert wait_for(lambda pod=pod: keys_on(cluster, pod, "during/") == expected_during), pod.name
    after, listed, _ = cluster_view(cluster, pods)
    assert set(after.values()) == set(ids.values()), "the restarted leader joined another cluster"
    assert all(len(names) == 3 for names in listed.values())


def test_member_recreated_with_its_volume_rejoins(cluster):
    """A deleted pod comes back (StatefulSet controller) with the same claim and rejoins as the
    same member."""
    pods = start(cluster, 3)
    member_before = etcdctl_json(cluster, pods[1], "endpoint", "status")[0]["Status"]["header"]["member_id"]
    cluster.delete_pod(pods[1])
    put_keys(cluster, pods[0], "while-away/", 10)
    back = cluster.recreate(pods[1])
    cluster.wait_ready([back])
    status = etcdctl_json(cluster, back, "endpoint", "status")[0]["Status"]
    assert status["header"]["member_id"] == member_before
    assert wait_for(lambda: len(keys_on(cluster, back, "while-away/")) == 10)
    assert len(etcdctl_json(cluster, back, "member", "list")["members"]) == 3


def test_member_with_an_empty_volume_rejoins(cluster):
    """A member whose volume is lost comes back empty: its entrypoint finds itself listed as a
    member that has run before, removes that member and adds itself again (a new member id), and
    catches up from the others; the cluster keeps one id, its size and every key."""
    pods = start(cluster, 3)
    put_keys(cluster, pods[0], "kept/", 10)
    ids, _, _ = cluster_view(cluster, pods)
    lost = pods[2]
    old_id = etcdctl_json(cluster, lost, "endpoint", "status")[0]["Status"]["header"]["member_id"]
    cluster.kill(lost)
    cluster.wipe_volume(lost)
    cluster.restart(lost)
    cluster.wait_ready([lost], timeout=90)
    assert "a lost volume): removing it and adding it again" in lost.log(), lost.log()[-2000:]
    status = etcdctl_json(cluster, lost, "endpoint", "status")[0]["Status"]
    assert status["header"]["member_id"] != old_id, "the lost member came back under its old id"
    after, listed, _ = cluster_view(cluster, pods)
    assert set(after.values()) == set(ids.values()), after
    assert all(names == ["etcd-0", "etcd-1", "etcd-2"] for names in listed.values()), listed
    assert wait_for(lambda: keys_on(cluster, lost, "kept/") == {f"kept/{i}": f"value-{i}" for i in range(1, 11)})


def test_removed_member_with_a_stale_volume_refuses_and_says_what_to_run(cluster):
    """A member removed from the cluster (the first step of a scale-down) whose pod restarts with
    its old data refuses to start, naming the commands that make it a member again; running them
    verbatim (delete the claim, delete the pod) brings it back as a new member."""
    pods = start(cluster, 3)
    put_keys(cluster, pods[0], "stale/", 5)
    removed = cluster.kubectl(f"kubectl -n {NAMESPACE} exec etcd-0 -c etcd -- /clusterspec/bin/sh /clusterspec/etcd/member.sh remove etcd-2")
    assert removed.returncode == 0, removed.stderr
    assert cluster.wait_exit(pods[2], timeout=30) is not None  # etcd stops once it is removed
    cluster.restart(pods[2])
    assert cluster.wait_exit(pods[2], timeout=60) != 0
    line = next((l for l in pods[2].log().splitlines() if "removed from the cluster" in l), None)
    assert line, pods[2].log()[-2000:]
    commands = line.split("To make it a member again: ", 1)[1]
    assert commands == f"kubectl -n {NAMESPACE} delete pvc data-etcd-2 --wait=false && kubectl -n {NAMESPACE} delete pod etcd-2"
    ran = cluster.kubectl(commands)
    assert ran.returncode == 0, ran.stderr
    back = cluster.pod(NAMESPACE, "etcd-2")
    cluster.wait_ready([back], timeout=90)
    ids, listed, _ = cluster_view(cluster, cluster.pods_of(NAMESPACE, "etcd"))
    assert len(set(ids.values())) == 1 and all(len(names) == 3 for names in listed.values()), (ids, listed)
    assert wait_for(lambda: len(keys_on(cluster, back, "stale/")) == 5)


def test_rolling_update_keeps_one_cluster(cluster):
    """A template change (not a membership change) rolls the pods from the highest ordinal down,
    each Ready before the next, with their volumes; the cluster and its keys survive."""
    pods = start(cluster, 3)
    ids, _, _ = cluster_view(cluster, pods)
    put_keys(cluster, pods[0], "rolled/", 10)
    changed = etcd_spec(3, ", resources: {limits: {memory: 256Mi}}")
    cluster.apply(compile_spec(changed, check=False), timeout=60)
    rolled = cluster.pods_of(NAMESPACE, "etcd")
    assert all(p is not q for p, q in zip(pods, rolled)), "every pod was replaced"
    assert [p.name for p in sorted(rolled, key=lambda p: p.created)] == ["etcd-2", "etcd-1", "etcd-0"]
    after, listed, _ = cluster_view(cluster, rolled)
    assert set(after.values()) == set(ids.values())
    for pod in rolled:
        assert wait_for(lambda pod=pod: len(keys_on(cluster, pod, "rolled/")) == 10), pod.name
        assert pod.main_container["resources"]["limits"]["memory"] == "256Mi"


def membership_findings(spec: str, previous) -> list[dict]:
    """The membership findings of `check` against `previous` (the fixture's minimal spec has other
    findings too: no resources, one member, so the revisions are built with --no-check)."""
    _, findings = check_spec(spec, previous=previous)
    return [f for f in findings if f["rule"].startswith("membership")]


def test_member_count_changes_end_in_one_cluster(cluster, tmp_path):
    """Revisions 1 → 3 → 5 → 3 against a running cluster, each compiled with the previous
    revision's output as `--previous`: growth is automatic (new members add themselves one at a
    time); the shrink is refused by `check` with a procedure, which runs verbatim through the
    kubectl stand-in before the reviewed revision is applied. Every step ends with one cluster of
    the new size, the same cluster id, and every key written before."""
    revisions = tmp_path / "revisions"
    pods = start_revision(cluster, etcd_spec(1), tree=revisions / "1")
    first_id = cluster_view(cluster, pods)[0]["etcd-0"]
    put_keys(cluster, pods[0], "one/", 20)
    expected = {f"one/{i}": f"value-{i}" for i in range(1, 21)}

    for members, previous in ((3, "1"), (5, "3")):
        findings = membership_findings(etcd_spec(members), revisions / previous)
        assert [(f["rule"], f["severity"]) for f in findings] == [("membership-automatic", "note")], findings
        assert f"etcd members {previous} → {members}" in findings[0]["message"]
        pods = start_revision(cluster, etcd_spec(members), tree=revisions / str(members), previous=revisions / previous)
        ids, listed, leaders = cluster_view(cluster, pods)
        assert set(ids.values()) == {first_id}, f"{previous} → {members}: more than one cluster: {ids}"
        assert all(names == [f"etcd-{i}" for i in range(members)] for names in listed.values()), listed
        assert len(set(leaders.values())) == 1, leaders
        for pod in pods:
            assert wait_for(lambda pod=pod: keys_on(cluster, pod, "") == expected), (pod.name, keys_on(cluster, pod, ""), pod.log()[-1500:])
        put_keys(cluster, pods[-1], f"at{members}/", 5)
        expected.update({f"at{members}/{i}": f"value-{i}" for i in range(1, 6)})

    # 5 → 3: refused until the printed steps are run and declared reviewed.
    findings = membership_findings(etcd_spec(3), revisions / "5")
    assert [(f["rule"], f["severity"]) for f in findings] == [("membership-change", "error")], findings
    notes = [n["message"] for n in findings[0]["notes"]]
    before = [n.removeprefix("before applying: ") for n in notes if n.startswith("before applying: ")]
    after = [n.removeprefix("after applying: ") for n in notes if n.startswith("after applying: ")]
    assert len(before) == 2 and len(after) == 1, notes
    assert "membership: {from: 5}" in findings[0]["fix"]
    for line in before:
        ran = cluster.kubectl(line)
        assert ran.returncode == 0, f"{line}: {ran.stderr}"
    reviewed = etcd_spec(3, ", membership: {from: 5}")
    assert membership_findings(reviewed, revisions / "5") == []
    pods = start_revision(cluster, reviewed, tree=revisions / "3-after", previous=revisions / "5")
    for line in after:
        ran = cluster.kubectl(line)
        assert ran.returncode == 0, f"{line}: {ran.stderr}"
    assert not cluster.claim_exists(NAMESPACE, "data-etcd-3") and not cluster.claim_exists(NAMESPACE, "data-etcd-4")
    ids, listed, _ = cluster_view(cluster, pods)
    assert set(ids.values()) == {first_id}, ids
    assert all(names == ["etcd-0", "etcd-1", "etcd-2"] for names in listed.values()), listed
    for pod in pods:
        assert wait_for(lambda pod=pod: keys_on(cluster, pod, "") == expected), pod.name
    # The next revision: the step is done.
    findings = membership_findings(reviewed, revisions / "3-after")
    assert [(f["rule"], f["severity"]) for f in findings] == [("membership-step-stale", "warning")], findings


def start_revision(cluster, spec: str, *, tree, previous=None):
    cluster.apply(compile_spec(spec, previous=previous, tree=tree, check=False), timeout=120)
    return cluster.pods_of(NAMESPACE, "etcd")


def test_backups_keep_the_newest_snapshots_and_one_restores(cluster, tmp_path):
    """The emitted backup CronJob, run three times with keep: 2, leaves the two newest snapshots on
    its claim; one of them, restored by Debian's etcdctl into a fresh data directory and served by
    a single etcd on loopback, holds every key written before it was taken."""
    spec = etcd_spec(3, ', backup: {schedule: "0 */6 * * *", keep: 2}')
    cluster.apply(compile_spec(spec, check=False), timeout=90)
    pods = cluster.pods_of(NAMESPACE, "etcd")
    put_keys(cluster, pods[0], "backed/", 25)
    names = []
    for run in range(3):
        code, log = cluster.run_job(NAMESPACE, "etcd-backup")
        assert code == 0, log[-2000:]
        names.append(next(line.split("saved ", 1)[1] for line in log.splitlines() if line.startswith("saved ")))
        time.sleep(1.1)  # snapshot names carry the second they were taken
    claim = cluster.workdir / "volumes" / NAMESPACE / "etcd-backup"
    kept = sorted(p.name for p in claim.iterdir())
    assert kept == sorted(names[1:]) and len(kept) == 2, (kept, names)
    restored = tmp_path / "restored"
    restore = subprocess.run(["etcdctl", "snapshot", "restore", str(claim / kept[0]), "--data-dir", str(restored), "--name", "restore",
                              "--initial-cluster", "restore=http://127.0.0.5:2380", "--initial-advertise-peer-urls", "http://127.0.0.5:2380"],
                             capture_output=True, text=True, timeout=60)
    assert restore.returncode == 0, restore.stderr
    server = subprocess.Popen(["etcd", "--name", "restore", "--data-dir", str(restored), "--listen-client-urls", "http://127.0.0.5:2379",
                               "--advertise-client-urls", "http://127.0.0.5:2379", "--listen-peer-urls", "http://127.0.0.5:2380",
                               "--initial-advertise-peer-urls", "http://127.0.0.5:2380", "--initial-cluster", "restore=http://127.0.0.5:2380"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    cluster.processes.track(server.pid, "restored etcd")
    try:
        def restored_keys():
            result = subprocess.run(["etcdctl", "--endpoints=http://127.0.0.5:2379", "get", "backed/", "--prefix"], capture_output=True,
                                    text=True, timeout=10)
            lines = result.stdout.splitlines()
            return dict(zip(lines[0::2], lines[1::2])) if result.returncode == 0 else None
        assert wait_for(lambda: restored_keys() == {f"backed/{i}": f"value-{i}" for i in range(1, 26)}), restored_keys()
    finally:
        cluster.processes.kill_tree(server.pid)
        server.wait(timeout=10)


def test_tls_members_and_certificate_rotation(cluster, tmp_path):
    """Members with `tls: {secret: …}` form over HTTPS with client-certificate authentication; when
    the Secret is rotated (the kubelet swaps `..data` in the mounted directory), a new TLS handshake
    with a member presents the new certificate without a restart, and the cluster keeps working."""
    from harness.certificates import CertificateAuthority
    ca = CertificateAuthority(tmp_path / "ca")
    names = [f"*.etcd-headless.{NAMESPACE}.svc.cluster.local", f"etcd.{NAMESPACE}.svc.cluster.local", "localhost"]
    first = ca.issue("etcd", names, ["127.0.0.1"])
    cluster.add_secret(NAMESPACE, "etcd-tls", first)
    cluster.apply(compile_spec(etcd_spec(3, ", tls: {secret: etcd-tls}"), check=False), timeout=90)
    pods = cluster.pods_of(NAMESPACE, "etcd")
    ids, listed, _ = cluster_view(cluster, pods)
    assert len(set(ids.values())) == 1 and all(len(names) == 3 for names in listed.values()), (ids, listed)
    peers = etcdctl_json(cluster, pods[0], "member", "list")["members"]
    assert all(url.startswith("https://") for member in peers for url in member["peerURLs"] + member["clientURLs"]), peers
    client = tmp_path / "client"
    client.mkdir()
    for key, value in first.items():
        (client / key).write_text(value)

    def served_serial(pod) -> str:
        import ssl
        context = ssl.create_default_context(cafile=str(client / "ca.crt"))
        context.load_cert_chain(str(client / "tls.crt"), str(client / "tls.key"))
        with socket.create_connection((pod.address, 2379), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname=f"{pod.name}.etcd-headless.{NAMESPACE}.svc.cluster.local") as tls:
                return CertificateAuthority.serial(tls.getpeercert(binary_form=True), der=True)

    old_serial = CertificateAuthority.serial(first["tls.crt"].encode())
    assert {served_serial(pod) for pod in pods} == {old_serial}
    second = ca.issue("etcd", names, ["127.0.0.1"])
    new_serial = CertificateAuthority.serial(second["tls.crt"].encode())
    assert new_serial != old_serial
    assert cluster.update_secret(NAMESPACE, "etcd-tls", second) == 3
    assert wait_for(lambda: {served_serial(pod) for pod in pods} == {new_serial}, timeout=30), [served_serial(p) for p in pods]
    assert all(pod.running() for pod in pods), "rotation restarted a member"
    assert etcdctl(cluster, pods[2], "put", "after-rotation", "yes").returncode == 0
    assert wait_for(lambda: keys_on(cluster, pods[0], "after-rotation") == {"after-rotation": "yes"})


CLIENT_JOB = """jobs:
  etcd-writer:
    namespace: data
    image: quay.io/coreos/etcd:v3.5.17
    schedule: "0 * * * *"
    command: [etcdctl, put, written-by, etcd-writer]
    securityContext: {runAsUser: 65532}
    uses: [{target: etcd, env: {ETCDCTL_ENDPOINTS: endpoints, ETCDCTL_CACERT: caFile, ETCDCTL_CERT: certFile, ETCDCTL_KEY: keyFile}}]
"""


def test_a_workload_that_uses_a_tls_store_gets_a_client_certificate(cluster, tmp_path):
    """With `tls: {issuer: …}` the members demand client certificates; a workload that `uses:`
    the store gets a cert-manager Certificate of its own (client auth), the Secret mounted, and
    the file paths as connection facts. Every emitted Certificate is issued by a test CA as
    cert-manager would; the emitted CronJob's pod (the image's etcdctl) then writes a key over
    TLS, while a client without a certificate is turned away by the same members."""
    from harness.certificates import CertificateAuthority
    ca = CertificateAuthority(tmp_path / "ca")
    manifests = compile_spec(etcd_spec(3, ", tls: {issuer: test-ca}") + CLIENT_JOB, check=False)
    certificates = {c["metadata"]["name"]: c for c in manifests.of_kind("Certificate")}
    assert set(certificates) == {"etcd-tls", "etcd-client-etcd-writer"}, sorted(certificates)
    client_certificate = certificates["etcd-client-etcd-writer"]["spec"]
    assert client_certificate["commonName"] == "etcd-writer" and "client auth" in client_certificate["usages"]
    assert "server auth" not in client_certificate["usages"] and client_certificate["privateKey"]["encoding"] == "PKCS8"
    for certificate in certificates.values():
        cluster.add_secret(certificate["metadata"]["namespace"], certificate["spec"]["secretName"], ca.issue_for(certificate))
    cluster.apply(manifests, timeout=90)
    pods = cluster.pods_of(NAMESPACE, "etcd")

    refusal = refused_without_a_certificate(pods[0], ca.directory / "ca.crt")
    assert "certificate" in refusal, refusal
    code, log = cluster.run_job(NAMESPACE, "etcd-writer")
    assert code == 0, log[-2000:]
    assert keys_on(cluster, pods[0], "written-by") == {"written-by": "etcd-writer"}
    assert keys_on(cluster, pods[0], "anonymous") == {}


def refused_without_a_certificate(pod, ca_file) -> str:
    """The TLS error a client presenting no certificate gets from the member (empty if it is served)."""
    import ssl
    context = ssl.create_default_context(cafile=str(ca_file))
    context.check_hostname = False
    try:
        with socket.create_connection((pod.address, 2379), timeout=5) as raw, context.wrap_socket(raw) as tls:
            tls.sendall(b"GET /version HTTP/1.1\r\nHost: etcd\r\n\r\n")
            return "" if tls.recv(1024) else "closed"
    except ssl.SSLError as error:
        return str(error)
