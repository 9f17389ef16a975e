"""The competency-query catalogue: every query asserted on the real graph, same answers on
pyoxigraph and rdflib, parameters bound as terms, clear errors."""
from __future__ import annotations

from decimal import Decimal

import pytest
from click.testing import CliRunner

from bindergraph.cli import main
from bindergraph.errors import QueryError
from bindergraph.query.engine import Term, bind_params, catalogue, get_query

CATALOGUE = catalogue()
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + n for n in ("decimal", "integer", "double", "float", "nonNegativeInteger", "int", "long")}


def run(engine, qid, **params):
    bound = bind_params(get_query(qid), params, engine)
    return engine.select(bound.query, bound.bindings)


def col(res, var) -> set[str]:
    """Values of a column; IRIs by their last segment."""
    out = set()
    for row in res.rows:
        if var in row:
            v = row[var].value
            out.add(v.rsplit("/", 1)[-1].rsplit("#", 1)[-1] if row[var].kind == "uri" else v)
    return out


def rows_where(res, **match):
    return [r for r in res.rows
            if all(k in r and (r[k].value.rsplit("/", 1)[-1].rsplit("#", 1)[-1] == v or r[k].value == v)
                   for k, v in match.items())]


def test_catalogue_size_and_headers():
    assert len(CATALOGUE) >= 25
    for q in CATALOGUE.values():
        assert q.title and q.question.endswith("?"), q.id
        assert "SELECT" in q.text


# ------------------------------------------------------------------------------ per-query answers
def test_groups_functions(engine):
    res = run(engine, "groups-functions")
    nitrile = rows_where(res, group="nitrile", mechanism="coordination")
    assert nitrile and "polyacrylonitrile" in nitrile[0]["binders"].value
    assert rows_where(res, group="ethylene-oxide", mechanism="li-ion-transport") or \
        rows_where(res, group="ethylene-oxide", mechanism="salt-dissociation")
    assert rows_where(res, group="phenol", mechanism="free-radical-scavenging")
    one = run(engine, "groups-functions", group="carboxyl")
    assert col(one, "group") == {"carboxyl"} and "tm-trapping" in col(one, "mechanism")


def test_function_groups(engine):
    res = run(engine, "function-groups")  # default family: TransitionMetalTrapping
    row = rows_where(res, group="carboxyl")[0]
    assert {"xanthan gum", "fluorinated polyimide"} <= set(row["binders"].value.split(", "))
    adhesion = run(engine, "function-groups", family="Adhesion")
    assert "hydrogen-bonding" in col(adhesion, "mechanism")


def test_binders_for_material(engine):
    res = run(engine, "binders-for-material")  # LNMO
    assert {"PAALi", "CMC", "SA", "sericin", "lignin", "P-MVE-LMA"} <= col(res, "binder")
    ncm = run(engine, "binders-for-material", material="NCM")  # includes NCM811 via skos:broader
    assert {"PAA", "SPDX"} <= col(ncm, "binder")
    by_label = run(engine, "binders-for-material", material="LiFePO4")
    assert "PSBA-Li" in col(by_label, "binder")


def test_binders_for_battery_type(engine):
    res = run(engine, "binders-for-battery-type", battery="Li-S")
    assert "APP" in col(res, "binder")
    ssb = run(engine, "binders-for-battery-type")
    assert {"PEO", "NBR", "CMC"} <= col(ssb, "binder")


def test_binders_for_component(engine):
    res = run(engine, "binders-for-component")  # sulfide-sse and narrower
    assert {"NBR", "BR", "HNBR"} <= col(res, "binder")
    sep = run(engine, "binders-for-component", component="separator")
    assert col(sep, "binder")


def test_li_ion_conducting(engine):
    res = run(engine, "li-ion-conducting-binders")
    assert {"PSBA-Li", "PFSILi", "AA-HA-VEH", "APP", "PAALi"} <= col(res, "binder")


