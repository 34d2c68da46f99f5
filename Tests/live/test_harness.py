"""The harness is a judge: these tests check it behaves like the kubelet and runtime it stands in
for, and that it leaves nothing running."""
from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

from harness import compile_spec
from harness.kubelet import PodIdentity, container_env, expand, service_link_env
from harness.processes import alive, pid_namespace
from specs import NAMESPACE
from test_etcd import etcd_spec


def test_expansion_follows_the_kubelet():
    values = {"A": "x", "B": "y"}
    assert expand("$(A)-$(B)", values.get) == "x-y"
    assert expand("$$(A)", values.get) == "$(A)"            # escaped reference
    assert expand("$$", values.get) == "$"
    assert expand("$(MISSING)", values.get) == "$(MISSING)"  # unknown references stay
    assert expand("$A $", values.get) == "$A $"             # `$` before anything else is kept
    assert expand("$(A", values.get) == "$(A"                # unterminated
    assert expand("$((0 + ${POD_NAME##*-}))", values.get) == "$((0 + ${POD_NAME##*-}))"


def test_env_in_list_order_with_field_refs_and_service_links():
    pod = PodIdentity(name="etcd-2", namespace="data", ip="127.0.0.13",
                      labels={"apps.kubernetes.io/pod-index": "2"})
    container = {"env": [
        {"name": "LATER_REF", "value": "$(POD_NAME)"},      # defined before POD_NAME: stays literal
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "INDEX", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['apps.kubernetes.io/pod-index']"}}},
        {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        {"name": "SELF", "value": "http://$(POD_NAME).h:$(ETCD_SERVICE_PORT)"},
        {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "s", "key": "password"}}},
        {"name": "MEMORY", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
    ], "resources": {"limits": {"memory": "512Mi"}}}
    links = service_link_env([{"metadata": {"name": "etcd", "namespace": "data"},
                               "spec": {"ports": [{"name": "client", "port": 2379, "protocol": "TCP"}]}}],
                             {("data", "etcd"): "127.0.0.200"})
    env = container_env(container, pod, secrets={("data", "s"): {"password": "p"}}, configmaps={},
                        service_env=links, image_env={"PATH": "/bin"})
    assert env["LATER_REF"] == "$(POD_NAME)"
    assert env["SELF"] == "http://etcd-2.h:2379"
    assert (env["INDEX"], env["IP"], env["PASSWORD"], env["MEMORY"]) == ("2", "127.0.0.13", "p", "512")
    assert env["ETCD_PORT_2379_TCP_ADDR"] == "127.0.0.200" and env["ETCD_SERVICE_PORT_CLIENT"] == "2379"
    assert env["PATH"] == "/bin"


def test_a_pod_runs_as_its_manifest_says(cluster):
    cluster.apply(compile_spec(etcd_spec(3), check=False), timeout=60)
    pod = cluster.pod(NAMESPACE, "etcd-1")
    security = pod.template["spec"]["securityContext"]

    def inside(*argv: str) -> str:
        result = cluster.exec(pod, list(argv))
        assert result.returncode == 0, result.stderr.decode()
        return result.stdout.decode().strip()

    assert inside("id", "-u") == str(security["runAsUser"])
    assert str(security["fsGroup"]) in inside("id", "-G").split()
    assert inside("hostname") == "etcd-1"
    assert inside("cat", "/proc/1/comm") == "etcd"                      # PID 1 of its own PID namespace
    hosts = inside("cat", "/etc/hosts")
    for other in ("etcd-0", "etcd-2"):
        assert f"{other}.etcd-headless.{NAMESPACE}.svc.cluster.local" in hosts
    assert cluster.exec(pod, ["touch", "/not-writable"]).returncode != 0  # readOnlyRootFilesystem
    assert cluster.exec(pod, ["touch", "/var/lib/etcd/writable"]).returncode == 0
    assert (pod.claim_directory("data") / "writable").exists()          # the PVC directory is what is mounted
    assert "CapBnd:\t0000000000000000" in inside("cat", "/proc/self/status")  # drop: [ALL]


def sleeping_in(namespaces: set[str]) -> list[int]:
    """PIDs of running (not zombie) `sleep` processes inside the given PID namespaces."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and pid_namespace(int(entry.name)) in namespaces and alive(int(entry.name)):
            try:
                if (entry / "comm").read_text().strip() == "sleep":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_close_kills_every_process(tmp_path):
    from harness import Cluster
    cluster = Cluster(tmp_path / "cluster")
    cluster.apply(compile_spec(etcd_spec(1), check=False), timeout=60)
    pod = cluster.pod(NAMESPACE, "etcd-0")
    worker = threading.Thread(target=lambda: cluster.kubectl(f"kubectl -n {NAMESPACE} exec etcd-0 -- sleep 600", timeout=600))
    worker.start()
    deadline = time.monotonic() + 20
    while not sleeping_in(cluster.processes.namespaces) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sleeping_in(cluster.processes.namespaces), "the exec'd sleep never started"
    tracked = dict(cluster.processes.pids)
    assert any("command line" in what for what in tracked.values())
    cluster.close()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert cluster.processes.survivors() == []
    assert not any(alive(pid) for pid in tracked)
    assert not pod.running()
    assert not sleeping_in(cluster.processes.namespaces)


def test_a_reused_pid_is_never_killed():
    """A tracked process that ended may have its PID given to another process; the registry
    ends only the process it started (PID and start time), never a newcomer with the same PID."""
    from harness.processes import ProcessRegistry
    registry = ProcessRegistry()
    stranger = subprocess.Popen(["sleep", "60"])
    try:
        registry.track(stranger.pid, "a process that ended long ago")
        assert registry.running(stranger.pid)
        registry.started[stranger.pid] = "0"   # as if the tracked process had ended and its PID been reused
        assert not registry.running(stranger.pid)
        registry.kill_all()
        assert alive(stranger.pid) and registry.survivors() == []
    finally:
        stranger.kill()
        stranger.wait(timeout=10)
