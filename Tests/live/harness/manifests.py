"""Compiling a spec with the release binary and reading the emitted objects back with PyYAML.

Nothing here knows how clusterspec builds its objects: the harness sees only the YAML stream
that `clusterspec build … -o -` prints, exactly what `kubectl apply` would receive.
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml


class CompileError(RuntimeError):
    """`clusterspec build` exited non-zero; the message carries its stderr."""


def clusterspec_binary() -> Path | None:
    """The release binary named by `$CLUSTERSPEC_BIN`, when it exists and is executable."""
    value = os.environ.get("CLUSTERSPEC_BIN")
    if not value:
        return None
    path = Path(value)
    return path if path.is_file() and os.access(path, os.X_OK) else None


def compile_spec(spec: str, *, name: str = "live", env: str | None = None, check: bool = True,
                 overlays: dict[str, str] | None = None, previous: Path | None = None, tree: Path | None = None) -> "Manifests":
    """Compiles `spec` (YAML text) with `$CLUSTERSPEC_BIN build … -o -` and parses the stream.

    `overlays` maps an environment name to overlay text, written where clusterspec looks for it
    (`overlays/<system>/<env>.yaml` beside the spec's `specs/` directory); `env` selects the environment printed.
    `check=False` passes `--no-check` (for fixtures that are policy findings but valid objects).
    `previous` is the running revision's compiled output (`--previous`, for membership changes);
    `tree`, when given, also receives this revision's output tree (`build -o TREE`), to be the
    next revision's `previous`.
    """
    binary = clusterspec_binary()
    if binary is None:
        raise CompileError("CLUSTERSPEC_BIN does not name an executable clusterspec binary")
    with tempfile.TemporaryDirectory(prefix="clusterspec-live-spec-") as scratch:
        root = Path(scratch)
        # specs/ and overlays/ side by side, where clusterspec looks for overlays without a project file.
        spec_path = root / "specs" / f"{name}.cluster.yaml"
        spec_path.parent.mkdir()
        spec_path.write_text(spec)
        for environment, text in (overlays or {}).items():
            system = yaml.safe_load(spec)["name"]
            overlay = root / "overlays" / system / f"{environment}.yaml"
            overlay.parent.mkdir(parents=True, exist_ok=True)
            overlay.write_text(text)
        options = ["--previous", str(previous)] if previous else ["--previous", str(root / "no-previous-revision")]
        if not check:
            options.append("--no-check")
        if tree is not None:
            result = subprocess.run([str(binary), "build", str(spec_path), "-o", str(tree), *options], cwd=root, capture_output=True,
                                    text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
            if result.returncode != 0:
                raise CompileError(f"clusterspec build -o {tree} exited {result.returncode}:\n{result.stderr}")
        arguments = [str(binary), "build", str(spec_path), "-o", "-", *options]
        if env:
            arguments += ["--env", env]
        result = subprocess.run(arguments, cwd=root, capture_output=True, text=True, timeout=120,
                                env={**os.environ, "NO_COLOR": "1"})
        if result.returncode != 0:
            raise CompileError(f"clusterspec build exited {result.returncode}:\n{result.stderr}")
        return Manifests.parse(result.stdout)


def check_spec(spec: str, *, previous: Path, name: str = "live") -> tuple[int, list[dict]]:
    """`$CLUSTERSPEC_BIN check SPEC --previous PREVIOUS --format json`: the exit code and findings."""
    binary = clusterspec_binary()
    if binary is None:
        raise CompileError("CLUSTERSPEC_BIN does not name an executable clusterspec binary")
    with tempfile.TemporaryDirectory(prefix="clusterspec-live-spec-") as scratch:
        spec_path = Path(scratch) / f"{name}.cluster.yaml"
        spec_path.write_text(spec)
        result = subprocess.run([str(binary), "check", str(spec_path), "--previous", str(previous), "--format", "json"], cwd=scratch,
                                capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
        if result.returncode not in (0, 1):
            raise CompileError(f"clusterspec check exited {result.returncode}:\n{result.stderr}")
        return result.returncode, json.loads(result.stdout)["findings"]


@dataclass
class Manifests:
    """The emitted objects of one revision, indexed by kind, namespace and name."""

    objects: list[dict]

    @classmethod
    def parse(cls, stream: str) -> "Manifests":
        return cls([document for document in yaml.safe_load_all(stream) if document])

    def of_kind(self, kind: str) -> list[dict]:
        return [item for item in self.objects if item.get("kind") == kind]

    def get(self, kind: str, namespace: str, name: str) -> dict | None:
        for item in self.of_kind(kind):
            metadata = item.get("metadata", {})
            if metadata.get("name") == name and metadata.get("namespace", "default") == namespace:
                return item
        return None

    def statefulset(self, namespace: str, name: str) -> dict:
        found = self.get("StatefulSet", namespace, name)
        if found is None:
            names = [f"{s['metadata'].get('namespace')}/{s['metadata']['name']}" for s in self.of_kind("StatefulSet")]
            raise KeyError(f"no StatefulSet {namespace}/{name} in the emitted objects (found: {', '.join(names)})")
        return found
