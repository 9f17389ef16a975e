"""The engines that answer queries (embedded pyoxigraph, rdflib, a remote endpoint), and the RDF terms
and results they share. The catalogue is in catalogue.py, name matching in names.py.

Parameters arrive bound as RDF terms (see catalogue.py). Oxigraph plans joins before it applies substitutions, so it also gets
the bound terms as a leading VALUES block, serialised by pyoxigraph itself: that lets a bound
parameter drive the join order. A remote endpoint gets the same VALUES block, the only way the
SPARQL protocol allows.
"""
from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import QueryError
from .guard import refuse_remote, tokens
from .store import GRAPH_BASE, PARTS

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
# The named graphs a build writes (graph.nq, `export --format nq`): the dataset every engine answers over.
PROJECT_GRAPHS = tuple(GRAPH_BASE + part for part in PARTS)


_FROM_WORD = re.compile(r"\bFROM\b", re.I)


def dataset_clause(query: str) -> bool:
    """Whether the query chooses its own dataset (FROM / FROM NAMED in code, not in a string or comment).
    The regular expression spares the tokenizer (and `serve` the time) for queries without the word."""
    return bool(_FROM_WORD.search(query)) and any(t.kind == "word" and t.text.upper() == "FROM"
                                                  for t in tokens(query))


def dataset_params(query: str) -> list[tuple[str, str]]:
    """The query's FROM / FROM NAMED graphs as the protocol's default-graph-uri / named-graph-uri: the same
    dataset, said in the form every store honours (Oxigraph server with its union default graph ignores FROM)."""
    code = [t for t in tokens(query) if t.kind not in ("ws", "comment")]
    prefixes: dict[str, str] = {}
    out = []
    for i, t in enumerate(code):
        word = t.text.upper() if t.kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(code) and code[i + 2].kind == "iri":
            prefixes[code[i + 1].text] = code[i + 2].text[1:-1]
        if word != "FROM" or i + 1 >= len(code):
            continue
        named = code[i + 1].kind == "word" and code[i + 1].text.upper() == "NAMED"
        graph = code[i + 2] if named and i + 2 < len(code) else code[i + 1]
        out.append(("named-graph-uri" if named else "default-graph-uri", _iri_of(graph.text, prefixes)))
    return out


def _iri_of(text: str, prefixes: dict[str, str]) -> str:
    if text.startswith("<"):
        return text[1:-1]
    prefix, _, local = text.partition(":")
    if prefix + ":" not in prefixes:
        raise QueryError(f"FROM {text}: undeclared prefix {prefix}:")
    return prefixes[prefix + ":"] + local


def _reads_named_graphs(query: str) -> bool:
    return any(t.kind == "word" and t.text.upper() in ("FROM", "GRAPH") for t in tokens(query))


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
    from rdflib import BNode, Literal, URIRef

    if t.kind == "uri":
        return URIRef(_check_iri(t.value))
    if t.kind == "bnode":  # only in CONSTRUCT answers being serialised; never bound as a parameter
        return BNode(t.value)
    return Literal(t.value, lang=t.lang, datatype=t.datatype)


@dataclass
class Result:
    variables: list[str]
    rows: list[dict[str, Term]]


@dataclass
class Triples:
    """The graph a CONSTRUCT or DESCRIBE query answers."""
    triples: list[tuple[Term, Term, Term]]


Answer = Result | bool | Triples  # SELECT, ASK, CONSTRUCT / DESCRIBE


class QuerySyntaxError(QueryError):
    """A syntax error at a line and column of the query text an engine was given."""

    def __init__(self, detail: str, line: int | None = None, column: int | None = None, source: str | None = None):
        self.detail, self.line, self.column, self.source = detail, line, column, source
        where = f" at line {line}, column {column}" if line else ""
        if source:
            where += f" of {source}" if line else f" in {source}"
        super().__init__(f"SPARQL syntax error{where}: {detail}")


@contextmanager
def user_text(source: str, prepended: str = PREFIXES) -> Iterator[None]:
    """Report a syntax error at the line of the user's own text (`source`: "the query", a file name),
    which the engine received with `prepended` (the common prefixes) before it."""
    try:
        yield
    except QuerySyntaxError as exc:
        shift = prepended.count("\n")
        line = exc.line - shift if exc.line and exc.line > shift else exc.line
        raise QuerySyntaxError(exc.detail, line, exc.column, source) from None


_OX_POSITION = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.S)


