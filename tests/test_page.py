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
from bindergraph.publish.page import FIRST_VIEW_KINDS, FIRST_VIEW_RELATIONS, PageOptions, json_for_script, view_graph, write_page
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
    data_ = load_claims(engine)
    expected = view_graph(data_, data_.claims)
    assert stats["nodes"] == expected.number_of_nodes() and stats["edges"] == expected.number_of_edges()
    # the group -> function edges are the only ones beyond the claims' own projection
    assert expected.number_of_edges() - entity_graph(data_).number_of_edges() == \
        sum(1 for e in data["edges"] if e["rel"].startswith("servesVia"))
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
    claims = load_claims(engine)
    full = view_graph(claims, claims.claims).to_undirected()
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
    # evil -> adhesion, carboxyl (via group), LFP (context), and carboxyl -> adhesion (the function via the group)
    assert stats == {"nodes": 4, "edges": 4, "output": str(path)}
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

    def _open(path: Path, fragment: str = "") -> Opened:
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
        page.goto(path.as_uri() + fragment)
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


def _first_view(data: dict) -> dict:
    """What the first view promises: the kinds and relations FIRST_VIEW_* name, nodes of those kinds."""
    kind = {n["id"]: n["kind"] for n in data["nodes"]}
    edges = [e for e in data["edges"] if data["relations"][e["rel"]]["base"] in FIRST_VIEW_RELATIONS
             and kind[e["from"]] in FIRST_VIEW_KINDS and kind[e["to"]] in FIRST_VIEW_KINDS]
    return {"nodes": sorted(n for n in kind if kind[n] in FIRST_VIEW_KINDS), "edges": sorted(e["id"] for e in edges)}


@browser_test
def test_full_map_loads_offline(full_page, open_map, tmp_path, engine):
    path, stats, data = full_page
    m = open_map(path)
    assert m.blocked == [] and m.failed == [] and m.errors == []
    assert set(m.requests) == {path.as_uri()}
    # The first view: binders with their functions, groups and materials; a few hundred links, not 1,400.
    first = _first_view(data)
    assert _visible(m) == first
    assert 200 <= len(first["edges"]) <= 500 < stats["edges"]
    assert m.js("() => window.bindergraph.network.physics.options.enabled") is False  # positions come from Python
    # The canvas holds a drawing, not a blank area: count non-white pixels.
    inked = m.js("""() => { const c = document.querySelector('#map canvas'), d = c.getContext('2d')
        .getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) n++; return n; }""")
    assert inked > 20_000
    # The status line counts what is shown, and the total is the build's claim count.
    total = int(engine.select(PREFIXES + "SELECT (COUNT(?c) AS ?n) WHERE { ?c a bg:Claim }").rows[0]["n"].value)
    shown = {c for e in data["edges"] if e["id"] in set(first["edges"]) for c in e["claims"]}
    binders = sum(1 for n in data["nodes"] if n["kind"] == "binder")
    assert m.page.locator("#status").inner_text().startswith(
        f"Shown: {binders} binders among {len(first['nodes'])} nodes, {len(first['edges'])} links resting on "
        f"{len(shown)} claims, of the {total} claims in the graph.")
    # Everything else is one click away: tick every box.
    for kind in m.js("() => [...document.querySelectorAll('#legend-kinds input:not(:checked)')].map(b => b.dataset.kind)"):
        m.page.check(f'input[data-kind="{kind}"]')
    for rel in m.js("() => [...document.querySelectorAll('#legend-rels input:not(:checked)')].map(b => b.dataset.rel)"):
        m.page.check(f'input[data-rel="{rel}"]')
    assert _visible(m)["edges"] == sorted(e["id"] for e in data["edges"])
    assert _all_in_view(m)
    m.page.screenshot(path=str(tmp_path / "map.png"))
    shutil.copy(tmp_path / "map.png", SCREENSHOT)
    print(f"time to still page: {m.js('() => window.bindergraph.readyMs')} ms")


