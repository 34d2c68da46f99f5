"""What the kubelet computes for a container before it starts: its environment and files.

Semantics follow the kubelet (pkg/kubelet/kubelet_pods.go and the forked `expansion` package):
- `env` is processed in list order; a `value` may reference earlier variables (and Service link
  variables) as `$(NAME)`; an unknown reference stays as written; `$$` is a literal `$`, so
  `$$(NAME)` yields `$(NAME)`; `$` before any other character is kept.
- `valueFrom` values are never expanded: `fieldRef`, `resourceFieldRef`, `configMapKeyRef`,
  `secretKeyRef` (a missing object or key is an error unless `optional: true`).
- Service links (`enableServiceLinks`, default true): for every Service with a cluster IP in the
  pod's namespace, and for `kubernetes` in `default`, `<NAME>_SERVICE_HOST`, `_SERVICE_PORT`,
  `_SERVICE_PORT_<PORTNAME>`, `<NAME>_PORT` and `<NAME>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]`.
  They are visible to `$(…)` and added for names the container does not define itself.
- `command` and `args` are expanded with the container's final environment.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

OPERATOR, OPENER, CLOSER = "$", "(", ")"


def expand(text: str, lookup) -> str:
    """Kubernetes `$(VAR)` expansion; `lookup(name)` returns a value or None."""
    out: list[str] = []
    checkpoint = 0
    cursor = 0
    while cursor < len(text):
        if text[cursor] == OPERATOR and cursor + 1 < len(text):
            out.append(text[checkpoint:cursor])
            rest = text[cursor + 1:]
            if rest[0] == OPERATOR:
                read, is_var, advance = OPERATOR, False, 1
            elif rest[0] == OPENER:
                closer = rest.find(CLOSER, 1)
                if closer == -1:
                    read, is_var, advance = OPERATOR + OPENER, False, 1
                else:
                    read, is_var, advance = rest[1:closer], True, closer + 1
            else:
                read, is_var, advance = OPERATOR + rest[0], False, 1
            if is_var:
                value = lookup(read)
                out.append(value if value is not None else f"$({read})")
            else:
                out.append(read)
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    return "".join(out) + text[checkpoint:]


_QUANTITY = re.compile(r"^([0-9.]+)([a-zA-Z]*)$")
_SUFFIXES = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
             "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}


def quantity(text: str | int | float) -> float:
    """A Kubernetes quantity (`500m`, `512Mi`, `2`) as a number."""
    match = _QUANTITY.match(str(text))
    if not match or match.group(2) not in _SUFFIXES:
        raise ValueError(f"not a quantity: {text!r}")
    return float(match.group(1)) * _SUFFIXES[match.group(2)]


@dataclass
class Node:
    """The node the harness pretends to be: its allocatable resources answer `resourceFieldRef`
    for limits a container does not set (as the kubelet does)."""

    cpu: str = "2"
    memory: str = "24Gi"
    name: str = "live-node"
    host_ip: str = "127.0.0.1"


@dataclass
class PodIdentity:
    """The fields of a pod that `fieldRef` can read."""

    name: str
    namespace: str
    ip: str
    labels: dict[str, str]
    annotations: dict[str, str] = field(default_factory=dict)
    uid: str = ""
    service_account: str = "default"
    node: Node = field(default_factory=Node)


class EnvError(RuntimeError):
    """The kubelet would refuse to start the container (CreateContainerConfigError)."""


_LABEL_REF = re.compile(r"^metadata\.(labels|annotations)\['([^']+)'\]$")


def field_value(path: str, pod: PodIdentity) -> str:
    simple = {
        "metadata.name": pod.name, "metadata.namespace": pod.namespace, "metadata.uid": pod.uid,
        "spec.nodeName": pod.node.name, "spec.serviceAccountName": pod.service_account,
        "status.podIP": pod.ip, "status.podIPs": pod.ip, "status.hostIP": pod.node.host_ip, "status.hostIPs": pod.node.host_ip,
    }
    if path in simple:
        return simple[path]
    match = _LABEL_REF.match(path)
    if match:
        source = pod.labels if match.group(1) == "labels" else pod.annotations
        return source.get(match.group(2), "")
    raise EnvError(f"unsupported fieldRef {path!r}")


def resource_value(ref: dict, container: dict, node: Node) -> str:
    resource = ref["resource"]
    kind, _, what = resource.partition(".")
    resources = container.get("resources", {})
    amount = resources.get(kind, {}).get(what)
    if amount is None and kind == "limits":
        amount = node.cpu if what == "cpu" else node.memory
    if amount is None and kind == "requests":
        amount = resources.get("limits", {}).get(what, 0)
    divisor = quantity(ref.get("divisor", "1"))
    return str(math.ceil(quantity(amount) / divisor))


def service_link_env(services: list[dict], addresses: dict[tuple[str, str], str]) -> dict[str, str]:
    """Docker-link style variables for Services with a cluster IP (headless ones have none)."""
    env: dict[str, str] = {}
    for service in services:
        spec = service.get("spec", {})
        if spec.get("clusterIP") == "None":
            continue
        metadata = service["metadata"]
        ip = addresses[(metadata.get("namespace", "default"), metadata["name"])]
        prefix = metadata["name"].upper().replace("-", "_")
        ports = spec.get("ports", [])
        if not ports:
            continue
        env[f"{prefix}_SERVICE_HOST"] = ip
        env[f"{prefix}_SERVICE_PORT"] = str(ports[0]["port"])
        for port in ports:
            if port.get("name"):
                env[f"{prefix}_SERVICE_PORT_{port['name'].upper().replace('-', '_')}"] = str(port["port"])
        first = ports[0]
        env[f"{prefix}_PORT"] = f"{first.get('protocol', 'TCP').lower()}://{ip}:{first['port']}"
        for port in ports:
            protocol = port.get("protocol", "TCP")
            base = f"{prefix}_PORT_{port['port']}_{protocol.upper()}"
            env[base] = f"{protocol.lower()}://{ip}:{port['port']}"
            env[f"{base}_PROTO"] = protocol.lower()
            env[f"{base}_PORT"] = str(port["port"])
            env[f"{base}_ADDR"] = ip
    return env


def _lookup_key(kind: str, store: dict, ref: dict, namespace: str) -> str | None:
    data = store.get((namespace, ref["name"]))
    if data is None or ref["key"] not in data:
        if ref.get("optional"):
            return None
        what = "object" if data is None else f"key {ref['key']!r}"
        raise EnvError(f"{kind} {namespace}/{ref['name']}: missing {what}")
    return data[ref["key"]]


def container_env(container: dict, pod: PodIdentity, *, secrets: dict, configmaps: dict,
                  service_env: dict[str, str], image_env: dict[str, str]) -> dict[str, str]:
    """The environment the container process starts with: the image's `ENV`, then the kubelet's
    variables (container `env` and `envFrom`, then Service links for undefined names)."""
    defined: dict[str, str] = {}
    for source in container.get("envFrom", []):
        prefix = source.get("prefix", "")
        if "configMapRef" in source or "secretRef" in source:
            kind = "configMapRef" if "configMapRef" in source else "secretRef"
            ref = source[kind]
            store = configmaps if kind == "configMapRef" else secrets
            data = store.get((pod.namespace, ref["name"]))
            if data is None and not ref.get("optional"):
                raise EnvError(f"envFrom {kind} {pod.namespace}/{ref['name']} does not exist")
            for key, value in (data or {}).items():
                defined[prefix + key] = value

    def lookup(name: str) -> str | None:
        if name in defined:
            return defined[name]
        return service_env.get(name)

    for variable in container.get("env", []):
        name = variable["name"]
        if "value" in variable or "valueFrom" not in variable:
            defined[name] = expand(str(variable.get("value", "")), lookup)
            continue
        source = variable["valueFrom"]
        if "fieldRef" in source:
            value = field_value(source["fieldRef"]["fieldPath"], pod)
        elif "resourceFieldRef" in source:
            value = resource_value(source["resourceFieldRef"], container, pod.node)
        elif "configMapKeyRef" in source:
            value = _lookup_key("ConfigMap", configmaps, source["configMapKeyRef"], pod.namespace)
        elif "secretKeyRef" in source:
            value = _lookup_key("Secret", secrets, source["secretKeyRef"], pod.namespace)
        else:
            raise EnvError(f"unsupported valueFrom for {name}: {sorted(source)}")
        if value is not None:
            defined[name] = value
    result = dict(image_env)
    result.update({k: v for k, v in service_env.items() if k not in defined})
    result.update(defined)
    return result


def expand_argv(argv: list[str], env: dict[str, str]) -> list[str]:
    return [expand(str(part), env.get) for part in argv]
