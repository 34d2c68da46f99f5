"""Live tests: real engines from Debian run from clusterspec's emitted manifests.

Requirements: the release binary at $CLUSTERSPEC_BIN, root (mount namespaces, overlayfs,
setpriv), util-linux, and the Debian packages listed in REQUIRED_FILES. With
CLUSTERSPEC_LIVE=required (set by .ci/run) anything missing fails every test; otherwise the
suite is skipped with one message naming what is missing.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness.manifests import clusterspec_binary  # noqa: E402

# file → Debian package that installs it
REQUIRED_FILES = {
    "/usr/bin/etcd": "etcd-server",
    "/usr/bin/etcdctl": "etcd-client",
    "/usr/bin/xmllint": "libxml2-utils",
    "/usr/bin/unshare": "util-linux",
    "/usr/bin/nsenter": "util-linux",
    "/usr/bin/setpriv": "util-linux",
    "/usr/bin/ss": "iproute2",
    "/bin/busybox": "busybox-static",
    "/usr/bin/openssl": "openssl",
    "/usr/bin/redis-server": "redis-server",
    "/usr/bin/redis-sentinel": "redis-sentinel",
    "/usr/bin/redis-cli": "redis-tools",
}
REQUIRED_MODULES = {"yaml": "PyYAML", "jproperties": "jproperties", "hcl2": "python-hcl2"}


def missing_requirements() -> list[str]:
    missing = []
    if clusterspec_binary() is None:
        missing.append("the release binary ($CLUSTERSPEC_BIN unset or not executable; scripts/test builds it)")
    if os.geteuid() != 0:
        missing.append("root (pods need mount namespaces and overlayfs)")
    packages = sorted({package for path, package in REQUIRED_FILES.items() if not Path(path).exists()})
    if not list(Path("/usr/lib/postgresql").glob("*/bin/postgres")):
        packages.append("postgresql")
    if packages:
        missing.append("Debian packages " + ", ".join(packages))
    modules = [package for module, package in REQUIRED_MODULES.items() if importlib.util.find_spec(module) is None]
    if modules:
        missing.append("Python packages " + ", ".join(modules) + " (requirements-test.txt)")
    return missing


def _missing_message() -> str | None:
    missing = missing_requirements()
    return "live tests need " + "; ".join(missing) if missing else None


def pytest_configure(config):
    config._live_missing = _missing_message()


def pytest_collection_modifyitems(config, items):
    message = config._live_missing
    if message is None or os.environ.get("CLUSTERSPEC_LIVE") == "required":
        return
    print(f"\nSKIPPING the live suite: {message} (set CLUSTERSPEC_LIVE=required to make this a failure)")
    for item in items:
        item.add_marker(pytest.mark.skip(reason=message))


def pytest_runtest_setup(item):
    message = item.config._live_missing
    if message is not None and os.environ.get("CLUSTERSPEC_LIVE") == "required":
        pytest.fail(f"CLUSTERSPEC_LIVE=required: {message}", pytrace=False)


@pytest.fixture
def cluster(tmp_path):
    """A fresh harness cluster; on teardown every process it started is killed by PID and the
    test fails if any survives."""
    from harness import Cluster
    instance = Cluster(tmp_path / "cluster")
    try:
        yield instance
    finally:
        instance.close()
        survivors = instance.processes.survivors()
        shutil.rmtree(tmp_path / "cluster", ignore_errors=True)
        assert not survivors, f"processes left running after the test: {survivors}"
