"""One pod: its sandbox (address, hosts file, volumes) and its containers as processes.

A container is started the way a container runtime would, with Linux tools only:

    unshare --mount --uts --pid --fork --kill-child --propagation private -- /bin/sh -ec SETUP

SETUP mounts a copy-on-write view of the host's root (overlayfs, upper layer on tmpfs: the
container's writable layer, gone when it stops), a private /dev with a 64 MiB /dev/shm (the
runtime's default), /proc for the new PID namespace, the image's files at the image's paths, the
pod's volumes at their mount paths (PVC directories persist per claim and pod), the pod's hosts
file over /etc/hosts, and remounts the root read-only when `readOnlyRootFilesystem` is set. It
then `chroot`s and drops to the container's user with `setpriv` (runAsUser/runAsGroup, fsGroup
and supplementalGroups as groups, no_new_privs and an empty bounding set when asked).
The container's main process is PID 1 of its PID namespace; killing it ends the container.
"""
from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from . import images, kubelet
from .processes import children


def apply_fs_group(root: Path, gid: int, read_only: bool = False) -> None:
    """The kubelet's volume ownership change (fsGroupChangePolicy Always): every entry gets the
    group, files g+rw (g+r when read-only), directories also g+x and setgid; symlinks only chown."""
    paths = [root, *root.rglob("*")]
    for path in paths:
        info = os.lstat(path)
        os.lchown(path, -1, gid)
        if stat.S_ISLNK(info.st_mode):
            continue
        mask = 0o440 if read_only else 0o660
        if stat.S_ISDIR(info.st_mode):
            mask |= stat.S_ISGID | 0o110
        os.chmod(path, stat.S_IMODE(info.st_mode) | mask)


def write_atomic_volume(directory: Path, files: dict[str, bytes], mode: int, gid: int | None) -> None:
    """The kubelet's AtomicWriter layout for ConfigMap and Secret volumes: files live in a
    timestamped directory, `..data` points at it, each key is a symlink through `..data`.
    Re-writing swaps `..data` atomically (how a mounted Secret is rotated)."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = directory / f"..{time.strftime('%Y_%m_%d_%H_%M_%S')}.{time.monotonic_ns()}"
    stamp.mkdir()
    for key, content in files.items():
        target = stamp / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        os.chmod(target, mode)
        if gid is not None:
            os.chown(target, 0, gid)
    if gid is not None:
        os.chown(stamp, 0, gid)
    os.chmod(stamp, 0o755)
    temporary = directory / "..data_tmp"
    if temporary.is_symlink():
        temporary.unlink()
    temporary.symlink_to(stamp.name)
    previous = directory / "..data"
    old = os.readlink(previous) if previous.is_symlink() else None
    os.replace(temporary, previous)
    for key in files:
        top = key.split("/")[0]
        link = directory / top
        if not link.is_symlink():
            link.symlink_to(f"..data/{top}")
    if old:
        subprocess.run(["rm", "-rf", str(directory / old)], check=True)


def resolve_in_root(path: str) -> str:
    """`path` with symlinks resolved inside the container's root, whose lower layer is the host's
    root (so `/var/run/postgresql` is `/run/postgresql`): a runtime never follows a mount target
    out of the container's root, and neither may the setup script."""
    pending = [part for part in path.split("/") if part]
    resolved: list[str] = []
    for _ in range(256):
        if not pending:
            return "/" + "/".join(resolved)
        part = pending.pop(0)
        if part == ".":
            continue
        if part == "..":
            resolved = resolved[:-1]
            continue
        candidate = "/" + "/".join([*resolved, part])
        if os.path.islink(candidate):
            target = os.readlink(candidate)
            if target.startswith("/"):
                resolved = []
            pending = [p for p in target.split("/") if p] + pending
        else:
            resolved.append(part)
    raise PodError(f"too many symlinks resolving {path}")


@dataclass
class ContainerProcess:
    """A running (or finished) container of a pod."""

    name: str
    popen: subprocess.Popen
    init_pid: int | None
    log: Path
    spec: dict
    env: dict[str, str]
    user: tuple[int, int, list[int]]
    workdir: str
    no_new_privs: bool
    drop_all: bool
    stop_signal: int = 15

    def running(self) -> bool:
        return self.popen.poll() is None


class PodError(RuntimeError):
    pass


