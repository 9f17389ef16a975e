"""Screenshots of the map for the README: the first view, a selected edge, and the phone view.

    python scripts/screenshots.py [--out docs] [--page map.html]

Writes docs/map-first-view.png, docs/map-selected-edge.png and docs/map-phone.png. It uses the current
build (and builds only if there is none, as every bindergraph command does), writes the whole-graph
page to a temporary file unless --page names one, and drives Debian's headless Chromium through
Playwright with every network request refused.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
EDGE = "PAA/hasFunction/adhesion"  # PAA credited with adhesion: two nodes every reader of the review knows


def write_map(path: Path) -> None:
    import bindergraph
    from bindergraph.publish.page import PageOptions, write_page

    write_page(bindergraph.open().engine, path, PageOptions())


def _open(browser, page_file: Path, width: int, height: int, fragment: str = ""):
    ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    page = ctx.new_page()
    page.goto(page_file.as_uri() + fragment)
    page.wait_for_selector("html[data-state=ready]", state="attached", timeout=30_000)
    page.wait_for_timeout(300)
    return ctx, page


def take(page_file: Path, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    shots = [out / "map-first-view.png", out / "map-selected-edge.png", out / "map-phone.png"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for (w, h, fragment), path in zip(((1600, 1000, ""), (1600, 1000, "#" + EDGE), (390, 844, "#PAA")), shots):
            ctx, page = _open(browser, page_file, w, h, fragment)
            page.screenshot(path=str(path))
            ctx.close()
        browser.close()
    return shots


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs")
    ap.add_argument("--page", type=Path, help="an existing map (bindergraph viz); default: write one")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        page_file = args.page or Path(tmp) / "map.html"
        if not args.page:
            write_map(page_file)
        for path in take(page_file.resolve(), args.out):
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
