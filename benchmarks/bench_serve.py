"""Latency of `bindergraph serve` beside Oxigraph's own server, and a load test of it on loopback.

It starts `bindergraph serve` as a process (the graph in memory, as by default) and measures:
  latency     every catalogue query (default parameters, bound as a VALUES row as `--endpoint` sends
              them) through `bindergraph serve` and through `oxigraph serve-read-only
              --union-default-graph` (the `oxigraph` command from PyPI, same version as pyoxigraph,
              loaded with graph.nq) and `bindergraph serve --store disk`, --runs times each, the
              servers taking turns; the median per query on each, the ratio serve / oxigraph (goal:
              median ratio <= 1.3), and what a request without data (`ASK {}`) costs on each;
  mixed load  --clients clients on keep-alive connections: --slow-clients loop on a slow query
              (a counted cross product, about a second alone), the others send --requests cheap
              queries in all (ASK, a short SELECT, a catalogue query), each pausing --think-ms between
              requests; latency of the cheap ones (p50, p95, p99) while the slow ones run, errors;
  memory      the server's resident memory at every 1,000 cheap requests (it should not grow);
  idle        --idle idle connections held open while a new client asks: how long it waits;
  shutdown    SIGTERM while a worker runs a query that never ends: how long until the server and
              every worker are gone, and what the client gets.
Only 127.0.0.1 is contacted; every loop is bounded in count and in time.

Usage:  python benchmarks/bench_serve.py [--out BUILD_DIR] [--runs 30] [--oxigraph PATH] [--clients 32]
                                         [--slow-clients 4] [--requests 5000] [--idle 500]
                                         [--report benchmarks/SERVE.md]
"""
from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_queries import machine  # noqa: E402  (same folder: one description of the machine)

from bindergraph import paths  # noqa: E402
from bindergraph.build import BuildOptions, build  # noqa: E402
from bindergraph.publish.serve import ServerConfig  # noqa: E402
from bindergraph.query.catalogue import bind_params, catalogue, get_query  # noqa: E402
from bindergraph.query.engine import OxigraphEngine, _with_values  # noqa: E402
from bindergraph.query.store import open_store  # noqa: E402

TARGET_P99_MS = 100.0
TARGET_RATIO = 1.3  # bindergraph serve / oxigraph serve-read-only, median over the catalogue
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?a WHERE { ?a ?b ?c } LIMIT 4000 } "
        "{ SELECT ?d WHERE { ?d ?e ?f } LIMIT 4000 } }")
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = ["ASK { ?b a bg:SelfHealingBinder }",
         "SELECT ?b ?l WHERE { ?b a bg:SelfHealingBinder ; rdfs:label ?l }",
         get_query("groups-functions").text]
DEADLINE_S = 600  # the whole mixed phase stops by then, whatever is left


@dataclass
class Load:
    cheap_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    slow_ok: int = 0
    slow_other: dict[int, int] = field(default_factory=dict)
    rss_mib: list[tuple[int, float]] = field(default_factory=list)  # (cheap requests done, MiB)
    seconds: float = 0.0


class Endpoint:
    """`bindergraph serve` as a process."""

    def __init__(self, out: Path, timeout: float, store: str = "auto"):
        self.out = out
        self.proc = subprocess.Popen([sys.executable, "-m", "bindergraph", "--out", str(out), "serve", "--port", "0",
                                      "--timeout", str(timeout), "--store", store], stderr=subprocess.PIPE, text=True)
        self.port = int(re.search(r":(\d+)/sparql", self.proc.stderr.readline()).group(1))

    def connect(self, timeout: float = 120) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def ask(conn: http.client.HTTPConnection, query: str, path: str = "/sparql") -> tuple[int, bytes]:
    conn.request("GET", path + "?" + urllib.parse.urlencode({"query": query}),
                 headers={"Accept": "application/sparql-results+json"})
    resp = conn.getresponse()
    return resp.status, resp.read()


