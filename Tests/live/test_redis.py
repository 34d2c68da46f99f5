"""Redis with Sentinel from the emitted StatefulSets, run by Debian's redis-server and
redis-sentinel 7.0 (the emitted image is redis:7.4; Debian has no Valkey, which the wiring tests
cover). The servers and sentinels run the emitted start scripts; the failover timings come from an
overlay (`live`), so detection takes seconds instead of Sentinel's 30 s default.

What is proven, in one group's life: the group forms (every sentinel names ordinal 0 and knows
both replicas and the other sentinels); a write on the primary is read on the replicas; killing the
primary (kill -9) makes the sentinels promote a replica that then serves writes, and every write the
old primary acknowledged with `WAIT 1` is on the new primary; the old primary, restarted, answers
READONLY to its first client and rejoins as a replica; and a primary that loses its volume waits
for the sentinels to promote a replica instead of starting empty, so no data is lost.
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

from harness import compile_spec
from specs import NAMESPACE, store_spec
from test_etcd import assert_loopback_only, wait_for

PASSWORD = 'live "secret" \\ 1'
SPEC = store_spec("live-redis", {"cache": "engine: redis, replicas: 3, sentinels: 3, auth: {secret: cache-auth}, "
                                          'resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {cpu: "1", memory: 256Mi}}'},
                  secrets={"cache-auth": ["password"]})
# Failure detection after 2 s without the primary; a failover may take 10 s before another is tried.
OVERLAY = "clusterspec: v1\noverlay: {spec: live-redis, environment: live}\nstores:\n  cache:\n    failover: {downAfter: 2s, timeout: 10s}\n"


@dataclass
class Error:
    """An error reply (`-READONLY …`)."""
    message: str


class Connection:
    """A minimal RESP2 client: commands as arrays of bulk strings, replies parsed recursively."""

    def __init__(self, address: str, port: int, password: str | None = PASSWORD, timeout: float = 5):
        self.socket = socket.create_connection((address, port), timeout=timeout)
        self.reader = self.socket.makefile("rb")
        if password is not None:
            reply = self.command("AUTH", password)
            assert reply == "OK", f"AUTH at {address}:{port}: {reply}"

    def command(self, *args):
        parts = [str(arg).encode() for arg in args]
        self.socket.sendall(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(part), part) for part in parts))
        return self._reply()

    def _reply(self):
        line = self.reader.readline()
        if not line:
            raise ConnectionError("connection closed")
        kind, rest = line[:1], line[1:-2].decode()
        if kind == b"+":
            return rest
        if kind == b"-":
            return Error(rest)
        if kind == b":":
            return int(rest)
        if kind == b"$":
            return None if int(rest) < 0 else self.reader.read(int(rest) + 2)[:-2].decode()
        if kind == b"*":
            return None if int(rest) < 0 else [self._reply() for _ in range(int(rest))]
        raise ConnectionError(f"unexpected reply {line!r}")

    def close(self) -> None:
        self.reader.close()
        self.socket.close()


def fqdn(name: str, statefulset: str) -> str:
    return f"{name}.{statefulset}-headless.{NAMESPACE}.svc.cluster.local"


def server_named(cluster, host: str):
    """The server pod a sentinel names by its FQDN."""
    return cluster.pod(NAMESPACE, host.split(".", 1)[0])


def ask(pod, *args, port: int = 6379):
    connection = Connection(pod.address, port)
    try:
        return connection.command(*args)
    finally:
        connection.close()


def named_primaries(cluster) -> set[str]:
    """What every sentinel answers to SENTINEL get-master-addr-by-name (host:port), unreachable ones left out."""
    answers = set()
    for sentinel in cluster.pods_of(NAMESPACE, "cache-sentinel"):
        try:
            host, port = ask(sentinel, "SENTINEL", "get-master-addr-by-name", "cache", port=26379)
            answers.add(f"{host}:{port}")
        except (OSError, ValueError, TypeError):
            answers.add("unreachable")
    return answers


def sentinel_view(sentinel) -> dict[str, str]:
    fields = ask(sentinel, "SENTINEL", "master", "cache", port=26379)
    return dict(zip(fields[0::2], fields[1::2]))


def role(pod) -> list:
    try:
        return ask(pod, "ROLE")
    except OSError:
        return ["down"]


def replicated(pod, primary: str) -> bool:
    """The pod is a replica of `primary` whose link is up (ROLE: slave, host, port, connected, offset)."""
    answer = role(pod)
    return answer[0] == "slave" and answer[1] == primary and answer[3] == "connected"


class Writer(threading.Thread):
    """Writes w:1, w:2 … to one server, each followed by WAIT 1 (a replica has it), and keeps the
    keys whose WAIT counted a replica; stops at the first error or lost connection."""

    def __init__(self, pod):
        super().__init__(daemon=True)
        self.connection = Connection(pod.address, 6379)
        self.acknowledged: list[str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        index = 0
        try:
            while not self.stopping.is_set():
                index += 1
                key = f"w:{index}"
                if self.connection.command("SET", key, index) != "OK":
                    return
                if (self.connection.command("WAIT", 1, 200) or 0) >= 1:
                    self.acknowledged.append(key)
        except (OSError, ConnectionError):
            return


def test_sentinels_fail_over_and_the_old_primary_rejoins_as_a_replica(cluster):
    started = time.monotonic()
    cluster.add_secret(NAMESPACE, "cache-auth", {"password": PASSWORD})
    cluster.apply(compile_spec(SPEC, env="live", overlays={"live": OVERLAY}), timeout=60)
    servers, sentinels = cluster.pods_of(NAMESPACE, "cache"), cluster.pods_of(NAMESPACE, "cache-sentinel")
    assert [p.name for p in servers] == ["cache-0", "cache-1", "cache-2"] and len(sentinels) == 3
    first = fqdn("cache-0", "cache")

    # The group forms: every sentinel monitors ordinal 0 and finds both replicas and the other sentinels.
    assert named_primaries(cluster) == {f"{first}:6379"}
    assert wait_for(lambda: all(sentinel_view(s)["num-slaves"] == "2" and sentinel_view(s)["num-other-sentinels"] == "2"
                                and sentinel_view(s)["quorum"] == "2" for s in sentinels), timeout=20), \
        [sentinel_view(s) for s in sentinels]
    assert role(servers[0])[0] == "master"
    assert all(replicated(pod, first) for pod in servers[1:]), [role(p) for p in servers]
    # The replicas announce their hostnames, so the sentinels know them by name.
    replicas = ask(sentinels[0], "SENTINEL", "replicas", "cache", port=26379)
    assert sorted(dict(zip(r[0::2], r[1::2]))["ip"] for r in replicas) == [fqdn("cache-1", "cache"), fqdn("cache-2", "cache")]

    # A write on the primary is read on the replicas; a replica refuses writes.
    assert ask(servers[0], "SET", "formed", "yes") == "OK"
    assert wait_for(lambda: all(ask(pod, "GET", "formed") == "yes" for pod in servers[1:]), timeout=10)
    assert isinstance(ask(servers[1], "SET", "x", "1"), Error) and ask(servers[1], "SET", "x", "1").message.startswith("READONLY")

    # Writes acknowledged by a replica (WAIT 1) while the primary is killed.
    writer = Writer(servers[0])
    writer.start()
    assert wait_for(lambda: len(writer.acknowledged) >= 50, timeout=10), len(writer.acknowledged)
    cluster.kill(servers[0])
    writer.join(timeout=10)
    acknowledged = list(writer.acknowledged)
    killed_at = time.monotonic()

    # The sentinels promote a replica, which serves writes.
    assert wait_for(lambda: len(named_primaries(cluster)) == 1 and named_primaries(cluster) != {f"{first}:6379"}, timeout=30), \
        named_primaries(cluster)
    failover_seconds = time.monotonic() - killed_at
    promoted_host = named_primaries(cluster).pop().rsplit(":", 1)[0]
    promoted = server_named(cluster, promoted_host)
    assert promoted.name in ("cache-1", "cache-2")
    assert wait_for(lambda: role(promoted)[0] == "master", timeout=10), role(promoted)
    assert ask(promoted, "SET", "after-failover", "yes") == "OK"
    # Nothing acknowledged with WAIT 1 is lost.
    missing = [key for key in acknowledged if ask(promoted, "EXISTS", key) != 1]
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged writes lost: {missing[:5]}"

    # The old primary restarts as a replica: READONLY from its first client connection on.
    cluster.restart(servers[0])
    old = servers[0]
    deadline = time.monotonic() + 30
    while True:
        try:
            connection = Connection(old.address, 6379)
            break
        except (OSError, AssertionError):
            assert time.monotonic() < deadline, f"cache-0 did not come back:\n{old.log()[-2000:]}"
            time.sleep(0.05)
    first_reply = connection.command("SET", "split-brain", "1")
    connection.close()
    assert isinstance(first_reply, Error) and first_reply.message.startswith("READONLY"), first_reply
    assert wait_for(lambda: replicated(old, promoted_host), timeout=20), role(old)
    assert wait_for(lambda: ask(old, "GET", "after-failover") == "yes" and ask(old, "EXISTS", "split-brain") == 0, timeout=10)
    assert f"starting as a replica of {promoted_host}" in old.log(), old.log()[-2000:]

    # The new primary loses its volume and comes straight back: it must not start empty as the
    # primary (the replicas would copy nothing); it waits until the sentinels promote a replica.
    cluster.kill(promoted)
    cluster.wipe_volume(promoted)
    cluster.restart(promoted)
    assert wait_for(lambda: len(named_primaries(cluster)) == 1 and named_primaries(cluster) != {f"{promoted_host}:6379"}, timeout=30), \
        named_primaries(cluster)
    survivor_host = named_primaries(cluster).pop().rsplit(":", 1)[0]
    survivor = server_named(cluster, survivor_host)
    assert wait_for(lambda: replicated(promoted, survivor_host), timeout=30), (role(promoted), promoted.log()[-2000:])
    assert "its volume is empty: waiting for them to promote a replica" in promoted.log(), promoted.log()[-2000:]
    for pod in (survivor, promoted):
        assert wait_for(lambda pod=pod: ask(pod, "GET", "after-failover") == "yes" and ask(pod, "GET", "formed") == "yes", timeout=10), pod.name
    missing = [key for key in acknowledged if ask(survivor, "EXISTS", key) != 1]
    assert not missing, f"{len(missing)} acknowledged writes lost after the volume loss"

    assert_loopback_only(cluster)
    elapsed = time.monotonic() - started
    print(f"\nredis live: {len(acknowledged)} acknowledged writes kept, failover in {failover_seconds:.1f} s, whole test {elapsed:.1f} s")
    assert elapsed <= 90, f"the live Redis test took {elapsed:.0f} s"
