"""The local SPARQL endpoint, exercised over HTTP on loopback with real clients."""
from __future__ import annotations

import contextlib
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner

from bindergraph.query import store
from bindergraph.cli import main
from bindergraph.errors import BindergraphError, NotBuiltError
from bindergraph.query.engine import RemoteEngine, Term
from bindergraph.publish import serve
from bindergraph.publish.serve import ServerConfig, make_server, parse_origins
from serving import serving, url

SELF_HEALING = "SELECT ?b WHERE { ?b a bg:SelfHealingBinder } ORDER BY ?b"


@pytest.fixture(scope="module", params=["memory", "disk"])
def endpoint(request, full_build):
    """The endpoint answering from the graph loaded into memory, and from the on-disk store."""
    with serving(full_build, timeout=2.0, max_rows=200, store=request.param) as server:
        assert server.in_memory == (request.param == "memory")
        yield url(server)


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
    local = runner.invoke(main, ["--out", str(full_build), "query", "binders-for-mechanism", "--format", "csv"])
    remote = runner.invoke(main, ["--out", str(full_build), "query", "binders-for-mechanism", "--format", "csv",
                                  "--endpoint", endpoint])
    assert remote.exit_code == 0 and _csv_rows(remote.output) == _csv_rows(local.output)
    param = runner.invoke(main, ["--out", str(full_build), "query", "binders-for-material", "--param",
                                 "material=LNMO", "--format", "csv", "--endpoint", endpoint])
    assert param.exit_code == 0 and "resource/sericin" in param.output
    hostile = runner.invoke(main, ["--out", str(full_build), "query", "binder-profile", "--param",
                                   'binder=x" } ; DROP ALL #', "--endpoint", endpoint])
    assert hostile.exit_code == 2 and "unknown id or label" in hostile.output
    again = runner.invoke(main, ["--out", str(full_build), "query", "binders-for-mechanism", "--endpoint", endpoint])
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


# ------------------------------------------------------------------------------ hardening
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # runs until it is killed
ASK = "ASK { ?b a bg:SelfHealingBinder }"


@contextlib.contextmanager
def _serving(full_build, **options):
    """An endpoint with its own options, on a free port (yields the port)."""
    with serving(full_build, **options) as server:
        yield server.server_address[1]


def _port(endpoint: str) -> int:
    return urllib.parse.urlsplit(endpoint).port


def _url(port: int, query: str) -> str:
    return f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": query})