def _all_in_view(m: Opened) -> bool:
    """Every shown node's centre lies on the map's canvas (the view was fitted to what is shown)."""
    box = m.page.locator("#map").bounding_box()
    pts = m.js("""() => { const b = window.bindergraph, ids = b.nodes.getIds({filter: n => !n.hidden}),
        p = b.network.getPositions(ids); return ids.map(id => b.network.canvasToDOM(p[id])); }""")
    return bool(pts) and all(-1 <= p["x"] <= box["width"] + 1 and -1 <= p["y"] <= box["height"] + 1 for p in pts)


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
    # A selected node's links are not labelled (their labels piled up over the nodes); its neighbours are.
    assert _labelled_edges(m) == []
    _settle(m)
    shown = m.js(f"() => window.bindergraph.network.getConnectedEdges('{BGR}PVDF')"
                 ".filter(id => !window.bindergraph.edges.get(id).hidden)")
    assert shown and _all_in_view(m)
    # By full name, case-insensitively, and by an abbreviation (skos:altLabel) of another node.
    m.page.fill("#search", "Polyacrylonitrile")
    m.page.press("#search", "Enter")
    assert m.js("() => window.bindergraph.network.getSelectedNodes()") == [BGR + "PAN"]
    assert m.page.url.endswith("#PAN")
    m.page.fill("#search", "no such thing at all")
    m.page.press("#search", "Enter")
    assert "Nothing is called" in m.page.locator("#search-msg").inner_text()


def _expected_under_claim_filter(data: dict, passes, shown_edges: list[str]) -> dict:
    """What the filters promise: an edge of the current types shows if one of its claims passes; a node
    shows if such an edge touches it."""
    ids = set(shown_edges)
    edges = [e for e in data["edges"] if e["id"] in ids and any(passes(data["claims"][c]) for c in e["claims"])]
    return {"nodes": sorted({e["from"] for e in edges} | {e["to"] for e in edges}), "edges": sorted(e["id"] for e in edges)}


@browser_test
def test_filters_hide_what_they_should(full_page, open_map):
    path, stats, data = full_page
    m = open_map(path)
    kind = {n["id"]: n["kind"] for n in data["nodes"]}
    first = _first_view(data)
    # Node type: unticking "function / mechanism" hides every mechanism and the edges to it, nothing else.
    m.page.uncheck('input[data-kind="mechanism"]')
    v = _visible(m)
    assert v["nodes"] == sorted(n for n in first["nodes"] if kind[n] != "mechanism")
    no_mech = [e["id"] for e in data["edges"] if e["id"] in set(first["edges"]) and "mechanism" not in (kind[e["from"]], kind[e["to"]])]
    assert v["edges"] == sorted(no_mech)
    assert _all_in_view(m)
    # Application filter on top of it: only claims about LNMO (or narrower materials).
    lnmo = BGR + "LNMO"
    m.page.select_option("#f-material", lnmo)
    v = _visible(m)
    assert v == _expected_under_claim_filter(data, lambda c: lnmo in c["mat"], no_mech)
    assert lnmo in v["nodes"] and len(v["nodes"]) < stats["nodes"] / 3
    assert _all_in_view(m)
    # Reset (back to the first view), then a review section (3.2 includes 3.2.1 and 3.2.2).
    m.page.click("#reset")
    assert _visible(m) == first
    m.page.select_option("#f-section", "3.2")
    assert _visible(m) == _expected_under_claim_filter(data, lambda c: c["sec"] == "3.2" or c["sec"].startswith("3.2."),
                                                       first["edges"])
    # Mechanism family.
    m.page.click("#reset")
    m.page.select_option("#f-family", BG + "Scavenging")
    v = _visible(m)
    assert v == _expected_under_claim_filter(data, lambda c: BG + "Scavenging" in c["fam"], first["edges"])
    assert BGR + "polysulfide-trapping" in v["nodes"] and BGR + "adhesion" not in v["nodes"]
    # Edge type: one checkbox per relation, covering its hedged and negative claims too.
    m.page.click("#reset")
    m.page.uncheck('input[data-rel="hasFunction"]')
    base = {e["id"]: data["relations"][e["rel"]]["base"] for e in data["edges"]}
    assert _visible(m)["edges"] == sorted(e for e in first["edges"] if base[e] != "hasFunction")
    assert any(data["relations"][e["rel"]]["stance"] == "hedged" for e in data["edges"] if e["id"] in first["edges"])


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
    tip = m.page.locator("#tip")
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
    tip = m.page.locator("#tip")
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
    m.page.locator("#tip").wait_for(state="visible", timeout=5000)
    assert m.js("() => window.bindergraph.network.getSelectedNodes()") == [BGR + "evil"]
    assert PWN_LABEL in m.page.locator("#tip").inner_text()
    edge = m.js("() => window.bindergraph.edges.get({filter: e => e.rel === 'hasFunction'})[0].id")
    m.js("(id) => window.bindergraph.showEdge(id)", edge)
    text = details.inner_text()
    assert "window.__pwned=1\"> well </script><script>window.__pwned=1</script> & more" in text
    assert "1 <i>Introduction</i>" in text and "[1] <img src=x onerror=window.__pwned=1>" in text
    assert m.js("() => typeof window.__pwned") == "undefined"
    assert m.js("() => document.querySelectorAll('img, #details script, #tip script, b, i').length") == 0
    assert m.js("() => document.querySelectorAll('a[href^=\"javascript:\"]').length") == 0
    hrefs = m.js("() => [...document.querySelectorAll('#details a')].map(a => a.href)")
    assert hrefs == ["https://doi.org/10.1000/182%22%3E%3Cscript%3Ewindow.__pwned%3D1%3C/script%3E"]
    assert m.page.title() == f"bindergraph: focus {PWN_LABEL} (depth 1)"
    assert m.blocked == [] and set(m.requests) == {path.as_uri()} and m.errors == []


