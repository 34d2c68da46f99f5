"""Loopback networking for pods that share the host's loopback.

Every pod gets one address in 127.0.0.0/8 and binds its "all interfaces" listeners there. Two
things a real pod network gives that a shared loopback does not are supplied here:

- `Forwarder`: plain TCP relays (threads in the harness process). Service addresses relay to a
  ready endpoint (a kube-proxy stand-in); inside an exec'd command's own network namespace they
  relay the pod's `127.0.0.1:<port>` to the pod's address, so `kubectl exec … -- etcdctl …` with
  etcdctl's default endpoint reaches the pod it runs in, as in a real pod.
- `in_fresh_netns`: runs a function on a thread that has its own network namespace with only
  `lo` up, so listeners created there (and processes spawned from there) see a private loopback.

A relay accepts before it knows whether the target answers: a connection to a port nobody
listens on is accepted and closed at once, where a real network refuses it.
"""
from __future__ import annotations

import ctypes
import fcntl
import socket
import struct
import threading
from typing import Callable

CLONE_NEWNET = 0x40000000
_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1

Target = tuple[str, int]


def is_loopback(address: str) -> bool:
    return address.split(".")[0] == "127" and len(address.split(".")) == 4


def _bring_loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(probe, _SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(probe, _SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | _IFF_UP))


def in_fresh_netns(function: Callable[[], object]) -> object:
    """Runs `function` on a new thread moved into a new network namespace (loopback up) and
    returns its result. Sockets it creates and processes it spawns stay in that namespace."""
    outcome: dict[str, object] = {}

    def body() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.unshare(CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET) failed")
            _bring_loopback_up()
            outcome["value"] = function()
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=body, name="netns")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome.get("value")


def listening_socket(address: str, port: int) -> socket.socket:
    if not is_loopback(address):
        raise ValueError(f"refusing to listen on {address}: the harness stays inside 127.0.0.0/8")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    sock.listen(64)
    sock.settimeout(0.2)
    return sock


class Forwarder:
    """TCP relays: each listening socket relays every accepted connection to the target its
    chooser names at that moment (None closes the connection). Upstream connections are opened
    from the harness's own (host) network namespace."""

    def __init__(self) -> None:
        self._stopped = threading.Event()
        self._listeners: list[socket.socket] = []
        self._threads: list[threading.Thread] = []

    def relay(self, listener: socket.socket, choose: Callable[[], Target | None]) -> None:
        self._listeners.append(listener)
        thread = threading.Thread(target=self._accept_loop, args=(listener, choose), daemon=True, name="relay")
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self, listener: socket.socket, choose: Callable[[], Target | None]) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            target = choose()
            if target is None or not is_loopback(target[0]):
                client.close()
                continue
            try:
                upstream = socket.create_connection(target, timeout=2)
            except OSError:
                client.close()
                continue
            finished: list[int] = []
            lock = threading.Lock()
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink, finished, lock), daemon=True, name="pump").start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket, finished: list[int], lock: threading.Lock) -> None:
        """Copies one direction; the second direction to finish closes both sockets."""
        source.settimeout(None)
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        with lock:
            finished.append(1)
            if len(finished) == 2:
                source.close()
                sink.close()

    def close(self) -> None:
        self._stopped.set()
        for listener in self._listeners:
            listener.close()
        for thread in self._threads:
            thread.join(timeout=1)
        self._listeners.clear()
        self._threads.clear()
