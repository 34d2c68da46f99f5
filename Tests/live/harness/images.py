"""Container images, played by Debian's packages.

A stand-in describes what the harness needs from an image: its `ENTRYPOINT`/`CMD`, `ENV`,
default user and the users its `/etc/passwd` knows, and which files sit at which paths. Files
are placed at the image's own paths inside the pod's root (Debian's `/usr/bin/etcd` appears at
the etcd image's `/usr/local/bin/etcd`), so emitted commands run verbatim.

Every difference from the real image is listed in Tests/live/README.md ("Images").
"""
from __future__ import annotations

import shlex
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .kubelet import EnvError

DEBIAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass
class StandIn:
    name: str
    entrypoint: list[str]
    cmd: list[str]
    env: dict[str, str]
    user: int = 0
    group: int = 0
    # uid → (name, gid, home): the image's /etc/passwd entries.
    users: dict[int, tuple[str, int, str]] = field(default_factory=dict)
    # image path → host path (bind-mounted read-only).
    host_files: dict[str, str] = field(default_factory=dict)
    # image path → text, generated per container start from (pod address, harness dir in pod).
    generated_files: Callable[[str, str], dict[str, str]] = lambda address, harness: {}
    # httpGet probe path → path the Debian build serves instead.
    probe_paths: dict[str, str] = field(default_factory=dict)
    # Debian packages whose binaries the stand-in needs, by the file each package installs.
    requires: dict[str, str] = field(default_factory=dict)
    # The image's STOPSIGNAL (the runtime sends it first, SIGKILL after the grace period).
    stop_signal: int = signal.SIGTERM

    def missing(self) -> list[str]:
        """Debian packages whose files are absent on this machine."""
        return sorted({package for path, package in self.requires.items() if not Path(path).exists()})


def _postgres_bin() -> str:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    return str(candidates[-1].parent) if candidates else "/usr/lib/postgresql/15/bin"


def etcd(tag: str) -> StandIn:
    return StandIn(
        name=f"quay.io/coreos/etcd:{tag}",
        entrypoint=[], cmd=["/usr/local/bin/etcd"], env={"PATH": DEBIAN_PATH},
        host_files={"/usr/local/bin/etcd": "/usr/bin/etcd", "/usr/local/bin/etcdctl": "/usr/bin/etcdctl"},
        # Debian's etcd is 3.4.23: /livez and /readyz exist from v3.4.29 and v3.5.11 only.
        probe_paths={"/livez": "/health", "/readyz": "/health"},
        requires={"/usr/bin/etcd": "etcd-server", "/usr/bin/etcdctl": "etcd-client"},
    )


def _postgres_entrypoint(address: str, harness: str) -> str:
    """The official image's docker-entrypoint.sh, step by step, for a container that already
    runs as its final user (runAsUser): directories, initdb with POSTGRES_*, pg_hba's host
    line, an init-only temporary server (`listen_addresses=''`, Unix socket only) that creates
    POSTGRES_DB, then the real server in the foreground as PID 1.

    `listen_addresses = '*'` (the image's postgresql.conf.sample) becomes the pod's address.
    When the harness holds the init phase, the temporary server stays up until the harness
    creates `<harness>/release-init`.
    """
    bindir = _postgres_bin()
    return f"""#!/bin/bash
set -Eeuo pipefail
: "${{PGDATA:=/var/lib/postgresql/data}}"
mkdir -p "$PGDATA"
chmod 00700 "$PGDATA" || :
mkdir -p /var/run/postgresql || :
chmod 03775 /var/run/postgresql || :
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${{POSTGRES_PASSWORD:-}}" ] && [ "${{POSTGRES_HOST_AUTH_METHOD:-}}" != trust ]; then
    echo 'Error: Database is uninitialized and superuser password is not specified.' >&2
    exit 1
  fi
  {bindir}/initdb --username="${{POSTGRES_USER:-postgres}}" --pwfile=<(printf '%s\\n' "${{POSTGRES_PASSWORD:-}}") ${{POSTGRES_INITDB_ARGS:-}}
  printf '\\nhost all all all %s\\n' "${{POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}}" >> "$PGDATA/pg_hba.conf"
  PGUSER="${{POSTGRES_USER:-postgres}}" {bindir}/pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
  if [ "${{POSTGRES_DB:-${{POSTGRES_USER:-postgres}}}}" != postgres ]; then
    echo 'CREATE DATABASE :"db" ;' | {bindir}/psql -v ON_ERROR_STOP=1 --username "${{POSTGRES_USER:-postgres}}" --no-password \\
      --no-psqlrc --dbname postgres --set db="${{POSTGRES_DB:-${{POSTGRES_USER:-postgres}}}}"
  fi
  echo 'harness: init-only temporary server is up'
  if [ -e {harness}/hold-init ]; then
    while [ ! -e {harness}/release-init ]; do sleep 0.1; done
  fi
  {bindir}/pg_ctl -D "$PGDATA" -m fast -w stop
  echo 'PostgreSQL init process complete; ready for start up.'
fi
exec "$@" -c listen_addresses={shlex.quote(address)}
"""


