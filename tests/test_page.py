"""The interactive map (`bindergraph viz`): the generated file, and the page driven in headless Chromium
as a reader would use it (search, filters, tooltips, evidence), with every network request blocked."""
from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from bindergraph import paths
from bindergraph.publish.analytics import entity_graph, load_claims
from bindergraph.cli import main
from bindergraph.errors import BindergraphError, QueryError
from bindergraph.publish.page import PageOptions, json_for_script, write_page
from bindergraph.query.engine import PREFIXES, OxigraphEngine

BG = "https://w3id.org/bindergraph/ontology#"
BGR = "https://w3id.org/bindergraph/resource/"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOT = Path("/tmp/viz-screenshot.png")


def browser_test(fn):
    skip = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
    return pytest.mark.browser(skip(fn))


def payload_of(page: Path) -> dict:
    m = re.search(r'<script type="application/json" id="bg-data">(.*?)</script>', page.read_text(encoding="utf-8"), re.S)
    assert m, "no data block"
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def full_page(engine, tmp_path_factory):
    out = tmp_path_factory.mktemp("page") / "map.html"
    stats = write_page(engine, out, PageOptions())
    return out, stats, payload_of(out)


# ------------------------------------------------------------------------- the generated file
def test_counts_match_the_embedded_data(full_page, engine):
    path, stats, data = full_page
    assert stats["nodes"] == len(data["nodes"]) and stats["edges"] == len(data["edges"])
    expected = entity_graph(load_claims(engine))
    assert stats["nodes"] == expected.number_of_nodes() and stats["edges"] == expected.number_of_edges()
    assert 300 < stats["nodes"] < 600 and 1000 < stats["edges"] < 2500


def test_nodes_are_entities_and_edges_are_claims(full_page):
    _, _, data = full_page
    ids = {n["id"] for n in data["nodes"]}
    kinds = {k["key"] for k in data["kinds"]}
    for n in data["nodes"]:
        assert n["id"].startswith((BGR, BG)) and n["kind"] in kinds
        assert not re.search(r"/(claim-|ref-|section-)", n["id"])
    pvdf = next(n for n in data["nodes"] if n["id"] == BGR + "PVDF")
    assert pvdf["label"] == "PVDF" and pvdf["kind"] == "binder" and pvdf["name"] == "poly(vinylidene fluoride)"
    assert "fluoropolymer binder" in pvdf["classes"]
    assert pvdf["claims"] == max(n["claims"] for n in data["nodes"] if n["kind"] == "binder")
    for e in data["edges"]:
        assert e["from"] in ids and e["to"] in ids and e["rel"] in data["relations"] and e["claims"]
    assert all(c["q"] and c["sec"] for c in data["claims"])
    doi_refs = [r for r in data["refs"] if r["doi"]]
    assert doi_refs and all(r["url"] == "https://doi.org/" + r["doi"] for r in doi_refs if "<" not in r["doi"])


def test_page_is_self_contained(full_page):
    path, _, _ = full_page
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"""\b(src|href)\s*=\s*["']?\s*(https?:)?//""", text), "a resource would be fetched"
    assert "<link" not in text and "@import" not in text
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert "vis.js is dual licensed under both" in text and "Apache" in text  # vis-network's licence header
    assert text.count("</script>") == 3  # data, vis-network, page script: nothing closed a script early


def test_json_for_script_cannot_close_the_element():
    payload = {"label": "</script><!-- <script>alert(1)</script> & \u2028"}
    text = json_for_script(payload)
    assert not set("<>&") & set(text)
    assert json.loads(text) == payload


def test_focus_is_the_neighbourhood(engine, tmp_path):
    full = entity_graph(load_claims(engine)).to_undirected()
    for depth in (1, 2):
        data = payload_of(_write(engine, tmp_path, focus="PAN", depth=depth))
        ids = {n["id"] for n in data["nodes"]}
        within = nx.single_source_shortest_path_length(full, BGR + "PAN", cutoff=depth)
        assert ids == set(within)
        assert data["focus"] == BGR + "PAN"
    assert BGR + "nitrile" in ids


def test_focus_by_label(engine, tmp_path):
    data = payload_of(_write(engine, tmp_path, focus="polyacrylonitrile"))
    assert data["focus"] == BGR + "PAN"


