"""Live-test harness: runs real engines from clusterspec's emitted manifests, one process per pod
(see Tests/live/README.md)."""
from .cluster import Cluster
from .kubelet import EnvError
from .manifests import CompileError, Manifests, check_spec, clusterspec_binary, compile_spec
from .pod import Pod, PodError

__all__ = ["Cluster", "CompileError", "EnvError", "Manifests", "Pod", "PodError", "check_spec", "clusterspec_binary", "compile_spec"]
