"""How fast the map (`bindergraph viz`, the whole graph) settles in headless Chromium.

For each of --runs fresh browser contexts it opens the page from disk (every network request refused)
and reads, from the page's own clock (ms since navigation start):
  settled       the first view is drawn, fitted and still (html[data-state=ready]); the goal is < 2 s;
  everything    the time to show every node and edge type (all boxes ticked), drawn and fitted;
  family view   choosing the view "a mechanism family" (Scavenging): re-laid out (a short physics
                settle of that view only) and fitted.
It reports the median and the spread, names the machine, and writes benchmarks/PAGE.md (--report).

Usage:  python benchmarks/bench_page.py [--runs 7] [--report benchmarks/PAGE.md]
"""
from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_queries import machine  # noqa: E402  (same folder: one description of the machine)

import bindergraph  # noqa: E402
from bindergraph.publish.page import PageOptions, write_page  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
GOAL_MS = 2000.0
BG = "https://w3id.org/bindergraph/ontology#"
READY = "html[data-state=ready]"


def one_run(browser, page_file: Path) -> dict[str, float]:
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    page = ctx.new_page()
    page.goto(page_file.as_uri())
    page.wait_for_selector(READY, state="attached", timeout=30_000)
    out = {"settled": float(page.evaluate("() => window.bindergraph.readyMs"))}
    out["everything"] = page.evaluate("""() => { const t = performance.now(), b = window.bindergraph;
        document.querySelectorAll('.legend input:not(:checked)').forEach(x => { x.checked = true;
            x.dispatchEvent(new Event('change')); });
        b.network.redraw(); return performance.now() - t; }""")
    page.click("#reset")
    t0 = page.evaluate("() => performance.now()")
    page.select_option("#v-type", "family")
    page.select_option("#v-family", BG + "Scavenging")
    page.wait_for_selector(READY, state="attached", timeout=30_000)
    out["family view"] = page.evaluate("() => performance.now()") - t0
    ctx.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--report", type=Path, default=HERE / "PAGE.md")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "map.html"
        t = time.perf_counter()
        stats = write_page(bindergraph.open().engine, page_file, PageOptions())
        write_s = time.perf_counter() - t
        size_mb = page_file.stat().st_size / 1e6
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            runs = [one_run(browser, page_file) for _ in range(args.runs)]
            browser.close()
    rows = []
    for key in ("settled", "everything", "family view"):
        values = [r[key] for r in runs]
        rows.append((key, statistics.median(values), min(values), max(values)))
    settled = rows[0][1]
    verdict = "met" if settled < GOAL_MS else "NOT met"
    text = [
        "# The map in headless Chromium",
        "",
        f"Machine: {machine()}; Chromium: Debian's /usr/bin/chromium, headless, 1600×1000.",
        "",
        f"Measured {datetime.date.today().isoformat()} with `python benchmarks/bench_page.py --runs {args.runs}`: "
        f"the whole graph ({stats['nodes']} nodes, {stats['edges']} edges; {size_mb:.1f} MB file, written by "
        f"`bindergraph viz` in {write_s:.1f} s), each run in a fresh browser context. Load average before the "
        f"run: {load:.1f} (other processes share the cores).",
        "",
        f"- Load to settled (first view drawn, fitted, still): median {settled:.0f} ms (goal < {GOAL_MS:.0f} ms): {verdict}.",
        "",
        "| ms | median | min | max |",
        "|---|---:|---:|---:|",
        *[f"| {k} | {med:.0f} | {lo:.0f} | {hi:.0f} |" for k, med, lo, hi in rows],
        "",
        "settled: from navigation start to `html[data-state=ready]` (the page's own clock). everything: ticking "
        "every node and edge type and redrawing. family view: choosing \"a mechanism family\" (Scavenging) until "
        "the view has re-laid itself out and been fitted.",
        "",
    ]
    args.report.write_text("\n".join(text), encoding="utf-8")
    print("\n".join(text))
    sys.exit(0 if settled < GOAL_MS else 1)


if __name__ == "__main__":
    main()
