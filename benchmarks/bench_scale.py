"""The 100x synthetic graph in real stores, loaded by `bindergraph publish` and queried through `--endpoint`.

1. Makes the N-Quads of the synthetic graph: the build's graph.nq with k copies of every bindergraph
   resource (bench_queries.synthetic_nt, the renaming its 1x/10x/100x figures use), the six graph IRIs kept.
2. Starts each store empty and publishes the file into it with `bindergraph publish --file … --to …`, run
   as a subprocess, as users run it (time, and the command's peak resident memory):
     oxigraph  `oxigraph serve --location DB` (read-write; Graph Store at /store, queries at /query;
               `--timeout-s` as the per-query limit), without the union default graph
     jena      benchmarks/bench_engines.py's JenaEndpoint on an empty TDB2 location (Graph Store at /data,
               queries at /sparql; ARQ's query timeout as the limit), union default graph off
   so that `RemoteEngine`'s dataset detection is exercised on both.
3. Runs every catalogue case (tests/test_endpoint_cases.CASES) through `RemoteEngine` (what `--endpoint`
   uses): median latency of --runs runs after one warm-up (one run when the warm-up took over
   SLOW_SECONDS), rows returned; and the same on the embedded on-disk pyoxigraph store loaded with the
   same file. A case whose warm-up runs over --timeout seconds is recorded as a timeout.
4. For comparison, each store's own bulk loader on the same file (`oxigraph load`, `tdb2.tdbloader`).

Usage:  python benchmarks/bench_scale.py [--scale 100] [--runs 3] [--timeout 60] [--stores oxigraph,jena]
Writes benchmarks/SCALE.md. Needs a build ($BINDERGRAPH_HOME or --out); everything else lives in a
temporary folder and every server started is stopped.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from bench_engines import STARTUP_SECONDS, jena_classpath, jena_command  # noqa: E402
from bench_queries import machine, synthetic_nt  # noqa: E402
from serving import free_port, stop, wait_up  # noqa: E402
from test_endpoint_cases import CASES, Case, answer  # noqa: E402

from bindergraph import paths  # noqa: E402
from bindergraph.errors import QueryError  # noqa: E402
from bindergraph.query.engine import Engine, OxigraphEngine, RemoteEngine  # noqa: E402
from bindergraph.query.store import build_dir, load_store  # noqa: E402
from bindergraph.query.timeout import run_with_timeout  # noqa: E402

SLOW_SECONDS = 5.0


@dataclass
class Timing:
    """One case on one engine: rows (or the error / timeout as text) and the median latency."""
    rows: int | None = None
    error: str = ""
    ms: float = 0.0
    runs: int = 0

    timed_out: bool = False

    def cell(self) -> str:
        if self.error:
            return "timeout" if self.timed_out else "error"
        return f"{self.ms:,.1f} ({self.rows})"


@dataclass
class Load:
    """A store loaded with the file: by publish (time, peak memory of the command and of the server), and
    by its own bulk loader."""
    store: str
    setup: str = ""
    skipped: str = ""
    publish_s: float = 0.0
    publish_rss_mib: float = 0.0
    publish_log: str = ""
    server_rss_mib: float = 0.0
    disk_mib: float = 0.0
    bulk_s: float = 0.0
    bulk_disk_mib: float = 0.0
    timings: dict[Case, Timing] = field(default_factory=dict)


# ------------------------------------------------------------------------------------- measuring
def time_case(engine: Engine, case: Case, runs: int, timeout: float) -> Timing:
    """The warm-up under the time limit (embedded: in a forked child that is killed; remote: the socket's
    timeout and the server's own limit), then the timed runs in this process."""
    t = time.perf_counter()
    try:
        first = run_with_timeout(lambda: answer(engine, case), timeout if isinstance(engine, OxigraphEngine) else 0)
    except QueryError as exc:
        first = f"error: {exc}"
    warm = time.perf_counter() - t
    if isinstance(first, str):  # a store's own limit answers with an error of its own: known by the time taken
        return Timing(error=first, timed_out="timed out" in first or warm >= 0.95 * timeout)
    n = 1 if warm > SLOW_SECONDS else runs
    times = []
    for _ in range(n):
        t = time.perf_counter()
        answer(engine, case)
        times.append((time.perf_counter() - t) * 1000)
    return Timing(rows=len(first.rows), ms=statistics.median(times), runs=n)


def time_catalogue(engine: Engine, runs: int, timeout: float, label: str) -> dict[Case, Timing]:
    out = {}
    for case in CASES:
        out[case] = time_case(engine, case, runs, timeout)
        print(f"  {label:9s} {str(case):60s} {out[case].cell()}", file=sys.stderr, flush=True)
    return out


def disk_mib(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def peak_rss_mib(pid: int) -> float:
    """A running process's peak resident memory (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed_child(cmd: list[str], log: Path) -> tuple[float, float]:
    """Run a command to its end: wall time (s) and its peak resident memory (MiB)."""
    t, peak = time.perf_counter(), 0.0
    with log.open("wb") as fh:  # VmHWM polled: wait4's ru_maxrss keeps the forking parent's peak across exec
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
        while proc.poll() is None:
            try:
                peak = max(peak, peak_rss_mib(proc.pid))
            except OSError:
                pass
            time.sleep(0.2)
    elapsed = time.perf_counter() - t
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd[:3])} … exited with {proc.returncode}: "
                           f"{log.read_text(errors='replace')[-400:]}")
    return elapsed, peak


def bindergraph_cmd() -> list[str]:
    exe = shutil.which("bindergraph") or shutil.which("bindergraph", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "bindergraph"]


def publish_into(load: Load, nq: Path, store_url: str, work: Path, chunk: int) -> None:
    log = work / f"publish-{load.store}.log"
    load.publish_s, load.publish_rss_mib = timed_child(
        [*bindergraph_cmd(), "publish", "--file", str(nq), "--to", store_url, "--chunk-triples", str(chunk)], log)
    load.publish_log = log.read_text(errors="replace").strip().splitlines()[-1]


# ----------------------------------------------------------------------------------------- stores
@dataclass(frozen=True)
class Store:
    """How to start one store empty, where to publish and query, and its own bulk loader."""
    name: str
    setup: str
    start: Callable[[Path, int], list[str]]  # (database folder, port) -> command
    store_path: str
    query_path: str
    bulk: Callable[[Path, Path], list[str]]  # (database folder, file) -> command


def oxigraph_store(work: Path, timeout: float) -> Store:
    exe = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if not exe:
        raise RuntimeError("the `oxigraph` command is not installed (pip install oxigraph)")
    return Store("oxigraph", f"`oxigraph serve --location DB --timeout-s {timeout:g}` (read-write, no union default graph)",
                 lambda db, port: [exe, "serve", "--location", str(db), "--bind", f"127.0.0.1:{port}",
                                   "--timeout-s", f"{timeout:g}"],
                 "/store", "/query", lambda db, nq: [exe, "load", "--location", str(db), "--file", str(nq)])


def jena_store(work: Path, timeout: float) -> Store:
    cp = jena_classpath(work)
    return Store("jena", "bench_engines' JenaEndpoint on an empty TDB2 location (Jena 4.5; union default graph off)",
                 lambda db, port: jena_command(cp, db, port, timeout_s=timeout),
                 "/data", "/sparql", lambda db, nq: ["java", "-cp", cp, "tdb2.tdbloader", "--loc", str(db), str(nq)])


STORES = {"oxigraph": oxigraph_store, "jena": jena_store}


def run_store(name: str, work: Path, nq: Path, args) -> Load:
    load = Load(name)
    try:
        store = STORES[name](work, args.timeout)
    except (RuntimeError, OSError) as exc:
        load.skipped = str(exc)
        return load
    load.setup = store.setup
    db, port = work / f"{name}-db", free_port()
    base = f"http://127.0.0.1:{port}"
    log = work / f"{name}.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(store.start(db, port), stdout=fh, stderr=subprocess.STDOUT, cwd=work)
    try:
        wait_up(proc, base + store.query_path, STARTUP_SECONDS, log)
        print(f"{name}: publishing …", file=sys.stderr, flush=True)
        publish_into(load, nq, base + store.store_path, work, args.chunk_triples)
        print(f"{name}: {load.publish_log} in {load.publish_s:.0f} s", file=sys.stderr, flush=True)
        load.timings = time_catalogue(RemoteEngine(base + store.query_path, timeout=args.timeout), args.runs,
                                      args.timeout, name)
        load.server_rss_mib = peak_rss_mib(proc.pid)
    except (RuntimeError, OSError) as exc:
        load.skipped = str(exc)
        return load
    finally:
        stop(proc)
    load.disk_mib = disk_mib(db)
    shutil.rmtree(db, ignore_errors=True)
    bulk_db = work / f"{name}-bulk"
    print(f"{name}: bulk loader …", file=sys.stderr, flush=True)
    load.bulk_s, _ = timed_child(store.bulk(bulk_db, nq), work / f"{name}-bulk.log")
    load.bulk_disk_mib = disk_mib(bulk_db)
    shutil.rmtree(bulk_db, ignore_errors=True)
    return load


@dataclass
class Embedded:
    load_s: float
    disk_mib: float
    timings: dict[Case, Timing]


def run_embedded(work: Path, nq: Path, runs: int, timeout: float) -> Embedded:
    folder = work / "embedded"
    t = time.perf_counter()
    load_store(folder, nq)  # as `bindergraph build` writes its store
    load_s = time.perf_counter() - t
    engine = OxigraphEngine(ox.Store.read_only(str(folder)))
    return Embedded(load_s, disk_mib(folder), time_catalogue(engine, runs, timeout, "embedded"))


# --------------------------------------------------------------------------------------------- report
@dataclass
class Synthetic:
    scale: int
    triples: int
    mib: float
    make_s: float
    dry_s: float
    dry_rss_mib: float
    dry_log: str


def report(syn: Synthetic, embedded: Embedded, loads: list[Load], args, total_s: float) -> str:
    ran = [ld for ld in loads if not ld.skipped]
    lines = [f"# The {syn.scale}× graph in real stores", "",
             f"Written by `python benchmarks/bench_scale.py --scale {args.scale} --runs {args.runs} --timeout "
             f"{args.timeout:g} --chunk-triples {args.chunk_triples}` on {time.strftime('%Y-%m-%d')}; the whole run "
             f"took {total_s / 60:.1f} min.", "", f"Machine: {machine()}.", "",
             f"Data: the build's graph.nq with every bindergraph resource {syn.scale} times (as "
             f"bench_queries.py makes its synthetic graphs), the six named graphs kept: {syn.triples:,} triples, "
             f"{syn.mib:,.0f} MiB of N-Quads, made in {syn.make_s:.0f} s.", "",
             "## Loading", "",
             f"`bindergraph publish --file FILE.nq --to URL --chunk-triples {args.chunk_triples}` run as a subprocess "
             "into a store started empty: every graph streamed in chunks (the first PUT, the rest POSTed), then the "
             "triples per graph counted through the store's query endpoint. Reading and cutting the file alone "
             f"(`--dry-run`): {syn.dry_s:.0f} s, peak resident memory of the command {syn.dry_rss_mib:,.0f} MiB.", "",
             "| store | set up | publish (s) | publish peak RSS (MiB) | server peak RSS (MiB) | store on disk (MiB) "
             "| own bulk loader (s) | its store on disk (MiB) |", "|---|---|---:|---:|---:|---:|---:|---:|",
             f"| embedded pyoxigraph | `Store.bulk_load` + `optimize` (as `bindergraph build`) | | | | "
             f"{embedded.disk_mib:,.0f} | {embedded.load_s:.0f} | |"]
    for ld in loads:
        if ld.skipped:
            lines.append(f"| {ld.store} | not run: {ld.skipped.replace('|', '/')[:300]} | | | | | | |")
        else:
            lines.append(f"| {ld.store} | {ld.setup} | {ld.publish_s:.0f} | {ld.publish_rss_mib:,.0f} | "
                         f"{ld.server_rss_mib:,.0f} | {ld.disk_mib:,.0f} | {ld.bulk_s:.0f} | {ld.bulk_disk_mib:,.0f} |")
    lines += [""] + [f"- {ld.store}: `{ld.publish_log}`" for ld in ran]
    lines += ["", "## The catalogue", "",
              f"{len(CASES)} cases (tests/test_endpoint_cases.CASES: every catalogue query with its defaults and the "
              f"parameter variants the tests run), name resolution included. Cells: median ms of {args.runs} runs "
              f"after one warm-up (1 run when the warm-up took over {SLOW_SECONDS:g} s), and the rows returned; "
              f"`timeout`: no answer within {args.timeout:g} s; `error`: the case failed (the message under the "
              "table); `fails`/`fails alike`: a misspelt name or bad value the catalogue refuses, with the same "
              "message on every store. ≠ marks a row count different from the embedded store's.", "",
              "| case | embedded | " + " | ".join(f"{ld.store} (remote)" for ld in ran) + " |",
              "|---|---:|" + "---:|" * len(ran)]
    for case in CASES:
        base = embedded.timings[case]
        cells = []
        for ld in ran:
            t = ld.timings.get(case, Timing(error="not run"))
            mark = " ≠" if not t.error and not base.error and t.rows != base.rows else ""
            cells.append("fails alike" if t.error and t.error == base.error else t.cell() + mark)
        lines.append(f"| {case} | {'fails' if base.error and not base.timed_out else base.cell()} | "
                     + " | ".join(cells) + " |")
    lines += ["", _summary(embedded, ran)]
    errors = [(ld.store, c, t.error) for ld in ran for c, t in ld.timings.items()
              if t.error and t.error != embedded.timings[c].error]
    errors += [("embedded", c, t.error) for c, t in embedded.timings.items() if t.timed_out]
    if errors:
        lines += ["", "## Errors and timeouts", ""] + [f"- {n}, `{c}`: {e[:300]}" for n, c, e in errors]
    return "\n".join(lines) + "\n"


def _summary(embedded: Embedded, ran: list[Load]) -> str:
    out = ["## Summary", ""]
    for name, timings in [("embedded", embedded.timings)] + [(ld.store, ld.timings) for ld in ran]:
        ok = [t.ms for t in timings.values() if not t.error]
        out_of = sum(1 for c in timings if not embedded.timings[c].error or embedded.timings[c].timed_out)
        slow = sum(ms > 1000 for ms in ok)
        out.append(f"- {name}: {len(ok)} of {out_of} answerable cases answered; median {statistics.median(ok):,.1f} ms, "
                   f"total {sum(ok) / 1000:,.1f} s; {slow} over 1 s." if ok else f"- {name}: no case answered.")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per remote query")
    ap.add_argument("--chunk-triples", type=int, default=250_000)
    ap.add_argument("--stores", default="oxigraph,jena")
    ap.add_argument("--out", type=Path, default=None, help="the build folder [default: $BINDERGRAPH_HOME]")
    ap.add_argument("--report", type=Path, default=HERE / "SCALE.md")
    args = ap.parse_args()
    started = time.perf_counter()
    nq_src = build_dir(args.out or paths.default_out_dir()) / "graph.nq"
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        work = Path(tmp)
        t = time.perf_counter()
        nq = synthetic_nt(nq_src, args.scale, work / f"graph-{args.scale}x.nq")  # N-Quads lines: the same renaming
        make_s = time.perf_counter() - t
        triples = sum(1 for _ in nq.open("rb"))
        dry_s, dry_rss = timed_child([*bindergraph_cmd(), "publish", "--file", str(nq), "--to",
                                      "http://127.0.0.1:9/store", "--dry-run"], work / "dry.log")
        syn = Synthetic(args.scale, triples, nq.stat().st_size / 2**20, make_s, dry_s, dry_rss,
                        (work / "dry.log").read_text().strip().splitlines()[-1])
        print(f"{triples:,} triples in {syn.mib:.0f} MiB, made in {make_s:.0f} s; dry run {dry_s:.0f} s, "
              f"{dry_rss:.0f} MiB", file=sys.stderr, flush=True)
        embedded = run_embedded(work, nq, args.runs, args.timeout)
        loads: list[Load] = []
        for name in args.stores.split(","):  # the report is rewritten after each store: a long run leaves its part
            loads.append(run_store(name, work, nq, args))
            args.report.write_text(report(syn, embedded, loads, args, time.perf_counter() - started), encoding="utf-8")
            print(f"wrote {args.report}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
