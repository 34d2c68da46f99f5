"""Every process the harness starts, tracked by PID and ended by PID."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def descendants(pid: int) -> list[int]:
    """`pid`'s children, grandchildren…, deepest last."""
    result: list[int] = []
    frontier = [pid]
    while frontier:
        nxt: list[int] = []
        for parent in frontier:
            nxt += children(parent)
        result += nxt
        frontier = nxt
    return result


def alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"


def start_time(pid: int) -> str | None:
    """When `pid` started (clock ticks since boot, /proc/<pid>/stat field 22): with the PID, the
    identity of one process, since the kernel reuses PIDs."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def pid_namespace(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


class ProcessRegistry:
    """PIDs started by the harness (and the PID namespaces of its pods)."""

    def __init__(self) -> None:
        self.pids: dict[int, str] = {}
        self.started: dict[int, str | None] = {}
        self.namespaces: set[str] = set()

    def track(self, pid: int, what: str) -> None:
        self.pids[pid] = what
        self.started[pid] = start_time(pid)

    def running(self, pid: int) -> bool:
        """Whether the tracked process is still running: alive, and not another process that was
        given its PID after it ended (which must never be killed)."""
        return alive(pid) and start_time(pid) == self.started.get(pid)

    def track_namespace(self, pid: int) -> None:
        namespace = pid_namespace(pid)
        if namespace:
            self.namespaces.add(namespace)

    def kill_tree(self, pid: int, sig: int = signal.SIGKILL) -> None:
        for target in [*reversed(descendants(pid)), pid]:
            try:
                os.kill(target, sig)
            except ProcessLookupError:
                pass

    def in_pod_namespaces(self) -> list[int]:
        """Live processes inside the PID namespaces of the harness's pods (exec'd commands too)."""
        if not self.namespaces:
            return []
        return [int(entry.name) for entry in Path("/proc").iterdir()
                if entry.name.isdigit() and pid_namespace(int(entry.name)) in self.namespaces and alive(int(entry.name))]

    def kill_all(self) -> None:
        """SIGKILL to every tracked process tree and to anything left in a pod's PID namespace,
        then waits (up to 10 s) until they are gone: the kernel ends a namespace's processes
        asynchronously after its PID 1 dies."""
        for pid in list(self.pids):
            if self.running(pid):
                self.kill_tree(pid)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            left = self.in_pod_namespaces()
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if not left and not any(self.running(pid) for pid in self.pids):
                return
            time.sleep(0.05)

    def survivors(self) -> list[str]:
        """Tracked processes still running, and any process left in a pod's PID namespace."""
        left = [f"{pid} ({what})" for pid, what in self.pids.items() if self.running(pid)]
        left += [f"{pid} (in a pod's PID namespace)" for pid in self.in_pod_namespaces()]
        return sorted(set(left))
