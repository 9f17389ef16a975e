"""The catalogue on a real Oxigraph server, with and without the union default graph: loaded with
`bindergraph publish`, every case (tests/test_endpoint_cases.py) answered through `--endpoint` as the
embedded store answers it. The server (PyPI `oxigraph`, in the test extra) runs in memory on a free
loopback port and is stopped after the module."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from bindergraph import paths
from bindergraph.cli import main
from bindergraph.errors import QueryError
from bindergraph.query.engine import PREFIXES, RemoteEngine
from bindergraph.query.store import graph_iri

sys.path.insert(0, str(Path(__file__).parent))
from serving import free_port, stop, wait_up  # noqa: E402
from test_endpoint_cases import CASES, answer, differences  # noqa: E402

OXIGRAPH = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
pytestmark = pytest.mark.skipif(OXIGRAPH is None, reason="the `oxigraph` server command is not installed "
                                                          "(pip install -e '.[test]' installs it)")
STARTUP_SECONDS = 20.0


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:PORT

    @property
    def query(self) -> str:
        return self.base + "/query"

    @property
    def store(self) -> str:
        return self.base + "/store"


def start_oxigraph(*options: str) -> tuple[subprocess.Popen, Server]:
    """A read-write in-memory `oxigraph serve` on a free loopback port, answering."""
    port = free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--bind", f"127.0.0.1:{port}", *options],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = Server(f"http://127.0.0.1:{port}")
    try:
        wait_up(proc, server.query, STARTUP_SECONDS)
    except RuntimeError:
        stop(proc)
        raise
    return proc, server


@pytest.fixture(scope="module")
def started() -> Iterator[callable]:
    """start(*options) -> Server; every server started is stopped after the module."""
    procs: list[subprocess.Popen] = []

    def start(*options: str) -> Server:
        proc, server = start_oxigraph(*options)
        procs.append(proc)
        return server

    yield start
    for proc in procs:
        stop(proc)


def publish(full_build: Path, server: Server, *extra: str):
    return CliRunner().invoke(main, ["--out", str(full_build), "publish", "--to", server.store, *extra])


@pytest.fixture(scope="module", params=["separate-graphs", "union-default-graph"])
def loaded(request, started, full_build) -> Server:
    """An Oxigraph server holding the build, published by `bindergraph publish`."""
    server = started(*(["--union-default-graph"] if request.param == "union-default-graph" else []))
    res = publish(full_build, server)
    assert res.exit_code == 0, res.output
    assert "counts match" in res.stdout
    return server


@pytest.fixture(scope="module")
def local_answers(engine) -> dict:
    return {case: answer(engine, case) for case in CASES}


# ----------------------------------------------------------------------------------- the catalogue
def test_whole_catalogue_same_as_embedded(loaded, local_answers):
    remote = RemoteEngine(loaded.query)
    differing = {}
    for case in CASES:
        diff = differences(case.qid, local_answers[case], answer(remote, case))
        if diff:
            differing[str(case)] = diff
    assert not differing, differing
    # the answers compared are real ones: most cases have rows, and the misspelt ones fail alike
    rows = [a for a in local_answers.values() if not isinstance(a, str) and a.rows]
    assert len(rows) >= 45
    assert any(isinstance(a, str) and "did you mean PVDF" in a for a in local_answers.values())


def test_graphs_named_in_each_request(loaded):
    """Without the protocol's dataset a store without a union default graph reads an empty graph."""
    query = PREFIXES + "SELECT ?label WHERE { bgr:PVDF rdfs:label ?label }"
    named = RemoteEngine(loaded.query).select(query).rows
    assert [r["label"].value for r in named] == ["poly(vinylidene fluoride)"]
    plain = RemoteEngine(loaded.query, dataset="default").select(query).rows
    assert len(plain) == (1 if "union" in _mode(loaded) else 0)


def _mode(server: Server) -> str:
    """Which server of the two: its default graph holds triples only with the union option."""
    plain = RemoteEngine(server.query, dataset="default")
    return "union" if plain.ask("ASK { ?s ?p ?o }") else "separate"


def test_from_in_a_query_is_the_querys_own(loaded):
    """A query's FROM chooses its dataset (sent as the protocol's, which the union server honours)."""
    ontology = graph_iri("ontology")
    q = f"SELECT (COUNT(*) AS ?n) FROM <{ontology}> WHERE {{ ?s ?p ?o }}"
    g = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ontology}> {{ ?s ?p ?o }} }}"
    remote = RemoteEngine(loaded.query)
    n = remote.select(q).rows[0]["n"].value
    assert n == remote.select(g).rows[0]["n"].value
    assert 0 < int(n) < 10000


