"""Fixture specs for the live tests: one system, one namespace, the stores under test."""
from __future__ import annotations

NAMESPACE = "data"
DOMAIN = "cluster.local"


def store_spec(system: str, stores: dict[str, str], secrets: dict[str, list[str]] | None = None) -> str:
    """A spec with `stores` (name → flow mapping body) in namespace `data`; `secrets` declares
    existing Secrets (name → keys) the stores reference."""
    lines = ["clusterspec: v1", f"name: {system}", "namespaces:", f"  {NAMESPACE}: {{}}"]
    if secrets:
        lines.append("secrets:")
        lines += [f"  {name}: {{keys: [{', '.join(keys)}]}}" for name, keys in secrets.items()]
    lines.append("stores:")
    lines += [f"  {name}: {{{body}}}" for name, body in stores.items()]
    return "\n".join(lines) + "\n"
