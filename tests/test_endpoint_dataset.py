"""Datasets: FROM / FROM NAMED honoured by the embedded engines (oxigraph, rdflib) and by `sparql` /
`query --file`; the protocol's dataset a RemoteEngine sends; a row cap noticed."""
from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from bindergraph.cli import main
from bindergraph.errors import QueryError
from bindergraph.query.engine import PREFIXES, PROJECT_GRAPHS, RemoteEngine, dataset_params
from bindergraph.query.store import graph_iri

ONTOLOGY = graph_iri("ontology")
FROM = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY}> WHERE {{ ?s ?p ?o }}"
GRAPH = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ONTOLOGY}> {{ ?s ?p ?o }} }}"
ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(engine, query: str) -> int:
    return int(engine.select(PREFIXES + query).rows[0]["n"].value)


@pytest.mark.parametrize("which", ["engine", "rdflib_engine"])
def test_from_reads_that_graph_only(which, request):
    eng = request.getfixturevalue(which)
    n = count(eng, FROM)
    assert n == count(eng, GRAPH)
    assert 1000 < n < count(eng, ALL) / 10  # the ontology, not the union of every graph


@pytest.mark.parametrize("which", ["engine", "rdflib_engine"])
def test_from_named_and_unknown_graph(which, request):
    eng = request.getfixturevalue(which)
    named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{ONTOLOGY}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert count(eng, named) == count(eng, GRAPH)
    # FROM alone leaves no named graphs; an unknown graph is empty (and nothing is fetched)
    assert count(eng, f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == 0
    assert count(eng, "SELECT (COUNT(*) AS ?n) FROM <http://example.org/no-such-graph> WHERE { ?s ?p ?o }") == 0


def test_without_from_the_default_graph_is_the_union(engine, rdflib_engine):
    assert count(engine, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == 6
    assert count(rdflib_engine, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == 6
    assert count(engine, "SELECT (COUNT(*) AS ?n) WHERE { bgr:PVDF rdfs:label ?l }") == 1


@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
def test_sparql_command_honours_from(engine_name, full_build, engine):
    res = CliRunner().invoke(main, ["--out", str(full_build), "sparql", FROM, "--engine", engine_name,
                                    "--format", "json"])
    assert res.exit_code == 0, res.output
    n = json.loads(res.stdout)["results"]["bindings"][0]["n"]["value"]
    assert int(n) == count(engine, GRAPH)


def test_dataset_params_from_the_query():
    q = PREFIXES + f"SELECT * FROM <{ONTOLOGY}> FROM NAMED bgr:x # FROM <urn:comment>\nWHERE {{ ?s ?p 'FROM <urn:s>' }}"
    assert dataset_params(q) == [("default-graph-uri", ONTOLOGY),
                                 ("named-graph-uri", "https://w3id.org/bindergraph/resource/x")]
    assert dataset_params(PREFIXES + ALL) == []
    with pytest.raises(QueryError, match="FROM nope:g: undeclared prefix nope:"):
        dataset_params("SELECT * FROM nope:g WHERE { ?s ?p ?o }")


# --------------------------------------------------------------------- a fake endpoint: what is sent
class _Fake(BaseHTTPRequestHandler):
    rows = 0          # rows every SELECT answers
    max_rows = None   # the X-SPARQL-MaxRows header Virtuoso sets on a cut answer
    union = False     # whether the default graph holds the graph (else only the named graphs do)
    seen: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        type(self).seen.append(form)
        if form["query"][0].lstrip().startswith("ASK"):
            payload = {"head": {}, "boolean": self.union or "default-graph-uri" in form}
        else:
            payload = {"head": {"vars": ["s"]}, "results": {"bindings": [
                {"s": {"type": "uri", "value": f"urn:x:{i}"}} for i in range(self.rows)]}}
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        if self.max_rows:
            self.send_header("X-SPARQL-MaxRows", str(self.max_rows))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake():
    _Fake.rows, _Fake.max_rows, _Fake.union, _Fake.seen = 0, None, False, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Fake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


def test_each_request_names_the_project_graphs(fake):
    RemoteEngine(fake).select("SELECT ?s WHERE { ?s ?p ?o }")
    sent = _Fake.seen[-1]
    assert sent["default-graph-uri"] == list(PROJECT_GRAPHS) == sent["named-graph-uri"]
    assert graph_iri("data") in sent["default-graph-uri"]


def test_a_union_default_graph_is_read_as_it_is(fake):
    _Fake.union = True
    RemoteEngine(fake).select("SELECT ?s WHERE { ?s ?p ?o }")
    assert set(_Fake.seen[-1]) == {"query"}


def test_a_querys_from_replaces_the_project_graphs(fake):
    RemoteEngine(fake).select(FROM)
    assert _Fake.seen[-1]["default-graph-uri"] == [ONTOLOGY] and "named-graph-uri" not in _Fake.seen[-1]


def test_row_cap_warned(fake, capsys):
    _Fake.rows = 10000
    RemoteEngine(fake).select("SELECT ?s WHERE { ?s ?p ?o }")
    assert capsys.readouterr().err == (f"warning: endpoint {fake} returned exactly 10000 rows, which looks like its "
                                       "row cap: the answer may be cut (raise the store's limit, e.g. Virtuoso's "
                                       "ResultSetMaxRows)\n")
    RemoteEngine(fake).select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 10000")  # asked for: no warning
    assert capsys.readouterr().err == ""
    _Fake.rows, _Fake.max_rows = 3, 3  # Virtuoso's header says so whatever the count
    RemoteEngine(fake).select("SELECT ?s WHERE { ?s ?p ?o }")
    assert "returned exactly 3 rows" in capsys.readouterr().err