def test_electron_conducting(engine):
    res = run(engine, "electron-conducting-binders")
    assert {"PEDOT-PSS", "P3HT"} <= col(res, "binder")
    assert rows_where(res, binder="PEDOT-PSS", mechanism="mixed-conduction")


def test_self_healing(engine):
    assert {"PAA-P-HEA-co-DMA", "SHB"} <= col(run(engine, "self-healing-binders"), "binder")


def test_tm_trapping(engine):
    res = run(engine, "tm-trapping-binders")
    assert {"SA", "CMC", "XG", "FPI"} <= col(res, "binder")
    sa = rows_where(res, binder="SA")[0]
    assert "LiMn2O4" in sa["materials"].value


def test_polysulfide_trapping(engine):
    res = run(engine, "polysulfide-trapping-binders")
    assert {"APP", "PVDF-LiTFSI"} <= col(res, "binder")


def test_interphase_forming(engine):
    res = run(engine, "interphase-forming-binders")
    assert rows_where(res, binder="sericin", mechanism="cei-formation")
    assert rows_where(res, binder="PAA", mechanism="protective-coating")


def test_sulfide_compatibility(engine):
    res = run(engine, "sulfide-compatibility")
    compatible = {r["subject"].value.rsplit("/", 1)[-1] for r in res.rows if r["verdict"].value == "compatible"}
    incompatible = {r["subject"].value.rsplit("/", 1)[-1] for r in res.rows if r["verdict"].value == "incompatible"}
    assert {"NBR", "p-xylene", "PTFE"} <= compatible
    assert "NMP" in incompatible


def test_water_processable(engine):
    res = run(engine, "water-processable-binders")
    assert {"CMC", "APP", "PSBA-Li", "waterglass"} <= col(res, "binder")
    assert "PVDF" not in col(res, "binder")


def test_nmp_free(engine):
    res = run(engine, "nmp-free-processing")
    assert "NMP" in col(res, "subject") and "nmp-toxicity" in col(res, "object") | col(res, "relation") | {
        r["object"].value.rsplit("/", 1)[-1] for r in res.rows if "object" in r}


def test_better_than_pvdf(engine):
    res = run(engine, "better-than-pvdf")
    assert {"APP", "PSBA-Li", "PProDOT-Hx2"} <= col(res, "binder")
    assert "PVDF" not in col(res, "binder")


def test_performance_figures(engine):
    res = run(engine, "performance-figures", subject="AA-HA-VEH", metric="capacity-retention")
    assert col(res, "subject") == {"AA-HA-VEH"}
    row = rows_where(res, asWritten="97.01%")[0]
    assert float(row["value"].value) == 97.01 and "400 cycles" in row["conditions"].value
    cond = run(engine, "performance-figures", unit="S/cm")
    assert col(cond, "unitName") == {"S-PER-CentiM"} and len(cond.rows) >= 3
    assert col(run(engine, "performance-figures", unit="S-PER-CentiM"), "asWritten") == col(cond, "asWritten")
    # figures of non-binder subjects are listed too (a separator's, an electrolyte's)
    assert {"LLZO", "ice-templating"} <= col(run(engine, "performance-figures"), "subject")


def test_bound_material_restricts_figures_on_both_engines(engine, rdflib_engine):
    """The material is OPTIONAL context: a bound value must still drop figures of other materials."""
    for eng in (engine, rdflib_engine):
        res = run(eng, "performance-figures", material="LNMO")
        assert col(res, "material") == {"LNMO"}
        assert {"PVDF", "CMC", "PAALi"} <= col(res, "subject")
        assert len(res.rows) == 10
        # "1 C/CMC: 94.1%; SA: 98.1%": each figure belongs to its own binder (bg:measurementOf)
        assert {r["asWritten"].value for r in rows_where(res, subject="CMC")} == {"CMC: 94.1%"}
        assert {r["asWritten"].value for r in rows_where(res, subject="SA")} == {"SA: 98.1%"}