def test_query_view_keeps_only_returned_entities(engine, tmp_path):
    data = payload_of(_write(engine, tmp_path, query="binders-for-mechanism"))  # default: TM trapping
    ids = {n["id"] for n in data["nodes"]}
    assert BGR + "tm-trapping" in ids and {BGR + "CMC", BGR + "SA", BGR + "XG"} <= ids
    assert {n["kind"] for n in data["nodes"]} == {"binder", "mechanism"}
    assert all(e["to"] == BGR + "tm-trapping" and e["rel"] == "hasFunction" for e in data["edges"])


def test_mechanism_family_view(engine, tmp_path):
    data = payload_of(_write(engine, tmp_path, mechanism="Scavenging"))
    assert all(BG + "Scavenging" in c["fam"] for c in data["claims"])
    ids = {n["id"] for n in data["nodes"]}
    assert {BGR + "polysulfide-trapping", BGR + "tm-trapping", BGR + "hf-scavenging"} <= ids
    assert BGR + "adhesion" not in ids
    narrow = payload_of(_write(engine, tmp_path, mechanism="PolysulfideTrapping"))
    shown = {n["id"] for n in narrow["nodes"] if n["kind"] == "mechanism"}
    typed = {r["m"].value for r in engine.select(PREFIXES + "SELECT ?m WHERE { ?m a bg:PolysulfideTrapping }").rows}
    assert BGR + "polysulfide-trapping" in shown and shown <= typed


def test_material_view_includes_narrower_materials(engine, tmp_path):
    data = payload_of(_write(engine, tmp_path, material="NCM"))
    assert data["claims"] and all(BGR + "NCM" in c["mat"] for c in data["claims"])
    assert BGR + "NCM811" in {n["id"] for n in data["nodes"]}


def test_references_as_nodes(engine, tmp_path):
    data = payload_of(_write(engine, tmp_path, focus="PAN", references=True))
    refs = [n for n in data["nodes"] if n["kind"] == "reference"]
    assert refs and all(re.fullmatch(r"\[\d+\]", n["label"]) for n in refs)
    assert any(e["rel"] == "reportedIn" for e in data["edges"])


@pytest.mark.parametrize("opts, message", [
    ({"focus": "no-such-binder"}, "unknown id or label"),
    ({"mechanism": "PVDF"}, "not a mechanism"),
    ({"material": "PVDF"}, "not an active material"),
    ({"query": "no-such-query"}, "unknown query"),
    ({"mechanism": "Scavenging", "focus": "SBR"}, "in no claim of this view"),
])
def test_bad_views_are_one_line_errors(engine, tmp_path, opts, message):
    with pytest.raises(QueryError, match=message):
        write_page(engine, tmp_path / "x.html", PageOptions(**opts))
    assert not (tmp_path / "x.html").exists()


def test_missing_output_directory(engine, tmp_path):
    with pytest.raises(BindergraphError, match="does not exist"):
        write_page(engine, tmp_path / "nope" / "x.html", PageOptions(focus="PAN"))


def test_cli_viz(full_build, tmp_path):
    out = tmp_path / "pan.html"
    res = CliRunner().invoke(main, ["--out", str(full_build), "viz", "--focus", "PAN", "--depth", "2", "-o", str(out)])
    assert res.exit_code == 0, res.output
    data = payload_of(out)
    assert f"({len(data['nodes'])} nodes, {len(data['edges'])} edges)" in res.output


def _write(engine, tmp_path: Path, **opts) -> Path:
    out = tmp_path / f"view-{abs(hash(tuple(sorted(opts.items()))))}.html"
    write_page(engine, out, PageOptions(**opts))
    return out


# ------------------------------------------------------------- a graph with hostile labels
PWN_LABEL = "<script>window.__pwned=1</script>"
PWN_ALT = '"><img src=x onerror="window.__pwned=1">'
PWN_QUOTE = 'It binds "><img src=x onerror="window.__pwned=1"> well </script><script>window.__pwned=1</script> & more'
PWN_DOI = '10.1000/182"><script>window.__pwned=1</script>'


def _lit(text: str) -> str:
    return json.dumps(text)  # a valid Turtle string: JSON's escapes are a subset of Turtle's


