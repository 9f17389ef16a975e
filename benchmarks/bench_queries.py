"""Latency of the query catalogue: pyoxigraph on disk and in memory vs rdflib, at 1x, 10x and 100x.

Engines:
  disk    the on-disk pyoxigraph store that `bindergraph query` opens (one-shot commands);
  memory  the graph loaded into an in-memory pyoxigraph store, as `bindergraph serve` does;
  rdflib  rdflib's own SPARQL engine on an in-memory Graph: the reference, run up to --rdflib-max-scale.

Synthetic graphs keep the shipped graph's shape: the ontology once, and k copies of every
bindergraph resource (entities, claims, spans, figures, references) with the copy number appended
to its IRI. Queries run with their defaults: those whose default names one entity (PVDF, LNMO, ...)
keep the size of their answer; the others (whole-graph answers) return k times the rows.

Usage:  python benchmarks/bench_queries.py [--scales 1,10,100] [--runs 11] [--rdflib-max-scale 1]
Writes benchmarks/RESULTS.md: medians in ms, rows, ratios against rdflib, the machine.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from bindergraph.build import BuildOptions, build
from bindergraph.query.catalogue import bind_params, catalogue
from bindergraph.query.engine import OxigraphEngine, RdflibEngine
from bindergraph.query.store import load_memory, load_store

BGR = "https://w3id.org/bindergraph/resource/"
HERE = Path(__file__).resolve().parent
TARGET_1X_MS, TARGET_100X_MS, TARGET_COLD_MS = 5.0, 50.0, 1000.0


@dataclass
class Timing:
    rows: int
    ms: dict[str, float] = field(default_factory=dict)  # engine -> median


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores, {mem:.0f} GiB; "
            f"Python {platform.python_version()}, pyoxigraph {ox.__version__}, rdflib {rdflib.__version__}")


def synthetic_nt(nt: Path, copies: int, dest: Path) -> Path:
    """k copies of every line that mentions a bindergraph resource; other lines once."""
    with nt.open(encoding="utf-8") as src, dest.open("w", encoding="utf-8") as out:
        for line in src:
            line = line.rstrip("\n")
            out.write(line + "\n")
            if BGR in line:
                for k in range(1, copies):
                    out.write(_rename(line, k) + "\n")
    return dest


def _rename(line: str, k: int) -> str:
    parts = line.split(f"<{BGR}")
    return parts[0] + "".join(f"<{BGR}" + p.replace(">", f"~{k}>", 1) for p in parts[1:])


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def _rss_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def engines_for(data: Path, work: Path, with_rdflib: bool) -> tuple[dict[str, object], str]:
    """The engines over `data`, and a note on loading it into memory (time, resident memory)."""
    load_store(work / "store", data)  # as the build does
    rss, t = _rss_mib(), time.perf_counter()
    memory = load_memory(data)  # as `bindergraph serve` does
    note = (f"loading {data.stat().st_size / 2**20:.0f} MiB of N-Triples into memory took "
            f"{time.perf_counter() - t:.1f} s; resident memory grew by {_rss_mib() - rss:.0f} MiB")
    out = {"disk": OxigraphEngine(ox.Store.read_only(str(work / "store"))), "memory": OxigraphEngine(memory)}
    if with_rdflib:
        out["rdflib"] = RdflibEngine.from_file(data)
    return out, note


def bench_scale(nt: Path, scale: int, with_rdflib: bool, runs: int) -> tuple[dict[str, Timing], str]:
    work = Path(tempfile.mkdtemp(prefix=f"bench-{scale}x-"))
    try:
        data = synthetic_nt(nt, scale, work / "graph.nt") if scale > 1 else nt
        engines, note = engines_for(data, work, with_rdflib)
        print(f"  {scale:>3}x {note}", flush=True)
        out = {}
        for q in catalogue().values():
            bound = bind_params(q, {}, engines["disk"])
            timing = Timing(rows=len(engines["disk"].select(bound.query, bound.bindings).rows))
            for name, eng in engines.items():
                n = max(1, runs // 10) if name == "rdflib" else runs
                timing.ms[name] = median_ms(lambda: eng.select(bound.query, bound.bindings), n)
            out[q.id] = timing
            print(f"  {scale:>3}x {q.id:32s} rows {timing.rows:6d}  "
                  + "  ".join(f"{k} {v:9.2f} ms" for k, v in timing.ms.items()), flush=True)
        return out, note
    finally:
        shutil.rmtree(work, ignore_errors=True)


def cold_query_ms(out_dir: Path, runs: int = 7) -> float:
    """`bindergraph query binders-for-mechanism` (TM trapping) from process start to exit, as a user runs it."""
    exe = shutil.which("bindergraph")
    cmd = [exe] if exe else [sys.executable, "-m", "bindergraph"]
    env = {**os.environ, "BINDERGRAPH_HOME": str(out_dir)}
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([*cmd, "query", "binders-for-mechanism"], env=env, check=True, capture_output=True)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help="build directory (default: a temporary one)")
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--rdflib-max-scale", type=int, default=1,
                    help="run rdflib up to this scale only (at 10x single queries take up to minutes)")
    ap.add_argument("--runs", type=int, default=11, help="timed runs per query and engine (rdflib: runs/10)")
    ap.add_argument("--report", type=Path, default=HERE / "RESULTS.md")
    args = ap.parse_args()

    out = args.out or Path(tempfile.mkdtemp(prefix="bench-build-"))
    t = time.perf_counter()
    res = build(BuildOptions(out_dir=out))
    build_s = time.perf_counter() - t
    cold = cold_query_ms(out)
    print(f"build {build_s:.1f} s ({res.counts['triples']} triples); cold query {cold:.0f} ms", flush=True)
    scales = [int(s) for s in args.scales.split(",")]
    measured = {s: bench_scale(out / "graph.nt", s, s <= args.rdflib_max_scale, args.runs) for s in scales}
    results = {s: m[0] for s, m in measured.items()}
    notes = {s: m[1] for s, m in measured.items()}
    args.report.write_text(report(res.counts["triples"], build_s, cold, results, notes, args), encoding="utf-8")
    print(f"wrote {args.report}")


# ------------------------------------------------------------------------------------- the report
def report(triples: int, build_s: float, cold: float, results: dict[int, dict[str, Timing]],
           notes: dict[int, str], args) -> str:
    scales = sorted(results)
    selective = {q.id for q in catalogue().values() if any(p.kind == "entity" and p.default for p in q.params)}
    lines = ["# Benchmark results", "",
             f"Machine: {machine()}.", "",
             f"Measured {time.strftime('%Y-%m-%d')} with `python benchmarks/bench_queries.py --scales "
             f"{args.scales} --runs {args.runs} --rdflib-max-scale {args.rdflib_max_scale}`: medians of {args.runs} "
             f"runs after one warm-up (rdflib: {max(1, args.runs // 10)}), in milliseconds, from the call to the "
             "engine to the last row converted to Python.", "",
             "- **disk**: the on-disk pyoxigraph store that `bindergraph query` opens; **memory**: the graph loaded "
             "into an in-memory pyoxigraph store, as `bindergraph serve` does by default; **rdflib**: rdflib's SPARQL "
             "engine on an in-memory Graph (the reference).",
             f"- Shipped graph: {triples} triples. Synthetic graphs: k copies of every resource (same shape). "
             "Queries run with their default parameters: those whose default names one entity (marked ◆: "
             "PVDF, LNMO, SSB, ...) keep the size of their answer at every scale; the others answer about the "
             "whole graph, and their answers grow k times.",
             f"- `bindergraph build` (records → RDF → SHACL → evidence → HermiT → store): {build_s:.1f} s.",
             f"- Cold `bindergraph query binders-for-mechanism` from process start to exit: {cold:.0f} ms "
             f"(target < {TARGET_COLD_MS:.0f} ms).", ""]
    lines += _summary(results, selective)
    for s in scales:
        engines = list(next(iter(results[s].values())).ms)
        lines += ["", f"## {s}× ({s * triples:,} triples, approximately)" if s > 1 else f"## 1× ({triples:,} triples)",
                  "", f"In memory: {notes[s]}.", "", "| query | rows | " + " | ".join(f"{e} (ms)" for e in engines)
                  + (" | rdflib / disk | rdflib / memory |" if "rdflib" in engines else " |"),
                  "|---|---:|" + "---:|" * len(engines) + ("---:|---:|" if "rdflib" in engines else "")]
        for qid, t in sorted(results[s].items()):
            cells = [f"{t.ms[e]:.2f}" for e in engines]
            if "rdflib" in engines:
                cells += [f"{t.ms['rdflib'] / t.ms[e]:.0f}×" for e in ("disk", "memory")]
            lines.append(f"| {qid}{' ◆' if qid in selective else ''} | {t.rows} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _summary(results: dict[int, dict[str, Timing]], selective: set[str]) -> list[str]:
    out = ["## Against the targets", ""]
    if 1 in results:
        for eng in ("disk", "memory"):
            slow = sorted((q for q, t in results[1].items() if t.ms[eng] >= TARGET_1X_MS),
                          key=lambda q: -results[1][q].ms[eng])
            over = f"; over: {', '.join(f'{q} ({results[1][q].ms[eng]:.1f})' for q in slow)}" if slow else "."
            out.append(f"- 1×, {eng}: {len(results[1]) - len(slow)} of {len(results[1])} queries under "
                       f"{TARGET_1X_MS:g} ms{over}")
    big = max(results)
    if big > 1:
        for eng in ("disk", "memory"):
            sel = [results[big][q].ms[eng] for q in selective]
            whole = {q: t for q, t in results[big].items() if q not in selective}
            fast = [q for q, t in whole.items() if t.ms[eng] < TARGET_100X_MS]
            growth = ""
            if 1 in results:
                g = statistics.median(t.ms[eng] / results[1][q].ms[eng] for q, t in whole.items())
                growth = f"; their time grows with the data read (median {g:.0f}× the 1× time)"
            out.append(f"- {big}×, {eng}: {sum(ms < TARGET_100X_MS for ms in sel)} of {len(sel)} ◆ queries under "
                       f"{TARGET_100X_MS:g} ms (slowest {max(sel):.1f} ms); {len(fast)} of {len(whole)} whole-graph "
                       f"queries{growth}.")
    return out


if __name__ == "__main__":
    main()
