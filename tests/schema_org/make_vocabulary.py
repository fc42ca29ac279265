"""Write vocabulary.json: the facts of schema.org's vocabulary that the tests need.

The structured-data test runs without a network, so it reads a small file of
our own instead of schema.org's full vocabulary: for each type the site emits,
its supertypes and every property whose domainIncludes names it or one of its
supertypes. Regenerate it from a release of schema.org's vocabulary in JSON-LD
(the schemaorg/schemaorg repository, data/releases/<version>/schemaorg-current-https.jsonld)
when the site starts using another type:

    .venv/bin/python tests/schema_org/make_vocabulary.py PATH/TO/schemaorg-current-https.jsonld
"""

import argparse
import json
import sys
from pathlib import Path

# Every type the site's JSON-LD uses, including nested values.
TYPES = [
    "AdministrativeArea",
    "BlogPosting",
    "BreadcrumbList",
    "EducationalOccupationalCredential",
    "ListItem",
    "MedicalBusiness",
    "OpeningHoursSpecification",
    "Organization",
    "Person",
    "ProfilePage",
    "WebPage",
]
OUTPUT = Path(__file__).with_name("vocabulary.json")


def ids(value):
    """The schema.org names in a JSON-LD value: {"@id": "schema:X"} or a list of them."""
    values = value if isinstance(value, list) else [value]
    return [v["@id"].removeprefix("schema:") for v in values if isinstance(v, dict)]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path)
    args = parser.parse_args()
    graph = json.loads(args.source.read_text(encoding="utf-8"))["@graph"]

    parents, domains = {}, {}
    for node in graph:
        name = node["@id"].removeprefix("schema:")
        kinds = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
        if "rdfs:Class" in kinds:
            parents[name] = ids(node.get("rdfs:subClassOf", []))
        if "rdf:Property" in kinds:
            for domain in ids(node.get("schema:domainIncludes", [])):
                domains.setdefault(domain, set()).add(name)

    def ancestors(name):
        found, todo = [], [name]
        while todo:
            current = todo.pop()
            if current not in found:
                found.append(current)
                todo.extend(parents.get(current, []))
        return found

    vocabulary = {}
    for name in TYPES:
        if name not in parents:
            sys.exit(f"{name} is not a type in {args.source}")
        lineage = ancestors(name)
        properties = set().union(*(domains.get(t, set()) for t in lineage))
        vocabulary[name] = {"supertypes": sorted(lineage[1:]), "properties": sorted(properties)}
    OUTPUT.write_text(json.dumps(vocabulary, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{OUTPUT.name}: {len(vocabulary)} types")  # noqa: T201


if __name__ == "__main__":
    main()
