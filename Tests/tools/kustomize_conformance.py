"""Builds every overlays/<env> of a clusterspec output tree with real kustomize v5 (pykustomize)
and compares the objects, in order, with rendered/<env>.yaml. Prints one line per environment and
a diff for every mismatch; exits 1 when any environment differs."""
import asyncio, difflib, json, os, sys

import pykustomize
import yaml


def main(root):
    mismatches = 0
    checked = 0
    for system in sorted(os.listdir(root)):
        overlays = os.path.join(root, system, "overlays")
        if not os.path.isdir(overlays):
            continue
        for env in sorted(os.listdir(overlays)):
            built = list(yaml.safe_load_all(asyncio.run(pykustomize.build(os.path.join(overlays, env))).yaml))
            with open(os.path.join(root, system, "rendered", env + ".yaml")) as handle:
                rendered = [doc for doc in yaml.safe_load_all(handle) if doc]
            checked += 1
            if built == rendered:
                print(f"{system}/{env}: {len(built)} objects match")
                continue
            mismatches += 1
            print(f"{system}/{env}: MISMATCH")
            ours = json.dumps(rendered, indent=1, sort_keys=True).splitlines()
            theirs = json.dumps(built, indent=1, sort_keys=True).splitlines()
            print("\n".join(list(difflib.unified_diff(ours, theirs, "rendered", "kustomize build", lineterm=""))[:60]))
    print(f"{checked} environments checked, {mismatches} mismatched")
    return 1 if mismatches or not checked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
