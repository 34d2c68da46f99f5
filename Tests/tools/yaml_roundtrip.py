"""Reads YAML documents written by clusterspec's writer with PyYAML's pure-Python loader (a YAML 1.1
reader independent of libyaml) and compares each with the tree it was written from, given as JSON.
Types must match exactly: a string read back as a number, boolean, null or date is a failure.

    yaml_roundtrip.py FILE_LIST EXPECTED_JSON

FILE_LIST names one YAML file per line; EXPECTED_JSON is a list with one tree per file."""
import json
import sys

import yaml


def same(read, expected):
    if type(read) is not type(expected):
        return False
    if isinstance(expected, dict):
        return list(read.keys()) == list(expected.keys()) and all(same(read[k], expected[k]) for k in expected)
    if isinstance(expected, list):
        return len(read) == len(expected) and all(same(a, b) for a, b in zip(read, expected))
    return read == expected


def main(file_list, expected_path):
    with open(file_list, encoding="utf-8") as handle:
        files = [line for line in handle.read().split("\n") if line]
    with open(expected_path, encoding="utf-8") as handle:
        expected = json.load(handle)
    if len(files) != len(expected):
        print(f"{len(files)} files but {len(expected)} expected trees")
        return 1
    failures = 0
    for path, tree in zip(files, expected):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        try:
            read = yaml.load(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as error:
            read = f"<PyYAML error: {error}>"
        if not same(read, tree):
            failures += 1
            if failures <= 5:
                print(f"{path}: read back {read!r}\n  expected {tree!r}\n  text:\n{text}")
    if failures:
        print(f"{failures} of {len(files)} documents read back differently")
        return 1
    print(f"{len(files)} documents read back identically")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
