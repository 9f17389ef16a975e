"""Query latency of the catalogue on the embedded pyoxigraph store vs rdflib, at 1x, 10x and 100x.

Synthetic graphs keep the shipped graph's shape: the ontology once, and k copies of every
bindergraph resource (entities, claims, spans, figures, references) with the copy number appended
to its IRI. Parameterised queries keep their defaults, so they stay as selective as on the shipped
graph; the others grow with the copies.

Usage:  python benchmarks/bench_queries.py [--out DIR] [--scales 1,10,100] [--rdflib-max-scale 10]
Writes benchmarks/RESULTS.md (medians in ms, ratios rdflib/oxigraph, the machine).
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
from pathlib import Path

import pyoxigraph as ox
import rdflib

from bindergraph.build import BuildOptions, build
from bindergraph.query import OxigraphEngine, RdflibEngine, bind_params, catalogue

BGR = "https://w3id.org/bindergraph/resource/"
HERE = Path(__file__).resolve().parent


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
    lines = nt.read_text(encoding="utf-8").splitlines()
    with dest.open("w", encoding="utf-8") as out:
        for line in lines:
            if BGR not in line:
                out.write(line + "\n")
                continue
            out.write(line + "\n")
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


def bench_scale(nt: Path, scale: int, with_rdflib: bool, runs: int) -> dict[str, tuple[float, float | None, int]]:
    work = Path(tempfile.mkdtemp(prefix=f"bench-{scale}x-"))
    try:
        data = synthetic_nt(nt, scale, work / "graph.nt") if scale > 1 else nt
        store = ox.Store(str(work / "store"))
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
        store.optimize()
        oxe = OxigraphEngine(store)
        rle = RdflibEngine.from_file(data) if with_rdflib else None
        out = {}
        for q in catalogue().values():
            bound = bind_params(q, {}, oxe)
            rows = len(oxe.select(bound.query, bound.bindings).rows)
            t_ox = median_ms(lambda: oxe.select(bound.query, bound.bindings), runs)
            t_rl = median_ms(lambda: rle.select(bound.query, bound.bindings), max(1, runs // 10)) if rle else None
            out[q.id] = (t_ox, t_rl, rows)
            print(f"  {scale:>3}x {q.id:32s} oxigraph {t_ox:8.2f} ms"
                  + (f"   rdflib {t_rl:9.1f} ms" if t_rl is not None else ""), flush=True)
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def cold_query_ms(out_dir: Path, runs: int = 5) -> float:
    exe = shutil.which("bindergraph")
    cmd = [exe] if exe else [sys.executable, "-m", "bindergraph"]
    env = {**os.environ, "BINDERGRAPH_HOME": str(out_dir)}
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([*cmd, "query", "tm-trapping-binders", "--format", "csv"], env=env, check=True,
                       capture_output=True)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="bench-build-")))
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--rdflib-max-scale", type=int, default=10,
                    help="rdflib is run up to this scale only (at 100x single queries take minutes)")
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--report", type=Path, default=HERE / "RESULTS.md")
    args = ap.parse_args()

    t = time.perf_counter()
    res = build(BuildOptions(out_dir=args.out))
    build_s = time.perf_counter() - t
    cold = cold_query_ms(args.out)
    print(f"build {build_s:.1f} s ({res.counts['triples']} triples); cold query {cold:.0f} ms", flush=True)
    scales = [int(s) for s in args.scales.split(",")]
    results = {s: bench_scale(args.out / "graph.nt", s, s <= args.rdflib_max_scale, args.runs) for s in scales}
    write_report(args.report, res.counts["triples"], build_s, cold, results, args.rdflib_max_scale)
    print(f"wrote {args.report}")


def write_report(path: Path, triples: int, build_s: float, cold: float, results, rdflib_max: int) -> None:
    scales = sorted(results)
    lines = ["# Benchmark results", "", f"Machine: {machine()}", "",
             f"Measured {time.strftime('%Y-%m-%d')} with `python benchmarks/bench_queries.py`; medians of repeated runs "
             "after one warm-up; oxigraph = on-disk pyoxigraph store, rdflib = rdflib's SPARQL engine on an in-memory "
             f"Graph. rdflib is run up to {rdflib_max}x only.", "",
             f"- Shipped graph: {triples} triples; synthetic graphs: k copies of every resource (same shape).",
             f"- `bindergraph build` (records → SHACL → HermiT → store): {build_s:.1f} s",
             f"- Cold `bindergraph query tm-trapping-binders` from process start: {cold:.0f} ms", "",
             "| query | " + " | ".join(f"oxigraph {s}x (ms) | rdflib {s}x (ms) | ratio {s}x" for s in scales) + " |",
             "|---|" + "---|---|---|" * len(scales)]
    for qid in sorted(results[scales[0]]):
        cells = []
        for s in scales:
            t_ox, t_rl, _rows = results[s][qid]
            cells += [f"{t_ox:.2f}", f"{t_rl:.1f}" if t_rl is not None else "—",
                      f"{t_rl / t_ox:.0f}×" if t_rl is not None and t_ox > 0 else "—"]
        lines.append(f"| {qid} | " + " | ".join(cells) + " |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