# ----------------------------------------------------------------------------- stores that show nothing
def test_empty_store_says_what_to_change(started, full_build):
    server = started()
    res = CliRunner().invoke(main, ["--out", str(full_build), "query", "binders-for-material",
                                    "--endpoint", server.query])
    assert res.exit_code != 0
    assert f"error: query binders-for-material: parameter material: endpoint {server.query} shows no bindergraph " \
           "claim, in its default graph or in the bindergraph graphs (https://w3id.org/bindergraph/graph/…): " \
           "load the N-Quads export into it" in res.output
    assert "Traceback" not in res.output


def test_store_with_other_data_names_the_missing_graph(started, full_build):
    """A lab's own data, but not the graph: the advice, not "unknown id or label 'PVDF'"."""
    server = started()
    req = urllib.request.Request(server.base + "/update", method="POST",
                                 data=b"INSERT DATA { <urn:lab:sample1> <urn:lab:made> \"today\" }",
                                 headers={"Content-Type": "application/sparql-update"})
    urllib.request.urlopen(req, timeout=5).read()
    res = CliRunner().invoke(main, ["--out", str(full_build), "query", "binders-for-material",
                                    "--param", "material=PVDF", "--endpoint", server.query])
    assert res.exit_code != 0 and res.output.count("\n") == 1
    assert f"endpoint {server.query} shows no bindergraph claim" in res.output and "unknown id" not in res.output
    # told to read the store's default graph as it is, the unknown name itself names what to change
    with pytest.raises(QueryError, match=rf"^endpoint {server.query} shows none of the bindergraph graph "
                                         r"\(unknown id or label 'PVDF'\): load the N-Quads export"):
        RemoteEngine(server.query, dataset="default").resolve_entity("PVDF")


# ------------------------------------------------------------------------------------------ publish
def test_publish_dry_run_sends_nothing(full_build):
    res = CliRunner().invoke(main, ["--out", str(full_build), "publish", "--to", "http://127.0.0.1:9/store",
                                    "--dry-run", "--chunk-triples", "10000"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert f"would send <{graph_iri('ontology')}>: " in res.output
    data = next(line for line in lines if f"<{graph_iri('data')}>" in line)
    triples = int(re.search(r": (\d+) triples in (\d+) chunks", data).group(1))
    assert f"in {-(-triples // 10000)} chunks (1 PUT, {-(-triples // 10000) - 1} POST)" in data
    assert lines[-1].startswith("to http://127.0.0.1:9/store: 6 graphs, ")


def _nq_lines(full_build: Path) -> list[str]:
    return (paths.current_build(full_build) / "graph.nq").read_text(encoding="utf-8").splitlines(keepends=True)


def test_publish_file_in_chunks_arrives_whole(started, full_build, engine, tmp_path):
    """--file, and graphs larger than a chunk: PUT then POSTs, the store ends with every triple once.
    The store first holds an older, bigger data graph: the first chunk must replace it, not add to it."""
    nq = tmp_path / "merged.nq"
    nq.write_text("".join(_nq_lines(full_build)), encoding="utf-8")
    server = started()
    stale = f"<urn:lab:old> <urn:lab:p> <urn:lab:o> <{graph_iri('data')}> .\n"
    old = tmp_path / "old.nq"
    old.write_text(stale, encoding="utf-8")
    assert publish(full_build, server, "--file", str(old)).exit_code == 0
    res = publish(full_build, server, "--file", str(nq), "--chunk-triples", "7000")
    assert res.exit_code == 0, res.output
    sent = [line for line in res.stderr.splitlines() if f"<{graph_iri('data')}>" in line]
    assert sent[0].startswith("put ") and len(sent) > 3 and all(s.startswith("post ") for s in sent[1:])
    remote = RemoteEngine(server.query, dataset="default")
    n = int(remote.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri('data')}> {{ ?s ?p ?o }} }}")
            .rows[0]["n"].value)
    expected = sum(1 for line in _nq_lines(full_build) if line.rstrip().endswith(f"<{graph_iri('data')}> ."))
    assert n == expected > 3 * 7000
    assert not remote.ask("ASK { GRAPH ?g { <urn:lab:old> ?p ?o } }")
    # the answers read through the chunks are the embedded store's
    for case in (c for c in CASES if c.qid in ("binders-for-material", "binder-drawbacks") and not c.params):
        assert not differences(case.qid, answer(engine, case), answer(RemoteEngine(server.query), case))


