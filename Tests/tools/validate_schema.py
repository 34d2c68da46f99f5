"""Validates YAML documents against a JSON Schema with the jsonschema library (the validator
check-jsonschema uses), reading YAML as the YAML language server does (YAML 1.2: dates and times
stay strings). Prints one JSON object: {file: [error messages]} for every file given.

Usage: validate_schema.py SCHEMA FILE...
"""
import json
import sys

import jsonschema
import yaml


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1's timestamp resolver (2027-06-30 stays a string)."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def main() -> int:
    schema_path, files = sys.argv[1], sys.argv[2:]
    with open(schema_path, encoding="utf-8") as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    result = {}
    for path in files:
        with open(path, encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=Yaml12Loader)
        result[path] = sorted(f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(document))
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
