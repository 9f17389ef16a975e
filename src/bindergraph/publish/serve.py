"""`bindergraph serve`: a read-only SPARQL 1.1 Protocol endpoint over the built store.

Each query runs in a forked worker process (publish/workers.py), in two lanes so that slow queries
cannot starve cheap ones, and is killed at the timeout. A worker either inherits the graph the
server loaded into memory before it started listening (fork shares it copy-on-write), or opens the
on-disk store read-only. Updates are refused (403), queries that would call other endpoints
(SERVICE) are refused before they run (400, query/guard.py), results larger than the cap are
refused (413) rather than truncated silently; answers are serialised by pyoxigraph itself, in the
media type the client prefers (Accept q-values; 406 when none fits). The default graph is the union of
the named graphs unless the query (FROM, FROM NAMED) or the request (default-graph-uri, named-graph-uri)
names graphs; a GET without a query gets the SPARQL 1.1 service description. Entity IRIs are answered
too (/resource/ID, /ontology): the page of publish/site/ for a browser, the triples for an RDF
Accept header. Connections are handled by a strict HTTP/1.1 server
on one event loop (publish/http11.py: timeouts, body limit, connection cap). No CORS header is sent
unless `cors` lists the requesting origin (or is `*`). SIGTERM or Ctrl-C stops the server and kills
every worker.
"""
from __future__ import annotations

import asyncio
import io
import itertools
import re
import resource
import signal
import socket
import threading
import urllib.parse
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from ..errors import BindergraphError, NotBuiltError, QueryError
from ..paths import current_build
from ..query.engine import BGR, PREFIXES, XSD, OxigraphEngine, dataset_clause
from ..query.guard import refuse_remote
from ..query.store import build_dir, choose_memory, open_memory_store, open_store
from .http11 import Http11Server, Limits, Request, Response, listen
from .workers import LaneConfig, Reply, WorkerPool, text_reply

ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"
_CORS_METHODS = ("GET", "HEAD", "POST")
_FD_RESERVE = 64  # descriptors kept for worker pipes, the store and the listening socket


@dataclass(frozen=True)
class ServerConfig:
    out_dir: Path  # a build output (see `bindergraph build`)
    timeout: float = 10.0
    max_rows: int = 10000
    prefixes: bool = True
    store: str = "auto"  # memory | disk | auto (memory when the graph is small; see store.choose_memory)
    cors: tuple[str, ...] = ()  # origins allowed to read answers in a browser; "*" for any
    # Lanes (publish/workers.py): every query starts on one of fast_workers; one still running after
    # promote_after seconds moves to one of slow_workers. Twice as many fast as slow leave room for cheap
    # queries while as many new slow ones have not yet moved.
    fast_workers: int = 8
    slow_workers: int = 4
    promote_after: float = 0.5
    max_body: int = 1_000_000  # bytes of a POST body
    head_timeout: float = 10.0  # seconds for a request head (idle keep-alive or slow headers)
    max_connections: int = 1000  # at most this many (fewer if the file-descriptor limit is lower)

    def lanes(self) -> LaneConfig:
        return LaneConfig(self.timeout, self.fast_workers, self.slow_workers, self.promote_after)

    def limits(self) -> Limits:
        fd_soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        budget = self.max_connections if fd_soft == resource.RLIM_INFINITY else fd_soft - _FD_RESERVE
        return Limits(max_body=self.max_body, head_timeout=self.head_timeout,
                      max_connections=max(1, min(self.max_connections, budget)))


_ORIGIN = re.compile(r"[a-z][a-z0-9+.\-]*://[^/\s?#]+")


