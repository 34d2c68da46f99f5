"""Bounded work: for every kind of list a spec can grow (configMaps, secrets, services, uses, env,
ports, overlays and the others below), builds a spec with n and with 4n items and runs the release
binary under callgrind (instruction counts: deterministic, whatever else the machine does). The work
the items add must grow linearly:

    (instructions(4n) - instructions(0)) / (instructions(n) - instructions(0)) <= 4.6

where instructions(0) is the same spec without the items, so the fixed start-up cost cannot hide a
quadratic term. Each run is `build` of the spec and its overlays (rules on, every environment,
files written), so parsing, overlay merging, wiring, rules, the traffic graph, mesh emission,
overlay diffing and writing are all measured.

    linear_growth.py CLUSTERSPEC_BINARY [KIND...]

Prints one line per kind and exits 1 when a kind grows faster than linearly."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

N = 40  # small enough for CI (3 callgrind runs per kind), large enough that a quadratic term shows
LIMIT = 4.6
HEADER = """clusterspec: v1
name: grow
namespaces:
  grow: {}
"""
SERVICE = "    image: registry.example.com/grow/{name}:1.0\n    ports: {{http: 8080}}\n"


def service(name, extra=""):
    return f"  {name}:\n" + SERVICE.format(name=name) + extra


def overlay(environment, body, parent=None):
    parent_key = f", parent: {parent}" if parent else ""
    return f"clusterspec: v1\noverlay: {{spec: grow, environment: {environment}{parent_key}}}\n" + body


def configmaps(n):
    body = "configMaps:\n" + "".join(f"  cm-{i}: {{data: {{key: value-{i}}}}}\n" for i in range(n))
    return {"spec": HEADER + body + "services:\n" + service("api")}


def configmap_data(n):
    data = "".join(f"      key-{i}: value-{i}\n" for i in range(n))
    body = "configMaps:\n  config:\n    data:\n" + data if n else "configMaps:\n  config: {}\n"
    return {"spec": HEADER + body + "services:\n" + service("api", "    volumes: {config: {configMap: config, mountPath: /etc/config}}\n")}


def secrets(n):
    body = "secrets:\n" + "".join(f"  secret-{i}: {{keys: [password]}}\n" for i in range(n)) if n else ""
    env = "".join(f"      SECRET_{i}: {{secret: secret-{i}, key: password}}\n" for i in range(n))
    return {"spec": HEADER + body + "services:\n" + service("api", "    env:\n" + env if n else "")}


def services(n):
    return {"spec": HEADER + "services:\n" + service("api") + "".join(service(f"svc-{i}") for i in range(n)),
            "prod": overlay("prod", "services:\n  api: {replicas: 2}\n")}


def uses(n):
    """One caller whose `uses:` lists n services (the hostile-input report's case), mesh on."""
    targets = ", ".join(f"svc-{i}" for i in range(n))
    mesh = "mesh: {networkPolicy: deny-by-default}\n"
    caller = service("api", f"    uses: [{targets}]\n" if n else "")
    return {"spec": HEADER + mesh + "services:\n" + caller + "".join(service(f"svc-{i}") for i in range(n))}


def uses_chain(n):
    """n services, each using the one before it, mesh and mTLS on: n edges in the traffic graph."""
    mesh = "mesh: {networkPolicy: deny-by-default, mtls: strict}\n"
    body = "".join(service(f"svc-{i}", f"    uses: [svc-{i - 1}]\n" if i else "") for i in range(n))
    return {"spec": HEADER + mesh + "services:\n" + service("api") + body}


def env(n):
    variables = "".join(f"      VAR_{i}: value-{i}\n" for i in range(n))
    return {"spec": HEADER + "services:\n" + service("api", "    env:\n" + variables if n else ""),
            "prod": overlay("prod", "services:\n  api:\n    env: {VAR_0: changed, EXTRA: added}\n")}


def ports(n):
    listed = "".join(f"      p{i}: {10000 + i}\n" for i in range(n))
    return {"spec": HEADER + "services:\n" + "  api:\n    image: registry.example.com/grow/api:1.0\n    ports:\n      http: 8080\n" + listed
            + "  client:\n    image: registry.example.com/grow/client:1.0\n    uses: [api]\n"}


def overlays(n):
    """An overlay that patches n services."""
    spec = HEADER + "services:\n" + service("api") + "".join(service(f"svc-{i}") for i in range(n))
    patch = "".join(f"  svc-{i}: {{replicas: 2, env: {{LEVEL: debug}}}}\n" for i in range(n))
    return {"spec": spec, "prod": overlay("prod", "services:\n" + (patch or "  api: {replicas: 2}\n"))}


def environments(n):
    """n environments of one spec (each compiles and checks the whole spec, so the work per
    environment is constant; a parent chain of depth d merges d overlays per environment)."""
    files = {"spec": HEADER + "services:\n" + service("api")}
    for i in range(n):
        files[f"env-{i}"] = overlay(f"env-{i}", f"services:\n  api: {{env: {{LEVEL: level-{i}}}}}\n", parent="env-0" if i else None)
    return files


def jobs(n):
    body = "jobs:\n" + "".join(f"  job-{i}: {{image: registry.example.com/grow/job:1.0, schedule: \"0 3 * * *\"}}\n" for i in range(n)) if n else ""
    return {"spec": HEADER + "services:\n" + service("api") + body}


def stateful_services(n):
    body = "statefulServices:\n" + "".join(
        f"  cache-{i}:\n    image: registry.example.com/grow/cache:1.0\n    replicas: 3\n    ports: {{peer: 7946}}\n"
        f"    storage: {{size: 1Gi, mountPath: /data}}\n    peers: {{port: peer, listEnv: PEERS}}\n" for i in range(n)) if n else ""
    return {"spec": HEADER + "services:\n" + service("api") + body}


def stores(n):
    body = "stores:\n" + "".join(f"  etcd-{i}: {{engine: etcd, version: v3.5.17}}\n" for i in range(n)) if n else ""
    users = ", ".join(f"etcd-{i}" for i in range(n))
    return {"spec": HEADER + "services:\n" + service("api", f"    uses: [{users}]\n" if n else "") + body}


def namespaces(n):
    spaces = "".join(f"  ns-{i}: {{}}\n" for i in range(n))
    body = "".join(f"  svc-{i}:\n    image: registry.example.com/grow/svc:1.0\n    namespace: ns-{i}\n    ports: {{http: 8080}}\n" for i in range(n))
    return {"spec": HEADER + spaces + "defaults: {namespace: grow}\nmesh: {networkPolicy: deny-by-default}\nservices:\n" + service("api") + body}


def volume_claims(n):
    body = "volumeClaims:\n" + "".join(f"  claim-{i}: {{size: 1Gi}}\n" for i in range(n)) if n else ""
    return {"spec": HEADER + body + "services:\n" + service("api")}


def external(n):
    body = "external:\n" + "".join(f"  ext-{i}: {{cidr: 203.0.113.{i % 250}/32, ports: {{https: 443}}}}\n" for i in range(n)) if n else ""
    users = ", ".join(f"ext-{i}" for i in range(n))
    mesh = "mesh: {networkPolicy: deny-by-default}\n"
    return {"spec": HEADER + mesh + body + "services:\n" + service("api", f"    uses: [{users}]\n" if n else "")}


def waivers(n):
    body = "waivers:\n" + "".join(
        f"  - {{rule: replicas-ha, target: svc-{i}, reason: the item count grows, expires: 2099-01-01}}\n" for i in range(n)) if n else ""
    return {"spec": HEADER + "services:\n" + service("api") + "".join(service(f"svc-{i}") for i in range(n)) + body}


def callers(n):
    spaces = "".join(f"    caller-{i}: [api]\n" for i in range(n))
    mesh = "mesh:\n  networkPolicy: deny-by-default\n" + ("  callers:\n" + spaces if n else "")
    return {"spec": HEADER + mesh + "services:\n" + service("api")}


def labels(n):
    listed = "".join(f"      example.com/label-{i}: value-{i}\n" for i in range(n))
    return {"spec": HEADER + "services:\n" + service("api", "    labels:\n" + listed if n else ""),
            "prod": overlay("prod", "services:\n  api: {replicas: 2}\n")}


def volumes(n):
    listed = "".join(f"      scratch-{i}: {{emptyDir: {{}}, mountPath: /scratch/{i}}}\n" for i in range(n))
    return {"spec": HEADER + "services:\n" + service("api", "    volumes:\n" + listed if n else ""),
            "prod": overlay("prod", "services:\n  api: {replicas: 2}\n")}


def env_from(n):
    maps = "configMaps:\n" + "".join(f"  from-{i}: {{data: {{k: v}}}}\n" for i in range(n)) if n else ""
    listed = "".join(f"      - {{configMap: from-{i}}}\n" for i in range(n))
    return {"spec": HEADER + maps + "services:\n" + service("api", "    envFrom:\n" + listed if n else "")}


def connection_references(n):
    data = "".join(f"      ref-{i}: ${{connection:etcd.addresses}}\n" for i in range(n))
    body = "configMaps:\n  config:\n    data:\n" + data if n else ""
    return {"spec": HEADER + body + "stores:\n  etcd: {engine: etcd, version: v3.5.17}\nservices:\n" + service("api")}


KINDS = {
    "configMaps": configmaps, "configMap data": configmap_data, "secrets": secrets, "services": services, "uses": uses,
    "uses (chain, mesh)": uses_chain, "env": env, "ports": ports, "overlays": overlays, "environments": environments,
    "jobs": jobs, "statefulServices": stateful_services, "stores": stores, "namespaces": namespaces,
    "volumeClaims": volume_claims, "external": external, "waivers": waivers, "mesh callers": callers,
    "labels": labels, "volumes": volumes, "envFrom": env_from, "connection references": connection_references,
}


def instructions(binary, files, scratch):
    root = tempfile.mkdtemp(dir=scratch)
    os.makedirs(os.path.join(root, "specs"))
    os.makedirs(os.path.join(root, "overlays"))
    for name, text in files.items():
        path = os.path.join(root, "specs", "grow.cluster.yaml") if name == "spec" else os.path.join(root, "overlays", f"{name}.yaml")
        with open(path, "w") as handle:
            handle.write(text)
    out = os.path.join(root, "callgrind.out")
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary,
               "build", "specs", "--overlays", "overlays", "-o", "out", "--today", "2026-01-01", "--no-check"]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"build failed ({result.returncode}):\n{result.stderr[-3000:]}")
    with open(out) as handle:
        totals = re.search(r"^totals: (\d+)", handle.read(), re.MULTILINE)
    shutil.rmtree(root)
    return int(totals.group(1))