def _syntax_error(exc: BaseException) -> QuerySyntaxError:
    """Oxigraph's \"error at L:C: expected one of …\" or pyparsing's lineno/col, as line, column and a short detail."""
    text = str(exc)
    m = _OX_POSITION.match(text)
    if m:
        line, column, detail = int(m.group(1)), int(m.group(2)), m.group(3)
    else:
        line, column, detail = getattr(exc, "lineno", None), getattr(exc, "col", None), text
    if "Prefix not found" in detail:  # oxigraph lists every character it expected after an unknown prefix
        return QuerySyntaxError("undeclared prefix", line, column)
    detail = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)$", "", " ".join(_one_line(Exception(detail)).split()))
    return QuerySyntaxError(detail if len(detail) <= 120 else detail[:119] + "…", line, column)


def _oxigraph_syntax_error(exc: SyntaxError, query: str) -> QuerySyntaxError:
    """Oxigraph names the furthest point its parser tried, often the end of the query, whatever the
    mistake; rdflib's parser stops at the clause that fails, so its position is taken then."""
    err = _syntax_error(exc)
    if err.line is None or "\n".join(query.split("\n")[err.line - 1:])[err.column - 1:].strip():
        return err  # a position before the end: oxigraph's own
    from rdflib.plugins.sparql import parser

    try:
        parser.parseQuery(query)
    except Exception as other:  # pyparsing errors of several kinds
        better = _syntax_error(other)
        if better.line:
            return better
    return err


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


# -------------------------------------------------------------------------------------- engines
class Engine:
    name = "engine"
    # SERVICE (and LOAD) would make the engine fetch from the network: refused unless the user opts in
    # (`--allow-service` on the CLI; `bindergraph serve` never does). See query/guard.py.
    allow_remote: bool = False

    def guard(self, query: str) -> None:
        """Refuse a query that would reach the network; positions are given in the user's text (after
        the predeclared prefixes)."""
        if not self.allow_remote:
            refuse_remote(query[len(PREFIXES):] if query.startswith(PREFIXES) else query)

    def select(self, query: str, bindings: dict[str, Term] | None = None) -> Result:
        """A SELECT query's rows (any other form is an error)."""
        answer = self.run(query, bindings)
        if not isinstance(answer, Result):
            raise QueryError("only SELECT queries are supported here")
        return answer

    def run(self, query: str, bindings: dict[str, Term] | None = None) -> Answer:
        """Any query form: SELECT -> Result, ASK -> bool, CONSTRUCT / DESCRIBE -> Triples."""
        raise NotImplementedError

    def resolve_entity(self, value: str) -> Term:
        """An id (PVDF), a CURIE (bgr:PVDF), a full IRI, or a label / alternative label, matched without
        regard to case, micro sign (µ-Si, μ-Si) or superscripts (Li⁺, Li+); see `find_entity`."""
        from .names import did_you_mean, entity_names, find_entity

        if value.startswith(("http://", "https://")):
            return Term("uri", _check_iri(value))
        found = find_entity(self, value)
        if found is None:
            raise QueryError(f"unknown id or label {value!r}{did_you_mean(value, entity_names(self))}")
        return found

    def unknown(self, exc: QueryError) -> QueryError:
        """The error for a name the graph does not hold (a remote store may say why; see RemoteEngine)."""
        return exc

    def _exists(self, iri: Term) -> bool:
        r = self.select("SELECT ?s ?p WHERE { ?s ?p ?o } LIMIT 1", {"s": iri})
        return bool(r.rows)


