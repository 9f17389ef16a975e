"""The local SPARQL endpoint, exercised over HTTP on loopback with real clients."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner

from bindergraph.query import store
from bindergraph.cli import main
from bindergraph.errors import NotBuiltError
from bindergraph.query.engine import RemoteEngine, Term
from bindergraph.publish.serve import ServerConfig, make_server

SELF_HEALING = "SELECT ?b WHERE { ?b a bg:SelfHealingBinder } ORDER BY ?b"


@pytest.fixture(scope="module", params=["memory", "disk"])
def endpoint(request, full_build):
    """The endpoint answering from the graph loaded into memory, and from the on-disk store."""
    server = make_server(ServerConfig(full_build, timeout=2.0, max_rows=200, store=request.param), "127.0.0.1", 0)
    assert server.in_memory == (request.param == "memory")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address
    yield f"http://{host}:{port}/sparql"
    server.shutdown()
    server.server_close()


def _get(url, accept="application/sparql-results+json"):
    req = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status, resp.headers["Content-Type"], resp.read().decode("utf-8")


def _status(req) -> int:
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_sparqlwrapper_get_and_post(endpoint):
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    for method in ("GET", POST):
        sw = SPARQLWrapper(endpoint)
        sw.setQuery(SELF_HEALING)
        sw.setReturnFormat(JSON)
        if method == POST:
            sw.setMethod(POST)
        bindings = sw.queryAndConvert()["results"]["bindings"]
        ids = {b["b"]["value"].rsplit("/", 1)[-1] for b in bindings}
        assert "PAA-P-HEA-co-DMA" in ids


def test_content_negotiation(endpoint):
    url = endpoint + "?" + urllib.parse.urlencode({"query": SELF_HEALING})
    status, ctype, body = _get(url, "text/csv")
    assert status == 200 and ctype.startswith("text/csv") and body.splitlines()[0] == "b"
    _, ctype, body = _get(url, "text/tab-separated-values")
    assert ctype.startswith("text/tab-separated-values") and body.startswith("?b")
    _, ctype, body = _get(url, "application/sparql-results+xml")
    assert "sparql-results+xml" in ctype and "<uri>https://w3id.org/bindergraph/resource/" in body
    _, ctype, body = _get(url)
    assert json.loads(body)["head"]["vars"] == ["b"]


def test_updates_refused(endpoint):
    update = urllib.request.Request(endpoint, data=b"DROP ALL", method="POST",
                                    headers={"Content-Type": "application/sparql-update"})
    assert _status(update) == 403
    form = urllib.request.Request(endpoint, data=urllib.parse.urlencode({"update": "DROP ALL"}).encode(),
                                  method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert _status(form) == 403
    as_query = endpoint + "?" + urllib.parse.urlencode({"query": "DELETE WHERE { ?s ?p ?o }"})
    assert _status(urllib.request.Request(as_query)) == 400
    # still all there
    _, _, body = _get(endpoint + "?" + urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}))
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 20000


def test_malformed_query_and_server_survives(endpoint):
    bad = endpoint + "?" + urllib.parse.urlencode({"query": "SELECT ?x WHERE { ?x"})
    assert _status(urllib.request.Request(bad)) == 400
    status, _, _ = _get(endpoint + "?" + urllib.parse.urlencode({"query": SELF_HEALING}))
    assert status == 200


def test_timeout_and_result_cap(endpoint):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    assert _status(urllib.request.Request(endpoint + "?" + urllib.parse.urlencode({"query": slow}))) == 503
    big = "SELECT ?s WHERE { ?s ?p ?o }"
    assert _status(urllib.request.Request(endpoint + "?" + urllib.parse.urlencode({"query": big}))) == 413


def test_concurrent_clients(endpoint):
    url = endpoint + "?" + urllib.parse.urlencode({"query": SELF_HEALING})
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: _get(url)[2], range(16)))
    assert len(set(results)) == 1 and "PAA-P-HEA-co-DMA" in results[0]


def test_cli_endpoint_option(endpoint, full_build):
    runner = CliRunner()
    local = runner.invoke(main, ["--out", str(full_build), "query", "tm-trapping-binders", "--format", "csv"])
    remote = runner.invoke(main, ["--out", str(full_build), "query", "tm-trapping-binders", "--format", "csv",
                                  "--endpoint", endpoint])
    assert remote.exit_code == 0 and _csv_rows(remote.output) == _csv_rows(local.output)
    param = runner.invoke(main, ["--out", str(full_build), "query", "binders-for-material", "--param",
                                 "material=LNMO", "--format", "csv", "--endpoint", endpoint])
    assert param.exit_code == 0 and "resource/sericin" in param.output
    hostile = runner.invoke(main, ["--out", str(full_build), "query", "binder-profile", "--param",
                                   'binder=x" } ; DROP ALL #', "--endpoint", endpoint])
    assert hostile.exit_code == 2 and "unknown id or label" in hostile.output
    again = runner.invoke(main, ["--out", str(full_build), "query", "tm-trapping-binders", "--endpoint", endpoint])
    assert again.exit_code == 0 and "sodium alginate" in again.output


def _csv_rows(text: str) -> list[tuple[str, ...]]:
    """CSV rows, sorted, with the items of GROUP_CONCAT lists sorted (SPARQL leaves their order open)."""
    import csv
    import io

    return sorted(tuple(", ".join(sorted(cell.split(", "))) for cell in row) for row in csv.reader(io.StringIO(text)))


def test_cli_endpoint_unreachable(full_build):
    res = CliRunner().invoke(main, ["--out", str(full_build), "sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
                                    "--endpoint", "http://127.0.0.1:9/sparql"])
    assert res.exit_code == 2 and "cannot reach endpoint" in res.output


def test_remote_binding_round_trips_awkward_terms(endpoint):
    """Parameters travel to a remote endpoint as a serialised VALUES row: quotes, backslashes,
    newlines and braces come back unchanged, and nothing in them is executed."""
    text = 'a "quoted" \\ back\\slash\nline } ; DROP ALL # Li⁺'
    remote = RemoteEngine(endpoint)
    terms = (Term("literal", text), Term("literal", text, lang="en"),
             Term("uri", "https://w3id.org/bindergraph/resource/PVDF"))
    for t in terms:
        assert remote.select("SELECT ?v ?n WHERE { BIND(1 AS ?n) }", {"v": t}).rows[0]["v"] == t
    _, _, body = _get(endpoint + "?" + urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}))
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 20000


def test_store_choice(full_build, tmp_path, monkeypatch):
    assert store.choose_memory(full_build, "auto")  # the shipped graph is small: served from memory
    assert store.choose_memory(full_build, "memory") and not store.choose_memory(full_build, "disk")
    monkeypatch.setattr(store, "MEMORY_LIMIT_BYTES", 1000)
    assert not store.choose_memory(full_build, "auto")
    with pytest.raises(NotBuiltError, match="run `bindergraph build` first"):
        make_server(ServerConfig(tmp_path), "127.0.0.1", 0)