# ------------------------------------------------------------------- selection, hash, views, phones
def _labelled_edges(m: Opened) -> list[str]:
    return m.js("() => window.bindergraph.edges.get({filter: e => !e.hidden && e.font.size > 0}).map(e => e.id).sort()")


def _selection_state(m: Opened) -> dict:
    """Which nodes are faded, which carry a label readable at the current zoom (at least 9 px on screen;
    vis draws none below 7 px), and what is selected."""
    return m.js("""() => { const b = window.bindergraph, s = b.network.getScale();
        const shown = b.nodes.get({filter: n => !n.hidden});
        return { dimmed: shown.filter(n => n.opacity < 1).map(n => n.id),
                 readable: shown.filter(n => n.opacity === 1 && n.font.size * s >= 9).map(n => n.id),
                 nodes: b.network.getSelectedNodes(), edges: b.network.getSelectedEdges(),
                 panel: !document.getElementById('details').hidden, hash: location.hash }; }""")


@browser_test
def test_clicking_an_edge_keeps_the_highlight_and_labels_its_ends(full_page, open_map):
    path, _, data = full_page
    m = open_map(path)
    candidates = [e["id"] for e in data["edges"] if e["rel"] == "hasFunction" and len(e["claims"]) == 1]
    spot = _hover_point_on_edge(m, candidates[:60])
    assert spot, "no edge could be pointed at"
    edge = next(e for e in data["edges"] if e["id"] == spot["id"])
    x0, y0 = _map_offset(m)
    m.page.mouse.click(x0 + spot["x"], y0 + spot["y"])
    m.page.locator("#details").wait_for(state="visible")
    st = _selection_state(m)
    assert st["edges"] == [edge["id"]] and st["panel"]
    assert {edge["from"], edge["to"]} <= set(st["readable"])  # both ends labelled
    assert edge["from"] not in st["dimmed"] and edge["to"] not in st["dimmed"]
    assert len(st["dimmed"]) > 100  # the rest of the picture fades, but stays
    assert m.js("(id) => window.bindergraph.edges.get(id).font.size", edge["id"]) > 0  # the edge is labelled
    # Hovering elsewhere, then leaving the map, hides the tooltip; the highlight stays while the panel is open.
    m.page.mouse.move(x0 + spot["x"], y0 + spot["y"])
    m.page.locator("#tip").wait_for(state="visible")
    m.page.mouse.move(5, 5)
    m.page.locator("#tip").wait_for(state="hidden")
    assert _selection_state(m)["edges"] == [edge["id"]]


@browser_test
def test_escape_closes_the_panel_and_clears_the_selection(full_page, open_map):
    path, _, _ = full_page
    m = open_map(path)
    m.js("() => window.bindergraph.go('#PAA')")
    assert _selection_state(m)["panel"]
    m.page.keyboard.press("Escape")
    st = _selection_state(m)
    assert not st["panel"] and st["nodes"] == [] and st["dimmed"] == [] and st["hash"] == ""