def test_publish_blank_nodes_stay_one_node(started, full_build, tmp_path):
    """A blank node's triples must reach the store in one request, or the node splits in two."""
    g = graph_iri("ontology")
    lines = [f"_:b <urn:x:p{i}> \"{i}\" <{g}> .\n" for i in range(5)]
    lines += [f"<urn:x:s{i}> <urn:x:q> <urn:x:o> <{g}> .\n" for i in range(5)]
    nq = tmp_path / "blank.nq"
    nq.write_text("".join(lines), encoding="utf-8")
    server = started()
    res = publish(full_build, server, "--file", str(nq), "--chunk-triples", "2")
    assert res.exit_code == 0, res.output
    rows = RemoteEngine(server.query, dataset="default").select(
        f"SELECT DISTINCT ?b WHERE {{ GRAPH <{g}> {{ ?b <urn:x:p0> ?x ; <urn:x:p4> ?y }} }}").rows
    assert len(rows) == 1


def test_publish_bad_file_is_one_line(full_build, tmp_path):
    lines = _nq_lines(full_build)[:5]
    lines.insert(3, "<urn:a> <urn:b> not-a-term <urn:g> .\n")
    bad = tmp_path / "bad.nq"
    bad.write_text("".join(lines), encoding="utf-8")
    res = CliRunner().invoke(main, ["--out", str(full_build), "publish", "--to", "http://127.0.0.1:9/store",
                                    "--file", str(bad), "--dry-run"])
    assert res.exit_code != 0 and res.output.count("\n") == 1
    assert res.output.startswith(f"error: cannot read {bad}: Parser error at line 4 ")
    missing = tmp_path / "missing.nq"
    res = CliRunner().invoke(main, ["publish", "--to", "http://127.0.0.1:9/store", "--file", str(missing)])
    assert res.exit_code != 0 and res.output == f"error: cannot read {missing}: No such file or directory\n"


def test_publish_default_graph_triples_refused(full_build, tmp_path):
    nt = tmp_path / "plain.nq"
    nt.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["publish", "--to", "http://127.0.0.1:9/store", "--file", str(nt), "--dry-run"])
    assert res.exit_code != 0 and res.output.count("\n") == 1
    assert res.output.startswith(f"error: {nt}: a triple outside any named graph")


def test_publish_counts_match_and_is_idempotent(started, full_build):
    server = started()
    for _ in range(2):  # PUT replaces each graph: a second upload leaves the same counts
        res = publish(full_build, server)
        assert res.exit_code == 0, res.output
        assert res.stdout.startswith("published ") and res.stdout.rstrip().endswith("counts match")
    n = RemoteEngine(server.query, dataset="default").select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri('data')}> {{ ?s ?p ?o }} }}").rows[0]["n"].value
    assert int(n) > 1000


def test_publish_refused_connection_is_one_line(full_build):
    res = CliRunner().invoke(main, ["--out", str(full_build), "publish", "--to", f"http://127.0.0.1:{free_port()}/store"])
    assert res.exit_code != 0
    assert res.output.startswith("error: cannot reach store http://127.0.0.1:") and res.output.count("\n") == 1


def test_publish_http_error_is_one_line(started, full_build):
    server = started()
    res = CliRunner().invoke(main, ["--out", str(full_build), "publish", "--to", server.base + "/nowhere",
                                    "--query-endpoint", server.query])
    assert res.exit_code != 0
    assert res.output.startswith(f"error: store {server.base}/nowhere refused graph <https://w3id.org/bindergraph/graph/")
    assert res.output.count("\n") == 1


def test_query_endpoint_beside_the_graph_store():
    from bindergraph.publish.upload import query_endpoint_for

    assert query_endpoint_for("http://127.0.0.1:7878/store") == "http://127.0.0.1:7878/query"  # Oxigraph server
    assert query_endpoint_for("http://127.0.0.1:3030/ds/data") == "http://127.0.0.1:3030/ds/sparql"  # Fuseki
    assert query_endpoint_for("http://127.0.0.1:8890/sparql-graph-crud") == "http://127.0.0.1:8890/sparql-graph-crud"