def main(binary, *kinds):
    scratch = tempfile.mkdtemp(prefix="clusterspec-growth-")
    # valgrind 3.19 cannot read the DWARF 5 debug information Swift writes; symbols are not needed.
    stripped = os.path.join(scratch, "clusterspec")
    subprocess.run(["objcopy", "--strip-debug", binary, stripped], check=True)
    failures = 0
    print(f"{'list kind':24} {'I(0)':>14} {'I(n)':>14} {'I(4n)':>14}  ratio (n = {N})")

    def measure(kind):
        """The three instruction counts of one kind, or the error that stopped its build."""
        generate = KINDS[kind]
        try:
            return kind, [instructions(stripped, generate(count), scratch) for count in (0, N, 4 * N)]
        except RuntimeError as error:
            return kind, error

    # Instruction counts do not depend on what runs beside them: one kind per core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for kind, counts in pool.map(measure, kinds or KINDS):
            if isinstance(counts, RuntimeError):
                failures += 1
                print(f"{kind:24} the generated spec does not build: {counts}", flush=True)
                continue
            base, small, large = counts
            ratio = (large - base) / max(small - base, 1)
            verdict = "ok" if ratio <= LIMIT else "GROWS FASTER THAN LINEAR"
            failures += ratio > LIMIT
            print(f"{kind:24} {base:14,} {small:14,} {large:14,}  {ratio:5.2f} {verdict}", flush=True)
    shutil.rmtree(scratch)
    print(f"{len(kinds or KINDS) - failures} linear, {failures} faster than linear (limit {LIMIT})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
