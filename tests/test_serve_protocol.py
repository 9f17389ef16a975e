"""`bindergraph serve`: the dataset of a request (FROM, default-graph-uri), the service description,
Accept q-values, CONSTRUCT in every RDF format, the result cap over pyoxigraph's serialisers, and
content negotiation for entity IRIs. Over HTTP on loopback, answers compared with the store itself."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
import rdflib

from bindergraph.publish.serve import choose
from bindergraph.query.engine import dataset_clause
from bindergraph.query.store import graph_iri, open_store
from serving import serving, url

BGR = "https://w3id.org/bindergraph/resource/"
ONTOLOGY = graph_iri("ontology")
SELF_HEALING = "SELECT ?b WHERE { ?b a bg:SelfHealingBinder }"
COUNT = "SELECT (COUNT(*) AS ?n) %s WHERE { ?s ?p ?o }"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


@pytest.fixture(scope="module", params=["memory", "disk"])
def base(request, full_build):
    with serving(full_build, timeout=5.0, max_rows=200, store=request.param) as server:
        yield url(server, "")


@pytest.fixture(scope="module")
def counts(full_build) -> dict[str, int]:
    """Triples per named graph, and of the union, read from the store without the server."""
    store = open_store(full_build)
    out = {sol["g"].value: int(sol["n"].value)
           for sol in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    out["union"] = int(next(iter(store.query(COUNT % "", use_default_graph_as_union=True)))["n"].value)
    return out


def _fetch(url: str, accept: str | None = None, **params) -> tuple[int, dict, bytes]:
    if params:
        url += "?" + urllib.parse.urlencode(params, doseq=True)
    req = urllib.request.Request(url, headers={"Accept": accept} if accept is not None else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _count(base: str, query: str, **params) -> int:
    status, _, body = _fetch(base + "/sparql", query=query, **params)
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def _ids(body: bytes, var: str = "b") -> set[str]:
    return {b[var]["value"].removeprefix(BGR) for b in json.loads(body)["results"]["bindings"]}


# ------------------------------------------------------------------------------ the dataset
def test_from_and_default_graph_uri_select_the_graphs_read(base, counts):
    assert counts[ONTOLOGY] < counts["union"]
    assert _count(base, COUNT % "") == counts["union"]  # no dataset given: the union, as before
    assert _count(base, COUNT % f"FROM <{ONTOLOGY}>") == counts[ONTOLOGY]
    assert _count(base, COUNT % "", **{"default-graph-uri": ONTOLOGY}) == counts[ONTOLOGY]
    two = [ONTOLOGY, graph_iri("inferred")]
    assert _count(base, COUNT % "", **{"default-graph-uri": two}) == counts[ONTOLOGY] + counts[two[1]]
    # the request's graphs override the query's (SPARQL 1.1 Protocol 2.1.4)
    assert _count(base, COUNT % f"FROM <{ONTOLOGY}>", **{"default-graph-uri": two[1]}) == counts[two[1]]


def test_from_named_and_named_graph_uri(base, counts):
    graphs = "SELECT (COUNT(*) AS ?n) %s WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert _count(base, graphs % "") == sum(n for g, n in counts.items() if g != "union")
    assert _count(base, graphs % f"FROM NAMED <{ONTOLOGY}>") == counts[ONTOLOGY]
    assert _count(base, COUNT % f"FROM NAMED <{ONTOLOGY}>") == 0  # a dataset without FROM: empty default graph
    assert _count(base, graphs % "", **{"named-graph-uri": ONTOLOGY}) == counts[ONTOLOGY]


def test_a_dataset_changes_the_answer(base):
    """The self-healing binders are individuals of the data graph, typed so by the reasoner (the inferred
    graph): none in the ontology graph."""
    body = _fetch(base + "/sparql", query=SELF_HEALING)[2]
    assert "PAA-P-HEA-co-DMA" in _ids(body)
    status, _, onto = _fetch(base + "/sparql", query=SELF_HEALING.replace("WHERE", f"FROM <{ONTOLOGY}> WHERE"))
    assert status == 200 and _ids(onto) == set()
    inferred = _fetch(base + "/sparql", query=SELF_HEALING, **{"default-graph-uri": graph_iri("inferred")})[2]
    assert "PAA-P-HEA-co-DMA" in _ids(inferred) and _ids(inferred) <= _ids(body)


def test_from_in_a_comment_string_or_iri_is_not_a_dataset(base):
    query = (f"SELECT ?b WHERE {{ ?b a bg:SelfHealingBinder\n"
             f'  FILTER(?b != <http://x/FROM> && STR(?b) != "FROM <{ONTOLOGY}>") }}\n# FROM <{ONTOLOGY}>')
    assert not dataset_clause(query)
    assert dataset_clause(f"select * from<{ONTOLOGY}> {{ }}") and dataset_clause("SELECT * FROM NAMED bgr:g {}")
    status, _, body = _fetch(base + "/sparql", query=query)
    assert status == 200 and "PAA-P-HEA-co-DMA" in _ids(body)


def test_a_graph_that_is_no_iri_is_refused(base):
    status, _, body = _fetch(base + "/sparql", query=SELF_HEALING, **{"default-graph-uri": "not an iri"})
    assert (status, body) == (400, b"default-graph-uri: not an IRI: 'not an iri'\n")


# ------------------------------------------------------------------------------ service description
def test_service_description(base, counts):
    status, headers, body = _fetch(base + "/sparql", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle") and headers["Vary"] == "Accept"
    g = rdflib.Graph().parse(data=body, format="turtle")
    service = g.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert g.value(service, SD.endpoint) == rdflib.URIRef(base + "/sparql")
    assert g.value(service, SD.supportedLanguage) == SD.SPARQL11Query
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    formats = {str(f).rsplit("/", 1)[1] for f in g.objects(service, SD.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
            "Turtle", "JSON-LD"} <= formats
    dataset = g.value(service, SD.defaultDataset)
    assert int(g.value(g.value(dataset, SD.defaultGraph), VOID.triples)) == counts["union"]
    named = {str(g.value(ng, SD.name)): int(g.value(g.value(ng, SD.graph), VOID.triples))
             for ng in g.objects(dataset, SD.namedGraph)}
    assert named == {iri: n for iri, n in counts.items() if iri != "union"}
    assert named[ONTOLOGY] == counts[ONTOLOGY]


@pytest.mark.parametrize("accept, fmt", [("application/rdf+xml", "xml"), ("application/ld+json", "json-ld"),
                                         ("application/n-triples", "nt")])
def test_service_description_in_other_formats(base, accept, fmt):
    status, headers, body = _fetch(base + "/sparql", accept)
    assert status == 200 and headers["Content-Type"].startswith(accept)
    g = rdflib.Graph().parse(data=body, format=fmt)
    assert (None, SD.feature, SD.UnionDefaultGraph) in g


def test_service_description_not_acceptable(base):
    status, _, body = _fetch(base + "/sparql", "application/pdf")
    assert status == 406 and body.decode().startswith("not acceptable: this answer is available as text/turtle")


# ------------------------------------------------------------------------------ Accept q-values
@pytest.mark.parametrize("accept, expected", [
    ("text/csv;q=0.5, application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+json;q=0.1, text/csv", "text/csv"),
    ("text/csv, application/sparql-results+json", "application/sparql-results+json"),  # a tie: ours first
    ("text/*;q=0.9, application/sparql-results+xml;q=0.2", "text/csv"),
    ("*/*", "application/sparql-results+json"), ("", "application/sparql-results+json"),
    ("*/*;q=0.1, text/tab-separated-values;q=0.2", "text/tab-separated-values"),
    ("text/csv;q=0", None), ("application/sparql-results+json;q=0, */*;q=0", None), ("image/png", None),
    ("text/csv;q=abc", None)])
def test_choose_honours_q_values(accept, expected):
    offers = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
              "text/tab-separated-values"]
    assert choose(accept, offers) == expected


def test_q_values_over_http(base):
    for accept, media in [("text/csv;q=0.5, application/sparql-results+json", "application/sparql-results+json"),
                          ("application/sparql-results+json;q=0.5, text/csv", "text/csv")]:
        status, headers, body = _fetch(base + "/sparql", accept, query=SELF_HEALING)
        assert status == 200 and headers["Content-Type"].startswith(media)
        assert b"PAA-P-HEA-co-DMA" in body
    status, _, body = _fetch(base + "/sparql", "text/csv;q=0", query=SELF_HEALING)
    assert status == 406
    assert body.startswith(b"not acceptable: this answer is available as application/sparql-results+json")
    status, headers, _ = _fetch(base + "/sparql", "text/csv;q=0", query=SELF_HEALING, format="csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")  # `format` overrides Accept
    xml = "application/sparql-results+xml"
    status, headers, _ = _fetch(base + "/sparql", "text/csv", query=SELF_HEALING, format=xml)
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+xml")


# ------------------------------------------------------------------------------ CONSTRUCT
CONSTRUCT = "CONSTRUCT { ?b ?p ?o } WHERE { ?b a bg:SelfHealingBinder ; ?p ?o }"


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                         ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")])
def test_construct_in_every_rdf_format(base, full_build, accept, fmt):
    status, headers, body = _fetch(base + "/sparql", f"{accept}, text/turtle;q=0.1", query=CONSTRUCT)
    assert status == 200 and headers["Content-Type"].startswith(accept)
    got = {tuple(map(str, t)) for t in rdflib.Graph().parse(data=body, format=fmt)}
    store = open_store(full_build)
    expected = {(t.subject.value, t.predicate.value, t.object.value) for t in
                store.query("PREFIX bg: <https://w3id.org/bindergraph/ontology#>\n" + CONSTRUCT,
                            use_default_graph_as_union=True)}
    assert got == expected and (BGR + "PAA-P-HEA-co-DMA", str(rdflib.RDF.type),
                                "https://w3id.org/bindergraph/ontology#SelfHealingBinder") in got


# ------------------------------------------------------------------------------ the result cap
@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_result_cap_in_every_format(base, fmt):
    """200 rows pass the cap of 200, 201 do not, whatever the format; literals holding the bytes the
    quick count looks for (`,{`, line breaks) are counted exactly."""
    at_cap = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 200"
    assert _fetch(base + "/sparql", query=at_cap, format=fmt)[0] == 200
    status, _, body = _fetch(base + "/sparql", query=at_cap.replace("200", "201"), format=fmt)
    assert (status, body) == (413, b"result exceeds 200 rows; add a LIMIT\n")
    tricky = ('SELECT ?x WHERE { ?s ?p ?o BIND(CONCAT("a,{\\"b\\":\\n,{}", STR(?s)) AS ?x) } LIMIT 150')
    status, _, body = _fetch(base + "/sparql", query=tricky, format=fmt)
    assert status == 200, body[:200]


def test_an_answer_too_large_to_hold_is_stopped_while_written(full_build):
    """Two rows may hold at most 2 x 8 KiB: one row with every quote of the review (about 200 KB) is
    refused before it is written whole."""
    with serving(full_build, timeout=5.0, max_rows=2, store="memory") as server:
        status, _, body = _fetch(url(server), query="SELECT (GROUP_CONCAT(?q) AS ?all) WHERE { ?c bg:quote ?q }")
        assert (status, body) == (413, b"result exceeds 2 rows (16384 bytes); add a LIMIT\n")
        status, _, body = _fetch(url(server), query="SELECT (COUNT(?q) AS ?n) WHERE { ?c bg:quote ?q }")
        assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 900


# ------------------------------------------------------------------------------ entity IRIs
def test_entity_as_rdf(base):
    for accept, fmt in [("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld")]:
        status, headers, body = _fetch(base + "/resource/PAA", accept)
        assert status == 200 and headers["Content-Type"].startswith(accept) and headers["Vary"] == "Accept"
        g = rdflib.Graph().parse(data=body, format=fmt)
        paa = rdflib.URIRef(BGR + "PAA")
        assert str(g.value(paa, rdflib.RDFS.label)) == "poly(acrylic acid)"
        assert (paa, rdflib.URIRef("https://w3id.org/bindergraph/ontology#hasFunctionalGroup"),
                rdflib.URIRef(BGR + "carboxyl")) in g


def test_entity_as_html_for_a_browser(base):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    status, headers, body = _fetch(base + "/resource/PAA", browser)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8" and headers["Vary"] == "Accept"
    page = body.decode()
    assert "poly(acrylic acid)" in page and 'href="carboxyl"' in page  # links lead to the IRIs served here


def test_unknown_entity_is_404(base):
    for accept in ("text/html", "text/turtle"):
        status, _, body = _fetch(base + "/resource/no-such-binder", accept)
        assert status == 404 and body.decode().startswith("unknown entity 'no-such-binder'")
        assert body.decode().count("\n") == 1
    assert _fetch(base + "/resource/PAA", "application/pdf")[0] == 406


def test_ontology_negotiated(base, counts):
    status, headers, body = _fetch(base + "/ontology", "application/n-triples")
    assert status == 200 and headers["Vary"] == "Accept"
    assert len(rdflib.Graph().parse(data=body, format="nt")) == counts[ONTOLOGY]
    status, headers, body = _fetch(base + "/ontology", "text/html")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b'id="classes"' in body
    ttl = rdflib.Graph().parse(data=_fetch(base + "/ontology", "text/turtle")[2], format="turtle")
    assert (rdflib.URIRef("https://w3id.org/bindergraph/ontology#Binder"), rdflib.RDF.type, rdflib.OWL.Class) in ttl
