"""Runs Checkov (the kubernetes framework, in-process, offline) on clusterspec's golden output and
compares its failed checks with a reviewed allow-list.

    python3 Tests/tools/checkov_golden.py GOLDEN_DIR ALLOWLIST.yaml [README.md]

Each system is judged per scope, the way it is deployed: base/ (the spec without overlays) and
every rendered/<env>.yaml (an environment fully resolved). overlays/ holds partial patches whose
result is exactly rendered/, so it is not scanned on its own.

An allow-list entry is (check, objects, reason): `objects` is a glob over
"<system>/<scope> <Kind>.<namespace>.<name>" (scope: base or the environment). An entry with
`objects: "*"` is global and must name, in `readme`, the README sentence that states the
product-wide choice it accepts. Exit 1 when a failed check matches no entry, or an entry matches
no failed check (stale), printing entries ready to paste; exit 0 otherwise. The summary gives the
passed/failed counts before and after the allow-list.
"""
import fnmatch
import glob
import logging
import os
import sys

import yaml

logging.disable(logging.WARNING)
os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")
os.environ.setdefault("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false")

from checkov.kubernetes.runner import Runner  # noqa: E402
from checkov.runner_filter import RunnerFilter  # noqa: E402


def scopes(golden):
    for system in sorted(os.listdir(golden)):
        root = os.path.join(golden, system)
        if not os.path.isdir(root):
            continue
        if os.path.isdir(os.path.join(root, "base")):
            yield system, "base", os.path.join(root, "base"), None
        for rendered in sorted(glob.glob(os.path.join(root, "rendered", "*.yaml"))):
            yield system, os.path.basename(rendered)[: -len(".yaml")], None, rendered


def scan(directory, file):
    runner_filter = RunnerFilter(framework=["kubernetes"])
    if directory:
        return Runner().run(root_folder=directory, runner_filter=runner_filter)
    return Runner().run(root_folder=None, files=[file], runner_filter=runner_filter)


def short_resource(resource):
    # Graph checks name pods by kind, namespace, name and every label; the first three identify them.
    return ".".join(resource.split(".")[:3])


def main():
    golden, allowlist_path = sys.argv[1], sys.argv[2]
    readme = open(sys.argv[3], encoding="utf-8").read() if len(sys.argv) > 3 else ""
    entries = yaml.safe_load(open(allowlist_path, encoding="utf-8")) or []
    problems = []
    for index, entry in enumerate(entries):
        if not {"check", "objects", "reason"} <= set(entry) or not str(entry["reason"]).strip():
            problems.append(f"allow-list entry {index + 1} needs check, objects and a reason: {entry}")
        if entry.get("objects") == "*":
            sentence = entry.get("readme", "")
            if not sentence or " ".join(sentence.split()) not in " ".join(readme.split()):
                problems.append(f"global entry {entry.get('check')} must quote the README sentence stating the choice (readme: ...)")
    used = [0] * len(entries)
    totals = {"passed": 0, "failed": 0, "allowed": 0}
    unexpected = []
    for system, scope, directory, file in scopes(golden):
        report = scan(directory, file)
        passed, failed = len(report.passed_checks), len(report.failed_checks)
        allowed = 0
        for check in report.failed_checks:
            subject = f"{system}/{scope} {short_resource(check.resource)}"
            matches = [i for i, e in enumerate(entries) if e.get("check") == check.check_id
                       and fnmatch.fnmatchcase(subject, str(e.get("objects")))]
            for i in matches:
                used[i] += 1
            if matches:
                allowed += 1
            else:
                unexpected.append((check.check_id, check.check_name, subject))
        totals["passed"] += passed
        totals["failed"] += failed
        totals["allowed"] += allowed
        print(f"{system}/{scope}: {passed} passed, {failed} failed, {allowed} allow-listed, {failed - allowed} unexpected")
    print(f"total: {totals['passed']} passed, {totals['failed']} failed, {totals['allowed']} allow-listed, "
          f"{totals['failed'] - totals['allowed']} unexpected")
    for check_id, name, subject in sorted(set(unexpected)):
        problems.append(f"unexpected {check_id} ({name}) on {subject}")
    if unexpected:
        print("\nFix the output, or accept each finding with an entry like:")
        for check_id, name, subject in sorted(set(unexpected)):
            print(f"- check: {check_id}   # {name}\n  objects: \"{subject}\"\n  reason: <why this is deliberate>")
    for index, count in enumerate(used):
        if count == 0 and index < len(entries):
            problems.append(f"stale allow-list entry {entries[index].get('check')} {entries[index].get('objects')}: matches nothing")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