# -------------------------------------------------------------------------------- beside oxigraph
class OxigraphServer:
    """`oxigraph serve-read-only --union-default-graph` over a store loaded from graph.nq."""

    def __init__(self, exe: str, nq: Path, work: Path):
        db = work / "oxigraph-db"
        start = time.monotonic()
        subprocess.run([exe, "load", "--location", str(db), "--file", str(nq)], check=True, capture_output=True)
        self.load_s = time.monotonic() - start
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.proc = subprocess.Popen([exe, "serve-read-only", "--location", str(db), "--bind",
                                      f"127.0.0.1:{self.port}", "--union-default-graph"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("oxigraph serve-read-only did not start")

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


@dataclass
class Latency:
    query: str
    rows: int
    serve_ms: float
    oxigraph_ms: float
    disk_ms: float  # bindergraph serve --store disk (RocksDB, as oxigraph's server)

    @property
    def ratio(self) -> float:
        return self.serve_ms / self.oxigraph_ms


def catalogue_texts(out: Path) -> dict[str, str]:
    """Every catalogue query with its default parameters, as `--endpoint` sends it (a VALUES row)."""
    engine = OxigraphEngine(open_store(out))
    texts = {}
    for q in catalogue().values():
        bound = bind_params(q, {}, engine)
        texts[q.id] = _with_values(bound.query, {k: t.n3() for k, t in bound.bindings.items()}) \
            if bound.bindings else bound.query
    return texts


def timed(conn: http.client.HTTPConnection, query: str, path: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    status, body = ask(conn, query, path)
    ms = (time.perf_counter() - start) * 1000
    if status != 200:
        raise RuntimeError(f"HTTP {status}: {body[:200]!r}")
    return ms, body


def rows_of(body: bytes) -> int:
    return len(json.loads(body)["results"]["bindings"])


def side_by_side(ep: Endpoint, disk: Endpoint, ox_server: OxigraphServer, runs: int) -> list[Latency]:
    """Each query `runs` times on each server, taking turns (so that all see the same machine load)."""
    servers = {"serve": (ep.connect(), "/sparql"), "oxigraph": (ox_server.connect(), "/query"),
               "disk": (disk.connect(), "/sparql")}
    out = []
    for qid, text in sorted(catalogue_texts(ep.out).items()):
        ms: dict[str, list[float]] = {name: [] for name in servers}
        rows = {}
        for k in range(runs + 2):  # two warm-up runs each
            for name, (conn, path) in servers.items():
                t, body = timed(conn, text, path)
                rows[name] = rows_of(body)
                if k >= 2:
                    ms[name].append(t)
        if len(set(rows.values())) != 1:
            raise RuntimeError(f"{qid}: rows differ between the servers: {rows}")
        out.append(Latency(qid, rows["serve"], *(statistics.median(ms[n]) for n in ("serve", "oxigraph", "disk"))))
    return out


def protocol_overhead(ep: Endpoint, disk: Endpoint, ox_server: OxigraphServer, runs: int = 300) -> dict[str, float]:
    """Median ms of `ASK {}` (no data read) on each server: what a request costs besides the query."""
    servers = {"serve": (ep.connect(), "/sparql"), "oxigraph": (ox_server.connect(), "/query"),
               "disk": (disk.connect(), "/sparql")}
    ms: dict[str, list[float]] = {name: [] for name in servers}
    for _ in range(runs):
        for name, (conn, path) in servers.items():
            ms[name].append(timed(conn, "ASK {}", path)[0])
    return {name: statistics.median(values[20:]) for name, values in ms.items()}


def latency_report(args, lat: list[Latency], load_s: float, overhead: dict[str, float]) -> list[str]:
    ratio = statistics.median(x.ratio for x in lat)
    ok = "met" if ratio <= TARGET_RATIO else "NOT met"
    lines = [
        "## Beside Oxigraph's own server", "",
        f"Every catalogue query ({len(lat)}, default parameters bound as a `VALUES` row, as `--endpoint` sends "
        f"them) over one keep-alive connection to each server, {args.runs} runs each after two warm-up runs, "
        "the two servers taking turns; the median per query, client time (request sent to answer read), JSON "
        "results. `bindergraph serve`: graph in memory, each query in a worker process; `oxigraph "
        f"serve-read-only --union-default-graph` {args.oxigraph_version} (RocksDB store loaded by `oxigraph "
        f"load` in {load_s:.1f} s); and, for the same storage as oxigraph's, `bindergraph serve --store disk`. "
        "All three answered the same number of rows for every query.", "",
        f"**Median ratio serve / oxigraph: {ratio:.2f}** (goal <= {TARGET_RATIO}): {ok}. "
        f"Sum of medians: serve {sum(x.serve_ms for x in lat):.1f} ms, "
        f"oxigraph {sum(x.oxigraph_ms for x in lat):.1f} ms, serve --store disk {sum(x.disk_ms for x in lat):.1f} ms "
        f"(median ratio to oxigraph {statistics.median(x.disk_ms / x.oxigraph_ms for x in lat):.2f}).", "",
        f"A request without data (`ASK {{}}`, median of 280): serve {overhead['serve']:.2f} ms, oxigraph "
        f"{overhead['oxigraph']:.2f} ms, serve --store disk {overhead['disk']:.2f} ms: what the protocol costs "
        "besides the query (HTTP on one event loop, the query handed to a worker process and its answer back). "
        "Serve is faster than oxigraph's server on most queries because it answers from memory, while "
        "`oxigraph serve-read-only` reads RocksDB.", "",
        "| query | rows | serve ms | oxigraph ms | ratio | serve --store disk ms |", "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {x.query} | {x.rows} | {x.serve_ms:.2f} | {x.oxigraph_ms:.2f} | {x.ratio:.2f} | {x.disk_ms:.2f} |"
              for x in lat]
    return lines + [""]


# -------------------------------------------------------------------------------- mixed load
def mixed_load(ep: Endpoint, clients: int, slow_clients: int, requests: int, think_s: float) -> Load:
    load, lock = Load(), threading.Lock()
    left = [requests]
    stop = threading.Event()
    end = time.monotonic() + DEADLINE_S

    def take() -> int | None:
        with lock:
            if left[0] <= 0 or time.monotonic() > end:
                return None
            left[0] -= 1
            return requests - left[0]

    def cheap_client(k: int) -> None:
        conn = ep.connect()
        while (n := take()) is not None:
            start = time.perf_counter()
            try:
                status, _ = ask(conn, CHEAP[(k + n) % len(CHEAP)])
            except (OSError, http.client.HTTPException) as exc:
                status, conn = -1, ep.connect()
                load.errors.append(f"cheap: {type(exc).__name__}")
            ms = (time.perf_counter() - start) * 1000
            with lock:
                load.cheap_ms.append(ms)
                if status not in (200, -1):
                    load.errors.append(f"cheap: HTTP {status}")
                if n % 1000 == 0:
                    load.rss_mib.append((n, ep.rss_mib()))
            time.sleep(think_s)

    def slow_client() -> None:
        conn = ep.connect()
        while not stop.is_set() and time.monotonic() < end:
            try:
                status, _ = ask(conn, SLOW)
            except (OSError, http.client.HTTPException) as exc:
                status, conn = -1, ep.connect()
                load.errors.append(f"slow: {type(exc).__name__}")
            with lock:
                if status == 200:
                    load.slow_ok += 1
                else:
                    load.slow_other[status] = load.slow_other.get(status, 0) + 1

    load.rss_mib.append((0, ep.rss_mib()))
    slow = [threading.Thread(target=slow_client) for _ in range(slow_clients)]
    for t in slow:
        t.start()
    time.sleep(1.0)  # the slow queries are running (and have left the fast lane) before measuring
    start = time.monotonic()
    cheap = [threading.Thread(target=cheap_client, args=(k,)) for k in range(clients - slow_clients)]
    for t in cheap:
        t.start()
    for t in cheap:
        t.join()
    load.seconds = time.monotonic() - start
    stop.set()
    for t in slow:
        t.join()
    if load.rss_mib[-1][0] != requests:
        load.rss_mib.append((requests, ep.rss_mib()))
    return load


# -------------------------------------------------------------------------------- idle sockets
def idle_sockets(ep: Endpoint, count: int) -> tuple[int, float, int]:
    """Hold `count` idle connections; (status, ms) of a new client's ASK, and how many idle ones the
    server had closed by then."""
    idle = [socket.create_connection(("127.0.0.1", ep.port), timeout=10) for _ in range(count)]
    try:
        time.sleep(0.5)
        start = time.perf_counter()
        status, _ = ask(ep.connect(timeout=30), CHEAP[0])
        ms = (time.perf_counter() - start) * 1000
        closed = 0
        for sock in idle:
            sock.setblocking(False)
            try:
                closed += sock.recv(1) == b""
            except BlockingIOError:
                pass
        return status, ms, closed
    finally:
        for sock in idle:
            sock.close()


# -------------------------------------------------------------------------------- shutdown
def descendants(pid: int) -> list[int]:
    out = []
    for task in os.listdir(f"/proc/{pid}/task") if os.path.isdir(f"/proc/{pid}/task") else []:
        try:
            kids = [int(k) for k in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            continue
        for kid in kids:
            out += [kid, *descendants(kid)]
    return out


def stat(pid: int) -> list[str]:
    """/proc/PID/stat from its third field (state) on; [] once the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def alive(pid: int) -> bool:
    return stat(pid)[:1] not in ([], ["Z"])  # a zombie has stopped


def running_query(pids: list[int]) -> bool:
    """Whether a worker has run a query for a while (the server renices it after 0.1 s)."""
    return any(len(st) > 16 and st[16] != "0" for st in map(stat, pids))


def shutdown(ep: Endpoint) -> tuple[float, int, str]:
    """SIGTERM while a worker runs an endless query: (seconds until the server exited, processes of
    the server left after it, what the client got)."""
    got: list[str] = []

    def client() -> None:
        try:
            status, body = ask(ep.connect(timeout=60), ENDLESS)
            got.append(f"{status} {body.decode().strip()}")
        except (OSError, http.client.HTTPException) as exc:
            got.append(type(exc).__name__)

    thread = threading.Thread(target=client)
    thread.start()
    deadline = time.monotonic() + 20
    while not running_query(descendants(ep.proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = descendants(ep.proc.pid)
    start = time.monotonic()
    ep.proc.send_signal(signal.SIGTERM)
    ep.proc.wait(timeout=30)
    seconds = time.monotonic() - start
    thread.join(timeout=30)
    left = [p for p in [ep.proc.pid, *workers] if alive(p)]
    return seconds, len(left), (got[0] if got else "no answer") + f" ({len(workers)} worker processes at SIGTERM)"


# -------------------------------------------------------------------------------- report
def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def report(args, load: Load | None, idle: tuple[int, float, int] | None, stop: tuple[float, int, str] | None,
           latency: list[str]) -> str:
    head = ["# `bindergraph serve`: latency and load", "", f"Machine: {machine()}.", ""]
    if load is None:
        return "\n".join(head + latency)
    return "\n".join(head + latency + _load_report(args, load, idle, stop))


def _load_report(args, load: Load, idle: tuple[int, float, int], stop: tuple[float, int, str]) -> list[str]:
    p50, p95, p99 = (pct(load.cheap_ms, q) for q in (0.5, 0.95, 0.99))
    growth = load.rss_mib[-1][1] - load.rss_mib[1][1] if len(load.rss_mib) > 2 else float("nan")
    ok = lambda cond: "met" if cond else "NOT met"  # noqa: E731
    lines = [
        "## Under load", "",
        f"Measured {datetime.date.today().isoformat()} with `python benchmarks/bench_serve.py "
        f"--clients {args.clients} --slow-clients {args.slow_clients} --requests {args.requests} "
        f"--think-ms {args.think_ms:g} --idle {args.idle}`, "
        f"against `bindergraph serve` (graph in memory; default lanes: {ServerConfig.fast_workers} fast and "
        f"{ServerConfig.slow_workers} slow workers, a query moves to the slow lane after "
        f"{ServerConfig.promote_after:g} s) on 127.0.0.1. Load average of the machine before the run: "
        f"{args.loadavg:.1f} (other processes share its {os.cpu_count()} cores, and so does this client).", "",
        "### Against the goals", "",
        f"- Cheap queries while {args.slow_clients} slow ones run: p99 {p99:.1f} ms (goal < {TARGET_P99_MS:g} ms): "
        f"{ok(p99 < TARGET_P99_MS)}.",
        f"- Errors: {len(load.errors)} (goal 0): {ok(not load.errors)}"
        + (f" ({', '.join(sorted(set(load.errors)))})" if load.errors else "") + ".",
        f"- Server memory over {args.requests} requests: {load.rss_mib[1][1]:.1f} MiB after the first 1,000, "
        f"{load.rss_mib[-1][1]:.1f} MiB at the end ({growth:+.1f} MiB): {ok(growth < 5)}.",
        f"- {args.idle} idle connections open: a new client's ASK answered {idle[0]} in {idle[1]:.1f} ms: "
        f"{ok(idle[0] == 200)}.",
        f"- SIGTERM with a query running: the server exited after {stop[0]:.2f} s, processes left: {stop[1]} "
        f"(goal: none, within 1 s): {ok(stop[1] == 0 and stop[0] < 1.0)}.", "",
        "### Mixed load", "",
        f"{args.clients} clients on keep-alive connections: {args.slow_clients} loop on a slow query (a counted "
        f"cross product of 4,000 × 4,000 solutions), {args.clients - args.slow_clients} send {args.requests} cheap "
        f"queries in all (an ASK, a short SELECT, `groups-functions`), each pausing {args.think_ms:g} ms "
        "between two.", "",
        "| | value |", "|---|---:|",
        f"| cheap requests | {len(load.cheap_ms)} in {load.seconds:.1f} s "
        f"({len(load.cheap_ms) / load.seconds:.0f}/s) |",
        f"| cheap p50 (median) | {p50:.1f} ms |", f"| cheap p95 | {p95:.1f} ms |", f"| cheap p99 | {p99:.1f} ms |",
        f"| cheap max | {max(load.cheap_ms):.1f} ms |",
        f"| slow queries answered 200 | {load.slow_ok} |",
        f"| slow queries answered otherwise | {dict(sorted(load.slow_other.items())) or 'none'} |",
        f"| slow queries per second | {load.slow_ok / load.seconds:.2f} |", "",
        "Resident memory of the server process (MiB) after n cheap requests: "
        + ", ".join(f"{n}: {mib:.1f}" for n, mib in load.rss_mib) + ".", "",
        "### Idle connections and shutdown", "",
        f"- {args.idle} idle connections (no request sent): a new client's ASK took {idle[1]:.1f} ms; "
        f"the server had closed {idle[2]} of the idle ones by then (they close after 10 s idle, or when "
        "1,000 connections are open).",
        f"- SIGTERM while a worker ran an endless cross product: {stop[2]}; the server exited after "
        f"{stop[0]:.2f} s; processes of the server left: {stop[1]}.", "",
    ]
    return lines


def built(out: Path) -> Path:
    if not (out / "manifest.json").is_file():
        build(BuildOptions(out_dir=out))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help="build output (default: $BINDERGRAPH_HOME)")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--slow-clients", type=int, default=4)
    ap.add_argument("--requests", type=int, default=5000, help="cheap requests in all")
    ap.add_argument("--think-ms", type=float, default=100.0, help="pause of a cheap client between requests")
    ap.add_argument("--idle", type=int, default=500)
    ap.add_argument("--runs", type=int, default=30, help="runs of each catalogue query on each server")
    ap.add_argument("--oxigraph", default=shutil.which("oxigraph"), help="the oxigraph command (pip install oxigraph)")
    ap.add_argument("--latency-only", action="store_true", help="skip the load test")
    ap.add_argument("--report", type=Path, default=HERE / "SERVE.md")
    args = ap.parse_args()
    if not args.oxigraph:
        sys.exit("the oxigraph command is needed: pip install oxigraph (the version of pyoxigraph), or --oxigraph PATH")
    args.oxigraph_version = subprocess.run([args.oxigraph, "--version"], capture_output=True, text=True).stdout.strip()
    out = built(args.out or paths.default_out_dir())
    args.loadavg = os.getloadavg()[0]
    load = idle = stop = None
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as work:
        ox_server = OxigraphServer(args.oxigraph, paths.current_build(out) / "graph.nq", Path(work))
        ep, disk = Endpoint(out, timeout=60), Endpoint(out, timeout=60, store="disk")
        try:
            lat = side_by_side(ep, disk, ox_server, args.runs)
            latency = latency_report(args, lat, ox_server.load_s, protocol_overhead(ep, disk, ox_server))
            if not args.latency_only:
                load = mixed_load(ep, args.clients, args.slow_clients, args.requests, args.think_ms / 1000)
                idle = idle_sockets(ep, args.idle)
                stop = shutdown(ep)
        finally:
            ep.stop()
            disk.stop()
            ox_server.stop()
    text = report(args, load, idle, stop, latency)
    args.report.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
