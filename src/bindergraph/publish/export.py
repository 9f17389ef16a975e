"""`bindergraph export`: the complete graph as one file, byte-identical from run to run."""
from __future__ import annotations

import json
from pathlib import Path

FORMATS = ("ttl", "nt", "nq", "jsonld")


def export_bytes(build_dir: Path, fmt: str) -> bytes:
    """The build's graph in `fmt`: the N-Triples, N-Quads and Turtle files as written by the build (already
    sorted), JSON-LD serialised from the N-Triples and put in a stable order."""
    if fmt != "jsonld":
        return (build_dir / f"graph.{fmt}").read_bytes()
    from rdflib import Graph

    from ..graph.emit import PREFIXES

    g = Graph()
    g.parse(build_dir / "graph.nt", format="nt", bnode_context=_KeepLabels())
    context = {k: str(v) for k, v in PREFIXES.items()}
    doc = json.loads(g.serialize(format="json-ld", context=context))
    return (json.dumps(_stable(doc), ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


class _KeepLabels(dict):
    """rdflib's N-Triples parser gives each blank node a random id; the build's labels are canonical
    already (build._canonical), so keep them."""

    def get(self, key, default=None):
        from rdflib import BNode

        return BNode(key)


def _stable(node):
    """rdflib writes nodes and the values of a property in the order of a hash set, which differs between
    processes: sort every list by its items' canonical JSON (RDF lists are @list and keep their order)."""
    if isinstance(node, dict):
        return {k: [_stable(x) for x in v] if k == "@list" else _stable(v) for k, v in node.items()}
    if isinstance(node, list):
        items = [_stable(x) for x in node]
        return sorted(items, key=lambda x: json.dumps(x, ensure_ascii=False, sort_keys=True))
    return node
