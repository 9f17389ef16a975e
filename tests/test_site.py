"""`bindergraph site`: one page per entity at the w3id paths, the ontology documentation, the catalogue, the
map and the dumps; every relative link resolves inside the site; nothing is fetched from outside; hostile
text is escaped."""
from __future__ import annotations

import functools
import html
import json
import os
import posixpath
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from bindergraph import paths
from bindergraph.cli import main
from bindergraph.errors import BindergraphError, QueryError
from bindergraph.publish.export import FORMATS, export_bytes
from bindergraph.publish.site import (ONTOLOGY_GRAPH, render_entity_page, render_ontology_page,
                                      render_record_page, site_css, write_site)
from bindergraph.query.catalogue import bind_params, catalogue
from bindergraph.query.engine import PREFIXES, OxigraphEngine
from bindergraph.query.text import readable
from serving import serving, url

BG = "https://w3id.org/bindergraph/ontology#"
BGR = "https://w3id.org/bindergraph/resource/"
# tags whose attribute the browser fetches by itself (not a link the reader follows)
FETCHED = {("script", "src"), ("link", "href"), ("img", "src"), ("img", "srcset"), ("source", "src"),
           ("source", "srcset"), ("iframe", "src"), ("embed", "src"), ("object", "data"), ("video", "src"),
           ("video", "poster"), ("audio", "src"), ("track", "src"), ("input", "src")}