def test_table1(engine, review):
    res = run(engine, "table1")
    assert [int(r["row"].value) for r in res.rows] == list(range(1, 14))
    start = review.text.index("Binder\tElectrode/voltage range")
    lines = review.text[start:review.text.index("Note: The data in Table 1")].strip().splitlines()[1:]
    table = [line.split("\t") for line in lines if line.strip()]
    assert len(table) == 13
    for row, cells in zip(res.rows, table):
        binder, electrode, mechanism, rate, ref = cells
        assert row["binderCell"].value == binder
        assert row["mechanismCell"].value == mechanism
        assert row["rateRetention"].value == rate
        assert row["refs"].value == ref.strip("[]")
        # the structured columns agree with the text: binder entities named in the cell, material, voltage
        for bid in row["binders"].value.split(" and "):
            names = engine.select(
                "SELECT ?b ?n WHERE { { ?b <http://www.w3.org/2000/01/rdf-schema#label> ?n } UNION "
                "{ ?b <http://www.w3.org/2004/02/skos/core#altLabel> ?n } }",
                {"b": Term(
                    "uri", "https://w3id.org/bindergraph/resource/" + bid)}).rows
            assert any(n["n"].value.lower() in binder.lower() for n in names), (bid, binder)
        assert electrode.split("/")[0] in ("LNMO", "LLO", "NCM811")
        assert row["electrode"].value.rsplit("/", 1)[-1] == electrode.split("/")[0]
        if "/" in electrode:
            assert row["voltage"].value == electrode.split("/", 1)[1]


def test_claim_evidence(engine):
    res = run(engine, "claim-evidence")  # PAN
    coord = rows_where(res, object="coordination")[0]
    assert "Ni}^{3+}" in coord["quote"].value and coord["section"].value == "3.1.3"
    one = run(engine, "claim-evidence", claim="claim-t1-r09", subject="PAA")
    assert len(one.rows) == 1 and "doi:10.1002/aenm.201904264" in one.rows[0]["references"].value


def test_binders_by_class(engine):
    res = run(engine, "binders-by-class")  # InorganicBinder
    assert {"APP", "waterglass", "Li2Si5O11", "LiH2PO4", "SPP"} <= col(res, "binder")
    assert "PVDF" not in col(res, "binder")
    healing = run(engine, "binders-by-class", **{"class": "SelfHealingBinder"})
    assert "PAA-P-HEA-co-DMA" in col(healing, "binder")
    natural = run(engine, "binders-by-class", **{"class": "NaturalBinder"})
    assert {"CMC", "SA", "chitosan", "lignin", "sericin", "GG", "XG"} <= col(natural, "binder")


def test_binder_classes(engine):
    res = run(engine, "binder-classes")
    counts = {r["class"].value.rsplit("#", 1)[-1]: int(r["binders"].value) for r in res.rows}
    assert counts["IonConductingBinder"] >= 10 and counts["AqueousProcessableBinder"] >= 10
    assert counts["CarboxylBearingBinder"] >= 3 and counts["TransitionMetalTrappingBinder"] >= 4


def test_binder_profile(engine):
    res = run(engine, "binder-profile")  # PVDF
    assert {"hasDrawback", "appliedIn", "hasFunction"} <= col(res, "relation")
    assert len(res.rows) >= 50


def test_binder_drawbacks(engine):
    res = run(engine, "binder-drawbacks")
    assert rows_where(res, subject="PVDF", drawback="weak-adhesion")
    assert "PEO" in col(res, "subject") or "PEO-family" in col(res, "subject")


def test_references_for_binder(engine):
    res = run(engine, "references-for-binder")  # SA
    row = rows_where(res, number="134")[0]
    assert row["doi"].value == "10.1039/C3TA13514D"
    assert "alginate" in row["title"].value


def test_binder_comparisons(engine):
    res = run(engine, "binder-comparisons")
    assert rows_where(res, binder="NBR", outcome="better", comparedWith="BR")


def test_claims_per_section(engine):
    res = run(engine, "claims-per-section")
    counts = {r["section"].value: int(r["claims"].value) for r in res.rows}
    assert counts["3.1.2"] >= 80 and counts["5"] >= 30 and counts["4.1"] >= 90