HOSTILE_TTL = f"""
@prefix bg: <{BG}> . @prefix bgr: <{BGR}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> . @prefix bibo: <http://purl.org/ontology/bibo/> .
bgr:evil a bg:Binder, bg:SyntheticBinder ; rdfs:label {_lit(PWN_LABEL)} ; skos:altLabel {_lit(PWN_ALT)}, "EVIL" ;
    skos:exactMatch <javascript:window.__pwned=1>, <https://www.wikidata.org/wiki/Q42> .
bgr:adhesion a bg:Mechanism, bg:Adhesion ; rdfs:label "adhesion" .
bgr:carboxyl a bg:FunctionalGroup, bg:CarboxylGroup ; rdfs:label "carboxyl <b>group</b>" .
bgr:LFP a bg:ActiveMaterial, bg:CathodeMaterial, bg:PolyanionCathode ; rdfs:label "LFP" .
bgr:claim-s1-001 a bg:Claim ; bg:claimSubject bgr:evil ; bg:claimRelation bg:hasFunction ; bg:claimObject bgr:adhesion ;
    bg:viaGroup bgr:carboxyl ; bg:activeMaterial bgr:LFP ; bg:inSection bgr:section-1 ; dcterms:references bgr:ref-1 ;
    prov:wasDerivedFrom bgr:claim-s1-001-span ; bg:quote {_lit(PWN_QUOTE)} ; bg:stance "positive" .
bgr:claim-s1-001-span oa:hasSelector bgr:claim-s1-001-quote .
bgr:claim-s1-001-quote oa:exact {_lit(PWN_QUOTE)} .
bgr:section-1 a bg:ReviewSection ; bg:sectionNumber "1" ; rdfs:label "1 <i>Introduction</i>" .
bgr:ref-1 a bg:Reference ; bg:referenceNumber 1 ; rdfs:label "[1] <img src=x onerror=window.__pwned=1>" ;
    bibo:doi {_lit(PWN_DOI)} .
"""


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory) -> tuple[Path, dict]:
    """A page from a tiny in-memory graph (the ontology plus one hostile claim)."""
    store = ox.Store()
    store.load(path=str(paths.ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE)
    store.load(HOSTILE_TTL.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    out = tmp_path_factory.mktemp("hostile") / "hostile.html"
    stats = write_page(OxigraphEngine(store), out, PageOptions(focus=PWN_LABEL))
    return out, stats


def test_hostile_text_is_escaped_in_the_file(hostile_page):
    path, stats = hostile_page
    text = path.read_text(encoding="utf-8")
    assert stats == {"nodes": 4, "edges": 3, "output": str(path)}
    assert "<script>window" not in text and "<img" not in text and "<b>group" not in text
    assert "<title>bindergraph: focus &lt;script&gt;window.__pwned=1&lt;/script&gt; (depth 1)</title>" in text
    data = payload_of(path)
    evil = next(n for n in data["nodes"] if n["id"] == BGR + "evil")
    assert evil["name"] == PWN_LABEL and PWN_ALT in evil["alt"]
    assert data["claims"][0]["q"] == PWN_QUOTE
    assert data["refs"][0]["url"] == "https://doi.org/10.1000/182%22%3E%3Cscript%3Ewindow.__pwned%3D1%3C/script%3E"


# ---------------------------------------------------------------------------------- browser
@dataclass
class Opened:
    page: object
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def open_map(browser):
    contexts = []

    def _open(path: Path) -> Opened:
        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(ctx)
        page = ctx.new_page()
        log = Opened(page)

        def route(r):  # the page must work with no network at all: block and record anything not local
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                log.blocked.append(r.request.url)
                r.abort()

        ctx.route("**/*", route)
        page.on("request", lambda r: log.requests.append(r.url))
        page.on("requestfailed", lambda r: log.failed.append(r.url))
        page.on("console", lambda m: log.errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: log.errors.append(str(e)))
        page.goto(path.as_uri())
        # A selector, not wait_for_function: the page's CSP forbids the eval that the latter needs.
        page.wait_for_selector("html[data-state=ready]", state="attached", timeout=30_000)
        return log

    yield _open
    for ctx in contexts:
        ctx.close()


def _visible(m: Opened) -> dict:
    return m.js("""() => ({
        nodes: window.bindergraph.nodes.get({filter: n => !n.hidden}).map(n => n.id).sort(),
        edges: window.bindergraph.edges.get({filter: e => !e.hidden}).map(e => e.id).sort() })""")


def _settle(m: Opened) -> None:
    """Wait until the view stops moving (a search zooms to its node with a short animation)."""
    view = "() => [window.bindergraph.network.getScale(), window.bindergraph.network.getViewPosition()]"
    before = m.js(view)
    for _ in range(30):
        m.page.wait_for_timeout(100)
        now = m.js(view)
        if now == before:
            return
        before = now
    raise AssertionError("the view never came to rest")


def _map_offset(m: Opened) -> tuple[float, float]:
    box = m.page.locator("#map").bounding_box()
    return box["x"], box["y"]


@browser_test
def test_full_map_loads_offline(full_page, open_map, tmp_path):
    path, stats, data = full_page
    m = open_map(path)
    assert m.blocked == [] and m.failed == [] and m.errors == []
    assert set(m.requests) == {path.as_uri()}
    counts = m.js("() => window.bindergraph.visibleCounts()")
    assert counts == {"nodes": stats["nodes"], "edges": stats["edges"]}
    drawn = m.js("() => [window.bindergraph.network.body.nodeIndices.length, window.bindergraph.network.body.edgeIndices.length]")
    assert drawn == [stats["nodes"], stats["edges"]]
    assert m.js("() => window.bindergraph.network.physics.options.enabled") is False  # the layout is still
    # The canvas holds a drawing, not a blank area: count non-white pixels.
    inked = m.js("""() => { const c = document.querySelector('#map canvas'), d = c.getContext('2d')
        .getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) n++; return n; }""")
    assert inked > 20_000
    assert m.page.locator("#status").inner_text().startswith(f"Showing {stats['nodes']} of {stats['nodes']} nodes")
    assert m.page.locator('#legend-kinds input[data-kind="binder"]').count() == 1
    m.page.screenshot(path=str(tmp_path / "map.png"))
    shutil.copy(tmp_path / "map.png", SCREENSHOT)
    assert (tmp_path / "map.png").stat().st_size > 50_000
    print(f"time to still page: {m.js('() => window.bindergraph.readyMs')} ms")


@browser_test
def test_search_focuses_the_node(full_page, open_map):
    path, _, _ = full_page
    m = open_map(path)
    assert m.page.locator('#names option[value="PVDF"]').count() == 1
    m.page.fill("#search", "PVDF")
    m.page.press("#search", "Enter")
    assert m.js("() => window.bindergraph.network.getSelectedNodes()") == [BGR + "PVDF"]
    details = m.page.locator("#details")
    details.wait_for(state="visible")
    assert details.locator("h2").inner_text() == "PVDF"
    assert "poly(vinylidene fluoride)" in details.inner_text()
    # In a big map only the selection's links are labelled (vis draws every label on every frame).
    labelled = m.js("() => window.bindergraph.edges.get({filter: e => e.font.size > 0}).map(e => e.id).sort()")
    assert labelled == sorted(m.js(f"() => window.bindergraph.network.getConnectedEdges('{BGR}PVDF')"))
    assert labelled and m.js("(id) => window.bindergraph.edges.get(id).label", labelled[0])
    # By full name, case-insensitively, and by an abbreviation (skos:altLabel) of another node.
    m.page.fill("#search", "Polyacrylonitrile")
    m.page.press("#search", "Enter")
    assert m.js("() => window.bindergraph.network.getSelectedNodes()") == [BGR + "PAN"]
    m.page.fill("#search", "no such thing at all")
    m.page.press("#search", "Enter")
    assert "Nothing is called" in m.page.locator("#search-msg").inner_text()


def _expected_under_claim_filter(data: dict, passes, hidden_kinds=frozenset()) -> dict:
    """What the filters promise: an edge shows if one of its claims passes and neither end is of a
    hidden type; a node shows if such an edge touches it."""
    kind = {n["id"]: n["kind"] for n in data["nodes"]}
    edges = [e for e in data["edges"] if kind[e["from"]] not in hidden_kinds and kind[e["to"]] not in hidden_kinds
             and any(passes(data["claims"][c]) for c in e["claims"])]
    return {"nodes": sorted({e["from"] for e in edges} | {e["to"] for e in edges}), "edges": sorted(e["id"] for e in edges)}


@browser_test
def test_filters_hide_what_they_should(full_page, open_map):
    path, stats, data = full_page
    m = open_map(path)
    kind = {n["id"]: n["kind"] for n in data["nodes"]}
    # Node type: unticking "function / mechanism" hides every mechanism and the edges to it, nothing else.
    m.page.uncheck('input[data-kind="mechanism"]')
    v = _visible(m)
    assert v["nodes"] == sorted(n for n in kind if kind[n] != "mechanism")
    assert v["edges"] == sorted(e["id"] for e in data["edges"] if "mechanism" not in (kind[e["from"]], kind[e["to"]]))
    # Application filter on top of it: only claims about LNMO (or narrower materials).
    lnmo = BGR + "LNMO"
    m.page.select_option("#f-material", lnmo)
    v = _visible(m)
    assert v == _expected_under_claim_filter(data, lambda c: lnmo in c["mat"], {"mechanism"})
    assert lnmo in v["nodes"] and len(v["nodes"]) < stats["nodes"] / 3
    # Reset, then a review section (3.2 includes 3.2.1 and 3.2.2).
    m.page.click("#reset")
    assert len(_visible(m)["nodes"]) == stats["nodes"]
    m.page.select_option("#f-section", "3.2")
    assert _visible(m) == _expected_under_claim_filter(data, lambda c: c["sec"] == "3.2" or c["sec"].startswith("3.2."))
    # Mechanism family.
    m.page.click("#reset")
    m.page.select_option("#f-family", BG + "Scavenging")
    v = _visible(m)
    assert v == _expected_under_claim_filter(data, lambda c: BG + "Scavenging" in c["fam"])
    assert BGR + "polysulfide-trapping" in v["nodes"] and BGR + "adhesion" not in v["nodes"]
    # Edge type: hiding "has function" hides those edges only.
    m.page.click("#reset")
    m.page.uncheck('input[data-rel="hasFunction"]')
    v = _visible(m)
    assert len(v["nodes"]) == stats["nodes"]
    assert v["edges"] == sorted(e["id"] for e in data["edges"] if e["rel"] != "hasFunction")
    assert "of 422 nodes" in m.page.locator("#status").inner_text() or stats["nodes"] != 422


def _hover_point_on_edge(m: Opened, candidates: list[str]):
    """Zoom to an edge and return an on-screen point where the pointer is on it and on nothing else
    (vis shows the tooltip of any edge within 10 canvas units, so no other edge may be that close)."""
    return m.js("""(ids) => {
        const net = window.bindergraph.network, E = window.bindergraph.edges, body = net.body;
        for (const id of ids) {
            const e = E.get(id);
            if (e.smooth !== false) continue;  // only straight edges: the point is on the segment
            const p = net.getPositions([e.from, e.to]), a = p[e.from], b = p[e.to];
            net.moveTo({position: {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2}, scale: 1.6});
            for (const t of [0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7]) {
                const c = {x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y)}, d = net.canvasToDOM(c);
                const box = {left: c.x, right: c.x, top: c.y, bottom: c.y};
                const near = body.edgeIndices.filter(i => body.edges[i].isOverlappingWith(box));
                if (net.getNodeAt(d) === undefined && near.length === 1 && near[0] === id) return {id, x: d.x, y: d.y};
            }
        }
        return null; }""", candidates)


@browser_test
def test_edge_tooltip_shows_quote_and_doi_link(full_page, open_map):
    path, _, data = full_page
    m = open_map(path)
    cited = [e["id"] for e in data["edges"] if len(e["claims"]) == 1 and e["rel"] == "hasFunction"
             and any(data["refs"][r]["url"] for r in data["claims"][e["claims"][0]]["refs"])]
    spot = _hover_point_on_edge(m, cited[:40])
    assert spot, "no edge could be pointed at"
    edge = next(e for e in data["edges"] if e["id"] == spot["id"])
    claim = data["claims"][edge["claims"][0]]
    url = next(data["refs"][r]["url"] for r in claim["refs"] if data["refs"][r]["url"])
    x0, y0 = _map_offset(m)
    m.page.mouse.move(x0 + spot["x"], y0 + spot["y"])
    tip = m.page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    words = " ".join(claim["q"].split())[:60]
    assert words in " ".join(tip.inner_text().split())
    assert "has function" in tip.inner_text() and "§" in tip.inner_text()
    assert tip.locator(f'a[href="{url}"]').count() == 1
    # Clicking the edge opens its evidence, with the DOI as a link that opens in a new tab.
    m.page.mouse.click(x0 + spot["x"], y0 + spot["y"])
    details = m.page.locator("#details")
    details.wait_for(state="visible")
    assert words in " ".join(details.inner_text().split())
    link = details.locator(f'a[href="{url}"]').first
    assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")
    assert m.blocked == []


@browser_test
def test_node_tooltip_shows_names_and_class(full_page, open_map):
    path, _, _ = full_page
    m = open_map(path)
    m.js("() => window.bindergraph.network.moveTo({position: window.bindergraph.network.getPositions(["
         f"'{BGR}PVDF'])['{BGR}PVDF'], scale: 1.5}})")
    d = m.js(f"() => window.bindergraph.network.canvasToDOM(window.bindergraph.network.getPositions(['{BGR}PVDF'])['{BGR}PVDF'])")
    x0, y0 = _map_offset(m)
    m.page.mouse.move(x0 + d["x"] - 40, y0 + d["y"] - 40)
    m.page.mouse.move(x0 + d["x"], y0 + d["y"], steps=5)
    tip = m.page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    text = tip.inner_text()
    assert "PVDF" in text and "poly(vinylidene fluoride)" in text and "fluoropolymer binder" in text


@browser_test
def test_hostile_labels_run_nothing(hostile_page, open_map):
    path, _ = hostile_page
    m = open_map(path)
    # The focus node is selected and its details are open at load.
    details = m.page.locator("#details")
    details.wait_for(state="visible")
    assert details.locator("h2").inner_text() == "EVIL"  # the short name; the label is shown as its full name
    assert PWN_LABEL in details.inner_text() and PWN_ALT in details.inner_text()
    # Search with the hostile text itself, hover, and open everything that carries hostile text.
    m.page.fill("#search", PWN_LABEL)
    m.page.press("#search", "Enter")
    _settle(m)
    d = m.js(f"() => window.bindergraph.network.canvasToDOM(window.bindergraph.network.getPositions(['{BGR}evil'])['{BGR}evil'])")
    x0, y0 = _map_offset(m)
    m.page.mouse.move(x0 + d["x"] - 20, y0 + d["y"] - 20)
    m.page.mouse.move(x0 + d["x"], y0 + d["y"], steps=4)
    m.page.locator("div.vis-tooltip").wait_for(state="visible", timeout=5000)
    assert m.js("() => window.bindergraph.network.getSelectedNodes()") == [BGR + "evil"]
    assert PWN_LABEL in m.page.locator("div.vis-tooltip").inner_text()
    edge = m.js("() => window.bindergraph.edges.get({filter: e => e.rel === 'hasFunction'})[0].id")
    m.js("(id) => window.bindergraph.showEdge(id)", edge)
    text = details.inner_text()
    assert "window.__pwned=1\"> well </script><script>window.__pwned=1</script> & more" in text
    assert "1 <i>Introduction</i>" in text and "[1] <img src=x onerror=window.__pwned=1>" in text
    assert m.js("() => typeof window.__pwned") == "undefined"
    assert m.js("() => document.querySelectorAll('img, #details script, .vis-tooltip script, b, i').length") == 0
    assert m.js("() => document.querySelectorAll('a[href^=\"javascript:\"]').length") == 0
    hrefs = m.js("() => [...document.querySelectorAll('#details a')].map(a => a.href)")
    assert hrefs == ["https://doi.org/10.1000/182%22%3E%3Cscript%3Ewindow.__pwned%3D1%3C/script%3E"]
    assert m.page.title() == f"bindergraph: focus {PWN_LABEL} (depth 1)"
    assert m.blocked == [] and set(m.requests) == {path.as_uri()} and m.errors == []