@browser_test
def test_hash_opens_the_page_on_a_node_or_a_claim_and_back_undoes(full_page, open_map, engine):
    path, _, data = full_page
    # #PAA: the node selected, its neighbours labelled, its details open.
    m = open_map(path, "#PAA")
    st = _selection_state(m)
    assert st["nodes"] == [BGR + "PAA"] and st["panel"]
    assert m.page.locator("#details h2").inner_text() == "PAA"
    # Its neighbours are the other ends of its shown links (a node linked only by a hidden one stays faded).
    neighbours = m.js(f"() => window.bindergraph.network.getConnectedEdges('{BGR}PAA')"
                      ".map(id => window.bindergraph.edges.get(id)).filter(e => !e.hidden).map(e => e.from + ' ' + e.to)")
    neighbours = {n for pair in neighbours for n in pair.split(" ")}
    assert len(neighbours) > 5 and neighbours <= set(st["readable"])
    assert not neighbours & set(st["dimmed"])
    # #claim-…: the claim's link selected, its quote first in the panel, as in the graph.
    quote = engine.select(PREFIXES + "SELECT ?q WHERE { <" + BGR + "claim-s3.1.1-005> bg:quote ?q }").rows[0]["q"].value
    m = open_map(path, "#claim-s3.1.1-005")
    first = m.page.locator("#details .claim").first
    assert " ".join(quote.split())[:80] in " ".join(first.inner_text().split())
    assert "claim s3.1.1-005" in first.inner_text()
    assert len(_selection_state(m)["edges"]) == 1
    # Selecting another node pushes history; Back returns to the claim, Back again to PAA.
    m.js("() => window.bindergraph.go('#PVDF')")
    assert _selection_state(m)["nodes"] == [BGR + "PVDF"]
    m.page.go_back()
    m.page.locator("#details .claim.current").wait_for(state="visible")
    assert "claim s3.1.1-005" in m.page.locator("#details .claim.current").inner_text()
    assert _selection_state(m)["nodes"] == []


def _choose_view(m: Opened, kind: str, **selects: str) -> None:
    m.page.select_option("#v-type", kind)
    for sel, value in selects.items():
        m.page.select_option(f"#v-{sel}", value)
    m.page.wait_for_selector("html[data-state=ready]", state="attached", timeout=30_000)


@browser_test
def test_mechanism_family_and_question_views_relayout_and_fit(full_page, open_map):
    path, _, data = full_page
    m = open_map(path)
    node = {n["id"]: n for n in data["nodes"]}
    _choose_view(m, "family", family=BG + "Scavenging")
    v = _visible(m)
    mechs = [n for n in v["nodes"] if node[n]["kind"] == "mechanism"]
    assert BGR + "polysulfide-trapping" in mechs and all(BG + "Scavenging" in node[n]["fam"] for n in mechs)
    assert BGR + "adhesion" not in v["nodes"] and _all_in_view(m)
    assert "Mechanism family" in m.page.locator("#view-title").inner_text()
    # A catalogue question answered at viz time: which binders and solvents suit sulfide electrolytes.
    q = next(i for i, x in enumerate(data["questions"]) if x["id"] == "sulfide-compatibility")
    _choose_view(m, "question", question=str(q))
    v = _visible(m)
    assert v["nodes"] and set(v["nodes"]) <= set(data["questions"][q]["answers"][0]["nodes"])
    assert any(data["relations"][next(e for e in data["edges"] if e["id"] == i)["rel"]]["base"] in
               ("compatibleWith", "incompatibleWith") for i in v["edges"])
    assert _all_in_view(m)
    # "What does carboxyl do": binder -> group -> function paths only.
    _choose_view(m, "group", group=BGR + "carboxyl")
    v = _visible(m)
    rels = {data["relations"][next(e for e in data["edges"] if e["id"] == i)["rel"]]["base"] for i in v["edges"]}
    assert "servesVia" in rels and BGR + "adhesion" in v["nodes"] and _all_in_view(m)
    # A binder's neighbourhood at depth 1.
    _choose_view(m, "neighbourhood", binder=BGR + "PAN", depth="1")
    v = _visible(m)
    assert BGR + "PAN" in v["nodes"] and BGR + "nitrile" in v["nodes"] and len(v["nodes"]) < 40 and _all_in_view(m)


