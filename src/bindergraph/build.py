"""The reproducible build: records -> checks -> RDF -> SHACL -> evidence -> HermiT -> outputs.

The output folder OUT (`--out`, $BINDERGRAPH_HOME) holds one folder per build and a pointer to the
current one (outputs.py writes it, paths.current_build reads it):

    OUT/.lock                       held by the build writing OUT, for the whole build
    OUT/builds/<time>-<pid>/        store/ (pyoxigraph), graph.nt, graph.nq, graph.ttl, search.sqlite, manifest.json
    OUT/current -> builds/<…>       switched in one rename when a build is complete
    OUT/store, OUT/graph.nt, …      links through `current`, for people and scripts

A build takes the lock (a second build fails at once, or waits up to `BuildOptions.wait` seconds),
removes what killed builds left, writes a new build folder and, only when every step succeeded,
switches the pointer; so a failed or killed build leaves the previous outputs untouched, and readers,
who resolve the pointer once, see one whole build. A folder written before builds were versioned
(the files directly in OUT) is read as it is and replaced cleanly by the next build.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph
from rdflib.compare import to_canonical_graph

from . import __version__, outputs, paths
from .checks.evidence import check_evidence
from .checks.reason import classify, java_executable, semantic_layer
from .curate.curation import Curated, check_records
from .curate.references import parse_references
from .curate.source import Review
from .errors import BindergraphError, ShapeViolationError
from .files import write_error
from .graph.emit import GraphParts, build_graph, new_graph
from .graph.ontology import documented, load_tbox
from .publish.export import turtle_bytes
from .query.store import graph_iri, load_store
from .query.search import INDEX_FILE, write_search_index

OUTPUT_FILES = ("graph.nt", "graph.nq", "graph.ttl", INDEX_FILE, "manifest.json")  # manifest written last
# How long a command that builds only because nothing is built yet waits for a build already running.
WAIT_FOR_RUNNING_BUILD = 600.0


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
    allow_empty: bool = False  # accept a records folder without entity or claim records
    wait: float = 0.0  # seconds to wait for another build of out_dir (0: fail at once)
    if_missing: bool = False  # build only if out_dir holds no build (checked once the lock is ours)


def build(opts: BuildOptions, log=lambda msg: None) -> BuildResult:
    if opts.reason:
        java_executable()  # fail before any work if the reasoner cannot run
    with outputs.build_lock(opts.out_dir, opts.wait, log):
        outputs.kill_point("after-lock")
        if opts.if_missing and (paths.current_build(opts.out_dir) / "manifest.json").is_file():
            return BuildResult(opts.out_dir, _manifest(opts.out_dir)["counts"])  # the build we waited for
        outputs.remove_leftovers(opts.out_dir)
        return _build(opts, log)


def _build(opts: BuildOptions, log) -> BuildResult:
    t: dict[str, float] = {}
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        t[name] = round(now - clock, 3)
        clock = now
        log(f"  {name}: {t[name]:.2f} s")

    tbox = load_tbox(paths.ONTOLOGY_FILE)
    review = Review.load(paths.REVIEW_FILE)
    cur = check_records(opts.records, tbox, review, allow_empty=opts.allow_empty)
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
    named = {"ontology": documented(tbox.graph), "data": parts.data, "references": parts.references,
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
    """Write a new build folder and make it current; on any failure remove it (the pointer still
    names the previous build). A failed write (disk full, read-only, permissions) is one line."""
    folder: Path | None = None
    try:
        folder = outputs.new_build_dir(out_dir)
        counts = _write_build(folder, named, cur)
        outputs.kill_point("before-switch")
        outputs.switch(out_dir, folder, ("store",) + OUTPUT_FILES)
        return counts
    except BaseException as exc:
        if folder is not None and paths.current_build(out_dir).resolve() != folder.resolve():
            shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, OSError):
            raise write_error(out_dir, exc, "write the build in") from None
        raise


def _write_build(folder: Path, named: dict[str, Graph], cur: Curated) -> dict[str, int]:
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
    _write(folder / "graph.nt", nt.encode("utf-8"))
    _write(folder / "graph.nq", ("\n".join(sorted(quads)) + "\n").encode("utf-8"))
    _write(folder / "graph.ttl", turtle_bytes(merged))
    outputs.kill_point("before-store")
    load_store(folder / "store", folder / "graph.nq")
    outputs.kill_point("after-store")
    write_search_index(folder, folder / "store")  # the full-text index of the graph just loaded
    outputs.kill_point(f"after-{INDEX_FILE}")
    counts = {"triples": len(triples), "entities": len(cur.entities), "claims": len(cur.claims),
              **{f"graph:{k}": len(v) for k, v in named.items()}}
    manifest = {"bindergraph": __version__, "counts": counts,
                "sha256": {"graph.nt": hashlib.sha256(nt.encode("utf-8")).hexdigest()}}
    _write(folder / "manifest.json", (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return counts


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    outputs.kill_point(f"after-{path.name}")


def _manifest(out_dir: Path) -> dict:
    """The manifest of the current build in `out_dir`."""
    path = paths.current_build(out_dir) / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BindergraphError(f"cannot read {path}: {exc}") from None

