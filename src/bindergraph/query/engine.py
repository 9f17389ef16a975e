"""The competency-query catalogue and the engines that answer it.

Parameters are bound as RDF terms (pyoxigraph substitutions, rdflib initBindings); user text is
never spliced into a query. Oxigraph plans joins before it applies substitutions, so it also gets
the bound terms as a leading VALUES block, serialised by pyoxigraph itself: that lets a bound
parameter drive the join order. A remote endpoint gets the same VALUES block, the only way the
SPARQL protocol allows.
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .. import paths
from ..errors import QueryError

PREFIXES = """PREFIX bg: <https://w3id.org/bindergraph/ontology#>
PREFIX bgr: <https://w3id.org/bindergraph/resource/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
"""
BGR = "https://w3id.org/bindergraph/resource/"
XSD = "http://www.w3.org/2001/XMLSchema#"


# ------------------------------------------------------------------------------------- terms
@dataclass(frozen=True, order=True)
class Term:
    """An engine-neutral RDF term in a result row."""
    kind: str  # "uri" | "literal" | "bnode"
    value: str
    datatype: str | None = None
    lang: str | None = None

    def n3(self) -> str:
        if self.kind == "uri":
            return f"<{_check_iri(self.value)}>"
        if self.kind == "bnode":
            raise QueryError("blank nodes cannot be bound as parameters")
        text = json.dumps(self.value, ensure_ascii=False)  # escapes quotes, backslashes, newlines
        if self.lang:
            return f"{text}@{self.lang}"
        if self.datatype and self.datatype != XSD + "string":
            return f"{text}^^<{_check_iri(self.datatype)}>"
        return text


def _check_iri(iri: str) -> str:
    if not iri or re.search(r"[\s<>\"{}|\\^`]", iri):
        raise QueryError(f"not a valid IRI: {iri!r}")
    return iri


def from_ox(t) -> Term | None:
    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return Term("uri", t.value)
    if isinstance(t, ox.BlankNode):
        return Term("bnode", t.value)
    dt = t.datatype.value if t.datatype else None
    if t.language:
        return Term("literal", t.value, None, t.language)
    return Term("literal", t.value, None if dt == XSD + "string" else dt)


def to_ox(t: Term):
    if t.kind == "uri":
        return ox.NamedNode(_check_iri(t.value))
    if t.lang:
        return ox.Literal(t.value, language=t.lang)
    return ox.Literal(t.value, datatype=ox.NamedNode(t.datatype)) if t.datatype else ox.Literal(t.value)


def from_rdflib(t) -> Term | None:
    from rdflib import BNode, Literal, URIRef

    if t is None:
        return None
    if isinstance(t, URIRef):
        return Term("uri", str(t))
    if isinstance(t, BNode):
        return Term("bnode", str(t))
    assert isinstance(t, Literal)
    if t.language:
        return Term("literal", str(t), None, t.language)
    dt = str(t.datatype) if t.datatype else None
    return Term("literal", str(t), None if dt == XSD + "string" else dt)


def to_rdflib(t: Term):
    from rdflib import Literal, URIRef

    if t.kind == "uri":
        return URIRef(_check_iri(t.value))
    return Literal(t.value, lang=t.lang, datatype=t.datatype)


@dataclass
class Result:
    variables: list[str]
    rows: list[dict[str, Term]]


def result_from(variables: list[str], solutions, convert) -> Result:
    """Rows of bound terms only (an unbound variable is absent from its row). Each solution yields
    the engine's terms (None when unbound) in the order of `variables`; every distinct term is
    converted once, as answers repeat the same binders, relations and sections row after row."""
    cache: dict = {}
    rows = []
    for sol in solutions:
        row = {}
        for v, t in zip(variables, sol):
            if t is not None:
                term = cache.get(t)
                if term is None:
                    term = cache[t] = convert(t)
                row[v] = term
        rows.append(row)
    return Result(variables, rows)


# ------------------------------------------------------------------------------------ catalogue
@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # entity | string | number | class
    default: str | None
    doc: str


@dataclass(frozen=True)
class CatalogueQuery:
    id: str
    title: str
    question: str
    params: tuple[Param, ...]
    text: str
    path: Path

    @property
    def body(self) -> str:
        return PREFIXES + self.text


_HEADER = re.compile(r"^#\s*(id|title|question|param):\s*(.*)$")


def parse_header(path: Path) -> CatalogueQuery:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        if key == "param":
            # param: name | kind | default (or -) | description
            parts = [p.strip() for p in value.split("|")]
            if len(parts) != 4:
                raise QueryError(f"{path.name}: malformed param header {value!r}")
            params.append(Param(parts[0], parts[1], None if parts[2] in ("", "-") else parts[2], parts[3]))
        else:
            meta[key] = value
    for key in ("id", "title", "question"):
        if key not in meta:
            raise QueryError(f"{path.name}: header lacks `# {key}:`")
    if meta["id"] != path.stem:
        raise QueryError(f"{path.name}: header id {meta['id']!r} differs from the file name")
    return CatalogueQuery(meta["id"], meta["title"], meta["question"], tuple(params), text, path)


def catalogue(directory: Path = paths.QUERIES_DIR) -> dict[str, CatalogueQuery]:
    return {q.id: q for q in (parse_header(p) for p in sorted(directory.glob("*.rq")))}


def get_query(name: str, directory: Path = paths.QUERIES_DIR) -> CatalogueQuery:
    cat = catalogue(directory)
    if name not in cat:
        close = [n for n in cat if name.lower() in n.lower()]
        hint = f"; did you mean {', '.join(close[:3])}?" if close else "; run `bindergraph queries` for the list"
        raise QueryError(f"unknown query {name!r}{hint}")
    return cat[name]


# -------------------------------------------------------------------------------------- engines
class Engine:
    name = "engine"

    def select(self, query: str, bindings: dict[str, Term] | None = None) -> Result:
        raise NotImplementedError

    def resolve_entity(self, value: str) -> Term:
        """An id (PVDF), a CURIE (bgr:PVDF), a full IRI, or a label / alternative label."""
        if value.startswith(("http://", "https://")):
            return Term("uri", _check_iri(value))
        ident = value.removeprefix("bgr:")
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._+-]*", ident):
            iri = Term("uri", BGR + ident)
            if self._exists(iri):
                return iri
        hits = self.select(PREFIXES + """SELECT DISTINCT ?e ?v WHERE {
            { ?e rdfs:label ?l } UNION { ?e skos:altLabel ?l }
            FILTER(STRSTARTS(STR(?e), "https://w3id.org/bindergraph/resource/"))
            FILTER(LCASE(STR(?l)) = LCASE(STR(?v))) } ORDER BY ?e""", {"v": Term("literal", value)})
        found = [r["e"] for r in hits.rows]
        if len(found) == 1:
            return found[0]
        if not found:
            raise QueryError(f"unknown id or label {value!r}")
        raise QueryError(f"{value!r} names several entities: {', '.join(f.value.rsplit('/', 1)[-1] for f in found)}")

    def _exists(self, iri: Term) -> bool:
        r = self.select("SELECT ?s ?p WHERE { ?s ?p ?o } LIMIT 1", {"s": iri})
        return bool(r.rows)


class OxigraphEngine(Engine):
    name = "oxigraph"

    def __init__(self, store: ox.Store):
        self.store = store

    def select(self, query: str, bindings: dict[str, Term] | None = None) -> Result:
        terms = {k: to_ox(v) for k, v in (bindings or {}).items()}
        if terms and _WHERE.search(query):  # bound-variable hint for the planner; see _with_values
            query = _with_values(query, {k: str(t) for k, t in terms.items()})
        subs = {ox.Variable(k): t for k, t in terms.items()}
        try:
            res = self.store.query(query, use_default_graph_as_union=True, substitutions=subs or None)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {_one_line(exc)}") from None
        except RuntimeError as exc:  # e.g. a bound variable missing from the SELECT clause
            raise QueryError(f"query cannot run: {_one_line(exc)}") from None
        if not isinstance(res, ox.QuerySolutions):
            raise QueryError("only SELECT queries are supported here")
        return result_from([v.value for v in res.variables], res, from_ox)


def _patch_rdflib_distinct_aggregates() -> None:
    """rdflib raises NotBoundError for DISTINCT aggregates over OPTIONAL variables (RDFLib/rdflib#882,
    #2229); SPARQL 1.1 skips unbound values in aggregates, which is what this does."""
    from rdflib.plugins.sparql import aggregates
    from rdflib.plugins.sparql.sparql import NotBoundError

    if getattr(aggregates.Accumulator, "_bindergraph_patched", False):
        return
    original = aggregates.Accumulator.use_row

    def use_row(self, row):
        try:
            return original(self, row)
        except NotBoundError:
            return False

    aggregates.Accumulator.use_row = use_row
    aggregates.Accumulator._bindergraph_patched = True


class RdflibEngine(Engine):
    """The reference engine: rdflib's own SPARQL evaluator over the same triples."""
    name = "rdflib"

    def __init__(self, graph):
        _patch_rdflib_distinct_aggregates()
        self.graph = graph

    @classmethod
    def from_file(cls, path: Path) -> "RdflibEngine":
        from rdflib import Graph

        g = Graph()
        g.parse(path, format="nt")
        return cls(g)

    def select(self, query: str, bindings: dict[str, Term] | None = None) -> Result:
        from rdflib.plugins.sparql import prepareQuery

        try:
            prepared = prepareQuery(query)
        except Exception as exc:  # rdflib raises pyparsing errors of several kinds
            raise QueryError(f"SPARQL syntax error: {_one_line(exc)}") from None
        res = self.graph.query(prepared, initBindings={k: to_rdflib(v) for k, v in (bindings or {}).items()})
        if res.type != "SELECT":
            raise QueryError("only SELECT queries are supported here")
        return result_from([str(v) for v in res.vars], res, from_rdflib)


class RemoteEngine(Engine):
    """Any SPARQL 1.1 Protocol endpoint (Fuseki, GraphDB, QLever, Virtuoso, Oxigraph server, `bindergraph serve`)."""
    name = "remote"

    def __init__(self, url: str, timeout: float = 60.0):
        if not url.startswith(("http://", "https://")):
            raise QueryError(f"endpoint must be an http(s) URL: {url!r}")
        self.url, self.timeout = url, timeout

    def select(self, query: str, bindings: dict[str, Term] | None = None) -> Result:
        if bindings:
            query = _with_values(query, {k: t.n3() for k, t in bindings.items()})
        body = urllib.parse.urlencode({"query": query}).encode("utf-8")
        req = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                payload = json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip().splitlines()
            raise QueryError(f"endpoint {self.url} answered {exc.code}: {detail[0][:200] if detail else exc.reason}") from None
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise QueryError(f"cannot reach endpoint {self.url}: {getattr(exc, 'reason', exc)}") from None
        except json.JSONDecodeError:
            raise QueryError(f"endpoint {self.url} did not return SPARQL JSON results") from None
        return parse_json_results(payload)


_WHERE = re.compile(r"\bWHERE\s*\{", re.I)
_SELECT_WHERE = re.compile(r"\bSELECT\b(.*?)\bWHERE\s*\{", re.I | re.S)
_COMMENT_LINE = re.compile(r"^[ \t]*#.*$", re.M)


def _with_values(query: str, serialised: dict[str, str]) -> str:
    """A VALUES row of already serialised terms first inside the outermost WHERE, and inside every
    subquery that projects a bound variable, so that it binds before the pattern is evaluated and
    oxigraph's planner (which ignores substitutions) starts the join from it."""
    masked = _COMMENT_LINE.sub(lambda m: " " * len(m.group()), query)  # keep offsets, skip comments
    selects = list(_SELECT_WHERE.finditer(masked))
    if not selects:
        m = _WHERE.search(masked)
        if not m:
            raise QueryError("cannot bind parameters: the query has no WHERE clause")
        return query[: m.end()] + "\n  " + _values_block(serialised, sorted(serialised)) + "\n" + query[m.end():]
    out, last = [], 0
    for i, m in enumerate(selects):
        names = sorted(serialised) if i == 0 else _projected(m.group(1), serialised)
        if names:
            out += [query[last: m.end()], " " + _values_block(serialised, names) + " "]
            last = m.end()
    return "".join(out) + query[last:]


def _projected(projection: str, serialised: dict[str, str]) -> list[str]:
    """Bound variables a subquery projects as such: `(expr AS ?x)` assigns ?x, so a VALUES row for ?x
    there would be an error; those are dropped, innermost parentheses first."""
    while (plain := re.sub(r"\([^()]*\)", " ", projection)) != projection:
        projection = plain
    star = re.sub(r"\b(DISTINCT|REDUCED)\b", "", projection, flags=re.I).strip() == "*"
    return [n for n in sorted(serialised) if star or re.search(rf"\?{re.escape(n)}\b", projection)]


def _values_block(serialised: dict[str, str], names: list[str]) -> str:
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(serialised[n] for n in names)}) }}"