@browser_test
def test_phone_drawer_and_bottom_sheet(full_page, browser):
    path, _, _ = full_page
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    page = ctx.new_page()
    page.goto(path.as_uri() + "#PAA")
    page.wait_for_selector("html[data-state=ready]", state="attached", timeout=30_000)
    assert page.locator("#map").bounding_box()["width"] >= 300
    sheet = page.locator("#details").bounding_box()
    assert sheet["x"] >= 0 and sheet["x"] + sheet["width"] <= 390 and sheet["y"] >= 0 and sheet["y"] + sheet["height"] <= 844
    assert page.locator("#side").bounding_box()["x"] + page.locator("#side").bounding_box()["width"] <= 0  # drawer shut
    page.click("#drawer-toggle")
    page.wait_for_timeout(400)
    assert page.locator("#side").bounding_box()["x"] >= 0
    ctx.close()


@browser_test
def test_panel_shows_stance_attribution_and_curies(full_page, open_map, engine):
    path, _, data = full_page
    m = open_map(path)
    m.js("() => window.bindergraph.go('#carboxyl')")
    label = engine.select(PREFIXES + "SELECT ?l WHERE { <http://purl.obolibrary.org/obo/CHEBI_46883> rdfs:label ?l }").rows
    assert label and f"CHEBI:46883 {label[0]['l'].value}" in m.page.locator("#details").inner_text()
    row = engine.select(PREFIXES + """SELECT ?c ?att ?stance WHERE { ?c a bg:Claim , ?a ; bg:stance ?stance ;
        bg:outcome ?o . ?a rdfs:subClassOf bg:Claim ; rdfs:label ?att } LIMIT 1""").rows[0]
    cid = row["c"].value.rsplit("/", 1)[-1]
    m.js("(h) => window.bindergraph.go(h)", "#" + cid)
    text = m.page.locator("#details .claim.current").inner_text()
    assert row["att"].value in text and row["stance"].value in text and "comparison (" in text


@browser_test
def test_negative_claims_end_in_a_bar(full_page, open_map):
    path, _, data = full_page
    m = open_map(path)
    neg = [e["id"] for e in data["edges"] if data["relations"][e["rel"]]["stance"] == "negative"]
    pos = [e["id"] for e in data["edges"] if data["relations"][e["rel"]]["stance"] == "positive"][:5]
    assert neg
    arrows = m.js("(ids) => ids.map(id => window.bindergraph.edges.get(id).arrows.to.type)", neg + pos)
    assert arrows == ["bar"] * len(neg) + ["arrow"] * len(pos)


def test_focus_on_a_group_includes_the_functions_it_serves(engine, tmp_path):
    data = payload_of(_write(engine, tmp_path, focus="carboxyl"))
    served = {r["m"].value for r in engine.select(PREFIXES + """SELECT DISTINCT ?m WHERE {
        ?c bg:viaGroup bgr:carboxyl ; bg:claimRelation bg:hasFunction ; bg:claimObject ?m . ?m a bg:Mechanism }""").rows}
    via = {e["to"] for e in data["edges"] if e["from"] == BGR + "carboxyl" and e["rel"].startswith("servesVia")}
    assert served and via == served


def test_cli_viz_query_with_param(full_build, tmp_path, engine):
    out = tmp_path / "lnmo.html"
    res = CliRunner().invoke(main, ["--out", str(full_build), "viz", "--query", "binders-for-material",
                                    "--param", "material=LNMO", "-o", str(out)])
    assert res.exit_code == 0, res.output
    ids = {n["id"] for n in payload_of(out)["nodes"]}
    binders = {r["b"].value for r in engine.select(PREFIXES + """SELECT DISTINCT ?b WHERE {
        ?st rdf:subject ?b ; rdf:object bgr:LNMO . ?b a bg:Binder }""").rows}
    assert BGR + "LNMO" in ids and binders and binders <= ids
    res = CliRunner().invoke(main, ["--out", str(full_build), "viz", "--param", "material=LNMO", "-o", str(out)])
    assert res.exit_code != 0 and "error: viz: --param needs --query" in res.output
    res = CliRunner().invoke(main, ["--out", str(full_build), "viz", "--query", "binders-for-material",
                                    "--param", "colour=red", "-o", str(out)])
    assert res.exit_code != 0 and "has no parameter 'colour'" in res.output


