"""`kubectl exec` for harness pods: a command inside a running container, as that container.

The command joins the container's mount, UTS and PID namespaces and root (`nsenter`), runs as
the container's user with the container's environment (`setpriv`, `env -i`), and gets its own
network namespace whose loopback stands for the pod's: `127.0.0.1:<port>` reaches the pod's own
ports and every pod and Service address reaches that pod or Service (through relays), so a
command written for a real pod (etcdctl's default endpoint, `pg_isready -h 127.0.0.1`) works
verbatim. Used by the harness and by the `kubectl` stand-in, which reads the same state file.
"""
from __future__ import annotations

import subprocess

from .network import Forwarder, in_fresh_netns, listening_socket
from .pod import exec_argv
from .processes import ProcessRegistry


class ExecError(RuntimeError):
    pass


def _routes(state: dict, own: dict) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """(listen address, port, targets) for the exec's network namespace."""
    routes: list[tuple[str, int, list[tuple[str, int]]]] = []
    for pod in state["pods"].values():
        for port in pod["ports"]:
            routes.append((pod["ip"], port, [(pod["ip"], port)]))
    for port in own["ports"]:
        routes.append(("127.0.0.1", port, [(own["ip"], port)]))
    for service in state["services"]:
        for port in service["ports"]:
            routes.append((service["ip"], port["port"], [tuple(target) for target in port["endpoints"]]))
    return routes


def exec_in_pod(state: dict, pod_key: str, argv: list[str], *, container: str | None = None, timeout: float = 60,
                input: bytes | None = None, registry: ProcessRegistry | None = None) -> subprocess.CompletedProcess:
    pod = state["pods"].get(pod_key)
    if pod is None:
        raise ExecError(f'pods "{pod_key.split("/")[-1]}" not found in namespace {pod_key.split("/")[0]}')
    name = container or pod["main"]
    details = pod["containers"].get(name)
    if details is None or not details["init_pid"]:
        raise ExecError(f"container {name} of {pod_key} is not running")
    command = ["nsenter", f"--target={details['init_pid']}", "--mount", "--uts", "--pid", "--root", "--",
               *exec_argv(details["uid"], details["gid"], details["groups"], details["no_new_privs"], details["drop_all"],
                          details["env"], details["workdir"], argv)]
    routes = _routes(state, pod)

    def start():
        listeners = [(listening_socket(address, port), targets) for address, port, targets in routes]
        process = subprocess.Popen(command, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        return listeners, process

    listeners, process = in_fresh_netns(start)
    if registry is not None:
        registry.track(process.pid, f"exec in {pod_key}: {' '.join(argv)[:60]}")
    relays = Forwarder()
    for listener, targets in listeners:
        relays.relay(listener, (lambda chosen=targets: chosen[0] if chosen else None))
    try:
        stdout, stderr = process.communicate(input=input, timeout=timeout)
    except subprocess.TimeoutExpired:
        (registry or ProcessRegistry()).kill_tree(process.pid)
        stdout, stderr = process.communicate()
        return subprocess.CompletedProcess(argv, 124, stdout, stderr + f"\nharness: timed out after {timeout}s\n".encode())
    finally:
        relays.close()
    return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)
