"""`kustomize build DIR` with real kustomize v5 (pykustomize): prints the built YAML stream on
stdout; on failure prints kustomize's error on stderr and exits 1."""
import asyncio, sys

import pykustomize


def main(directory):
    try:
        result = asyncio.run(pykustomize.build(directory))
    except Exception as error:  # kustomize's own error, whatever the wrapper calls it
        print(f"kustomize build {directory}: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(result.yaml)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
