"""The reproducible build: records -> checks -> RDF -> SHACL -> evidence -> HermiT -> outputs.

Outputs are written into a temporary directory beside the final one and moved into place only
when every step succeeded, so a failed build leaves the previous outputs untouched.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph
from rdflib.compare import to_canonical_graph

from . import __version__, paths
from .checks.evidence import check_evidence
from .checks.reason import classify, java_executable, semantic_layer
from .curate.curation import Curated, check_records
from .curate.references import parse_references
from .curate.source import Review
from .errors import ShapeViolationError
from .graph.emit import GraphParts, build_graph, new_graph
from .graph.ontology import load_tbox
from .query.store import graph_iri, load_store

OUTPUT_FILES = ("graph.nt", "graph.nq", "graph.ttl", "manifest.json")


@dataclass
class BuildResult:
    out_dir: Path
    counts: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class BuildOptions:
    records: Path = paths.RECORDS_DIR
    out_dir: Path = field(default_factory=paths.default_out_dir)
    reason: bool = True
    shacl: bool = True


def build(opts: BuildOptions, log=lambda msg: None) -> BuildResult:
    t: dict[str, float] = {}
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        t[name] = round(now - clock, 3)
        clock = now
        log(f"  {name}: {t[name]:.2f} s")

    if opts.reason:
        java_executable()  # fail before any work if the reasoner cannot run
    tbox = load_tbox(paths.ONTOLOGY_FILE)
    review = Review.load(paths.REVIEW_FILE)
    cur = check_records(opts.records, tbox, review)
    step("records")
    parts = build_graph(cur, parse_references(review), review)
    links, imports = _links(cur)
    step("graph")
    if opts.shacl:
        validate_shapes(parts, tbox.graph, imports)
        step("shacl")
    check_evidence(parts.data, review)
    step("evidence")
    inferred = classify(semantic_layer(tbox.graph, parts.data, imports)) if opts.reason else new_graph()
    step("reasoner")
    named = {"ontology": tbox.graph, "data": parts.data, "references": parts.references,
             "inferred": inferred, "links": links, "imports": imports}
    counts = _write_outputs(opts.out_dir, named, cur)
    step("write")
    return BuildResult(opts.out_dir, counts, t)


def _links(cur: Curated) -> tuple[Graph, Graph]:
    """External links (SSSOM mappings) and the import modules they rely on."""
    from .graph.links import link_graphs

    return link_graphs(cur)


def validate_shapes(parts: GraphParts, tbox: Graph, imports: Graph | None = None) -> None:
    import pyshacl

    data = new_graph()
    for g in (parts.data, parts.references):
        for triple in g:
            data.add(triple)
    shapes = Graph().parse(paths.SHAPES_FILE, format="turtle")
    conforms, results, _text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=tbox, inference="none",
                                                allow_warnings=True)
    if not conforms:
        raise ShapeViolationError(_first_violation(results))


def _first_violation(results: Graph) -> str:
    q = """PREFIX sh: <http://www.w3.org/ns/shacl#>
    SELECT ?focus ?path ?msg WHERE { ?r a sh:ValidationResult ; sh:resultSeverity sh:Violation ;
      sh:focusNode ?focus . OPTIONAL { ?r sh:resultPath ?path } OPTIONAL { ?r sh:resultMessage ?msg } }"""
    rows = sorted(results.query(q), key=lambda r: (str(r[0]), str(r[1])))
    n = len(rows)
    focus, path, msg = rows[0]
    name = str(focus).rsplit("/", 1)[-1]
    where = f" ({str(path).rsplit('#', 1)[-1].rsplit('/', 1)[-1]})" if path else ""
    return f"SHACL: {name}{where}: {msg or 'shape violated'}" + (f" (and {n - 1} more)" if n > 1 else "")


def _canonical(g: Graph) -> Graph:
    """The same graph with canonical blank-node labels (OWL restrictions, lists), so output is stable."""
    if not any(isinstance(t, BNode) for triple in g for t in triple):
        return g
    canonical = new_graph()
    for triple in to_canonical_graph(g):
        canonical.add(triple)
    return canonical


def _ntriples_lines(g: Graph) -> list[str]:
    text = g.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return [line for line in text.splitlines() if line.strip()]


def _write_outputs(out_dir: Path, named: dict[str, Graph], cur: Curated) -> dict[str, int]:
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=out_dir))
    try:
        triples: set[str] = set()
        quads: list[str] = []
        merged = new_graph()
        for part, g in named.items():
            g = _canonical(g)
            merged += g  # built from the canonical parts: re-parsing N-Triples would relabel blank nodes
            lines = _ntriples_lines(g)
            triples.update(lines)
            iri = graph_iri(part)
            quads.extend(line[:-1].rstrip() + f" <{iri}> ." for line in lines)
        nt = "\n".join(sorted(triples)) + "\n"
        (tmp / "graph.nt").write_text(nt, encoding="utf-8")
        (tmp / "graph.nq").write_text("\n".join(sorted(quads)) + "\n", encoding="utf-8")
        (tmp / "graph.ttl").write_bytes(merged.serialize(format="longturtle", encoding="utf-8"))
        counts = {"triples": len(triples), "entities": len(cur.entities), "claims": len(cur.claims),
                  **{f"graph:{k}": len(v) for k, v in named.items()}}
        manifest = {"bindergraph": __version__, "counts": counts,
                    "sha256": {"graph.nt": hashlib.sha256(nt.encode("utf-8")).hexdigest()}}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        load_store(tmp / "store", tmp / "graph.nq")
        _swap_into_place(tmp, out_dir)
        return counts
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _swap_into_place(tmp: Path, out_dir: Path) -> None:
    old_store = out_dir / "store"
    if old_store.exists():
        retired = Path(tempfile.mkdtemp(prefix=".old-", dir=out_dir))
        os.replace(old_store, retired / "store")
        shutil.rmtree(retired, ignore_errors=True)
    os.replace(tmp / "store", old_store)
    for name in OUTPUT_FILES:  # manifest last: its presence marks a complete build
        os.replace(tmp / name, out_dir / name)

