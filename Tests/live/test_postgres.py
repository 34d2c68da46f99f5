"""PostgreSQL single mode from the emitted StatefulSet, run by Debian's PostgreSQL with the
official image's docker-entrypoint.sh re-enacted (Debian has none; see harness/images.py):
initdb with the POSTGRES_* variables, an init-only temporary server that listens on the Unix
socket only (`listen_addresses=''`), then the real server on the pod's address."""
from __future__ import annotations

import time

from harness import compile_spec
from specs import NAMESPACE, store_spec

PASSWORD = "live-secret-1"
SPEC = store_spec("live-pg", {"pg": 'engine: postgres, version: "15", database: app, user: app, credentials: {secret: pg-creds}, '
                                   'resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {cpu: "1", memory: 1Gi}}'},
                  secrets={"pg-creds": ["password"]})


def prepare(cluster):
    cluster.add_secret(NAMESPACE, "pg-creds", {"password": PASSWORD})
    return compile_spec(SPEC)


def sql(cluster, pod, statement: str) -> str:
    """psql over TCP to the pod's own address, authenticated with the Secret's password."""
    result = cluster.exec(pod, ["env", f"PGPASSWORD={PASSWORD}", "psql", "-h", pod.address, "-U", "app", "-d", "app",
                                "-At", "-v", "ON_ERROR_STOP=1", "-c", statement], timeout=30)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode().strip()


def test_initializes_and_keeps_data_across_restarts(cluster):
    manifests = prepare(cluster)
    cluster.apply(manifests, timeout=90)
    pod = cluster.pod(NAMESPACE, "pg-0")
    assert sql(cluster, pod, "select current_user || '@' || current_database()") == "app@app"
    assert_shared_memory_is_memory_backed(cluster, manifests, pod)
    sql(cluster, pod, "create table kept (id int primary key, note text); insert into kept select g, 'row ' || g from generate_series(1, 100) g")
    # kill -9 (crash recovery on restart) …
    cluster.kill(pod)
    cluster.restart(pod)
    cluster.wait_ready([pod], timeout=60)
    assert sql(cluster, pod, "select count(*) from kept") == "100"
    # … and a deleted pod recreated by the StatefulSet controller on the same claim (no second initdb).
    back = cluster.recreate(pod)
    cluster.wait_ready([back], timeout=60)
    assert sql(cluster, back, "select count(*), max(note) from kept") == "100|row 99"
    assert "init process complete" not in back.log(), "initdb ran again on an initialized volume"


def test_readiness_waits_for_tcp(cluster):
    """The emitted readiness command, run verbatim inside the pod, fails while only the
    entrypoint's init-only temporary server runs (Unix socket, no TCP) and passes once the real
    server accepts TCP. The same check over the Unix socket passes too early: that is the bug
    `-h 127.0.0.1` fixes."""
    cluster.load(prepare(cluster))
    pod = cluster.create_pod(NAMESPACE, "pg", 0, hold_init=True)
    deadline = time.monotonic() + 60
    while "init-only temporary server is up" not in pod.log():
        assert pod.running() and time.monotonic() < deadline, pod.log()
        time.sleep(0.2)
    readiness = pod.main_container["readinessProbe"]["exec"]["command"]
    assert "-h" in readiness, f"readiness does not go over TCP: {readiness}"
    during_init = cluster.exec(pod, readiness, timeout=10)
    assert during_init.returncode != 0, "readiness passed against the init-only server"
    assert not cluster.probe(pod, "readinessProbe")
    socket_only = [part for index, part in enumerate(readiness) if part != "-h" and readiness[index - 1] != "-h"]
    assert cluster.exec(pod, socket_only, timeout=10).returncode == 0, "the temporary server was not up: the check above proved nothing"

    pod.release_init()
    cluster.wait_ready([pod], timeout=60)
    assert cluster.exec(pod, readiness, timeout=10).returncode == 0
    assert "init process complete" in pod.log()


def assert_shared_memory_is_memory_backed(cluster, manifests, pod):
    """/dev/shm is the emitted memory emptyDir (sized by the pod's memory limit), not the runtime's
    64 MiB default, and PostgreSQL's dynamic shared memory lives there (posix)."""
    template = manifests.statefulset(NAMESPACE, "pg")["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in template.get("volumes", [])}
    mounts = {m["mountPath"]: m["name"] for m in template["containers"][0]["volumeMounts"]}
    assert "/dev/shm" in mounts and volumes[mounts["/dev/shm"]]["emptyDir"].get("medium") == "Memory"
    result = cluster.exec(pod, ["df", "-B1", "--output=fstype,size", "/dev/shm"])
    fstype, size = result.stdout.decode().split()[-2:]
    assert fstype == "tmpfs" and int(size) > 64 * 2**20, result.stdout
    assert sql(cluster, pod, "show dynamic_shared_memory_type") == "posix"