def parse_origins(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Origins for --cors, as browsers send them (lower case, no path or trailing slash); `*` as is."""
    origins = []
    for value in values:
        origin = value.strip().rstrip("/").lower()
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise BindergraphError(f"--cors {value!r}: not an origin (scheme://host[:port], or *)")
        origins.append(origin)
    return tuple(origins)


# ---------------------------------------------------------------------- content negotiation
def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their quality (q=1 unless given; a bad q counts as 0)."""
    ranges = []
    for item in accept.lower().split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if "/" not in media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    """The q of the most specific range matching `offer` (exact, then type/*, then */*); 0 if none."""
    kind = offer.split("/")[0]
    for pattern in (offer, f"{kind}/*", "*/*"):
        qs = [q for media, q in ranges if media == pattern]
        if qs:
            return max(qs)
    return 0.0


def choose(accept: str, offers: list[str]) -> str | None:
    """The offer the client prefers (highest q; on a tie, the earlier offer); the first offer when the
    client states no preference; None when it accepts none of them (406)."""
    ranges = _accept_ranges(accept or "")
    if not ranges:
        return offers[0]
    best, best_q = None, 0.0
    for offer in offers:
        q = _quality(offer, ranges)
        if q > best_q:
            best, best_q = offer, q
    return best


def _not_acceptable(offers: list[str]) -> Reply:
    return text_reply(406, "not acceptable: this answer is available as " + ", ".join(dict.fromkeys(offers)))


# ---------------------------------------------------------------------- the dataset of a query
@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a query reads (SPARQL 1.1 Protocol, 2.1.4): the graphs of the request's
    default-graph-uri / named-graph-uri when given (they override the query's own), else the query's
    FROM / FROM NAMED, else the union of every graph as default graph (the store's own convention)."""
    union: bool = True
    default: list[str] | None = None  # IRIs; None: as the query says
    named: list[str] | None = None

    @classmethod
    def of(cls, query: str, params: dict[str, list[str]]) -> Dataset:
        default, named = params.get("default-graph-uri", []), params.get("named-graph-uri", [])
        if default or named:
            return cls(False, default, named)
        return cls(not dataset_clause(query))

    def options(self) -> dict:
        """Keyword arguments of pyoxigraph's Store.query."""
        if self.union:
            return {"use_default_graph_as_union": True}
        if self.default is None:
            return {}
        return {"default_graph": [ox.NamedNode(g) for g in self.default],
                "named_graphs": [ox.NamedNode(g) for g in self.named or []]}


def _check_graph_iris(params: dict[str, list[str]]) -> None:
    for name in ("default-graph-uri", "named-graph-uri"):
        for iri in params.get(name, []):
            try:
                ox.NamedNode(iri)
            except ValueError:
                raise QueryError(f"{name}: not an IRI: {iri[:80]!r}") from None


# ---------------------------------------------------------------------- in the worker process
# Results are serialised by pyoxigraph itself; the media types each answer is offered in, in order of
# preference (the first one when the client states none).
_RESULTS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
            "application/json": ox.QueryResultsFormat.JSON,
            "application/sparql-results+xml": ox.QueryResultsFormat.XML,
            "application/xml": ox.QueryResultsFormat.XML, "text/xml": ox.QueryResultsFormat.XML,
            "text/csv": ox.QueryResultsFormat.CSV, "text/tab-separated-values": ox.QueryResultsFormat.TSV}
_GRAPHS = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
           "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD}
# the `format` request parameter, by the kind of answer: a short name for a media type
_FORMAT_PARAM = {"results": {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                             "csv": "text/csv", "tsv": "text/tab-separated-values"},
                 "graph": {"ttl": "text/turtle", "turtle": "text/turtle", "nt": "application/n-triples",
                           "jsonld": "application/ld+json", "json": "application/ld+json",
                           "xml": "application/rdf+xml", "rdfxml": "application/rdf+xml"}}
_PREFIX_MAP = dict(re.findall(r"PREFIX (\w+): <([^>]+)>", PREFIXES))
_STORES: dict[str, ox.Store] = {}  # in a worker: the on-disk store of the current build, opened once
_ENGINES: dict[int, OxigraphEngine] = {}  # one engine per store: the site's pages cache their lookups on it


def _store(source: ox.Store | str) -> ox.Store:
    """The in-memory store inherited through fork, or the current build's on-disk store: looked up
    per job (so the server follows rebuilds, and never reads a build folder a later build removed)
    but opened once per build."""
    if isinstance(source, ox.Store):
        return source
    folder = str(build_dir(Path(source)))
    if folder not in _STORES:
        _STORES.clear()
        _ENGINES.clear()
        _STORES[folder] = open_store(Path(source))
    return _STORES[folder]


def _engine(store: ox.Store) -> OxigraphEngine:
    if id(store) not in _ENGINES:
        _ENGINES[id(store)] = OxigraphEngine(store)
    return _ENGINES[id(store)]


def _run_job(source: ox.Store | str, kind: str, *args) -> Reply:
    """One job of the server: a query, the service description, or an entity's page."""
    try:
        store = _store(source)
        if kind == "query":
            return _run_query(store, *args)
        if kind == "describe":
            return _describe_service(store, *args)
        return _resource(store, *args)
    except NotBuiltError as exc:
        return text_reply(503, str(exc))
    except Exception as exc:  # reported to the client; the server itself keeps running
        return text_reply(500, f"query failed: {type(exc).__name__}: {str(exc)[:300]}")


def _run_query(store: ox.Store, query: str, dataset: dict, accept: str, fmt: str | None, max_rows: int) -> Reply:
    try:
        res = store.query(query, **Dataset(**dataset).options())
        if isinstance(res, (ox.QueryBoolean, ox.QuerySolutions)):
            return _results_reply(res, accept, fmt, max_rows)
        return _graph_reply(res, accept, fmt, max_rows)
    except SyntaxError as exc:
        return text_reply(400, f"SPARQL syntax error: {str(exc).splitlines()[0]}")
    except (OSError, RuntimeError) as exc:  # an evaluation error, raised while the results are read
        return text_reply(500, f"query failed: {type(exc).__name__}: {str(exc)[:300]}")


def _results_reply(res, accept: str, fmt: str | None, max_rows: int) -> Reply:
    offers = list(_RESULTS)
    media = choose(_asked("results", fmt, accept), offers)
    if media is None:
        return _not_acceptable(offers)
    form, out = _RESULTS[media], _Capped(max_rows * _BYTES_PER_ROW)
    try:
        res.serialize(out, format=form)
    except OSError:
        if not out.over:
            raise
        return text_reply(413, f"result exceeds {max_rows} rows ({out.limit} bytes); add a LIMIT")
    body = out.getvalue()
    if isinstance(res, ox.QuerySolutions) and _over(body, form, max_rows):
        return text_reply(413, f"result exceeds {max_rows} rows; add a LIMIT")
    return Reply(200, form.media_type, body)


_BYTES_PER_ROW = 8192  # a serialised answer larger than the cap's rows times this is refused while it is written


class _Capped(io.BytesIO):
    """The serialised answer, written by pyoxigraph; a write past `limit` bytes stops it (rows are
    counted once written, so without this an answer of millions of rows would be held whole first)."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit, self.over = limit, False

    def write(self, data) -> int:
        if self.tell() + len(data) > self.limit:
            self.over = True
            raise OSError("answer too large")
        return super().write(data)


def _over(body: bytes, form: ox.QueryResultsFormat, max_rows: int) -> bool:
    """Whether a serialised answer holds more than max_rows solutions. A byte count bounds them from
    above (exact for XML, where text escapes `<`; in JSON `,{` separates solutions but may also occur in
    a string; a CSV field may hold line breaks); only an answer above the cap by that count is parsed."""
    if form == ox.QueryResultsFormat.XML:
        return body.count(b"<result>") + body.count(b"<result/>") > max_rows
    bound = body.count(b",{") + 1 if form == ox.QueryResultsFormat.JSON else body.count(b"\n") - 1
    return bound > max_rows and _count_rows(body, form) > max_rows


def _count_rows(body: bytes, form: ox.QueryResultsFormat) -> int:
    if form == ox.QueryResultsFormat.CSV:
        import csv
        import io

        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8"), newline=""))) - 1
    return sum(1 for _ in ox.parse_query_results(body, format=form))


def _asked(kind: str, fmt: str | None, accept: str) -> str:
    """What the client asks for: the `format` parameter (a short name, or a media type as Virtuoso
    takes it) when given, else its Accept header."""
    if fmt and "/" in fmt:
        return fmt
    return _FORMAT_PARAM[kind].get((fmt or "").lower(), accept)


def _graph_reply(res, accept: str, fmt: str | None, max_rows: int) -> Reply:
    offers = list(_GRAPHS)
    media = choose(_asked("graph", fmt, accept), offers)
    if media is None:
        return _not_acceptable(offers)
    triples = list(itertools.islice(res, max_rows + 1))
    if len(triples) > max_rows:
        return text_reply(413, f"result exceeds {max_rows} triples; add a LIMIT")
    return Reply(200, media, ox.serialize(triples, format=_GRAPHS[media], prefixes=_PREFIX_MAP))


# ---------------------------------------------------------------------- service description
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
_FORMATS_NS = "http://www.w3.org/ns/formats/"
_RESULT_FORMAT_IRIS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                       "Turtle", "N-Triples", "RDF_XML", "JSON-LD")
_SD_OFFERS = ["text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"]
_GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
_UNION_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _describe_service(store: ox.Store, endpoint: str, media: str) -> Reply:
    """The SPARQL 1.1 Service Description of the endpoint, with the triples of each graph counted."""
    union = int(next(iter(store.query(_UNION_COUNT, use_default_graph_as_union=True)))["n"].value)
    graphs = [(sol["g"], int(sol["n"].value)) for sol in store.query(_GRAPH_COUNTS)]
    return Reply(200, media, ox.serialize(service_triples(endpoint, union, graphs), format=_GRAPHS[media],
                                          prefixes={"sd": SD, "void": VOID, "formats": _FORMATS_NS}))


def service_triples(endpoint: str, union: int, graphs: list[tuple[ox.NamedNode, int]]) -> list[ox.Triple]:
    sd = lambda name: ox.NamedNode(SD + name)  # noqa: E731
    rdf_type, triples = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), []
    count = lambda n: ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))  # noqa: E731
    service, dataset, default = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("default")
    triples += [ox.Triple(service, rdf_type, sd("Service")),
                ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
                ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
                ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
                ox.Triple(service, sd("defaultDataset"), dataset),
                ox.Triple(dataset, rdf_type, sd("Dataset")),
                ox.Triple(dataset, sd("defaultGraph"), default),
                ox.Triple(default, rdf_type, sd("Graph")),
                ox.Triple(default, ox.NamedNode(VOID + "triples"), count(union))]
    triples += [ox.Triple(service, sd("resultFormat"), ox.NamedNode(_FORMATS_NS + f)) for f in _RESULT_FORMAT_IRIS]
    for i, (name, n) in enumerate(graphs):
        named, graph = ox.BlankNode(f"named{i}"), ox.BlankNode(f"graph{i}")
        triples += [ox.Triple(dataset, sd("namedGraph"), named), ox.Triple(named, rdf_type, sd("NamedGraph")),
                    ox.Triple(named, sd("name"), name), ox.Triple(named, sd("graph"), graph),
                    ox.Triple(graph, rdf_type, sd("Graph")), ox.Triple(graph, ox.NamedNode(VOID + "triples"), count(n))]
    return triples


# ---------------------------------------------------------------------- entity IRIs
_PAGE_OFFERS = ["text/html", "application/xhtml+xml", "text/turtle", "application/n-triples", "application/ld+json"]
_RDF_FILES = {"text/turtle": "ttl", "application/n-triples": "nt", "application/ld+json": "jsonld"}


def _resource(store: ox.Store, local_id: str | None, media: str) -> Reply:
    """An entity's (or, for None, the ontology's) description in the media type negotiated: its page
    (publish/site/, with links to the other IRIs the server answers), or its triples."""
    from . import site

    engine = _engine(store)
    try:
        if media in _RDF_FILES:
            text = (site.ontology_rdf(engine, _RDF_FILES[media]) if local_id is None
                    else site.entity_rdf(engine, local_id, _RDF_FILES[media]))
            if not text.strip():  # no triple names it
                return text_reply(404, f"unknown entity {local_id!r}: no triples about {BGR}{local_id}")
            return Reply(200, media, text.encode("utf-8"))
        page = (site.render_ontology_page(engine, suffix="") if local_id is None
                else site.render_entity_page(engine, local_id, suffix=""))
        return Reply(200, "text/html; charset=utf-8", page.encode("utf-8"))
    except QueryError as exc:
        return text_reply(404, str(exc).splitlines()[0])


# ---------------------------------------------------------------------- in the server
def _text(status: int, message: str) -> Response:
    return Response(status, (message + "\n").encode())


def _with_charset(ctype: str) -> str:
    return ctype if "charset" in ctype or not ctype.startswith("text/") else ctype + "; charset=utf-8"


def _guard(query: str) -> None:
    """query/guard.py's refusal of SERVICE and LOAD. Its tokenizer costs about 0.3 ms on a catalogue
    query, so it runs only when the text holds one of those words at all: the guard refuses a token
    whose upper case contains SERVICE (or is LOAD), and such a token's upper case is part of the text's."""
    upper = query.upper()
    if "SERVICE" in upper or "LOAD" in upper:
        refuse_remote(query)


_REFUSE_UPDATE = (403, "read-only endpoint: SPARQL Update is not accepted")
_RESOURCE = re.compile(r"/resource/([^/]+)")


class SparqlHandler:
    """The SPARQL 1.1 Protocol over one request: routing, parameters, CORS; queries go to the pool."""

    def __init__(self, config: ServerConfig, pool: WorkerPool, address: tuple[str, int] = ("127.0.0.1", 0)):
        self.config, self.pool, self.address = config, pool, address
        # the ontology's page or RDF as first answered, per (build folder, media type): rendering the page
        # takes about a second, and it changes only with a new build (as the site writes it once)
        self._ontology: dict[tuple[str, str], Reply] = {}

    async def __call__(self, req: Request) -> Response:
        try:
            resp = await self._route(req)
        except Exception as exc:  # a bug must not take the connection loop down
            resp = _text(500, f"internal error: {type(exc).__name__}")
        resp.headers += self._cors(req)
        return resp

    async def _route(self, req: Request) -> Response:
        url = urllib.parse.urlsplit(req.target)
        if req.method == "OPTIONS":
            return self._options(req)
        if req.method in ("PUT", "DELETE", "PATCH"):
            return _text(*_REFUSE_UPDATE)
        if req.method not in _CORS_METHODS:
            return Response(405, b"method not allowed\n", headers=[("Allow", ALLOWED_METHODS)])
        if url.path == "/sparql":
            query_params = urllib.parse.parse_qs(url.query)
            if req.method == "POST":
                return await self._post(req, query_params)
            return await self._params(req, query_params)
        if req.method == "POST":
            return Response(405, b"method not allowed: POST queries to /sparql\n", headers=[("Allow", "GET, HEAD")])
        if url.path in ("/", "/index.html"):
            return Response(200, _LANDING.encode(), "text/html; charset=utf-8")
        page = _RESOURCE.fullmatch(url.path)
        if page or url.path == "/ontology":
            return await self._resource(req, urllib.parse.unquote(page.group(1)) if page else None)
        return _text(404, "not found: the endpoint is /sparql, entities are /resource/ID, the ontology /ontology")

    async def _post(self, req: Request, query_params: dict[str, list[str]]) -> Response:
        ctype = req.header("content-type").split(";")[0].strip().lower()
        body = req.body.decode("utf-8", "replace")
        if ctype == "application/sparql-update":
            return _text(*_REFUSE_UPDATE)
        if ctype == "application/sparql-query":
            return await self._answer(req, body, query_params)
        if ctype == "application/x-www-form-urlencoded":
            return await self._params(req, {**query_params, **urllib.parse.parse_qs(body)}, form=True)
        return _text(415, "use application/sparql-query or a urlencoded form")

    async def _params(self, req: Request, params: dict[str, list[str]], form: bool = False) -> Response:
        if "update" in params:
            return _text(*_REFUSE_UPDATE)
        if "query" in params:
            return await self._answer(req, params["query"][0], params)
        if form:
            return _text(400, "missing `query` parameter")
        return await self._describe(req)

    async def _answer(self, req: Request, query: str, params: dict[str, list[str]]) -> Response:
        try:
            _guard(query)
            _check_graph_iris(params)
        except QueryError as exc:
            return _text(400, str(exc))
        dataset = Dataset.of(query, params)
        text = PREFIXES + query if self.config.prefixes else query
        fmt = params.get("format", [None])[0]
        reply = await self.pool.run("query", text, asdict(dataset), req.header("accept"), fmt, self.config.max_rows)
        return _response(reply)

    async def _describe(self, req: Request) -> Response:
        """A GET of /sparql without a query: the service description."""
        media = choose(req.header("accept"), _SD_OFFERS)
        if media is None:
            return _response(_not_acceptable(_SD_OFFERS))
        own = "{}:{}".format(f"[{self.address[0]}]" if ":" in self.address[0] else self.address[0], self.address[1])
        endpoint = f"http://{req.header('host') or own}/sparql"  # the address the client used
        if not _is_iri(endpoint):
            endpoint = f"http://{own}/sparql"
        return _response(await self.pool.run("describe", endpoint, media), vary=True)

    async def _resource(self, req: Request, local_id: str | None) -> Response:
        media = choose(req.header("accept"), _PAGE_OFFERS)
        if media is None:
            return _response(_not_acceptable(_PAGE_OFFERS), vary=True)
        if local_id is None:
            return _response(await self._ontology_reply(media), vary=True)
        return _response(await self.pool.run("resource", local_id, media), vary=True)

    async def _ontology_reply(self, media: str) -> Reply:
        """/ontology in `media`, rendered by a worker once per build (errors are not kept)."""
        key = (str(current_build(self.config.out_dir)), media)
        if key not in self._ontology:
            reply = await self.pool.run("resource", None, media)
            if reply.status != 200:
                return reply
            self._ontology = {k: v for k, v in self._ontology.items() if k[0] == key[0]}  # drop older builds
            self._ontology[key] = reply
        return self._ontology[key]

    # ------------------------------------------------------------------ OPTIONS and CORS
    def _allowed_origin(self, req: Request) -> str | None:
        """The Access-Control-Allow-Origin value for this request, if its origin is listed."""
        origin = req.header("origin")
        if "*" in self.config.cors:
            return "*"
        return origin if origin and origin in self.config.cors else None

    def _cors(self, req: Request) -> list[tuple[str, str]]:
        if req.method == "OPTIONS" or not self.config.cors:
            return []  # a preflight's headers are set by _options
        allowed = self._allowed_origin(req)
        headers = [("Access-Control-Allow-Origin", allowed)] if allowed else []
        return headers if "*" in self.config.cors else headers + [("Vary", "Origin")]

    def _options(self, req: Request) -> Response:
        resp = Response(204, headers=[("Allow", ALLOWED_METHODS)])
        allowed = self._allowed_origin(req)
        asked = req.header("access-control-request-method").upper()
        if allowed and asked in _CORS_METHODS:  # a CORS preflight from a listed origin
            resp.headers += [("Access-Control-Allow-Origin", allowed),
                             ("Access-Control-Allow-Methods", ", ".join(_CORS_METHODS)),
                             ("Access-Control-Allow-Headers", "Accept, Content-Type"),
                             ("Access-Control-Max-Age", "600")]
        if self.config.cors and "*" not in self.config.cors:
            resp.headers.append(("Vary", "Origin"))
        return resp


def _response(reply: Reply, vary: bool = False) -> Response:
    """A worker's reply as a response; `vary` for answers whose form depends on the Accept header alone."""
    headers = list(reply.headers) + ([("Vary", "Accept")] if vary else [])
    return Response(reply.status, reply.body, _with_charset(reply.content_type), headers)


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
        return True
    except ValueError:
        return False


_LANDING = """<!doctype html><meta charset="utf-8"><title>bindergraph SPARQL endpoint</title>
<h1>bindergraph SPARQL endpoint</h1><p>Read-only SPARQL 1.1 Protocol endpoint at <code>/sparql</code>
(GET or POST; JSON, XML, CSV, TSV results, and Turtle, N-Triples, RDF/XML, JSON-LD graphs, by content
negotiation; a GET without a query describes the service). Common prefixes (bg:, bgr:, skos:, oa:, ...)
are predeclared. Every entity has a page at its IRI's path (<a href="/resource/PAA">/resource/PAA</a>;
Turtle, N-Triples or JSON-LD by Accept), and so has <a href="/ontology">the ontology</a>.</p>
<form action="/sparql"><textarea name="query" rows="6" cols="80">SELECT ?binder WHERE { ?binder a bg:SelfHealingBinder }</textarea>
<br><select name="format"><option>json</option><option>csv</option><option>tsv</option><option>xml</option></select>
<button>Run</button></form>"""


class Server:
    """The endpoint on a bound socket: `serve_forever()` runs it in the calling thread until
    `shutdown()` (from another thread), SIGTERM or SIGINT (when run in the main thread)."""

    def __init__(self, config: ServerConfig, sock: socket.socket, source: ox.Store | str, in_memory: bool):
        self.config, self.sock, self.in_memory = config, sock, in_memory
        # a worker closes the server's sockets, which it inherits when forked
        self.pool = WorkerPool(config.lanes(), partial(_run_job, source), lambda: self.http.fds())
        handler = SparqlHandler(config, self.pool, sock.getsockname()[:2])
        self.http = Http11Server(sock, handler, config.limits())
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started, self._stopped = threading.Event(), threading.Event()
        self._entered = False

    @property
    def server_address(self) -> tuple[str, int]:
        return self.sock.getsockname()[:2]

    def serve_forever(self) -> None:
        self._stopped.clear()
        self._entered = True
        try:
            asyncio.run(self._main())
        finally:
            self._stopped.set()
            self._started.set()  # also when it failed to start: shutdown() must not wait for it

    def shutdown(self) -> None:
        """Stop serve_forever (running in another thread) and wait until it has returned."""
        if not self._entered:
            return
        self._started.wait()
        if not self._stopped.is_set():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._stopped.wait()

    def server_close(self) -> None:
        self.sock.close()

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        signals = _catch_signals(self._loop, self._stop.set)
        try:
            self.pool.start()  # workers are forked before any client connects
            await self.http.start()
            self._started.set()
            await self._stop.wait()
        finally:
            self.pool.kill_all()  # first: no worker may outlive the server, even for a moment
            await self.http.close()
            for sig in signals:
                self._loop.remove_signal_handler(sig)


def _catch_signals(loop: asyncio.AbstractEventLoop, stop) -> list[int]:
    """SIGTERM and SIGINT stop the server cleanly (only the main thread may handle signals)."""
    if threading.current_thread() is not threading.main_thread():
        return []
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    return [signal.SIGTERM, signal.SIGINT]


def make_server(config: ServerConfig, host: str = "127.0.0.1", port: int = 8000) -> Server:
    """A server over the build in config.out_dir; with the graph in memory if config.store says so
    (loaded here, before any worker is forked). `server.in_memory` tells which."""
    in_memory = choose_memory(config.out_dir, config.store)
    if in_memory:
        source: ox.Store | str = open_memory_store(config.out_dir)
    else:
        open_store(config.out_dir)  # fails here, with a clear error, if there is no usable store
        source = str(config.out_dir)
    _preload(source)
    return Server(config, listen(host, port), source, in_memory)


def _preload(source: ox.Store | str) -> None:
    """Import the entity pages' code (and rdflib with it) before the workers are forked, and, for the
    graph in memory, read what every page looks up once (entities, records, the ontology's terms) into
    the engine the workers inherit: a cold worker took 350 ms for a page, a warm one takes 10 ms."""
    try:
        from . import site

        if isinstance(source, ox.Store):
            engine = _engine(source)
            first = site.entities(engine)[0]
            site.render_entity_page(engine, first.id, suffix="")
    except Exception:  # noqa: BLE001 - pages then start cold, and report their own errors per request
        pass