@pytest.fixture(scope="module")
def site(engine, full_build, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    write_site(engine, paths.current_build(full_build), out)
    return out


class Page(HTMLParser):
    """The references of one HTML page: (tag, attribute, value), the ids it defines, and its inline CSS."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()
        self.css: list[str] = []
        self._in_style = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src", "srcset", "data", "poster") and value is not None:
                self.refs.append((tag, name, value))
            if name == "style" and value:
                self.css.append(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.css.append(data)


def pages(site: Path) -> dict[Path, Page]:
    return {p: Page(p.read_text(encoding="utf-8")) for p in sorted(site.rglob("*.html"))}


@pytest.fixture(scope="module")
def parsed(site) -> dict[Path, Page]:
    return pages(site)


def entity_ids(engine) -> set[str]:
    rows = engine.select(PREFIXES + """SELECT DISTINCT ?e WHERE { ?e a owl:NamedIndividual .
        FILTER(STRSTARTS(STR(?e), STR(bgr:))) }""").rows
    return {r["e"].value[len(BGR):] for r in rows}


# ------------------------------------------------------------------------------ the layout
def record_ids(engine) -> set[str]:
    rows = engine.select(PREFIXES + """SELECT DISTINCT ?e WHERE { ?e a ?t . VALUES ?t { bg:Claim bg:Reference
        bg:ReviewSection prov:Agent } FILTER(STRSTARTS(STR(?e), STR(bgr:))) }""").rows
    return {r["e"].value[len(BGR):] for r in rows}


def test_one_page_and_rdf_files_per_entity(site, engine):
    ids, records = entity_ids(engine), record_ids(engine)
    assert len(ids) > 400 and not ids & records
    html_pages = {p.stem for p in (site / "resource").glob("*.html")} - {"index"}
    assert html_pages - records == ids  # one page per entity; claims, references, sections have theirs
    assert html_pages & records == records
    for fmt in ("ttl", "nt", "jsonld"):
        assert {p.stem for p in (site / "resource").glob(f"*.{fmt}")} == ids | records
    assert {"PAA", "PVDF", "Ni3+", "Li3.25Ge0.25P0.75S4"} <= html_pages  # ids with '+' and '.' keep their names


def test_every_page_is_reachable_from_the_home_page(site, parsed):
    """A crawl over the relative links from index.html reaches every page of the site."""
    seen, todo = set(), [site / "index.html"]
    while todo:
        path = todo.pop()
        if path in seen or path not in parsed:
            continue
        seen.add(path)
        for tag, _, value in parsed[path].refs:
            parts = urllib.parse.urlsplit(value)
            if tag == "a" and not parts.scheme and parts.path.endswith(".html"):
                todo.append(Path(posixpath.normpath(str(path.parent / urllib.parse.unquote(parts.path)))))
    assert not set(parsed) - seen, sorted(str(p.relative_to(site)) for p in set(parsed) - seen)[:10]
    binders = parsed[site / "kinds" / "binder.html"]
    assert "../resource/PVDF.html" in {v for _, _, v in binders.refs}


def test_home_links_every_part(parsed, site):
    home = {v for t, _, v in parsed[site / "index.html"].refs if t == "a"}
    assert {"ontology/index.html", "resource/index.html", "queries/index.html", "map.html", "dumps/index.html"} <= home


# ------------------------------------------------------------------------------ link checker
def test_every_relative_link_resolves_to_a_file_and_an_anchor(site, parsed):
    """A link checker over the whole site: each relative href/src names a file of the site, and a
    #fragment names an id of the page it points to."""
    ids = {p: page.ids for p, page in parsed.items()}
    broken = []
    checked = 0
    for path, page in parsed.items():
        for tag, attr, value in page.refs:
            parts = urllib.parse.urlsplit(value)
            if parts.scheme or value.startswith("//"):
                continue  # external: checked by the next test
            checked += 1
            target = path if not parts.path else (path.parent / urllib.parse.unquote(parts.path))
            target = Path(posixpath.normpath(str(target)))
            if target.is_dir():
                target = target / "index.html"
            if site.resolve() not in target.resolve().parents or not target.is_file():
                broken.append(f"{path.relative_to(site)}: {value}")
            elif parts.fragment and target.suffix == ".html" and urllib.parse.unquote(parts.fragment) not in ids[target]:
                broken.append(f"{path.relative_to(site)}: {value} (no such anchor)")
    assert checked > 10000
    assert not broken, broken[:20]


def test_nothing_is_fetched_from_outside(site, parsed):
    """Only <a href> may lead out of the site: no script, stylesheet, image, frame or font from a URL."""
    outside = []
    for path, page in parsed.items():
        for tag, attr, value in page.refs:
            if (tag, attr) in FETCHED and (urllib.parse.urlsplit(value).scheme or value.startswith("//")):
                if not value.startswith("data:"):
                    outside.append(f"{path.relative_to(site)}: <{tag} {attr}={value}>")
        for css in page.css:
            if re.search(r"url\(\s*['\"]?(https?:)?//|@import", css, re.I):
                outside.append(f"{path.relative_to(site)}: CSS {css[:80]}")
    css_file = (site / "site.css").read_text(encoding="utf-8")
    assert css_file == site_css()
    assert not re.search(r"url\(|@import|@font-face", css_file)
    assert not outside, outside[:10]
    assert any(t == "a" and v.startswith("https://doi.org/") for t, _, v in parsed[site / "resource" / "PAA.html"].refs)


# ------------------------------------------------------------------------------ entity pages
def test_paa_page_quotes_the_review_with_its_reference(engine, review):
    page = render_entity_page(engine, "PAA")
    sentence = "Cao's group proved that PAA could form a uniform coating layer with a thickness of ~ 10 nm on LLO"
    assert sentence in review.text
    assert html.escape(sentence) in page
    doi = "10.1002/aenm.201904264"  # reference [97], which that sentence cites
    assert f"<https://doi.org/{doi}>" in review.text
    assert f'href="https://doi.org/{doi}"' in page and "[97]" in page
    assert "<h1>poly(acrylic acid) <span class=\"id\">(PAA)</span></h1>" in page
    assert 'href="../ontology/index.html#Polyacrylate"' in page  # asserted class
    assert 'href="../ontology/index.html#CarboxylBearingBinder"' in page  # inferred class
    assert 'href="carboxyl.html"' in page  # its functional group's page


def test_stances_are_marked(engine):
    """An entity with a negative claim shows it marked as negative, not as a use."""
    row = engine.select(PREFIXES + """SELECT ?e WHERE { ?st rdf:subject ?e ; rdf:predicate bg:appliedIn ;
        prov:wasDerivedFrom ?c . ?c bg:stance "negative" . ?e a owl:NamedIndividual } ORDER BY ?e LIMIT 1""").rows[0]
    page = render_entity_page(engine, row["e"].value[len(BGR):])
    assert '<span class="stance negative">negative</span>' in page


def test_external_identifiers_link_out_with_their_label(engine):
    page = render_entity_page(engine, "PVDF")
    row = engine.select(PREFIXES + """SELECT ?x ?l WHERE { bgr:PVDF skos:exactMatch|skos:closeMatch ?x .
        ?x rdfs:label ?l FILTER(STRSTARTS(STR(?x), "http://purl.obolibrary.org/obo/CHEBI_")) } LIMIT 1""").rows[0]
    chebi = "CHEBI:" + row["x"].value.rsplit("_", 1)[1]
    assert f'<a href="{row["x"].value}">{chebi}</a> {html.escape(row["l"].value)}' in page


def test_entity_and_ontology_rdf_files_parse(site, engine):
    paa = URIRef(BGR + "PAA")
    for fmt, parser in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")):
        g = Graph().parse(site / "resource" / f"PAA.{fmt}", format=parser)
        assert (paa, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("poly(acrylic acid)", lang="en")) in g
        assert any(g.triples((None, URIRef(BG + "claimSubject"), paa)))  # the claims that are about it
        onto = Graph().parse(site / "ontology" / f"bindergraph.{fmt}", format=parser)
        n = engine.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}").rows[0]["n"]
        assert len(onto) == int(n.value), fmt
    assert "@prefix bgr:" in (site / "resource" / "PAA.ttl").read_text(encoding="utf-8")


