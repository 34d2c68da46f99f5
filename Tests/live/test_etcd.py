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
import subprocess
import urllib.error
import urllib.request

import pytest

from harness import compile_spec
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


def test_member_with_an_empty_volume_today(cluster):
    """Today's behaviour (issue 9 turns it into the documented one): a member whose volume is lost
    comes back with ETCD_INITIAL_CLUSTER_STATE=new, finds itself already in the cluster and exits;
    the kubelet would restart it forever. The other members keep the data and the quorum."""
    pods = start(cluster, 3)
    put_keys(cluster, pods[0], "kept/", 10)
    lost = pods[2]
    cluster.kill(lost)
    cluster.wipe_volume(lost)
    cluster.restart(lost)
    code = cluster.wait_exit(lost, timeout=60)
    assert code != 0
    assert "has already been bootstrapped" in lost.log(), lost.log()[-2000:]
    for pod in pods[:2]:
        assert keys_on(cluster, pod, "kept/") == {f"kept/{i}": f"value-{i}" for i in range(1, 11)}
    assert etcdctl(cluster, pods[0], "put", "still-writable", "yes").returncode == 0


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


def test_member_count_change_today_forms_two_clusters(cluster):
    """Today's behaviour of a 1→3 revision (issue 9 makes it one cluster or a refusal by `check`):
    the new ordinals bootstrap with ETCD_INITIAL_CLUSTER_STATE=new, etcd-0 keeps its own data,
    and the result is two clusters with different ids that both accept writes."""
    pods = start(cluster, 1)
    assert etcdctl(cluster, pods[0], "put", "written-before", "yes").returncode == 0
    cluster.apply(compile_spec(etcd_spec(3), check=False), timeout=90)
    pods = cluster.pods_of(NAMESPACE, "etcd")
    assert [p.name for p in pods] == ["etcd-0", "etcd-1", "etcd-2"]
    ids, listed, _ = cluster_view(cluster, pods)
    assert ids["etcd-1"] == ids["etcd-2"] != ids["etcd-0"], ids
    assert listed["etcd-0"] == ["etcd-0"], "the old member still sees only itself"
    assert keys_on(cluster, pods[0], "written-before") == {"written-before": "yes"}
    assert keys_on(cluster, pods[1], "written-before") == {}, "the new cluster does not have the data"
    assert etcdctl(cluster, pods[1], "put", "diverged", "yes").returncode == 0