class Pod:
    """A pod of a StatefulSet: name `<sts>-<ordinal>`, stable address, its claims' directories."""

    def __init__(self, cluster, statefulset: dict, ordinal: int, address: str):
        self.cluster = cluster
        self.statefulset = statefulset
        self.ordinal = ordinal
        self.address = address
        metadata = statefulset["metadata"]
        self.namespace = metadata.get("namespace", "default")
        self.set_name = metadata["name"]
        self.name = f"{self.set_name}-{ordinal}"
        self.template = statefulset["spec"]["template"]
        self.revision = cluster.template_revision(statefulset)
        self.subdomain = statefulset["spec"].get("serviceName")
        self.directory = cluster.workdir / "pods" / self.namespace / self.name / f"rev-{self.revision}-{time.monotonic_ns()}"
        self.directory.mkdir(parents=True)
        self.containers: dict[str, ContainerProcess] = {}
        self.deleted = False
        self.created = time.monotonic()

    # MARK: identity

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def fqdn(self) -> str:
        return f"{self.name}.{self.subdomain}.{self.namespace}.svc.{self.cluster.domain}"

    @property
    def labels(self) -> dict[str, str]:
        labels = dict(self.template.get("metadata", {}).get("labels", {}))
        labels["statefulset.kubernetes.io/pod-name"] = self.name
        labels["apps.kubernetes.io/pod-index"] = str(self.ordinal)
        labels["controller-revision-hash"] = f"{self.set_name}-{self.revision}"
        return labels

    def identity(self) -> kubelet.PodIdentity:
        return kubelet.PodIdentity(
            name=self.name, namespace=self.namespace, ip=self.address, labels=self.labels,
            annotations=dict(self.template.get("metadata", {}).get("annotations", {})),
            uid=f"{self.namespace}-{self.name}", service_account=self.template["spec"].get("serviceAccountName", "default"))

    @property
    def main_container(self) -> dict:
        return self.template["spec"]["containers"][0]

    def container_spec(self, name: str | None) -> dict:
        for container in self.template["spec"]["containers"]:
            if name is None or container["name"] == name:
                return container
        raise PodError(f"pod {self.key} has no container {name!r}")

    def ports(self) -> dict[str, int]:
        return {port["name"]: port["containerPort"] for c in self.template["spec"]["containers"]
                for port in c.get("ports", []) if port.get("name")}

    def all_port_numbers(self) -> list[int]:
        return sorted({port["containerPort"] for c in self.template["spec"]["containers"] for port in c.get("ports", [])})

    # MARK: volumes

    def claim_directory(self, claim: str) -> Path:
        """The PVC `<claim>-<pod>`: one directory per claim and pod that outlives pods and revisions."""
        path = self.cluster.workdir / "volumes" / self.namespace / f"{claim}-{self.name}"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _volume_sources(self, security: dict) -> dict[str, tuple[Path, bool, str | None]]:
        """volume name → (host path, read-only, tmpfs size or None)."""
        fs_group = security.get("fsGroup")
        sources: dict[str, tuple[Path, bool, str | None]] = {}
        for template in self.statefulset["spec"].get("volumeClaimTemplates", []):
            claim = template["metadata"]["name"]
            path = self.claim_directory(claim)
            if fs_group is not None:
                apply_fs_group(path, fs_group)
            sources[claim] = (path, False, None)
        for volume in self.template["spec"].get("volumes", []):
            name = volume["name"]
            path = self.directory / "volumes" / name
            if "emptyDir" in volume:
                spec = volume["emptyDir"] or {}
                path.mkdir(parents=True, exist_ok=True)
                if spec.get("medium") == "Memory":
                    sources[name] = (path, False, str(int(self._memory_volume_size(spec))))
                    continue
                if fs_group is not None:
                    apply_fs_group(path, fs_group)
                sources[name] = (path, False, None)
            elif "configMap" in volume or "secret" in volume:
                kind = "configMap" if "configMap" in volume else "secret"
                spec = volume[kind]
                object_name = spec.get("name") or spec.get("secretName")
                store = self.cluster.configmaps if kind == "configMap" else self.cluster.secrets
                data = store.get((self.namespace, object_name))
                if data is None:
                    if spec.get("optional"):
                        data = {}
                    else:
                        raise PodError(f"{self.key}: {kind} {self.namespace}/{object_name} does not exist (the pod would stay ContainerCreating)")
                items = spec.get("items")
                files = {item["path"]: data[item["key"]].encode() for item in items} if items else {k: v.encode() for k, v in data.items()}
                write_atomic_volume(path, files, spec.get("defaultMode", 0o644), fs_group)
                sources[name] = (path, True, None)
            elif "persistentVolumeClaim" in volume:
                # A claim of its own (not from a template): one directory, shared by the pods using it.
                path = self.cluster.workdir / "volumes" / self.namespace / volume["persistentVolumeClaim"]["claimName"]
                path.mkdir(parents=True, exist_ok=True)
                if fs_group is not None:
                    apply_fs_group(path, fs_group)
                sources[name] = (path, False, None)
            else:
                raise PodError(f"{self.key}: unsupported volume {name} ({sorted(volume)})")
        return sources

    def sync_secret(self, secret: str, data: dict[str, str]) -> int:
        """Rewrites this pod's volumes of Secret `secret` in place (the kubelet's periodic sync):
        every running container sees the new files through `..data`. Returns the volumes updated."""
        fs_group = self.template["spec"].get("securityContext", {}).get("fsGroup")
        updated = 0
        for volume in self.template["spec"].get("volumes", []):
            spec = volume.get("secret")
            if not spec or spec.get("secretName") != secret:
                continue
            path = self.directory / "volumes" / volume["name"]
            items = spec.get("items")
            files = {item["path"]: data[item["key"]].encode() for item in items} if items else {k: v.encode() for k, v in data.items()}
            write_atomic_volume(path, files, spec.get("defaultMode", 0o644), fs_group)
            updated += 1
        return updated

    def _memory_volume_size(self, spec: dict) -> float:
        """tmpfs size of a memory emptyDir: its sizeLimit, else the pod's memory limit, else the
        node's allocatable memory (the kubelet's SizeMemoryBackedVolumes behaviour)."""
        if spec.get("sizeLimit"):
            return kubelet.quantity(spec["sizeLimit"])
        limits = [c.get("resources", {}).get("limits", {}).get("memory") for c in self.template["spec"]["containers"]]
        if all(limits):
            return sum(kubelet.quantity(limit) for limit in limits)
        return kubelet.quantity(self.cluster.node.memory)

    # MARK: containers

    def _user(self, container: dict, stand_in: images.StandIn) -> tuple[int, int, list[int]]:
        pod_security = self.template["spec"].get("securityContext", {})
        security = {**pod_security, **container.get("securityContext", {})}
        uid = security.get("runAsUser", stand_in.user)
        # Without runAsGroup the runtime takes the user's group from the image's /etc/passwd.
        image_group = stand_in.users[uid][1] if uid in stand_in.users else (stand_in.group if uid == stand_in.user else 0)
        gid = security.get("runAsGroup", image_group)
        if security.get("runAsNonRoot") and uid == 0:
            raise PodError(f"{self.key}: runAsNonRoot with user 0 — the kubelet refuses to start it")
        groups = [gid]
        if pod_security.get("fsGroup") is not None:
            groups.append(pod_security["fsGroup"])
        groups += pod_security.get("supplementalGroups", [])
        return uid, gid, sorted(set(groups))

    def start(self, hold_init: bool = False) -> None:
        """Starts the main container (init containers first, each to completion)."""
        for init in self.template["spec"].get("initContainers", []):
            process = self._launch(init, hold_init=False)
            code = process.popen.wait(timeout=120)
            if code != 0:
                raise PodError(f"{self.key}: init container {init['name']} exited {code}:\n{process.log.read_text()}")
        self.containers[self.main_container["name"]] = self._launch(self.main_container, hold_init=hold_init)
        self.cluster.publish_state()

    def _launch(self, container: dict, hold_init: bool) -> ContainerProcess:
        stand_in = images.stand_in(container["image"])
        missing = stand_in.missing()
        if missing:
            raise PodError(f"{container['image']} needs Debian package(s) {', '.join(missing)}")
        pod_security = self.template["spec"].get("securityContext", {})
        security = {**pod_security, **container.get("securityContext", {})}
        uid, gid, groups = self._user(container, stand_in)
        service_env = self.cluster.service_links(self.namespace)
        if self.template["spec"].get("enableServiceLinks") is False:
            # The kubelet still injects the API server's variables.
            service_env = {key: value for key, value in service_env.items() if key.startswith("KUBERNETES_")}
        env = kubelet.container_env(
            container, self.identity(), secrets=self.cluster.secrets, configmaps=self.cluster.configmaps,
            service_env=service_env, image_env=stand_in.env)
        env["HOSTNAME"] = self.name
        home = stand_in.users.get(uid, (None, None, "/"))[2]
        env.setdefault("HOME", home)
        env = {key: self.cluster.translate(value, self) for key, value in env.items()}
        # Kubernetes: `command` replaces ENTRYPOINT (and drops CMD), `args` replaces CMD; only the
        # container's own fields are $(VAR)-expanded.
        command, args = container.get("command"), container.get("args")
        if command is None:
            argv = stand_in.entrypoint + (kubelet.expand_argv(args, env) if args is not None else stand_in.cmd)
        else:
            argv = kubelet.expand_argv(command, env) + kubelet.expand_argv(args or [], env)
        argv = [self.cluster.translate(part, self) for part in argv]
        if not argv:
            raise PodError(f"{self.key}: no command for {container['name']}")

        instance = self.directory / f"{container['name']}-{time.monotonic_ns()}"
        (instance / "root").mkdir(parents=True)
        (instance / "layer").mkdir()
        harness_dir = instance / "harness"
        harness_dir.mkdir()
        if hold_init:
            (harness_dir / "hold-init").touch()
        generated = stand_in.generated_files(self.address, "/.harness")
        image_files: dict[str, str] = dict(stand_in.host_files)
        for index, (target, text) in enumerate(sorted(generated.items())):
            source = harness_dir / f"file-{index}"
            source.write_text(text)
            source.chmod(0o755)
            image_files[target] = str(source)
        passwd = Path("/etc/passwd").read_text() + "".join(
            f"{name}:x:{user}:{group}::{home_dir}:/bin/sh\n" for user, (name, group, home_dir) in stand_in.users.items())
        group_file = Path("/etc/group").read_text() + "".join(
            f"{name}:x:{group}:\n" for _, (name, group, _) in stand_in.users.items())
        (harness_dir / "passwd").write_text(passwd)
        (harness_dir / "group").write_text(group_file)

        mounts: list[tuple[str, str, bool, str | None]] = []  # (source, target, read-only, tmpfs size)
        sources = self._volume_sources(pod_security)
        for mount in container.get("volumeMounts", []):
            source, read_only, tmpfs = sources[mount["name"]]
            path = str(source / mount["subPath"]) if mount.get("subPath") else str(source)
            mounts.append((path, mount["mountPath"], read_only or bool(mount.get("readOnly")), tmpfs))

        script = self._setup_script(instance, image_files, mounts, harness_dir,
                                    read_only_root=bool(security.get("readOnlyRootFilesystem")))
        drop_all = "ALL" in security.get("capabilities", {}).get("drop", [])
        if security.get("capabilities", {}).get("add"):
            raise PodError(f"{self.key}: capabilities.add is not supported by the harness")
        no_new_privs = security.get("allowPrivilegeEscalation") is False
        workdir = container.get("workingDir", "/")
        final = exec_argv(uid, gid, groups, no_new_privs, drop_all, env, workdir, argv)
        log = instance / "log"
        with open(log, "wb") as output:
            popen = subprocess.Popen(
                ["unshare", "--mount", "--uts", "--pid", "--fork", "--kill-child", "--propagation", "private", "--",
                 "/bin/sh", "-ec", script + "exec chroot " + shlex.quote(str(instance / "root")) + " " + shlex.join(final)],
                stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env={"PATH": images.DEBIAN_PATH},
                start_new_session=True)
        self.cluster.processes.track(popen.pid, f"unshare for {self.key}/{container['name']}")
        init_pid = None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and popen.poll() is None:
            found = children(popen.pid)
            if found:
                init_pid = found[0]
                self.cluster.processes.track(init_pid, f"{self.key}/{container['name']}")
                self.cluster.processes.track_namespace(init_pid)
                break
            time.sleep(0.01)
        return ContainerProcess(container["name"], popen, init_pid, log, container, env, (uid, gid, groups), workdir, no_new_privs,
                                drop_all, stop_signal=stand_in.stop_signal)

    def _setup_script(self, instance: Path, image_files: dict[str, str], mounts, harness_dir: Path, read_only_root: bool) -> str:
        q = shlex.quote
        root = str(instance / "root")
        layer = str(instance / "layer")
        lines = [
            f"mount -t tmpfs -o mode=0755 layer {q(layer)}",
            f"mkdir -p {q(layer)}/upper {q(layer)}/work",
            f"mount -t overlay overlay -o lowerdir=/,upperdir={q(layer)}/upper,workdir={q(layer)}/work {q(root)}",
            f"R={q(root)}",
            'mount -t proc proc "$R/proc"',
            'mount -t tmpfs -o mode=0755,nosuid dev "$R/dev"',
            'for d in null zero full random urandom tty; do touch "$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done',
            'ln -s /proc/self/fd "$R/dev/fd"; ln -s /proc/self/fd/0 "$R/dev/stdin"; ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"',
            'mkdir -p "$R/dev/shm" "$R/dev/pts" && mount -t tmpfs -o mode=1777,nosuid,nodev,size=67108864 shm "$R/dev/shm"',
            'mkdir -p "$R/.harness"',
            f'mount --bind {q(str(harness_dir))} "$R/.harness"',
            f'cp {q(str(harness_dir / "passwd"))} "$R/etc/passwd"; cp {q(str(harness_dir / "group"))} "$R/etc/group"',
            f'mount --bind {q(str(self.cluster.hosts_file(self)))} "$R/etc/hosts"',
            f'echo {q(self.name)} > "$R/etc/hostname"',
            f"hostname {q(self.name)}",
        ]
        for target, source in sorted(image_files.items()):
            target = resolve_in_root(target)
            lines += [f'mkdir -p "$R"{q(str(Path(target).parent))}', f'touch "$R"{q(target)}',
                      f'mount --bind {q(source)} "$R"{q(target)}', f'mount -o remount,bind,ro "$R"{q(target)}']
        for source, target, read_only, tmpfs in mounts:
            target = resolve_in_root(target)
            lines.append(f'mkdir -p "$R"{q(target)}')
            if tmpfs is not None:
                lines.append(f'mount -t tmpfs -o size={tmpfs},mode=1777 emptydir "$R"{q(target)}')
            else:
                lines.append(f'mount --bind {q(source)} "$R"{q(target)}')
                if read_only:
                    lines.append(f'mount -o remount,bind,ro "$R"{q(target)}')
        if read_only_root:
            lines.append('mount -o remount,ro "$R"')
        return "\n".join(lines) + "\n"

    # MARK: lifecycle

    def stop(self, grace: float | None = None) -> None:
        """The image's stop signal (SIGTERM unless its STOPSIGNAL says otherwise) to every
        container's PID 1, SIGKILL after the grace period (the pod's
        terminationGracePeriodSeconds unless given)."""
        if grace is None:
            grace = float(self.template["spec"].get("terminationGracePeriodSeconds", 30))
        for process in self.containers.values():
            if process.running() and process.init_pid:
                try:
                    os.kill(process.init_pid, process.stop_signal)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + grace
        for process in self.containers.values():
            while process.running() and time.monotonic() < deadline:
                time.sleep(0.05)
            if process.running():
                self.cluster.processes.kill_tree(process.popen.pid)
                process.popen.wait(timeout=10)
        self.cluster.publish_state()

    def kill(self) -> None:
        """kill -9 of the main container's PID 1 (what an OOM kill or `kill -9` does)."""
        process = self.containers.get(self.main_container["name"])
        if process and process.running():
            if process.init_pid:
                os.kill(process.init_pid, 9)
            process.popen.wait(timeout=10)
        self.cluster.publish_state()

    def release_init(self) -> None:
        """Lets an image's held init phase (`start(hold_init=True)`) finish."""
        process = self.containers[self.main_container["name"]]
        (process.log.parent / "harness" / "release-init").touch()

    def running(self) -> bool:
        process = self.containers.get(self.main_container["name"])
        return bool(process and process.running())

    def log(self) -> str:
        """The current (or last) main container's output."""
        process = self.containers.get(self.main_container["name"])
        return process.log.read_text(errors="replace") if process else ""

    def state(self) -> dict:
        return {
            "namespace": self.namespace, "name": self.name, "ip": self.address, "ports": self.all_port_numbers(),
            "main": self.main_container["name"],
            "containers": {name: {"init_pid": c.init_pid if c.running() else None, "uid": c.user[0], "gid": c.user[1],
                                  "groups": c.user[2], "env": c.env, "workdir": c.workdir,
                                  "no_new_privs": c.no_new_privs, "drop_all": c.drop_all}
                           for name, c in self.containers.items()},
        }


def exec_argv(uid: int, gid: int, groups: list[int], no_new_privs: bool, drop_all: bool, env: dict[str, str],
              workdir: str, argv: list[str]) -> list[str]:
    """`setpriv … -- env -i -C WORKDIR K=V… ARGV`: the container's user, groups, privileges and
    environment, as the runtime applies them (paths inside the pod's root)."""
    privileges = ["/usr/bin/setpriv", f"--reuid={uid}", f"--regid={gid}", f"--groups={','.join(map(str, groups))}"]
    if no_new_privs:
        privileges.append("--no-new-privs")
    if drop_all:
        privileges += ["--inh-caps=-all", "--bounding-set=-all"]
    return [*privileges, "--", "/usr/bin/env", "-i", "-C", workdir, *[f"{k}={v}" for k, v in sorted(env.items())], *argv]


def state_json(pods: list[dict], services: list[dict], claims: dict[str, list[str]] | None = None, requests: str = "") -> str:
    return json.dumps({"pods": {f"{p['namespace']}/{p['name']}": p for p in pods}, "services": services,
                       "claims": claims or {}, "requests": requests}, indent=1, sort_keys=True)