def test_json_ld_files_are_the_same_from_any_process(site, full_build):
    """rdflib writes JSON-LD in hash-set order: the site's files must not change with the process."""
    code = ("import sys; from pathlib import Path; from bindergraph.query.engine import OxigraphEngine; "
            "from bindergraph.query.store import open_store; from bindergraph.publish.site import entity_rdf; "
            "sys.stdout.write(entity_rdf(OxigraphEngine(open_store(Path(sys.argv[1]))), 'PAA', 'jsonld'))")
    runs = [subprocess.run([sys.executable, "-c", code, str(full_build)], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert runs[0] == runs[1] == (site / "resource" / "PAA.jsonld").read_text(encoding="utf-8")


def test_broader_and_narrower_are_linked_with_their_labels(engine, review):
    """micro-sized silicon sits under silicon, and has two kinds of its own (skos:broader in the records)."""
    assert "micro-sized silicon" in review.text and "metallurgical Si" in review.text
    page = render_entity_page(engine, "micro-Si")
    assert '<dt>broader</dt><dd><a href="Si.html">silicon (Si)</a></dd>' in page
    assert ('<dt>narrower</dt><dd><a href="metallurgical-Si.html">low-cost metallurgical Si (metallurgical-Si)</a>, '
            '<a href="Si-Li3PO4-C.html">micro-Si@Li₃PO₄@C (Si-Li3PO4-C)</a></dd>') in page
    silicon = render_entity_page(engine, "Si")
    assert "<dt>broader</dt>" not in silicon  # the top of its hierarchy
    narrower = re.search(r"<dt>narrower</dt><dd>(.*?)</dd>", silicon).group(1)
    assert {"micro-Si.html", "Si-alloy.html", "SiOx.html", "Si-C.html"} == {v for _, _, v in Page(narrower).refs}
    assert "<dt>broader</dt>" not in render_entity_page(engine, "PAA")  # no SKOS hierarchy: no row


def test_every_skos_broader_is_on_both_pages(site, engine):
    rows = engine.select(PREFIXES + "SELECT ?s ?o WHERE { ?s skos:broader ?o }").rows
    assert len(rows) > 40
    def linked(page: str, row: str, target: str) -> bool:
        text = (site / "resource" / f"{page}.html").read_text(encoding="utf-8")
        return f'href="{urllib.parse.quote(target)}.html"' in re.search(rf"<dt>{row}</dt><dd>(.*?)</dd>", text).group(1)

    for r in rows:
        below, above = (r[v].value[len(BGR):] for v in ("s", "o"))
        assert linked(below, "broader", above) and linked(above, "narrower", below), (below, above)


def test_unknown_entity_is_a_query_error(engine):
    with pytest.raises(QueryError, match=r"^unknown entity 'PAX': no named individual "
                                         r"https://w3id.org/bindergraph/resource/PAX; did you mean"):
        render_entity_page(engine, "PAX")
    with pytest.raises(QueryError, match="unknown entity 'claim-s2-006-s1'"):
        render_entity_page(engine, "claim-s2-006-s1")  # a claim's statement has no page of its own


def test_claim_page_holds_its_quote_parts_and_references(engine, review):
    page = render_entity_page(engine, "claim-s3.1.1-006")  # a claim id gets the claim's record page
    assert page == render_record_page(engine, BGR + "claim-s3.1.1-006")
    sentence = "Cao's group proved that PAA could form a uniform coating layer"
    assert sentence in review.text and html.escape(sentence) in page
    assert '<a href="PAA.html">' in page and '<a href="ref-97.html">' in page  # subject and cited reference
    assert 'id="claim-s3.1.1-006-span-quote"' in page  # its evidence span's selector, as a part
    ref = render_record_page(engine, BGR + "ref-97")
    assert 'href="https://doi.org/10.1002/aenm.201904264"' in ref and '<a href="claim-s3.1.1-006.html">' in ref


def test_server_links_are_extensionless(engine):
    """For a server answering the IRIs (GET /resource/PAA): links to IRIs, not files; the style inline."""
    for page in (render_entity_page(engine, "PAA", suffix=""), render_entity_page(engine, "claim-s2-006", suffix=""),
                 render_ontology_page(engine, suffix="")):
        local = [v for _, _, v in Page(page).refs if not urllib.parse.urlsplit(v).scheme]
        assert local and not [v for v in local if re.search(r"\.(html|ttl|nt|jsonld|css)\b", v)], local
        assert "<style>" in page
    page = render_entity_page(engine, "PAA", suffix="")
    assert 'href="carboxyl"' in page and 'href="../ontology#Polyacrylate"' in page and 'href="claim-s2-006"' in page


# ------------------------------------------------------------------------------ ontology
def test_ontology_page_documents_every_term(engine, site):
    text = (site / "ontology" / "index.html").read_text(encoding="utf-8")
    assert text == render_ontology_page(engine)
    page = Page(text)
    rows = engine.select(PREFIXES + f"""SELECT ?t ?d WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{
        ?t a ?k ; skos:definition ?d . VALUES ?k {{ owl:Class owl:ObjectProperty owl:DatatypeProperty }}
        FILTER(STRSTARTS(STR(?t), STR(bg:))) }} }}""").rows
    assert len(rows) > 200
    for r in rows:
        assert r["t"].value[len(BG):] in page.ids, r["t"].value
        assert html.escape(r["d"].value) in text
    # a defined class, its equivalence in Manchester syntax (ontology/bindergraph.ttl)
    section = text[text.index('id="IonConductingBinder"'):]
    section = section[:section.index("</section>")]
    assert re.sub(r"<[^>]+>", "", section).count("binder and (has function some ion transport)") == 1
    # a class lists its members, linked to their pages
    assert '<a href="../resource/PVDF.html">' in text[text.index('id="Fluoropolymer"'):]


def test_ontology_hierarchy_nests_subclasses(site, engine):
    text = (site / "ontology" / "index.html").read_text(encoding="utf-8")
    tree = text[text.index('<ul class="tree">'):text.index('<h2 id="classes">')]
    binder = tree.index('href="#Binder"')
    assert tree.index('href="#Fluoropolymer"') > binder  # under binder, within synthetic polymer binder
    assert re.search(r'href="#SyntheticBinder">[^<]*</a><ul>.*?href="#Fluoropolymer"', tree)


# ------------------------------------------------------------------------------ queries, dumps, map
def test_every_catalogue_query_has_a_page_with_its_default_answer(site, engine):
    for q in catalogue().values():
        text = (site / "queries" / f"{q.id}.html").read_text(encoding="utf-8")
        assert html.escape(q.question) in text and html.escape(q.text) in text
        assert (site / "queries" / f"{q.id}.rq").read_text(encoding="utf-8") == q.text
        bound = bind_params(q, {}, engine)
        n = len(engine.select(bound.query, bound.bindings).rows)
        answer = text[text.index("Answer with the default parameters"):]
        assert f"{n} rows." in answer and answer.count("<tr>") == n + 1, q.id


def test_dumps_are_the_exports(site, full_build):
    for fmt in FORMATS:
        assert (site / "dumps" / f"graph.{fmt}").read_bytes() == export_bytes(paths.current_build(full_build), fmt)


def test_map_is_written(site):
    text = (site / "map.html").read_text(encoding="utf-8")
    assert '<script type="application/json" id="bg-data">' in text


# ------------------------------------------------------------------------------ hostile text
PWN = "<script>window.__pwned=1</script>"
PWN_QUOTE = 'It binds "><img src=x onerror="window.__pwned=1"> well </script><script>x()</script> & more'
PWN_DOI = '10.1000/182"><script>window.__pwned=1</script>'


def _lit(text: str) -> str:
    return json.dumps(text)  # JSON's escapes are a subset of Turtle's


HOSTILE_TTL = f"""
@prefix bg: <{BG}> . @prefix bgr: <{BGR}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix bibo: <http://purl.org/ontology/bibo/> .
bgr:evil a owl:NamedIndividual, bg:Binder ; rdfs:label {_lit(PWN)} ; skos:altLabel {_lit('"><img src=x>')} ;
    skos:definition {_lit("<b>bold</b> & <i>x</i>")} ;
    skos:exactMatch <javascript:window.__pwned=1>, <https://www.wikidata.org/wiki/Q42> .
bgr:adhesion a owl:NamedIndividual, bg:Adhesion ; rdfs:label "adhesion <u>x</u>" .
bgr:claim-s1-001 a bg:Claim ; bg:claimSubject bgr:evil ; bg:claimRelation bg:hasFunction ; bg:claimObject bgr:adhesion ;
    bg:inSection bgr:section-1 ; dcterms:references bgr:ref-1 ; bg:quote {_lit(PWN_QUOTE)} ; bg:stance "hedged" .
bgr:st-1 a rdf:Statement ; rdf:subject bgr:evil ; rdf:predicate bg:hasFunction ; rdf:object bgr:adhesion ;
    prov:wasDerivedFrom bgr:claim-s1-001 .
bgr:section-1 bg:sectionNumber "1<br>" .
bgr:ref-1 bg:referenceNumber 1 ; bibo:doi {_lit(PWN_DOI)} .
"""
HOSTILE_CLASS = f"""<{BG}Evil> a <http://www.w3.org/2002/07/owl#Class> ;
    <http://www.w3.org/2000/01/rdf-schema#label> {_lit(PWN)} ; <http://www.w3.org/2004/02/skos/core#definition> {_lit(PWN_QUOTE)} ."""


@pytest.fixture(scope="module")
def hostile_engine() -> OxigraphEngine:
    store = ox.Store()
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    store.load(path=str(paths.ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE, to_graph=ontology)
    store.load(HOSTILE_CLASS.encode("utf-8"), format=ox.RdfFormat.TURTLE, to_graph=ontology)
    store.load(HOSTILE_TTL.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    return OxigraphEngine(store)


def _no_markup_from_data(text: str) -> None:
    body = text[text.index("<main>"):]
    for raw in ("<script", "<img", "<b>", "<i>", "<u>", "<br>"):
        assert raw not in body, raw
    assert not [v for _, _, v in Page(text).refs if not v.startswith(("http", "#", ".")) and ":" in v.split("/")[0]]


def test_hostile_entity_text_is_escaped(hostile_engine):
    page = render_entity_page(hostile_engine, "evil")
    _no_markup_from_data(page)
    assert f"<title>{html.escape(PWN)} · bindergraph</title>" in page
    assert html.escape(readable(PWN_QUOTE)) in page  # the quote, shown as text (as `show` renders it)
    assert '<span class="stance hedged">hedged</span>' in page
    assert 'href="https://doi.org/10.1000/182%22%3E%3Cscript%3Ewindow.__pwned%3D1%3C/script%3E"' in page
    assert 'href="https://www.wikidata.org/wiki/Q42"' in page  # the http link stays a link, javascript: does not
    assert Page(page).refs  # still parses as HTML with its links
    claim = render_entity_page(hostile_engine, "claim-s1-001")  # the claim's own page
    _no_markup_from_data(claim)
    assert html.escape(readable(PWN_QUOTE)) in claim and '<a href="evil.html">' in claim


def test_hostile_ontology_text_is_escaped(hostile_engine):
    page = render_ontology_page(hostile_engine)
    _no_markup_from_data(page)
    assert 'id="Evil"' in page and html.escape(PWN) in page and html.escape(PWN_QUOTE) in page


# ------------------------------------------------------------------------------ downloads
def test_downloads_page_says_which_dump_holds_only_the_ontology(site):
    text = (site / "dumps" / "index.html").read_text(encoding="utf-8")
    rows = dict(re.findall(r'<tr><td><a href="(graph\.\w+)">.*?</td><td>.*?</td><td>(.*?)</td>', text))
    assert set(rows) == {f"graph.{fmt}" for fmt in FORMATS}
    assert rows.pop("graph.ofn").startswith("only the ontology")
    assert set(rows.values()) == {"the complete graph"}
    assert "in every format but <code>graph.ofn</code>, which holds only the ontology" in text
    # as the files say: the claims are in the Turtle dump, not in the functional-syntax one
    assert "claim-s2-006" in (site / "dumps" / "graph.ttl").read_text(encoding="utf-8")
    ofn = (site / "dumps" / "graph.ofn").read_text(encoding="utf-8")
    assert "SubClassOf(" in ofn and "claim-" not in ofn


# ------------------------------------------------------------------------------ served
def _get(address: str, accept: str) -> bytes:
    request = urllib.request.Request(address, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        return response.read()


def test_served_ontology_is_rendered_once_per_build_and_format(full_build):
    """`serve` answers /ontology from the bytes a worker rendered first; entity pages still go to a worker."""
    with serving(full_build, store="memory") as server:
        pool = server.http.handler.pool
        jobs, run = [], pool.run
        pool.run = lambda *args: (jobs.append(args), run(*args))[1]
        page = [_get(url(server, "/ontology"), "text/html") for _ in range(2)]
        turtle = [_get(url(server, "/ontology"), "text/turtle") for _ in range(2)]
        _get(url(server, "/resource/PAA"), "text/html")
        _get(url(server, "/resource/PAA"), "text/html")
    assert page[0] == page[1] and b'id="classes"' in page[0]
    assert turtle[0] == turtle[1] and turtle[0] != page[0] and b"owl:Class" in turtle[0]
    assert jobs == [("resource", None, "text/html"), ("resource", None, "text/turtle"),
                    ("resource", "PAA", "text/html"), ("resource", "PAA", "text/html")]


# ------------------------------------------------------------------------------ the command
def test_cli_writes_and_replaces_a_site_but_not_a_foreign_folder(full_build, tmp_path):
    runner = CliRunner()
    out = tmp_path / "site"
    (out / "resource").mkdir(parents=True)  # an earlier site, with a page the graph no longer has
    (out / ".bindergraph-site").write_text("")
    (out / "resource" / "gone.html").write_text("old")
    res = runner.invoke(main, ["--out", str(full_build), "site", "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert re.match(r"wrote .*site: \d+ pages \(\d+ entities, \d+ queries\), \d+ dumps", res.output)
    assert (out / "resource" / "PAA.html").is_file() and not (out / "resource" / "gone.html").exists()
    assert not [p for p in tmp_path.iterdir() if p.name != "site"]  # no staging folder left behind
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    res = runner.invoke(main, ["--out", str(full_build), "site", "--output", str(foreign)])
    assert res.exit_code == 1
    assert res.output == (f"error: {foreign}: folder is not empty and holds no bindergraph site; "
                          "give a new or empty folder\n")
    assert (foreign / "notes.txt").read_text() == "keep me"


def test_missing_parent_is_one_error(engine, full_build, tmp_path):
    with pytest.raises(BindergraphError, match=r"directory .*nowhere does not exist$"):
        write_site(engine, paths.current_build(full_build), tmp_path / "nowhere" / "site")


# ------------------------------------------------------------------------------ w3id redirects
HTACCESS = Path(__file__).parent.parent / "docs" / "w3id.htaccess"
ACCEPT = {"html": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "ttl": "text/turtle",
          "nt": "application/n-triples", "jsonld": "application/ld+json"}


@functools.lru_cache(maxsize=1)
def rewrite_rules() -> list[tuple[list[tuple[re.Pattern, bool]], re.Pattern, str, str]]:
    """The RewriteCond / RewriteRule lines of docs/w3id.htaccess: (conditions on Accept, pattern, target, flags).
    Only what the file uses is understood; anything else fails the test."""
    rules, conds = [], []
    for line in HTACCESS.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if not words or words[0].startswith("#") or words[0] in ("Options", "RewriteEngine"):
            continue
        if words[0] == "RewriteCond":
            assert words[1] == "%{HTTP_ACCEPT}" and words[3:] in ([], ["[NC]"]), line
            conds.append((re.compile(words[2], re.I if words[3:] else 0), True))
        else:
            assert words[0] == "RewriteRule" and len(words) == 4 and words[3] == "[R=303,L]", line
            rules.append((conds, re.compile(words[1]), words[2], words[3]))
            conds = []
    return rules


def redirect(path: str, accept: str, site_url: str = "SITE_URL") -> str | None:
    """Where w3id sends https://w3id.org/bindergraph/PATH for this Accept header (mod_rewrite's
    per-directory matching: PATH without the leading folder; $N are the groups; the first rule wins)."""
    for conds, pattern, target, _ in rewrite_rules():
        m = pattern.search(path)
        if m and all(c.search(accept) for c, _ in conds):
            return re.sub(r"\$(\d)", lambda g: m.group(int(g.group(1))) or "", target).replace("SITE_URL", site_url)
    return None


def test_w3id_rules_send_every_iri_to_a_file_of_the_site(site, engine):
    rows = engine.select("""SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } FILTER(isIRI(?x)
        && STRSTARTS(STR(?x), "https://w3id.org/bindergraph/")) }""").rows
    iris = {r["x"].value.split("#")[0] for r in rows}  # a browser never sends the fragment
    assert len(iris) > 7000
    missing = []
    for iri in sorted(iris):
        path = iri[len("https://w3id.org/bindergraph/"):]
        for fmt, accept in ACCEPT.items():
            target = redirect(path, accept)
            landed = target and site / urllib.parse.unquote(target.removeprefix("SITE_URL/"))
            if not landed or not landed.is_file():
                missing.append((iri, fmt, target))
            elif fmt != "html" and path.startswith(("resource/", "ontology")) and "/imports/" not in path:
                assert landed.suffix == f".{fmt}", (iri, fmt, target)
    assert not missing, missing[:10]


def test_w3id_negotiates_pages_and_rdf(site):
    assert redirect("resource/PAA", ACCEPT["html"]) == "SITE_URL/resource/PAA.html"
    assert redirect("resource/PAA", "text/turtle;q=1.0, */*;q=0.1") == "SITE_URL/resource/PAA.ttl"
    assert redirect("resource/claim-s3.1.3-017-s1", ACCEPT["html"]) == "SITE_URL/resource/claim-s3.1.3-017.html"
    assert redirect("resource/Ni-rich-NCM", ACCEPT["jsonld"]) == "SITE_URL/resource/Ni-rich-NCM.jsonld"
    assert redirect("ontology", ACCEPT["html"]) == "SITE_URL/ontology/index.html"
    assert redirect("ontology/0.1.0", ACCEPT["ttl"]) == "SITE_URL/ontology/bindergraph.ttl"
    assert redirect("", ACCEPT["html"]) == "SITE_URL/index.html"


# ------------------------------------------------------------------------------ in a browser, offline
CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_pages_open_offline_in_a_browser(site):
    """Headless Chromium with every non-file request blocked: the pages load, styled, requesting nothing else."""
    from playwright.sync_api import sync_playwright

    blocked, failed = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        ctx = browser.new_context()
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                  else (blocked.append(r.request.url), r.abort()))
        page = ctx.new_page()
        page.on("requestfailed", lambda r: failed.append(r.url))
        for path in ("index.html", "resource/PAA.html", "resource/claim-s3.1.1-006.html", "ontology/index.html",
                     "queries/groups-functions.html", "dumps/index.html"):
            page.goto((site / path).as_uri())
            assert page.evaluate("getComputedStyle(document.querySelector('nav.site')).display") == "flex", path
        page.goto((site / "resource" / "PAA.html").as_uri())
        page.click("text=carboxyl group (carboxyl)")  # a relative link, followed
        assert page.url.endswith("/resource/carboxyl.html")
        browser.close()
    assert not blocked and not failed, (blocked, failed)