class OxigraphEngine(Engine):
    name = "oxigraph"

    def __init__(self, store: ox.Store):
        self.store = store

    def run(self, query: str, bindings: dict[str, Term] | None = None) -> Answer:
        res = self._query(query, bindings)
        try:  # solutions are computed while they are read: errors (an opted-in SERVICE failing) come here
            if isinstance(res, ox.QuerySolutions):
                return result_from([v.value for v in res.variables], res, from_ox)
            if isinstance(res, ox.QueryBoolean):
                return bool(res)
            return Triples([(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in res])
        except (OSError, RuntimeError) as exc:
            raise QueryError(f"query failed: {_one_line(exc)}") from None

    def _query(self, query: str, bindings: dict[str, Term] | None):
        self.guard(query)
        terms = {k: to_ox(v) for k, v in (bindings or {}).items()}
        if terms and _WHERE.search(query):  # bound-variable hint for the planner; see _with_values
            query = _with_values(query, {k: str(t) for k, t in terms.items()})
        subs = {ox.Variable(k): t for k, t in terms.items()}
        try:
            # the default graph is the union of the named graphs, unless the query names its own (FROM)
            return self.store.query(query, use_default_graph_as_union=not dataset_clause(query),
                                    substitutions=subs or None)
        except SyntaxError as exc:
            raise _oxigraph_syntax_error(exc, query) from None
        except RuntimeError as exc:  # e.g. a bound variable missing from the SELECT clause
            raise QueryError(f"query cannot run: {_one_line(exc)}") from None


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

    def __init__(self, graph, quads: Path | None = None):
        import rdflib.plugins.sparql

        _patch_rdflib_distinct_aggregates()
        # FROM <iri> of a graph rdflib does not hold would make it fetch the IRI from the network
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
        self.graph, self.quads, self._dataset = graph, quads, None

    @classmethod
    def from_file(cls, path: Path) -> "RdflibEngine":
        """graph.nt; graph.nq beside it, when there, answers queries that name graphs (FROM, GRAPH)."""
        from rdflib import Graph

        g = Graph()
        g.parse(path, format="nt")
        quads = path.with_suffix(".nq")
        return cls(g, quads if quads.is_file() else None)

    def _graph_for(self, query: str):
        """The plain graph, or the dataset of named graphs (read once, when first needed) for a query
        that names graphs: a plain graph would ignore FROM and refuse GRAPH."""
        if self.quads is None or not _reads_named_graphs(query):
            return self.graph
        if self._dataset is None:
            from rdflib import Dataset

            self._dataset = Dataset(default_union=True)
            self._dataset.parse(self.quads, format="nquads")
        return self._dataset

    def run(self, query: str, bindings: dict[str, Term] | None = None) -> Answer:
        try:  # rdflib evaluates while the rows are read, and raises bare Exceptions for its limits
            res = self._query(query, bindings)
            if res.type == "SELECT":
                return result_from([str(v) for v in res.vars], res, from_rdflib)
            if res.type == "ASK":
                return bool(res.askAnswer)
            return Triples([(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in res.graph])
        except QueryError:
            raise
        except Exception as exc:  # noqa: BLE001 - any rdflib failure is one line for the user
            if "requiring a dataset" in str(exc):
                raise QueryError("the rdflib engine reads graph.nt, which has no named graphs: GRAPH, FROM and "
                                 "FROM NAMED need the oxigraph engine") from None
            raise QueryError(f"query failed on rdflib: {_one_line(exc)}") from None

    def _query(self, query: str, bindings: dict[str, Term] | None):
        from rdflib.plugins.sparql import prepareQuery

        self.guard(query)
        try:
            prepared = prepareQuery(query)
        except Exception as exc:  # rdflib raises pyparsing errors of several kinds
            raise _syntax_error(exc) from None
        return self._graph_for(query).query(prepared, initBindings={k: to_rdflib(v) for k, v in (bindings or {}).items()})


# What to change when a store shows none of the graph (printed after "endpoint URL …: ").
LOAD_ADVICE = ("load the N-Quads export into it (`bindergraph publish --to STORE-URL`, or `bindergraph export --format nq` "
               "and the store's loader) or enable its union default graph (`oxigraph serve --union-default-graph`, "
               "TDB2 `unionDefaultGraph`)")
# Whether a dataset shows the graph: one indexed lookup, cheap on a store of any size.
_HOLDS_CLAIMS = "ASK { ?c a <https://w3id.org/bindergraph/ontology#Claim> }"
# Result sizes at which stores cut an answer without an error (Virtuoso's ResultSetMaxRows is 10,000).
ROW_CAPS = (1000, 10000, 100000)


class RemoteEngine(Engine):
    """Any SPARQL 1.1 Protocol endpoint (Fuseki, GraphDB, QLever, Virtuoso, Oxigraph server, `bindergraph serve`).

    A store loaded with the N-Quads export holds every triple in a named graph, and its default graph
    is their union only if it is configured so. So a first request asks whether the store's own default
    graph holds bindergraph claims (a union default graph, or N-Triples loaded into it): then requests go
    as they are; if not, each request names the project's graphs as its dataset (`default-graph-uri` and
    `named-graph-uri`). The store's own default graph is preferred because engines answer some queries
    differently over a dataset of several graphs (Virtuoso 7: transitive paths). A query that names its
    own graphs (FROM) is sent with them. `dataset`: "auto" (probe once), "graphs" or "default"."""
    name = "remote"

    def __init__(self, url: str, timeout: float = 60.0, dataset: str = "auto"):
        if not url.startswith(("http://", "https://")):
            raise QueryError(f"endpoint must be an http(s) URL: {url!r}")
        self.url, self.timeout, self.dataset = url, timeout, dataset
        self._capped: str | None = None

    def select(self, query: str, bindings: dict[str, Term] | None = None) -> Result:
        _, body = self._post(query, bindings, "application/sparql-results+json")
        return self._checked(query, parse_json_results(self._json(body)))

    def run(self, query: str, bindings: dict[str, Term] | None = None) -> Answer:
        """The endpoint says by its content type whether it answered a table, a boolean or a graph."""
        ctype, body = self._post(query, bindings, "application/sparql-results+json, application/n-triples;q=0.9, "
                                                  "text/turtle;q=0.8")
        if ctype in _GRAPH_MEDIA:
            try:
                quads = ox.parse(body, format=_GRAPH_MEDIA[ctype])
                return Triples([(from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)) for q in quads])
            except SyntaxError:
                raise QueryError(f"endpoint {self.url} returned a graph that does not parse as {ctype}") from None
        payload = self._json(body)
        answer = _boolean(payload)
        if answer is not None:
            return answer
        return self._checked(query, parse_json_results(payload))

    def resolve_entity(self, value: str) -> Term:
        try:
            return super().resolve_entity(value)
        except QueryError as exc:
            raise self.unknown(exc) from None

    def unknown(self, exc: QueryError) -> QueryError:
        """An unknown name, or, where the store shows no bindergraph claim at all, what to change."""
        if self.ask(_HOLDS_CLAIMS):
            return exc
        return QueryError(f"endpoint {self.url} shows none of the bindergraph graph ({exc.args[0].split(';')[0]}): "
                          + LOAD_ADVICE)

    def ask(self, query: str) -> bool:
        return self._ask(query, self._dataset_params())

    def _ask(self, query: str, params: list[tuple[str, str]]) -> bool:
        _, body = self._request(query, params, "application/sparql-results+json")
        return bool(_boolean(self._json(body)))

    def _dataset_params(self) -> list[tuple[str, str]]:
        """The protocol's dataset for the project's graphs, or none (see the class); probed once."""
        if self.dataset == "auto":
            graphs = [(k, g) for g in PROJECT_GRAPHS for k in ("default-graph-uri", "named-graph-uri")]
            if self._ask(_HOLDS_CLAIMS, []):  # the store's own default graph holds the graph: nothing to add
                self.dataset = "default"
            elif self._ask(_HOLDS_CLAIMS, graphs):
                self.dataset = "graphs"
            else:
                raise QueryError(f"endpoint {self.url} shows no bindergraph claim, in its default graph or in the "
                                 f"bindergraph graphs ({GRAPH_BASE}…): " + LOAD_ADVICE)
        if self.dataset == "graphs":
            return [(k, g) for g in PROJECT_GRAPHS for k in ("default-graph-uri", "named-graph-uri")]
        return []

    def _post(self, query: str, bindings: dict[str, Term] | None, accept: str) -> tuple[str, bytes]:
        self.guard(query)  # a SERVICE would make the endpoint call a third address for us
        if bindings:
            query = _with_values(query, {k: t.n3() for k, t in bindings.items()})
        # the query's own FROM / FROM NAMED, else the project's graphs, as the protocol's dataset
        return self._request(query, dataset_params(query) or self._dataset_params(), accept)

    def _request(self, query: str, params: list[tuple[str, str]], accept: str) -> tuple[str, bytes]:
        body = urllib.parse.urlencode([("query", query), *params]).encode("utf-8")
        req = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                self._capped = resp.headers.get("X-SPARQL-MaxRows")  # Virtuoso's mark of a cut answer
                return resp.headers.get_content_type(), resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip().splitlines()
            raise QueryError(f"endpoint {self.url} answered {exc.code}: {detail[0][:200] if detail else exc.reason}") from None
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise QueryError(f"cannot reach endpoint {self.url}: {getattr(exc, 'reason', exc)}") from None

    def _checked(self, query: str, result: Result) -> Result:
        """The rows, with a warning on stderr when they look cut at the server's row cap (HTTP 200 all the same)."""
        n = len(result.rows)
        if self._capped or (n in ROW_CAPS and not re.search(rf"\bLIMIT\s+{n}\b", query, re.I)):
            print(f"warning: endpoint {self.url} returned exactly {n} rows, which looks like its row cap: "
                  "the answer may be cut (raise the store's limit, e.g. Virtuoso's ResultSetMaxRows)", file=sys.stderr)
        return result

    def _json(self, body: bytes) -> dict:
        try:
            return json.loads(body.decode("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise QueryError(f"endpoint {self.url} did not return SPARQL JSON results") from None


def _boolean(payload: dict) -> bool | None:
    """An ASK answer: {"boolean": …}, or Virtuoso 7's one-row table of ?__ASK_RETVAL (1 or 0); None for a table."""
    if "boolean" in payload:
        return bool(payload["boolean"])
    if payload.get("head", {}).get("vars") == ["__ASK_RETVAL"]:
        rows = payload.get("results", {}).get("bindings", [])
        return bool(rows) and rows[0].get("__ASK_RETVAL", {}).get("value") not in ("0", "false")
    return None


_GRAPH_MEDIA = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE}


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
        # on the WHERE's own line, so that the lines of a syntax error stay those of the query text
        return query[: m.end()] + " " + _values_block(serialised, sorted(serialised)) + " " + query[m.end():]
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