def test_mechanism_families(engine):
    fams = col(run(engine, "mechanism-families"), "family")
    assert {"Adhesion", "ChargeTransport", "Scavenging", "Mechanics", "Safety", "InterphaseFunction"} <= fams


def test_binders_with_group(engine):
    res = run(engine, "binders-with-group")  # carboxyl
    assert {"CMC", "PAA", "XG"} <= col(res, "binder")
    nitrile = run(engine, "binders-with-group", group="nitrile")
    assert {"PAN", "P-AN-MA"} <= col(nitrile, "binder")


def test_solvent_usage(engine):
    res = run(engine, "solvent-usage")
    water = rows_where(res, route="water")[0]
    assert "CMC" in water["binders"].value.split(", ")
    assert "PVDF" in rows_where(res, route="NMP")[0]["binders"].value.split(", ")


def test_multifunctional(engine):
    res = run(engine, "multifunctional-binders")
    top = int(res.rows[0]["families"].value)
    assert top >= 6 and col(res, "binder") >= {"PVDF", "CMC"}


# ------------------------------------------------------------------------------ engines agree
def _normalise(res):
    out = set()
    for row in res.rows:
        items = []
        for k, t in sorted(row.items()):
            if t.kind == "literal" and t.value == "":
                continue  # GROUP_CONCAT of nothing: "" on rdflib, unbound on oxigraph
            v = t.value
            dt = t.datatype
            if dt in NUMERIC:  # same value, engine-specific lexical form or integer subtype
                v, dt = format(Decimal(v).normalize(), "f"), "number"
            for sep in ("; ", ", ", " and "):  # GROUP_CONCAT order is unspecified by SPARQL
                if sep in v and t.kind == "literal":
                    v = sep.join(sorted(v.split(sep)))
                    break
            items.append((k, t.kind, v, dt, t.lang))
        out.add(tuple(items))
    return out


@pytest.mark.parametrize("qid", sorted(CATALOGUE))
def test_same_answers_on_oxigraph_and_rdflib(qid, engine, rdflib_engine):
    bound = bind_params(get_query(qid), {}, engine)
    a = engine.select(bound.query, bound.bindings)
    b = rdflib_engine.select(bound.query, bound.bindings)
    assert a.variables == b.variables
    assert len(a.rows) == len(b.rows)
    assert _normalise(a) == _normalise(b)


@pytest.fixture(scope="module")
def memory_engine(full_build):
    from bindergraph.query.engine import OxigraphEngine
    from bindergraph.query.store import open_memory_store

    return OxigraphEngine(open_memory_store(full_build))


@pytest.mark.parametrize("qid", sorted(CATALOGUE))
def test_memory_store_answers_like_disk_store(qid, engine, memory_engine):
    """`serve` answers from the graph loaded into memory: the same rows as the on-disk store."""
    bound = bind_params(get_query(qid), {}, engine)
    a = engine.select(bound.query, bound.bindings)
    b = memory_engine.select(bound.query, bound.bindings)
    assert a.variables == b.variables and _normalise(a) == _normalise(b) and len(a.rows) == len(b.rows)


# ------------------------------------------------------------------------------ safety and errors
HOSTILE = 'x" } ; DROP ALL #'
# Quotes, a backslash, a newline, braces, a comment sign, non-ASCII: every character must survive binding.
AWKWARD = 'a "quoted" \\ back\\slash\nnew line } ; DELETE WHERE { ?s ?p ?o } # Li⁺ ✓'


def test_injection_stays_a_literal(engine, rdflib_engine):
    q = get_query("claims-per-section")  # takes no parameter: use an ad-hoc one
    query = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
             "SELECT ?x ?label WHERE { ?x rdfs:label ?label }")
    from bindergraph.query.engine import Term
    for eng in (engine, rdflib_engine):
        assert eng.select(query, {"label": Term("literal", HOSTILE)}).rows == []
        bound = bind_params(get_query("binders-for-material"), {}, eng)
        assert bound.bindings["material"].kind == "uri"
    assert q.params == ()
    # the graph is intact afterwards
    assert run(engine, "binders-by-class").rows