def postgres(tag: str) -> StandIn:
    bindir = _postgres_bin()
    major = Path(bindir).parent.name
    image_major = tag.split(".")[0].split("-")[0]
    if image_major != major:
        raise EnvError(f"postgres:{tag} needs PostgreSQL {image_major}; Debian here has {major} — pin version: \"{major}\" in the fixture")
    return StandIn(
        name=f"postgres:{tag}",
        entrypoint=["docker-entrypoint.sh"], cmd=["postgres"],
        env={"PATH": f"{DEBIAN_PATH}:{bindir}", "PGDATA": "/var/lib/postgresql/data", "PG_MAJOR": major, "LANG": "C.UTF-8"},
        users={999: ("postgres", 999, "/var/lib/postgresql")},
        generated_files=lambda address, harness: {"/usr/local/bin/docker-entrypoint.sh": _postgres_entrypoint(address, harness)},
        requires={f"{bindir}/postgres": "postgresql", f"{bindir}/pg_isready": "postgresql"},
        stop_signal=signal.SIGINT,  # the image's STOPSIGNAL: fast shutdown
    )


def kafka_environment_recorder(tag: str) -> StandIn:
    """No Kafka in Debian: `/etc/kafka/docker/run` records the environment it is started with
    (after the emitted command's own shell ran) on stdout, for the contract test to replay the
    image's configure step on."""
    return StandIn(
        name=f"apache/kafka:{tag}",
        entrypoint=[], cmd=["/etc/kafka/docker/run"], env={"PATH": DEBIAN_PATH},
        user=1000, group=1000, users={1000: ("appuser", 1000, "/home/appuser")},
        generated_files=lambda address, harness: {"/etc/kafka/docker/run": RECORDER_SCRIPT},
    )


def _redis_wrapper(program: str, address: str) -> str:
    """The image's `redis-server`/`redis-sentinel` as Debian's: the image's default `bind * -::*`
    (all interfaces) is the pod's own address here, like 0.0.0.0 (pods share the loopback)."""
    return f"""#!/bin/sh
exec /usr/bin/{program} "$@" --bind {shlex.quote(address)}
"""


def redis(tag: str) -> StandIn:
    """The official redis image, played by Debian's redis-server and redis-sentinel (7.0 here).
    The emitted pods set `command` (their start script), so the image's docker-entrypoint.sh
    never runs and is not re-enacted."""
    return StandIn(
        name=f"redis:{tag}",
        entrypoint=[], cmd=["redis-server"], env={"PATH": DEBIAN_PATH},
        user=999, group=999, users={999: ("redis", 999, "/home/redis")},
        host_files={"/usr/local/bin/redis-cli": "/usr/bin/redis-cli"},
        generated_files=lambda address, harness: {f"/usr/local/bin/{program}": _redis_wrapper(program, address)
                                                  for program in ("redis-server", "redis-sentinel")},
        requires={"/usr/bin/redis-server": "redis-server", "/usr/bin/redis-sentinel": "redis-sentinel",
                  "/usr/bin/redis-cli": "redis-tools"},
    )


ENVIRON_BEGIN, ENVIRON_END = "harness-environ-begin", "harness-environ-end"
RECORDER_SCRIPT = f"""#!/bin/sh
echo {ENVIRON_BEGIN}
base64 -w0 /proc/self/environ
echo
echo {ENVIRON_END}
"""


def busybox(tag: str) -> StandIn:
    """The static busybox the etcd pods' init container copies in: Debian's busybox-static (also
    statically linked) at the image's /bin/busybox."""
    return StandIn(
        name=f"busybox:{tag}", entrypoint=[], cmd=["sh"], env={"PATH": DEBIAN_PATH},
        host_files={"/bin/busybox": "/bin/busybox"},
        requires={"/bin/busybox": "busybox-static"},
    )


VAULT_ENTRYPOINT = """#!/bin/sh
# Stand-in for the vault image's docker-entrypoint.sh: no Vault in Debian. It records its
# arguments and every SIGHUP (Vault reloads its listener certificates on SIGHUP).
echo "vault stand-in: started with: $*"
trap 'echo "vault stand-in: SIGHUP"' HUP
while :; do sleep 0.1; done
"""


def vault_signal_recorder(tag: str) -> StandIn:
    """No Vault in Debian: `docker-entrypoint.sh` records its arguments and the signals it gets, so
    the contract test can see the emitted entrypoint's reload on certificate rotation."""
    return StandIn(
        name=f"hashicorp/vault:{tag}", entrypoint=["docker-entrypoint.sh"], cmd=["server"], env={"PATH": DEBIAN_PATH},
        user=100, group=1000, users={100: ("vault", 1000, "/home/vault")},
        generated_files=lambda address, harness: {"/usr/local/bin/docker-entrypoint.sh": VAULT_ENTRYPOINT},
    )


def stand_in(image: str) -> StandIn:
    repository, _, tag = image.rpartition(":")
    if not repository:
        repository, tag = image, "latest"
    if repository == "quay.io/coreos/etcd":
        return etcd(tag)
    if repository in ("postgres", "docker.io/library/postgres"):
        return postgres(tag)
    if repository in ("hashicorp/vault", "docker.io/hashicorp/vault"):
        return vault_signal_recorder(tag)
    if repository in ("busybox", "docker.io/library/busybox"):
        return busybox(tag)
    if repository in ("redis", "docker.io/library/redis"):
        return redis(tag)
    if repository in ("apache/kafka", "docker.io/apache/kafka"):
        return kafka_environment_recorder(tag)
    raise EnvError(f"no Debian stand-in for image {image}")


