"""Nothing reaches the network from a query: SERVICE is refused by every CLI engine unless the user
opts in (`--allow-service`); a local listener proves that no request arrives."""
from __future__ import annotations

import socket
import threading

import pytest
from click.testing import CliRunner

from bindergraph.cli import main
from bindergraph.errors import QueryError


@pytest.fixture()
def listener():
    """A TCP listener on loopback that counts the connections it receives (and answers nothing)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    hits: list[int] = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            hits.append(1)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1], hits
    stop.set()
    thread.join(2)
    sock.close()


def _service_query(port: int) -> str:
    return f"SELECT * WHERE {{\n  SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }}\n}}"


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_service_refused_by_local_engines(small_build, listener, engine):
    port, hits = listener
    res = CliRunner().invoke(main, ["--out", str(small_build), "sparql", _service_query(port), "--engine", engine])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: SERVICE is not allowed")
    assert "line 2" in lines[0]  # the user's own line, not shifted by the predeclared prefixes
    assert hits == []


def test_service_refused_before_a_remote_endpoint_is_asked(small_build, listener):
    """With --endpoint the query would make that endpoint call a third address: refused before sending."""
    port, hits = listener
    res = CliRunner().invoke(main, ["--out", str(small_build), "sparql", _service_query(port),
                                    "--endpoint", f"http://127.0.0.1:{port}/sparql"])
    assert res.exit_code == 2 and res.output.startswith("error: SERVICE is not allowed")
    assert hits == []


def test_service_in_a_query_file_refused(small_build, listener, tmp_path):
    port, hits = listener
    f = tmp_path / "fed.rq"
    f.write_text("# a federated query\n" + _service_query(port).replace("SERVICE", "service silent"), encoding="utf-8")
    res = CliRunner().invoke(main, ["--out", str(small_build), "query", "--file", str(f)])
    assert res.exit_code == 2 and "SERVICE is not allowed" in res.output and "line 3" in res.output
    assert hits == []


def test_the_word_in_text_is_not_refused(small_build):
    res = CliRunner().invoke(main, ["--out", str(small_build), "sparql",
                                    'SELECT ?b WHERE { ?b rdfs:label ?l FILTER(?l != "SERVICE <http://x/>") } LIMIT 1'])
    assert res.exit_code == 0, res.output


def test_allow_service_opts_in_and_still_fails_in_one_line(small_build, listener):
    """The opt-in really sends the request (so the tests above would see one), and a failing remote
    service is one error line, not a traceback."""
    port, hits = listener
    res = CliRunner().invoke(main, ["--out", str(small_build), "sparql", _service_query(port), "--allow-service"])
    assert hits, "with --allow-service oxigraph calls the service"
    assert res.exit_code != 0
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1
    assert res.output.startswith("error: ")


def test_rdflib_engine_limits_are_one_line(small_build):
    """rdflib answers GRAPH from graph.nq beside graph.nt; given graph.nt alone, GRAPH gets a line that says
    which engine to use."""
    from bindergraph import paths
    from bindergraph.query.engine import RdflibEngine

    res = CliRunner().invoke(main, ["--out", str(small_build), "sparql", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                    "--engine", "rdflib", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "https://w3id.org/bindergraph/graph/data" in res.output
    alone = RdflibEngine(RdflibEngine.from_file(paths.current_build(small_build) / "graph.nt").graph)
    with pytest.raises(QueryError) as err:
        alone.select("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert str(err.value) == ("the rdflib engine reads graph.nt, which has no named graphs: GRAPH, FROM "
                              "and FROM NAMED need the oxigraph engine")


def test_out_of_memory_is_one_line(small_build, monkeypatch):
    """A MemoryError anywhere in a command (a huge answer, a huge record) ends in one line, exit 1."""
    import bindergraph.query.stats as stats

    def exhausted(*_args, **_kwargs):
        raise MemoryError
    monkeypatch.setattr(stats, "stats_output", exhausted)
    res = CliRunner().invoke(main, ["--out", str(small_build), "stats"])
    assert res.exit_code == 1
    assert res.output.strip() == "error: out of memory (the earlier outputs are unchanged)"
