"""What the commands print: tables that fit the terminal, readable quotes, labels beside IRIs in CSV and
JSON, --output files, report commands as data, ASK / CONSTRUCT / stdin, syntax errors at the user's line."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rich.cells import cell_len

from bindergraph import paths
from bindergraph.cli import main
from bindergraph.query.catalogue import catalogue, parse_header
from bindergraph.query.engine import PREFIXES, QuerySyntaxError, Result, Term, user_text
from bindergraph.query.results import to_table

BGR = "https://w3id.org/bindergraph/resource/"
BG = "https://w3id.org/bindergraph/ontology#"
ROWS_LINE = re.compile(r"^\((\d+ rows?|no results)\)$")


@pytest.fixture(scope="module")
def cli(full_build):
    """Run the CLI on the shipped graph, as a 100-column terminal would."""
    runner = CliRunner(env={"COLUMNS": "100"})

    def invoke(*args, input=None, columns="100"):
        return runner.invoke(main, ["--out", str(full_build), *args], input=input, env={"COLUMNS": columns},
                             catch_exceptions=False)
    return invoke


def _widest(text: str) -> int:
    return max(cell_len(line) for line in text.splitlines())


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


# ------------------------------------------------------------------------------- tables that fit
@pytest.mark.parametrize("columns", ["100", "60", "160"])
def test_every_catalogue_query_fits_the_terminal(cli, columns):
    for q in catalogue().values():
        res = cli("query", q.id, columns=columns)
        assert res.exit_code == 0, (q.id, res.output)
        assert _widest(res.output) <= int(columns), q.id
        assert ROWS_LINE.match(res.output.splitlines()[-1]), q.id


def test_report_commands_fit_100_columns(cli):
    for args in (["stats"], ["hubs"], ["links"], ["links", "PVDF"], ["coverage"], ["queries"]):
        res = cli(*args)
        assert res.exit_code == 0, args
        assert _widest(res.output) <= 100, args


def test_long_text_wraps_and_is_cut_ids_never():
    quote = ("After the tests of conductivity and adhesion, *p*-xylene and NBR were considered to be the "
             "suitable solvent and binder, respectively.")
    res = Result(["claim", "binder", "stance", "quote"], [{
        "claim": Term("uri", BGR + "claim-s4.1-011"), "binder": Term("uri", BGR + "NBR"),
        "stance": Term("literal", "positive"), "quote": Term("literal", quote)}])
    labels = {BGR + "NBR": "nitrile butadiene rubber", BGR + "claim-s4.1-011": "NBR compatible with p-xylene"}
    text = to_table(res, labels, width=80)
    assert _widest(text) <= 80 and text.startswith("claim ")            # a table, not blocks
    assert "claim-s4.1-011" in text and "NBR compatible" not in text  # a claim by its id, never its label
    assert "(NBR)" in text                                             # the id beside the label
    assert "…" in text and "respectively" not in text                  # the quote cut after 3 lines
    assert "*p*" not in text and "p-xylene" in text                    # Markdown dropped
    full = to_table(res, labels, width=80, full=True)
    assert "respectively." in " ".join(full.split()) and _widest(full) <= 80
    assert full.splitlines()[-1] == "(1 row)"


def test_entity_ids_show_beside_labels(cli):
    res = cli("sparql", "SELECT ?b WHERE { VALUES ?b { bgr:PAA bgr:thermal-stability } }")
    assert "poly(acrylic acid) (PAA)" in res.output
    # an id that only re-spells its label is not repeated
    assert "thermal stability" in res.output and "(thermal-stability)" not in res.output


def test_claims_show_as_ids(cli, engine):
    res = cli("query", "claim-evidence", "--param", "subject=PAN")
    claims = engine.select(PREFIXES + "SELECT ?c ?l WHERE { ?c bg:claimSubject bgr:PAN ; rdfs:label ?l }").rows
    assert claims
    for row in claims:
        assert row["c"].value.removeprefix(BGR) in res.output
        assert row["l"].value not in res.output


# ------------------------------------------------------------------------------ quotes for reading
def test_latex_quote_readable_in_table_verbatim_in_csv(cli, review):
    verbatim = r"For example, the glass–ceramic $\text{Li}_7\text{P}_3\text{S}_{11}$, which is well known"
    assert verbatim in review.text
    query = ('SELECT ?c ?quote WHERE { ?c bg:quote ?quote '
             'FILTER(STRSTARTS(?quote, "For example, the glass–ceramic $\\\\text{Li}_7")) }')
    table = cli("sparql", query, "--full")
    assert "Li₇P₃S₁₁" in table.output and "\\text" not in table.output and "$" not in table.output
    rows = _csv(cli("sparql", query, "--format", "csv").output)
    assert len(rows) == 1 and rows[0]["quote"].startswith(verbatim) and rows[0]["quote"] in review.text


# ------------------------------------------------------------------------------- labels in CSV/JSON
def test_csv_has_label_columns_after_iri_columns(cli):
    res = cli("query", "binders-with-group", "--param", "group=carboxyl", "--format", "csv")
    header = res.output.splitlines()[0].split(",")
    assert header[:4] == ["group", "group_label", "binder", "binder_label"]
    rows = _csv(res.output)
    # "carboxyl-rich polymers such as PAA and PAALi" (Sect. 4.2.2)
    paa = next(r for r in rows if r["binder"] == BGR + "PAA")
    assert paa["binder_label"] == "poly(acrylic acid)" and paa["group_label"] == "carboxyl group"
    assert any(r["binder"] == BGR + "PAALi" for r in rows)


def test_json_label_variables_are_valid_sparql_results(cli):
    payload = json.loads(cli("query", "binders-with-group", "--param", "group=carboxyl", "--format", "json").output)
    names = payload["head"]["vars"]
    assert names.index("binder_label") == names.index("binder") + 1
    for b in payload["results"]["bindings"]:
        assert set(b) <= set(names)
        assert all(set(t) <= {"type", "value", "datatype", "xml:lang"} for t in b.values())
        assert b["binder_label"]["type"] == "literal"
    paa = next(b for b in payload["results"]["bindings"] if b["binder"]["value"] == BGR + "PAA")
    assert paa["binder_label"] == {"type": "literal", "value": "poly(acrylic acid)"}


def test_tsv_and_xml_stay_standard(cli):
    tsv = cli("sparql", "SELECT ?b WHERE { VALUES ?b { bgr:PAA } }", "--format", "tsv").output
    assert tsv == "?b\n<https://w3id.org/bindergraph/resource/PAA>\n"
    xml = cli("sparql", "SELECT ?b WHERE { VALUES ?b { bgr:PAA } }", "--format", "xml").output
    assert "_label" not in xml


# ---------------------------------------------------------------------------------------- --output
def test_output_writes_the_file_and_prints_nothing(cli, tmp_path):
    target = tmp_path / "table1.csv"
    res = cli("query", "table1", "--format", "csv", "--output", str(target))
    assert res.exit_code == 0 and res.output == ""
    assert target.read_text(encoding="utf-8") == cli("query", "table1", "--format", "csv").output
    assert [p.name for p in tmp_path.iterdir()] == ["table1.csv"]  # no temporary file left behind
    res = cli("stats", "--format", "json", "-o", str(tmp_path / "stats.json"))
    assert res.output == "" and "classes" in json.loads((tmp_path / "stats.json").read_text())
    res = cli("query", "table1", "--output", str(tmp_path / "missing" / "t.txt"))
    assert res.exit_code == 1 and res.output.startswith("error:") and "does not exist" in res.output


# ------------------------------------------------------------------------------- reports as data
def test_stats_json_carries_the_numbers(cli, engine):
    payload = json.loads(cli("stats", "--format", "json").output)
    assert list(payload) == ["classes", "relations", "triples", "links"]
    classes = {b["class"]["value"]: int(b["n"]["value"]) for b in payload["classes"]["results"]["bindings"]}
    claims = int(engine.select(PREFIXES + "SELECT (COUNT(?c) AS ?n) WHERE { ?c a bg:Claim }").rows[0]["n"].value)
    assert classes[BG + "Claim"] == claims and classes[BG + "Reference"] == 359  # the review's 359 references
    text = cli("stats").output
    for b in payload["relations"]["results"]["bindings"]:
        name = b["relation"]["value"].removeprefix(BG)
        assert re.search(rf"^  {re.escape(name)}\s+{b['claims']['value']}$", text, re.M), name
    binder = next(b for b in payload["links"]["results"]["bindings"] if b["category"]["value"] == BG + "Binder")
    assert binder["category_label"]["value"] == "binder" and int(binder["with_link"]["value"]) > 0


def test_coverage_csv_carries_the_numbers(cli, engine):
    text = cli("coverage").output
    out = cli("coverage", "--format", "csv").output
    sections = dict(re.findall(r"# ([\w-]+)\r?\n(.*?)(?=\r?\n# |\Z)", out, re.S))
    assert {"claims-per-section", "claims-per-stance", "binders-in-text"} <= set(sections)
    rows = _csv(sections["claims-per-section"])
    for r in rows:
        assert f"  {r['section']:6s} {int(r['claims']):5d}  {r['title']}" in text
    claims = int(engine.select(PREFIXES + "SELECT (COUNT(?c) AS ?n) WHERE { ?c a bg:Claim }").rows[0]["n"].value)
    assert sum(int(r["claims"]) for r in rows) == claims
    stance = {r["stance"]: r["claims"] for r in _csv(sections["claims-per-stance"])}
    assert "Claims per stance: " + ", ".join(f"{k} {v}" for k, v in sorted(stance.items())) in text
    mentions = {r["binder"]: r for r in _csv(sections["binders-in-text"])}
    assert mentions[BGR + "PVDF"]["binder_label"] == "poly(vinylidene fluoride)"


def test_hubs_links_queries_as_data(cli):
    hubs = json.loads(cli("hubs", "--top", "3", "--format", "json").output)
    assert {"summary", "binders", "groups", "mechanisms", "bridges"} == set(hubs)
    assert len(hubs["binders"]["results"]["bindings"]) == 3
    links = _csv(cli("links", "PVDF", "--format", "csv").output)
    chebi = next(r for r in links if r["externalId"] == "CHEBI:53250")
    assert chebi["match"].endswith("closeMatch") and chebi["external_label"] == "poly(vinylene fluoride)"
    queries = _csv(cli("queries", "--format", "csv").output)
    assert [r["id"] for r in queries] == list(catalogue())


# ------------------------------------------------------------------------------- ASK, CONSTRUCT, stdin
@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
def test_ask(cli, engine_name):
    yes = "ASK { bgr:PAA bg:hasFunctionalGroup bgr:carboxyl }"  # "carboxyl-rich polymers such as PAA"
    no = "ASK { bgr:PVDF a bg:Polysaccharide }"
    assert cli("sparql", yes, "--engine", engine_name).output == "true\n"
    assert cli("sparql", no, "--engine", engine_name).output == "false\n"
    assert json.loads(cli("sparql", yes, "--engine", engine_name, "--format", "json").output) == \
        {"head": {}, "boolean": True}
    assert "<boolean>false</boolean>" in cli("sparql", no, "--engine", engine_name, "--format", "xml").output
    res = CliRunner().invoke(main, ["sparql", yes, "--format", "csv"])
    assert res.exit_code == 2 and res.output.startswith("error: an ASK query answers true or false")


@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
def test_construct_gives_turtle_and_ntriples(cli, engine_name):
    query = "CONSTRUCT { ?b bg:hasFunctionalGroup bgr:carboxyl } WHERE { ?b bg:hasFunctionalGroup bgr:carboxyl }"
    triple = (URIRef(BGR + "PAA"), URIRef(BG + "hasFunctionalGroup"), URIRef(BGR + "carboxyl"))
    for fmt, syntax in (("table", "turtle"), ("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")):
        g = Graph().parse(data=cli("sparql", query, "--engine", engine_name, "--format", fmt).output, format=syntax)
        assert triple in g, fmt
    assert "@prefix bgr:" in cli("sparql", query).output
    res = CliRunner().invoke(main, ["sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--format", "nt"])
    assert res.exit_code == 2 and res.output.startswith("error: a SELECT query answers a table")


def test_query_from_stdin(cli, tmp_path):
    text = "SELECT ?b WHERE { ?b a bg:CarboxylBearingBinder }"
    res = cli("sparql", "-", "--format", "csv", input=text)
    assert BGR + "PAA" in {r["b"] for r in _csv(res.output)}
    assert cli("query", "--file", "-", "--format", "csv", input=text).output == res.output
    (tmp_path / "ask.rq").write_text("ASK { bgr:PAA a bg:Binder }\n")
    assert cli("query", "--file", str(tmp_path / "ask.rq")).output == "true\n"


# ---------------------------------------------------------------------------- syntax errors, located
BAD = "SELECT ?b WHERE {\n  ?b a bg:Binder ; ?p\n}\n"  # line 2: a predicate without an object


@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
def test_syntax_error_names_the_users_line(cli, tmp_path, engine_name):
    res = cli("sparql", BAD, "--engine", engine_name)
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
    assert res.output.startswith("error: SPARQL syntax error at line 2, column ") and "of the query" in res.output
    (tmp_path / "bad.rq").write_text(BAD)
    res = cli("query", "--file", str(tmp_path / "bad.rq"), "--engine", engine_name)
    assert res.exit_code == 2 and f"at line 2, column 20 of {tmp_path / 'bad.rq'}:" in res.output
    res = cli("sparql", "-", "--engine", engine_name, input="SELECT ?b WHERE {\n  ?b a undeclared:Binder\n}")
    assert res.exit_code == 2
    if engine_name == "oxigraph":
        assert "at line 2, column " in res.output and "of standard input: undeclared prefix" in res.output
    else:  # rdflib resolves prefixes after parsing, without a position
        assert "in standard input: Unknown namespace prefix : undeclared" in res.output


def test_catalogue_query_error_names_the_rq_line(engine, tmp_path):
    path = tmp_path / "broken.rq"
    path.write_text("# id: broken\n# title: Broken\n# question: Does it parse?\nSELECT ?b WHERE {\n"
                    "  ?b a bg:Binder\n  FILTER(?b = )\n}\n")
    q = parse_header(path)
    with pytest.raises(QuerySyntaxError) as err:
        with user_text(f"queries/{path.name}"):
            engine.select(q.body)
    assert err.value.line == 6 and "of queries/broken.rq" in str(err.value)


def test_catalogue_files_are_what_the_error_counts(engine):
    """The .rq line numbers hold for the shipped catalogue: its text starts right after the prefixes."""
    q = catalogue()["table1"]
    assert q.body == PREFIXES + q.path.read_text(encoding="utf-8") and q.path.parent == paths.QUERIES_DIR