def parse_json_results(payload: dict) -> Result:
    variables = payload.get("head", {}).get("vars", [])
    rows = []
    for b in payload.get("results", {}).get("bindings", []):
        row = {}
        for v, t in b.items():
            kind = {"uri": "uri", "literal": "literal", "typed-literal": "literal", "bnode": "bnode"}[t["type"]]
            dt = t.get("datatype")
            row[v] = Term(kind, t["value"], None if dt == XSD + "string" else dt, t.get("xml:lang"))
        rows.append(row)
    return Result(variables, rows)


def _one_line(exc: BaseException) -> str:
    lines = [l for l in str(exc).splitlines() if l.strip()]
    return lines[0][:200] if lines else type(exc).__name__


# ------------------------------------------------------------------------------------ running
@dataclass
class Bound:
    query: str
    bindings: dict[str, Term] = field(default_factory=dict)


def bind_params(q: CatalogueQuery, given: dict[str, str], engine: Engine) -> Bound:
    known = {p.name: p for p in q.params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise QueryError(f"query {q.id} has no parameter {unknown[0]!r}; it takes: "
                         f"{', '.join(known) or 'none'}")
    bindings: dict[str, Term] = {}
    for p in q.params:
        value = given.get(p.name, p.default)
        if value is None:
            continue
        bindings[p.name] = _param_term(p, value, engine, q.id)
    return Bound(q.body, bindings)


def _param_term(p: Param, value: str, engine: Engine, qid: str) -> Term:
    if p.kind == "entity":
        return engine.resolve_entity(value)
    if p.kind == "class":
        name = value.removeprefix("bg:")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name):
            raise QueryError(f"query {qid}: parameter {p.name} must be an ontology class name, got {value!r}")
        return Term("uri", "https://w3id.org/bindergraph/ontology#" + name)
    if p.kind == "unit":
        return _unit_term(value, qid, p.name)
    if p.kind == "number":
        try:
            float(value)
        except ValueError:
            raise QueryError(f"query {qid}: parameter {p.name} must be a number, got {value!r}") from None
        return Term("literal", value, XSD + "decimal")
    return Term("literal", value)


def _unit_term(value: str, qid: str, name: str) -> Term:
    """A unit symbol (%, S/cm), a QUDT local name (PERCENT) or a unit IRI -> the unit's IRI."""
    from ..curate.units import UNITS, lookup

    if value.startswith(("http://", "https://")):
        return Term("uri", _check_iri(value))
    try:
        return Term("uri", lookup(value).iri)
    except KeyError:
        pass
    for unit in UNITS.values():
        if unit.iri.rsplit("/", 1)[-1] == value:
            return Term("uri", unit.iri)
    raise QueryError(f"query {qid}: parameter {name}: unknown unit {value!r}")


def parse_param_args(args: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for a in args:
        if "=" not in a:
            raise QueryError(f"parameter {a!r} must look like key=value")
        k, v = a.split("=", 1)
        out[k.strip()] = v
    return out
