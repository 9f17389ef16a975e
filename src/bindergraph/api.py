"""A small Python API for notebooks and scripts: the CLI's questions, answered as plain rows.

    import bindergraph
    g = bindergraph.open()                      # the built graph ($BINDERGRAPH_HOME or ~/.cache/bindergraph)
    g.query("binders-for-material", material="Si")
    g.show("PAA")                               # one row per fact, each with its claims
    g.compare("CMC", "SBR")
    g.search("Inada")
    g.sparql("SELECT ?b WHERE { ?b a bg:SelfHealingBinder }")
    nxg = g.to_networkx()                       # entities as nodes, claims on the edges

Rows are dicts: an IRI column `x` comes with `x_label`; literals are str, int, float or bool. No pandas
needed (`pandas.DataFrame(rows)` works if you have it).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import paths
from .query.catalogue import bind_params, get_query
from .query.engine import PREFIXES, Engine, OxigraphEngine, Result, Term

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "nonNegativeInteger", "positiveInteger")}
_FLOATS = {_XSD + t for t in ("decimal", "double", "float")}


def open(out_dir: str | Path | None = None, build: bool = True) -> "BinderGraph":  # noqa: A001 (bindergraph.open)
    """The graph built in `out_dir` (default: $BINDERGRAPH_HOME, else ~/.cache/bindergraph); built first
    when nothing is there yet and `build` is true."""
    from .query.store import open_store

    out = Path(out_dir).expanduser() if out_dir else paths.default_out_dir()
    if build and not (paths.current_build(out) / "manifest.json").is_file():
        from .build import WAIT_FOR_RUNNING_BUILD, BuildOptions, build as run_build

        run_build(BuildOptions(out_dir=out, wait=WAIT_FOR_RUNNING_BUILD, if_missing=True))
    return BinderGraph(out, OxigraphEngine(open_store(out)))


@dataclass
class BinderGraph:
    out_dir: Path
    engine: Engine

    def query(self, name: str, **params: str) -> list[dict]:
        """A catalogue query (`bindergraph queries` lists them) with its parameters as keywords."""
        bound = bind_params(get_query(name), {k: str(v) for k, v in params.items()}, self.engine)
        return self.rows(self.engine.select(bound.query, bound.bindings))

    def sparql(self, text: str) -> list[dict]:
        """An ad-hoc SELECT query (the common prefixes are predeclared)."""
        return self.rows(self.engine.select(PREFIXES + text))

    def show(self, entity: str, evidence: bool = False) -> list[dict]:
        """What the graph says about one entity: one row per fact (section, relation, other, stance, claims)."""
        from .query.show import entity_page, page_result

        return self.rows(page_result(entity_page(self.engine, self.engine.resolve_entity(entity), evidence)))

    def compare(self, *entities: str) -> list[dict]:
        """Entities side by side: comparison claims between them first, then aspect by aspect."""
        from .query.show import compare

        res, _ = compare(self.engine, [self.engine.resolve_entity(e) for e in entities])
        return self.rows(res)

    def search(self, text: str, kind: str | None = None, limit: int = 20) -> list[dict]:
        """Full-text search over labels, quotes, notes and references (`bindergraph search`), best first:
        kind, id, summary, section, snippet and the offsets of the first match in it."""
        from .query.search import hits_result, search

        return self.rows(hits_result(search(self.out_dir, text, kind=kind, limit=limit), marked=False))

    def to_networkx(self):
        """A networkx MultiDiGraph: entities as nodes (label, kind), one edge per subject-relation-object
        with the claims behind it (as the map draws them)."""
        from .publish.analytics import entity_graph, load_claims

        data = load_claims(self.engine)
        g = entity_graph(data)
        for n in g.nodes:
            ent = data.entities.get(n)
            if ent is not None:
                g.nodes[n].update(label=ent.label, kind=ent.kind)
        return g

    def rows(self, res: Result) -> list[dict]:
        """Plain dicts: IRIs as str with an `x_label` beside, literals as Python values."""
        labels = _labels(self.engine, res)
        out = []
        for row in res.rows:
            d: dict = {}
            for v in res.variables:
                t = row.get(v)
                d[v] = None if t is None else _python(t)
                if t is not None and t.kind == "uri":
                    d[v + "_label"] = labels.get(t.value)
            out.append(d)
        return out


def _python(t: Term):
    if t.kind != "literal" or not t.datatype:
        return t.value
    try:
        if t.datatype in _INTEGERS:
            return int(t.value)
        if t.datatype in _FLOATS:
            return float(t.value)
    except ValueError:
        return t.value
    if t.datatype == _XSD + "boolean":
        return t.value in ("true", "1")
    return t.value


def _labels(engine: Engine, res: Result) -> dict[str, str]:
    from .query.results import labels_for

    return labels_for(engine, res)
