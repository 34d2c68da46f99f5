"""A one-node stand-in for Kubernetes: applies emitted revisions and runs their pods.

    cluster = Cluster(workdir, secrets={("ns", "name"): {"key": "value"}})
    cluster.apply(compile_spec(spec))          # StatefulSet controller: create/scale/roll
    cluster.wait_ready(cluster.pods_of("data", "etcd"))
    cluster.exec(pod, ["etcdctl", "member", "list"])
    cluster.kubectl("kubectl -n data exec etcd-0 -- etcdctl member list")   # a printed line, verbatim
    cluster.close()                            # every process, by PID

What a kubelet, the StatefulSet controller, DNS and kube-proxy do is done here with the
simplifications listed in Tests/live/README.md.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import kubelet
from .images import stand_in
from .manifests import Manifests
from .network import Forwarder, listening_socket
from .pod import Pod, PodError, state_json
from .podexec import exec_in_pod
from .processes import ProcessRegistry

HARNESS_DIR = Path(__file__).resolve().parent
POD_ADDRESSES = (11, 199)       # pods: <subnet>.11 … <subnet>.199
SERVICE_ADDRESSES = (200, 254)  # Services with a cluster IP: <subnet>.200 … <subnet>.254


def loopback_subnet() -> str:
    """The /24 inside 127.0.0.0/8 this checkout's pods and Services use: `CLUSTERSPEC_LIVE_SUBNET`
    (e.g. `127.0.0`), else one derived from the checkout's path, so the live suites of two
    checkouts running at once on one machine never share an address."""
    given = os.environ.get("CLUSTERSPEC_LIVE_SUBNET")
    if given:
        octets = given.split(".")
        if len(octets) != 3 or octets[0] != "127" or not all(o.isdigit() and 0 <= int(o) <= 255 for o in octets):
            raise ValueError(f"CLUSTERSPEC_LIVE_SUBNET={given!r}: expected three octets inside 127.0.0.0/8, such as 127.0.0")
        return given
    digest = hashlib.sha256(str(HARNESS_DIR).encode()).digest()
    return f"127.{1 + digest[0] % 254}.{digest[1]}"


SUBNET = loopback_subnet()


class Cluster:
    def __init__(self, workdir: Path, secrets: dict | None = None, configmaps: dict | None = None, domain: str = "cluster.local"):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.domain = domain
        self.node = kubelet.Node()
        self.processes = ProcessRegistry()
        self.given_secrets = dict(secrets or {})
        self.given_configmaps = dict(configmaps or {})
        self.secrets: dict = dict(self.given_secrets)
        self.configmaps: dict = dict(self.given_configmaps)
        self.manifests = Manifests([])
        self.pods: dict[str, Pod] = {}
        self.readiness: dict[str, bool] = {}
        self._pod_addresses: dict[str, str] = {}
        self._service_addresses: dict[tuple[str, str], str] = {("default", "kubernetes"): f"{SUBNET}.{SERVICE_ADDRESSES[0]}"}
        self._service_relays = Forwarder()
        self._service_listeners: set[tuple[str, int]] = set()
        self.state_file = self.workdir / "state.json"
        self.requests_file = self.workdir / "kubectl-requests.jsonl"
        # Claims whose deletion waits for the pod using them (pvc-protection).
        self.pending_claim_deletions: set[tuple[str, str]] = set()
        self._job_runs: dict[str, int] = {}
        self.publish_state()

    def add_secret(self, namespace: str, name: str, data: dict[str, str]) -> None:
        """A Secret the test provides (the compiler never emits secret values)."""
        self.given_secrets[(namespace, name)] = dict(data)
        self.secrets[(namespace, name)] = dict(data)

    # MARK: addresses, DNS, Service links

    def _allocate(self, table: dict, key, span: tuple[int, int]) -> str:
        if key not in table:
            used = set(table.values())
            for last in range(*span):
                address = f"{SUBNET}.{last}"
                if address not in used:
                    table[key] = address
                    break
            else:
                raise PodError("out of loopback addresses")
        return table[key]

    def pod_address(self, namespace: str, name: str) -> str:
        """Stable per pod name (a real pod gets a new IP when recreated; peers here use names)."""
        return self._allocate(self._pod_addresses, f"{namespace}/{name}", POD_ADDRESSES)

    def service_address(self, namespace: str, name: str) -> str:
        return self._allocate(self._service_addresses, (namespace, name), SERVICE_ADDRESSES)

    def translate(self, text: str, pod: Pod) -> str:
        """The one address translation: "all interfaces" (0.0.0.0) is the pod's own address,
        because pods share the host's loopback."""
        return text.replace("0.0.0.0", pod.address)

    def hosts_file(self, pod: Pod) -> Path:
        path = self.workdir / "hosts" / pod.namespace / pod.name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(self._hosts_text(pod))
        return path

    def _hosts_text(self, pod: Pod) -> str:
        """The kubelet's hosts file (localhost, the pod's own names) plus what cluster DNS would
        answer: every existing pod of a StatefulSet under its headless Service, every Service with
        a cluster IP; in each name form the pod's DNS search path completes."""
        lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback", f"{pod.address}\t{pod.fqdn} {pod.name}"]

        def forms(name: str, namespace: str) -> list[str]:
            full = [f"{name}.{namespace}.svc.{self.domain}", f"{name}.{namespace}.svc"]
            if namespace == pod.namespace:
                full += [f"{name}.{namespace}", name]
            else:
                full.append(f"{name}.{namespace}")
            return full

        for other in sorted(self.pods.values(), key=lambda p: p.key):
            if other.key != pod.key and not other.deleted and other.subdomain:
                lines.append(f"{other.address}\t" + " ".join(forms(f"{other.name}.{other.subdomain}", other.namespace)))
        for service in self.manifests.of_kind("Service"):
            metadata = service["metadata"]
            namespace = metadata.get("namespace", "default")
            if service["spec"].get("clusterIP") != "None":
                lines.append(f"{self.service_address(namespace, metadata['name'])}\t" + " ".join(forms(metadata["name"], namespace)))
        return "\n".join(lines) + "\n"

    def _refresh_hosts(self) -> None:
        """Rewrites every hosts file in place (same inode: running pods see the change, as with DNS)."""
        for pod in self.pods.values():
            path = self.hosts_file(pod)
            with open(path, "r+") as handle:
                handle.truncate(0)
                handle.write(self._hosts_text(pod))

    def service_links(self, namespace: str) -> dict[str, str]:
        services = [s for s in self.manifests.of_kind("Service") if s["metadata"].get("namespace", "default") == namespace]
        kubernetes = {"metadata": {"name": "kubernetes", "namespace": "default"},
                      "spec": {"ports": [{"name": "https", "port": 443, "protocol": "TCP"}]}}
        addresses = {(s["metadata"].get("namespace", "default"), s["metadata"]["name"]):
                     self.service_address(s["metadata"].get("namespace", "default"), s["metadata"]["name"]) for s in services}
        addresses[("default", "kubernetes")] = self._service_addresses[("default", "kubernetes")]
        return kubelet.service_link_env([kubernetes, *services], addresses)

    def _endpoints(self, service: dict, port: dict) -> list[tuple[str, int]]:
        """Ready pods selected by the Service, at the port's targetPort (named or numbered)."""
        selector = service["spec"].get("selector") or {}
        namespace = service["metadata"].get("namespace", "default")
        found = []
        for pod in self.pods.values():
            if pod.namespace != namespace or pod.deleted or not selector:
                continue
            if all(pod.labels.get(k) == v for k, v in selector.items()) and pod.running() and self.readiness.get(pod.key):
                target = port.get("targetPort", port["port"])
                number = pod.ports().get(target) if isinstance(target, str) else target
                if number:
                    found.append((pod.address, number))
        return found

    def _service_state(self) -> list[dict]:
        result = []
        for service in self.manifests.of_kind("Service"):
            if service["spec"].get("clusterIP") == "None":
                continue
            metadata = service["metadata"]
            address = self.service_address(metadata.get("namespace", "default"), metadata["name"])
            result.append({"namespace": metadata.get("namespace", "default"), "name": metadata["name"], "ip": address,
                           "ports": [{"port": p["port"], "endpoints": self._endpoints(service, p) if self.pods else []}
                                     for p in service["spec"].get("ports", [])]})
        return result

    def _open_service_relays(self) -> None:
        """kube-proxy stand-in: each Service port relays to a ready endpoint chosen per connection."""
        for service in self.manifests.of_kind("Service"):
            if service["spec"].get("clusterIP") == "None":
                continue
            metadata = service["metadata"]
            address = self.service_address(metadata.get("namespace", "default"), metadata["name"])
            for port in service["spec"].get("ports", []):
                if (address, port["port"]) in self._service_listeners:
                    continue
                self._service_listeners.add((address, port["port"]))
                key = (metadata.get("namespace", "default"), metadata["name"], port["port"])
                self._service_relays.relay(listening_socket(address, port["port"]), lambda key=key: self._choose_endpoint(key))

    def _choose_endpoint(self, key: tuple[str, str, int]) -> tuple[str, int] | None:
        service = self.manifests.get("Service", key[0], key[1])
        if service is None:
            return None
        for port in service["spec"].get("ports", []):
            if port["port"] == key[2]:
                endpoints = self._endpoints(service, port)
                return endpoints[0] if endpoints else None
        return None

    def publish_state(self) -> None:
        """What the `kubectl` stand-in needs (pods, their containers' PID 1, users, env; Services)."""
        pods = [pod.state() for pod in self.pods.values() if not pod.deleted]
        claims: dict[str, list[str]] = {}
        volumes = self.workdir / "volumes"
        if volumes.is_dir():
            for namespace in sorted(volumes.iterdir()):
                claims[namespace.name] = sorted(path.name for path in namespace.iterdir())
        text = state_json(pods, self._service_state() if self.manifests.objects else [], claims, str(self.requests_file))
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(text)
        os.replace(temporary, self.state_file)

    def state(self) -> dict:
        return json.loads(self.state_file.read_text())

    # MARK: revisions (the StatefulSet controller)

    @staticmethod
    def template_revision(statefulset: dict) -> str:
        canonical = json.dumps({"template": statefulset["spec"]["template"],
                                "claims": statefulset["spec"].get("volumeClaimTemplates", [])}, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:10]

    def _load_objects(self, manifests: Manifests) -> None:
        self.manifests = manifests
        self.secrets = dict(self.given_secrets)
        self.configmaps = dict(self.given_configmaps)
        for secret in manifests.of_kind("Secret"):
            metadata = secret["metadata"]
            data = {k: base64.b64decode(v).decode() for k, v in (secret.get("data") or {}).items()}
            data.update(secret.get("stringData") or {})
            self.secrets[(metadata.get("namespace", "default"), metadata["name"])] = data
        for configmap in manifests.of_kind("ConfigMap"):
            metadata = configmap["metadata"]
            self.configmaps[(metadata.get("namespace", "default"), metadata["name"])] = dict(configmap.get("data") or {})

    def apply(self, manifests: Manifests, *, wait: bool = True, timeout: float = 60, only: set[str] | None = None) -> None:
        """`kubectl apply` of a revision: Services, ConfigMaps, Secrets replaced; for each
        StatefulSet (or those named in `only`): scale down from the highest ordinal, create
        missing ordinals (all at once for Parallel, one by one for OrderedReady), then roll pods
        whose template changed from the highest ordinal down, each Ready before the next
        (RollingUpdate; OnDelete leaves them). PVCs are never deleted. With `wait`, returns when
        every pod is Ready (raises with the pods' logs after `timeout`)."""
        self._load_objects(manifests)
        self._open_service_relays()
        for statefulset in manifests.of_kind("StatefulSet"):
            if only is not None and statefulset["metadata"]["name"] not in only:
                continue
            self._reconcile(statefulset, wait=wait, timeout=timeout)
        self._refresh_hosts()
        self.publish_state()
        if wait:
            self.wait_ready([pod for pod in self.pods.values() if not pod.deleted], timeout=timeout)

    def pods_of(self, namespace: str, statefulset: str) -> list[Pod]:
        return sorted((p for p in self.pods.values() if p.namespace == namespace and p.set_name == statefulset and not p.deleted),
                      key=lambda p: p.ordinal)

    def pod(self, namespace: str, name: str) -> Pod:
        found = self.pods.get(f"{namespace}/{name}")
        if found is None or found.deleted:
            raise PodError(f"no pod {namespace}/{name}")
        return found

    def _reconcile(self, statefulset: dict, *, wait: bool, timeout: float) -> None:
        metadata, spec = statefulset["metadata"], statefulset["spec"]
        namespace, name = metadata.get("namespace", "default"), metadata["name"]
        replicas = spec.get("replicas", 1)
        parallel = spec.get("podManagementPolicy", "OrderedReady") == "Parallel"
        existing = self.pods_of(namespace, name)
        for pod in sorted((p for p in existing if p.ordinal >= replicas), key=lambda p: -p.ordinal):
            self.delete_pod(pod)
        present = {p.ordinal for p in self.pods_of(namespace, name)}
        created = []
        for ordinal in range(replicas):
            if ordinal in present:
                continue
            pod = self._create_pod(statefulset, ordinal)
            created.append(pod)
            if not parallel and wait:
                self.wait_ready([pod], timeout=timeout)
        strategy = spec.get("updateStrategy", {}).get("type", "RollingUpdate")
        if strategy == "RollingUpdate":
            partition = spec.get("updateStrategy", {}).get("rollingUpdate", {}).get("partition", 0)
            revision = self.template_revision(statefulset)
            for pod in sorted(self.pods_of(namespace, name), key=lambda p: -p.ordinal):
                if pod.ordinal < partition:
                    break
                if pod.revision != revision:
                    self.delete_pod(pod)
                    fresh = self._create_pod(statefulset, pod.ordinal)
                    if wait:
                        self.wait_ready([fresh], timeout=timeout)
                elif wait:
                    # The controller updates a lower ordinal only once every higher one is healthy,
                    # including pods just created at the new revision (Parallel creates them at once).
                    self.wait_ready([pod], timeout=timeout)

    def _create_pod(self, statefulset: dict, ordinal: int, hold_init: bool = False) -> Pod:
        namespace = statefulset["metadata"].get("namespace", "default")
        name = f"{statefulset['metadata']['name']}-{ordinal}"
        pod = Pod(self, statefulset, ordinal, self.pod_address(namespace, name))
        self.pods[pod.key] = pod
        self._refresh_hosts()
        pod.start(hold_init=hold_init)
        return pod

    def create_pod(self, namespace: str, statefulset: str, ordinal: int, *, hold_init: bool = False) -> Pod:
        """Creates one pod of the applied StatefulSet (for tests that watch a pod's start, e.g.
        holding the image's init phase); `apply(…, only=set())` loads objects without pods."""
        return self._create_pod(self.manifests.statefulset(namespace, statefulset), ordinal, hold_init=hold_init)

    def run_job(self, namespace: str, cronjob: str, timeout: float = 120) -> tuple[int, str]:
        """The CronJob controller starting one run of `cronjob` now: a pod from its job template
        (init containers first), run to completion. Returns the exit code and the pod's log."""
        found = self.manifests.get("CronJob", namespace, cronjob)
        if found is None:
            raise PodError(f"no CronJob {namespace}/{cronjob}")
        self._job_runs[cronjob] = self._job_runs.get(cronjob, 0) + 1
        owner = {"metadata": {"name": cronjob, "namespace": namespace},
                 "spec": {"template": found["spec"]["jobTemplate"]["spec"]["template"]}}
        pod = Pod(self, owner, self._job_runs[cronjob], self.pod_address(namespace, f"{cronjob}-{self._job_runs[cronjob]}"))
        self.pods[pod.key] = pod
        self._refresh_hosts()
        try:
            pod.start()
            code = self.wait_exit(pod, timeout=timeout)
            return code, pod.log()
        finally:
            pod.deleted = True
            self._refresh_hosts()
            self.publish_state()

    def load(self, manifests: Manifests) -> None:
        """Applies Services, ConfigMaps and Secrets only; pods are created by `create_pod`."""
        self.apply(manifests, wait=False, only=set())

    # MARK: pod operations

    def delete_pod(self, pod: Pod, grace: float | None = None) -> None:
        """`kubectl delete pod`: graceful stop; the pod's emptyDirs go, its PVCs stay (unless a
        `kubectl delete pvc` waited for the pod to go)."""
        pod.stop(grace)
        pod.deleted = True
        for namespace, claim in sorted(self.pending_claim_deletions):
            if namespace == pod.namespace and not self._claim_in_use(namespace, claim):
                self.pending_claim_deletions.discard((namespace, claim))
                shutil.rmtree(self.workdir / "volumes" / namespace / claim, ignore_errors=True)
        self._refresh_hosts()
        self.publish_state()

    def _claim_in_use(self, namespace: str, claim: str) -> bool:
        for pod in self.pods.values():
            if pod.namespace == namespace and not pod.deleted:
                templates = pod.statefulset["spec"].get("volumeClaimTemplates", [])
                if any(f"{t['metadata']['name']}-{pod.name}" == claim for t in templates):
                    return True
        return False

    def delete_claim(self, namespace: str, claim: str) -> None:
        """`kubectl delete pvc`: the claim's directory goes now, or when the pod using it is deleted."""
        if self._claim_in_use(namespace, claim):
            self.pending_claim_deletions.add((namespace, claim))
        else:
            shutil.rmtree(self.workdir / "volumes" / namespace / claim, ignore_errors=True)
        self.publish_state()

    def claim_exists(self, namespace: str, claim: str) -> bool:
        return (self.workdir / "volumes" / namespace / claim).is_dir()

    def update_secret(self, namespace: str, name: str, data: dict[str, str]) -> int:
        """The API server storing a new version of a Secret and the kubelet syncing it into every
        running pod that mounts it as a volume (the `..data` swap; subPath mounts would not see it).
        Returns how many mounted copies were updated."""
        self.given_secrets[(namespace, name)] = dict(data)
        self.secrets[(namespace, name)] = dict(data)
        updated = 0
        for pod in self.pods.values():
            if pod.deleted or pod.namespace != namespace:
                continue
            updated += pod.sync_secret(name, data)
        return updated

    def _carry_out_requests(self) -> None:
        """What the API server and the controllers do with the stand-in's `delete` requests."""
        if not self.requests_file.exists():
            return
        lines = self.requests_file.read_text().splitlines()
        self.requests_file.unlink()
        for line in lines:
            request = json.loads(line)
            if request["delete"] == "pvc":
                self.delete_claim(request["namespace"], request["name"])
            else:
                pod = self.pod(request["namespace"], request["name"])
                self.recreate(pod)

    def recreate(self, pod: Pod) -> Pod:
        """The StatefulSet controller replacing a deleted or failed pod (same name, same claims)."""
        if not pod.deleted:
            self.delete_pod(pod)
        return self._create_pod(self.manifests.statefulset(pod.namespace, pod.set_name), pod.ordinal)

    def kill(self, pod: Pod) -> None:
        """kill -9 of the container (the pod stays; `restart` is the kubelet restarting it)."""
        pod.kill()

    def restart(self, pod: Pod) -> None:
        """The kubelet restarting the pod's container: same pod, same volumes (emptyDirs too)."""
        if pod.running():
            pod.stop()
        pod.start()

    def wipe_volume(self, pod: Pod, claim: str = "data") -> None:
        """A lost volume: the claim's directory comes back empty (the pod must not be running)."""
        if pod.running():
            raise PodError(f"{pod.key} is running; stop or kill it before wiping its volume")
        path = pod.claim_directory(claim)
        shutil.rmtree(path)
        path.mkdir(parents=True)

    # MARK: readiness

    def probe(self, pod: Pod, kind: str = "readinessProbe", container: str | None = None) -> bool:
        """Runs the container's probe once, as the kubelet does: httpGet and tcpSocket against the
        pod's address, exec inside the container. No probe: running means ready."""
        spec = pod.container_spec(container)
        process = pod.containers.get(spec["name"])
        if not process or not process.running():
            return False
        probe = spec.get(kind)
        if probe is None:
            return True
        timeout = float(probe.get("timeoutSeconds", 1))
        if "exec" in probe:
            result = self.exec(pod, probe["exec"]["command"], container=spec["name"], timeout=timeout)
            return result.returncode == 0
        if "httpGet" in probe:
            action = probe["httpGet"]
            port = self._port(pod, action["port"])
            path = action.get("path", "/")
            base, _, query = path.partition("?")
            base = stand_in(spec["image"]).probe_paths.get(base, base)
            scheme = action.get("scheme", "HTTP").lower()
            url = f"{scheme}://{action.get('host', pod.address)}:{port}{base}{'?' + query if query else ''}"
            context = ssl._create_unverified_context() if scheme == "https" else None
            try:
                with urllib.request.urlopen(url, timeout=timeout, context=context) as response:
                    return 200 <= response.status < 400
            except (urllib.error.URLError, OSError, ValueError):
                return False
        if "tcpSocket" in probe:
            try:
                with socket.create_connection((pod.address, self._port(pod, probe["tcpSocket"]["port"])), timeout=timeout):
                    return True
            except OSError:
                return False
        raise PodError(f"{pod.key}: unsupported probe {sorted(probe)}")

    @staticmethod
    def _port(pod: Pod, port) -> int:
        if isinstance(port, int):
            return port
        ports = pod.ports()
        if port not in ports:
            raise PodError(f"{pod.key}: probe names port {port!r}, the container declares {sorted(ports)}")
        return ports[port]

    def is_ready(self, pod: Pod) -> bool:
        """Probes now; the result is what Services and the state file use until the next probe
        (the harness probes when asked, not every periodSeconds)."""
        ready = pod.running() and all(self.probe(pod, kind) for kind in ("startupProbe", "readinessProbe"))
        self.readiness[pod.key] = ready
        return ready

    def wait_ready(self, pods: list[Pod], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        waiting = list(pods)
        while waiting:
            waiting = [pod for pod in waiting if not self.is_ready(pod)]
            if not waiting:
                break
            exited = [pod for pod in waiting if not pod.running()]
            if exited or time.monotonic() > deadline:
                reason = "exited" if exited else f"not Ready after {timeout:.0f}s"
                shown = exited or waiting
                logs = "\n".join(f"--- {p.key} ({'running' if p.running() else 'exited'}):\n{p.log()[-3000:]}" for p in shown)
                raise PodError(f"{', '.join(p.key for p in shown)} {reason}\n{logs}")
            time.sleep(0.2)
        self.publish_state()

    def wait_exit(self, pod: Pod, timeout: float = 30) -> int:
        """Waits for the main container to exit; returns its exit code."""
        process = pod.containers[pod.main_container["name"]]
        return process.popen.wait(timeout=timeout)

    # MARK: commands

    def exec(self, pod: Pod, argv: list[str], *, container: str | None = None, timeout: float = 60,
             input: bytes | None = None) -> subprocess.CompletedProcess:
        """`kubectl exec POD -- ARGV` (see podexec)."""
        self.publish_state()
        return exec_in_pod(self.state(), pod.key, list(argv), container=container, timeout=timeout, input=input,
                           registry=self.processes)

    def kubectl_environment(self) -> dict[str, str]:
        """An environment where `kubectl` is the harness's stand-in (Tests/live/harness/bin)."""
        env = dict(os.environ)
        env["PATH"] = f"{HARNESS_DIR / 'bin'}:{env.get('PATH', '')}"
        env["CLUSTERSPEC_HARNESS_STATE"] = str(self.state_file)
        env["PYTHONPATH"] = str(HARNESS_DIR.parent)
        return env

    def kubectl(self, command_line: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Runs a printed command line verbatim with bash, `kubectl` being the stand-in."""
        self.publish_state()
        process = subprocess.Popen(["bash", "-c", command_line], env=self.kubectl_environment(), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.processes.track(process.pid, f"command line: {command_line[:60]}")
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.processes.kill_tree(process.pid)
            stdout, stderr = process.communicate()
            return subprocess.CompletedProcess(command_line, 124, stdout, stderr + f"\nharness: timed out after {timeout}s\n")
        self._carry_out_requests()
        return subprocess.CompletedProcess(command_line, process.returncode, stdout, stderr)

    # MARK: teardown

    def close(self) -> None:
        """Kills every pod and command by PID, closes the Service relays."""
        for pod in self.pods.values():
            for process in pod.containers.values():
                if process.running():
                    self.processes.kill_tree(process.popen.pid)
        self.processes.kill_all()
        for pod in self.pods.values():
            for process in pod.containers.values():
                try:
                    process.popen.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
        self._service_relays.close()