def test_bound_terms_round_trip_exactly(engine, rdflib_engine, memory_engine):
    """A bound parameter comes back as the very same term: the VALUES block that leads oxigraph's
    planner (and carries parameters to remote endpoints) is serialised, never spliced from text."""
    from bindergraph.query.engine import Term

    query = "SELECT ?v ?n WHERE { BIND(1 AS ?n) }"
    terms = [Term("literal", AWKWARD), Term("literal", AWKWARD, lang="en"),
             Term("literal", "3.5", "http://www.w3.org/2001/XMLSchema#decimal"),
             Term("uri", "https://w3id.org/bindergraph/resource/PVDF")]
    for eng in (engine, memory_engine, rdflib_engine):
        for t in terms:
            assert eng.select(query, {"v": t}).rows[0]["v"] == t, (eng.name, t)
    with pytest.raises(QueryError, match="not a valid IRI"):
        engine.select(query, {"v": Term("uri", "https://x.org/> } DROP ALL {")})


def test_values_hint_reaches_subqueries_that_project_the_variable():
    from bindergraph.query.engine import _with_values

    q = ("SELECT ?a ?b WHERE { { SELECT ?a (COUNT(?x) AS ?b) WHERE { ?a ?p ?x } GROUP BY ?a }\n"
         "# SELECT ?a WHERE { in a comment }\n { SELECT (STR(?z) AS ?a) WHERE { ?z ?q ?r } } }")
    out = _with_values(q, {"a": "<http://x/>", "b": '"1"'})
    assert out.startswith('SELECT ?a ?b WHERE { VALUES (?a ?b) { (<http://x/> "1") }')
    assert "GROUP BY ?a" in out and out.count("VALUES") == 2  # not in the comment, not where ?a is assigned
    assert "WHERE { VALUES (?a) { (<http://x/>) }  ?a ?p ?x }" in out


def test_hostile_entity_value_is_unknown(engine):
    with pytest.raises(QueryError, match="unknown id or label"):
        run(engine, "binder-profile", binder=HOSTILE)


def test_unknown_parameter_and_query(engine):
    with pytest.raises(QueryError, match="has no parameter 'colour'"):
        run(engine, "binder-profile", colour="red")
    with pytest.raises(QueryError, match="unknown query 'nope'"):
        get_query("nope")


@pytest.fixture()
def cli(full_build):
    runner = CliRunner()
    return lambda *a: runner.invoke(main, ["--out", str(full_build), *a])


def test_cli_query_table_and_formats(cli):
    res = cli("query", "tm-trapping-binders")
    assert res.exit_code == 0 and "sodium alginate" in res.output and "https://" not in res.output
    csv = cli("query", "binders-for-material", "--param", "material=LNMO", "--format", "csv")
    assert csv.output.splitlines()[0].startswith("material,binder,stance,relation,object")
    full = cli("query", "claim-evidence", "--param", "subject=PAN", "--full")
    assert "--- row 1" in full.output


def test_cli_errors_one_line(cli, tmp_path):
    for args, code, text in [(("query", "nope"), 2, "unknown query"),
                             (("query", "binder-profile", "--param", "binder=Unobtainium"), 2, "unknown id or label"),
                             (("query", "binder-profile", "--param", "oops"), 2, "key=value"),
                             (("sparql", "SELEC ?x"), 2, "syntax error")]:
        res = cli(*args)
        assert res.exit_code == code, args
        assert res.output.count("\n") == 1 and text in res.output and "Traceback" not in res.output
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?x WHERE { ?x ")
    res = cli("query", "--file", str(bad))
    assert res.exit_code == 2 and "syntax error" in res.output


def test_cli_queries_lists_catalogue(cli):
    res = cli("queries")
    assert res.exit_code == 0 and "groups-functions" in res.output and "--param material" in res.output