def _fetch(req, timeout=30) -> tuple[int, dict, bytes]:
    """Status, headers and body, for error statuses too."""
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _raw(port: int, data: bytes, timeout: float = 10) -> tuple[bytes, bool]:
    """Send bytes on a new connection; what the server answers, and whether it then closed the
    connection (rather than leaving it open until our timeout)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while chunk := sock.recv(1 << 16):
                chunks.append(chunk)
        except socket.timeout:
            return b"".join(chunks), False
        except ConnectionResetError:
            pass
    return b"".join(chunks), True


def _status_of(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1])


def _connected(listener: socket.socket, wait: float) -> bool:
    """Whether a connection reached the listener within `wait` seconds (it is accepted and closed)."""
    if not select.select([listener], [], [], wait)[0]:
        return False
    listener.accept()[0].close()
    return True


def test_service_is_refused_and_nothing_reaches_the_network(full_build):
    with socket.create_server(("127.0.0.1", 0)) as listener, _serving(full_build) as port:
        target = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        spellings = [f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
                     f"ASK {{ service silent <{target}> {{ }} }}",
                     f"SELECT * WHERE {{ ?s ?p trueSERVICE<{target}>{{}} }}"]
        for query in spellings:
            status, _, body = _fetch(_url(port, query))
            assert status == 400 and body.decode().startswith("SERVICE is not allowed: "), body
            post = urllib.request.Request(f"http://127.0.0.1:{port}/sparql", data=query.encode(), method="POST",
                                          headers={"Content-Type": "application/sparql-query"})
            assert _fetch(post)[0] == 400
        assert not _connected(listener, 1.0)


def test_without_the_guard_the_same_query_would_call_out(full_build, monkeypatch):
    """The listener above would see a connection: the engine does execute SERVICE."""
    monkeypatch.setattr(serve, "refuse_remote", lambda query: None)
    with socket.create_server(("127.0.0.1", 0)) as listener, _serving(full_build, timeout=2.0) as port:
        target = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        threading.Thread(target=_fetch, args=(_url(port, f"ASK {{ SERVICE <{target}> {{ }} }}"),), daemon=True).start()
        assert _connected(listener, 10.0)


def test_cors_is_off_by_default(endpoint):
    origin = {"Origin": "http://evil.example"}
    status, headers, _ = _fetch(urllib.request.Request(endpoint + "?" + urllib.parse.urlencode({"query": ASK}),
                                                       headers=origin))
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    status, headers, _ = _fetch(urllib.request.Request(endpoint, method="OPTIONS",
                                                       headers={**origin, "Access-Control-Request-Method": "POST"}))
    assert status == 204 and "Access-Control-Allow-Origin" not in headers


def test_cors_for_listed_origins_only(full_build):
    app, other = "http://localhost:3000", "http://evil.example"
    with _serving(full_build, cors=parse_origins(["http://LocalHost:3000/"])) as port:
        for origin, allowed in ((app, app), (other, None)):
            _, headers, _ = _fetch(urllib.request.Request(_url(port, ASK), headers={"Origin": origin}))
            assert headers.get("Access-Control-Allow-Origin") == allowed and headers["Vary"] == "Origin"
            pre = urllib.request.Request(f"http://127.0.0.1:{port}/sparql", method="OPTIONS",
                                         headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                  "Access-Control-Request-Headers": "content-type"})
            status, headers, _ = _fetch(pre)
            assert status == 204 and headers.get("Access-Control-Allow-Origin") == allowed
            assert ("POST" in headers.get("Access-Control-Allow-Methods", "")) == bool(allowed)
    with _serving(full_build, cors=("*",)) as port:
        _, headers, _ = _fetch(urllib.request.Request(_url(port, ASK), headers={"Origin": other}))
        assert headers["Access-Control-Allow-Origin"] == "*"


def test_cors_option_takes_origins_only():
    assert parse_origins(["*", "https://Example.org:8443/"]) == ("*", "https://example.org:8443")
    message = r"^--cors 'example.org': not an origin \(scheme://host\[:port\], or \*\)$"
    with pytest.raises(BindergraphError, match=message):
        parse_origins(["example.org"])


def test_head_options_and_other_methods(endpoint):
    url = endpoint + "?" + urllib.parse.urlencode({"query": ASK})
    status, headers, body = _fetch(urllib.request.Request(url))
    assert status == 200 and json.loads(body)["boolean"] is True
    status, head_headers, head_body = _fetch(urllib.request.Request(url, method="HEAD"))
    assert status == 200 and head_body == b"" and head_headers["Content-Length"] == str(len(body))
    status, headers, _ = _fetch(urllib.request.Request(endpoint, method="OPTIONS"))
    assert status == 204 and headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    status, headers, _ = _fetch(urllib.request.Request(endpoint, method="TRACE"))
    assert status == 405 and headers["Allow"] == "GET, HEAD, POST, OPTIONS"


@pytest.mark.parametrize("framing, status", [
    ("Content-Length: -1", 400), ("Content-Length: abc", 400), ("Content-Length: 5\r\nContent-Length: 5", 400),
    ("Content-Length: 5, 5", 400), ("Content-Length: 10000000", 413), ("Transfer-Encoding: chunked", 411),
    ("", 411)])
def test_strict_content_length(endpoint, framing, status):
    head = f"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n{framing}\r\n\r\n"
    raw, closed = _raw(_port(endpoint), head.replace("\r\n\r\n\r\n", "\r\n\r\n").encode())
    assert _status_of(raw) == status and closed, raw[:200]


def test_oversized_body_gets_413_not_a_broken_pipe(endpoint):
    req = urllib.request.Request(endpoint, data=b"#" * 10_000_000, method="POST",
                                 headers={"Content-Type": "application/sparql-query"})
    status, _, body = _fetch(req)
    assert status == 413 and body == b"request body of 10000000 bytes exceeds the limit of 1000000 bytes\n"


def test_oversized_head_and_keep_alive(endpoint):
    raw, closed = _raw(_port(endpoint), b"GET /sparql?query=" + b"x" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert _status_of(raw) == 431 and closed
    two = (f"GET /sparql?{urllib.parse.urlencode({'query': ASK})} HTTP/1.1\r\nHost: x\r\n\r\n" * 2).encode()
    raw, closed = _raw(_port(endpoint), two + b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert raw.count(b'"boolean":true') == 2 and raw.count(b"HTTP/1.1 200 OK") == 3 and closed


def test_idle_and_slow_connections_time_out(full_build):
    with _serving(full_build, head_timeout=0.5) as port:
        start = time.monotonic()
        raw, closed = _raw(port, b"")  # connects and says nothing
        assert raw == b"" and closed and time.monotonic() - start < 5
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:  # a head sent byte by byte
            start = time.monotonic()
            with pytest.raises((BrokenPipeError, ConnectionResetError)):
                for byte in b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n" * 100:
                    sock.send(bytes([byte]))
                    time.sleep(0.05)
            assert time.monotonic() - start < 5


def test_idle_sockets_cannot_lock_out_a_new_client(full_build):
    with _serving(full_build, max_connections=20) as port:
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(60)]
        try:
            status, _, body = _fetch(_url(port, ASK), timeout=10)
            assert status == 200 and json.loads(body)["boolean"] is True
            idle[0].settimeout(5)
            assert idle[0].recv(1) == b""  # the longest idle was closed to make room
        finally:
            for sock in idle:
                sock.close()


def test_slow_queries_cannot_starve_a_cheap_one(full_build):
    """Four cross products against two fast and two slow workers: two run on in the slow lane, two
    are refused as busy once they leave the fast lane, and an ASK is answered meanwhile."""
    with _serving(full_build, timeout=8.0, fast_workers=2, slow_workers=2) as port:
        with ThreadPoolExecutor(max_workers=4) as pool:
            slow = [pool.submit(_fetch, _url(port, CROSS)) for _ in range(4)]
            time.sleep(1.5)  # all four have left the fast lane
            start = time.monotonic()
            status, _, body = _fetch(_url(port, ASK))
            assert status == 200 and json.loads(body)["boolean"] is True
            assert time.monotonic() - start < 4.0  # not after the slow ones (8 s)
            answers = sorted((f.result()[0], f.result()[2].decode()) for f in slow)
    assert [a[0] for a in answers] == [503] * 4
    assert sum(a[1].startswith("server busy: 2 long-running queries are already running") for a in answers) == 2
    assert sum(a[1] == "query timed out after 8 s\n" for a in answers) == 2


# -------------------------------------------------------------------------------- shutdown
def _children(pid: int) -> list[int]:
    """Every descendant of a process, from /proc."""
    out = []
    for task in os.listdir(f"/proc/{pid}/task") if os.path.isdir(f"/proc/{pid}/task") else []:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                kids = [int(k) for k in fh.read().split()]
        except OSError:
            continue
        for kid in kids:
            out += [kid, *_children(kid)]
    return out


def _alive(pid: int) -> bool:
    return _stat(pid)[:1] not in ([], ["Z"])  # a zombie has stopped


def _running_query(pids: list[int]) -> bool:
    """Whether one of the workers runs a query for a while already (the server renices it then)."""
    return any(_stat(pid)[16] != "0" for pid in pids if _stat(pid))


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat from its third field (state) on, or [] once the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _own_groups(pids: list[int]) -> bool:
    try:
        return bool(pids) and all(os.getpgid(pid) == pid for pid in pids)
    except ProcessLookupError:
        return False


@contextlib.contextmanager
def _serve_process(full_build):
    """`bindergraph serve` as a process, with a cross product running in one of its workers."""
    proc = subprocess.Popen([sys.executable, "-m", "bindergraph", "--out", str(full_build), "serve", "--port", "0",
                             "--timeout", "600"], stderr=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r":(\d+)/sparql", proc.stderr.readline()).group(1))
        client = ThreadPoolExecutor(max_workers=1)
        answer = client.submit(_fetch, _url(port, CROSS), 60)
        deadline = time.monotonic() + 20
        while not _running_query(_children(proc.pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = _children(proc.pid)
        assert _running_query(workers) and _own_groups(workers)  # each worker leads its own process group
        yield proc, workers, answer
        client.shutdown(wait=False)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc")
def test_sigterm_stops_the_server_and_its_workers(full_build):
    with _serve_process(full_build) as (proc, workers, answer):
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        assert time.monotonic() - start < 2.0
        assert not any(_alive(w) for w in workers)
        status, _, body = answer.result(timeout=5)  # the client is answered, not left hanging
        assert (status, body) == (503, b"the server is shutting down\n")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_killed_server(full_build):
    with _serve_process(full_build) as (proc, workers, _):
        proc.kill()  # SIGKILL: the server cleans nothing up
        proc.wait(timeout=10)
        deadline = time.monotonic() + 2.0
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not any(_alive(w) for w in workers)