def _open_sized(browser, path: Path, width: int, height: int, fragment: str = ""):
    ctx = browser.new_context(viewport={"width": width, "height": height})
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    page = ctx.new_page()
    page.goto(path.as_uri() + fragment)
    page.wait_for_selector("html[data-state=ready]", state="attached", timeout=30_000)
    return ctx, Opened(page)


@browser_test
def test_phone_selection_is_fitted_above_the_sheet_and_named(full_page, browser, tmp_path):
    path, _, data = full_page
    ctx, m = _open_sized(browser, path, 390, 844, "#PAA")
    try:
        sheet_top = m.page.locator("#details").bounding_box()["y"]
        width = m.page.locator("#map").bounding_box()["width"]
        # Every end of PAA's shown links, and PAA, lies on the map above the bottom sheet.
        pts = m.js("""() => { const b = window.bindergraph, sel = b.network.getSelectedNodes()[0];
            const ids = new Set([sel]);
            b.network.getConnectedEdges(sel).map(id => b.edges.get(id)).filter(e => !e.hidden)
              .forEach(e => { ids.add(e.from); ids.add(e.to); });
            const p = b.network.getPositions([...ids]);
            return [...ids].map(id => ({id, ...b.network.canvasToDOM(p[id])})); }""")
        assert len(pts) > 5
        assert all(0 <= p["x"] <= width and 0 <= p["y"] <= sheet_top for p in pts), pts
        # They are named at a readable size, and their link labels do not pile up: none is labelled.
        st = _selection_state(m)
        assert {p["id"] for p in pts} <= set(st["readable"])
        assert _labelled_edges(m) == []
        assert not m.js("() => window.bindergraph.captionsShown()")
        # Their names do not overlap: the neighbours' centres are at least a label's height apart.
        close = [(a["id"], b["id"]) for i, a in enumerate(pts) for b in pts[i + 1:]
                 if abs(a["x"] - b["x"]) < 60 and abs(a["y"] - b["y"]) < 18]
        assert not close, close
        # An edge selected on the phone: only that edge carries a label, and both ends are above the sheet.
        edge = next(e for e in data["edges"] if e["from"] == BGR + "PAA" and e["rel"] == "hasFunction")
        m.js("(id) => window.bindergraph.showEdge(id)", edge["id"])
        _settle(m)
        assert _labelled_edges(m) == [edge["id"]]
        ends = m.js("""(id) => { const b = window.bindergraph, e = b.edges.get(id), p = b.network.getPositions([e.from, e.to]);
            return [e.from, e.to].map(n => b.network.canvasToDOM(p[n])); }""", edge["id"])
        top = m.page.locator("#details").bounding_box()["y"]
        assert all(0 <= p["x"] <= width and 0 <= p["y"] <= top for p in ends), ends
    finally:
        ctx.close()


@browser_test
def test_first_view_captions_lie_inside_the_canvas_and_apart(full_page, browser):
    path, _, data = full_page
    assert data["segments"]
    ctx, m = _open_sized(browser, path, 1600, 1000)
    try:
        box = m.page.locator("#map").bounding_box()
        assert m.js("() => window.bindergraph.captionsShown()")
        caps = m.js("""() => { const b = window.bindergraph, n = b.network;
            return b.captionBoxes(n.getScale()).map(c => { const a = n.canvasToDOM({x: c.x0, y: c.y0}),
                z = n.canvasToDOM({x: c.x1, y: c.y1}); return {label: c.label, x0: a.x, y0: a.y, x1: z.x, y1: z.y}; }); }""")
        assert sorted(c["label"] for c in caps) == sorted(s["label"] for s in data["segments"])
        for c in caps:
            assert 0 <= c["x0"] and c["x1"] <= box["width"] and 0 <= c["y0"] and c["y1"] <= box["height"], c
            assert c["x1"] - c["x0"] > 20  # measured text, not an empty box
        hits = [(a["label"], b["label"]) for i, a in enumerate(caps) for b in caps[i + 1:]
                if a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]]
        assert not hits, hits
        assert _all_in_view(m)
    finally:
        ctx.close()
