"""`bindergraph search`: full-text search (SQLite FTS5) over entities, claims and references."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from bindergraph import paths
from bindergraph.build import OUTPUT_FILES
from bindergraph.cli import main
from bindergraph.curate.references import parse_references
from bindergraph.errors import BindergraphError, QueryError
from bindergraph.query import search as search_mod
from bindergraph.query.search import INDEX_FILE, search
from bindergraph.query.text import readable

REVIEW = paths.REVIEW_FILE.read_text(encoding="utf-8")


def run(out, *args):
    return CliRunner().invoke(main, ["--out", str(out), "search", *args], catch_exceptions=False)


def hits_json(out, *args) -> list[dict[str, str]]:
    res = run(out, *args, "--format", "json")
    assert res.exit_code == 0, res.output
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(res.output)["results"]["bindings"]]


def quotes(engine) -> dict[str, str]:
    rows = engine.select("PREFIX bg: <https://w3id.org/bindergraph/ontology#> "
                         "SELECT ?c ?q WHERE { ?c a bg:Claim ; bg:quote ?q }").rows
    return {r["c"].value.rsplit("/", 1)[-1]: r["q"].value for r in rows}


def citing(engine, ref: str) -> set[str]:
    """Claims whose sentence cites `ref` or that report its finding."""
    rows = engine.select(
        "PREFIX bg: <https://w3id.org/bindergraph/ontology#> PREFIX bgr: <https://w3id.org/bindergraph/resource/> "
        "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX prov: <http://www.w3.org/ns/prov#> "
        f"SELECT DISTINCT ?c WHERE {{ ?c a bg:Claim ; dcterms:references|prov:hadPrimarySource bgr:{ref} }}").rows
    return {r["c"].value.rsplit("/", 1)[-1] for r in rows}


def reference_numbers(first_author: str, review) -> set[str]:
    """ref-N of every entry of the review's reference list whose first author is `first_author`."""
    return {f"ref-{r.number}" for r in parse_references(review) if r.text.startswith(first_author + ",")}


# ------------------------------------------------------------------------------------ the index
def test_index_is_part_of_the_build(full_build, review):
    assert INDEX_FILE in OUTPUT_FILES and OUTPUT_FILES[-1] == "manifest.json"
    manifest = json.loads((full_build / "manifest.json").read_text())
    con = sqlite3.connect(full_build / INDEX_FILE)
    meta = dict(con.execute("SELECT key, value FROM meta"))
    kinds = dict(con.execute("SELECT kind, count(*) FROM search GROUP BY kind"))
    con.close()
    assert meta["graph_sha256"] == manifest["sha256"]["graph.nt"]  # the index of this very graph
    assert kinds["claim"] == manifest["counts"]["claims"] and kinds["entity"] == manifest["counts"]["entities"]
    assert kinds["reference"] == len(parse_references(review))


def test_display_columns_are_not_searched(full_build):
    """The kind, id and summary columns are shown, not searched: the word "entity" finds the entities
    whose names or notes use it (PEDOT's note: "typed as a chemical entity"), not every entity."""
    hits = hits_json(full_build, "entity", "--kind", "entity", "--limit", "500")
    assert "PEDOT" in {h["id"] for h in hits} and len(hits) < 20


@pytest.fixture()
def old_build(small_build, tmp_path):
    """A copy of a build folder, to damage."""
    out = tmp_path / "out"
    shutil.copytree(small_build, out)
    return out


def test_missing_index_is_rebuilt_from_graph_nt(old_build, monkeypatch):
    (old_build / INDEX_FILE).unlink()
    monkeypatch.chdir(old_build.parent)  # a relative --out works too
    res = run(old_build.name, "Cao's group", "--format", "csv")
    assert res.exit_code == 0
    assert "claim-s3.1.1-001" in res.output  # "Cao's group proved that PAA could form a uniform coating layer …"
    assert (old_build / INDEX_FILE).is_file()
    assert not [p for p in old_build.iterdir() if p.name.startswith(f".{INDEX_FILE}")]  # no temporary file left


def test_index_of_another_graph_is_rebuilt(old_build):
    con = sqlite3.connect(old_build / INDEX_FILE)
    with con:
        con.execute("UPDATE meta SET value = 'from an older build' WHERE key = 'graph_sha256'")
        con.execute("DELETE FROM search")
    con.close()
    assert [h.id for h in search(old_build, "Cao's group")] == ["claim-s3.1.1-001"]


# ------------------------------------------------------------------------------- what it finds
def test_author_finds_references_and_the_claims_citing_them(full_build, engine, review):
    sentence = "Inada et al. investigated the ionic conductivity and morphology of composite SSEs"
    assert sentence in REVIEW
    inada = reference_numbers("Inada", review)
    assert inada == {"ref-244", "ref-245"}
    ids = [h["id"] for h in hits_json(full_build, "Inada", "--limit", "50")]
    quoted = quotes(engine)
    assert "claim-s4.1-066" in ids and quoted["claim-s4.1-066"].startswith(sentence)
    assert inada <= set(ids)
    # every claim citing or reporting Inada's works, also those whose sentence does not name them
    assert citing(engine, "ref-244") | citing(engine, "ref-245") <= set(ids)
    assert "Inada" not in quoted["claim-s4.1-068"] and "claim-s4.1-068" in ids
    # the claim whose quote names Inada ranks above those that only cite the works
    assert ids.index("claim-s4.1-066") < ids.index("claim-s4.1-068")


def test_degrees_celsius(full_build, engine):
    with_80c = {c for c, q in quotes(engine).items() if "80 °C" in readable(q)}
    assert "claim-s3.1.2-025" in with_80c  # "The SSB works stably under 80 °C."
    hits = hits_json(full_build, "80 °C", "--kind", "claim")
    assert {h["kind"] for h in hits} == {"claim"}
    first = hits[:len(with_80c)]
    assert {h["id"] for h in first} == with_80c  # the phrase first, then claims with 80 and °C apart
    assert all("80 °C" in h["snippet"] for h in first)


def test_p_xylene_as_read(full_build, engine):
    raw = {c for c, q in quotes(engine).items() if "*p*-xylene" in q}
    assert raw and "*p*-xylene" in REVIEW
    hits = hits_json(full_build, "p-xylene", "--limit", "100")
    assert raw <= {h["id"] for h in hits}
    snippet = next(h for h in hits if h["id"] in raw)["snippet"]
    assert "p-xylene" in snippet and "*" not in snippet
    start, end = int(hits[0]["match_start"]), int(hits[0]["match_end"])
    assert hits[0]["snippet"][start:end].lower() == "p-xylene"


@pytest.mark.parametrize("typed", ["Leonard", "Léonard", "LEONARD"])
def test_accented_author(full_build, engine, typed):
    assert "150. Léonard, A.F., Job, N.:" in REVIEW
    hits = hits_json(full_build, typed)
    assert hits[0]["id"] == "ref-150" and "Léonard" in hits[0]["summary"]
    assert citing(engine, "ref-150") <= {h["id"] for h in hits}


def test_kind_reference(full_build, review):
    hits = hits_json(full_build, "Inada", "--kind", "reference")
    assert {h["id"] for h in hits} == reference_numbers("Inada", review)
    assert all(h["kind"] == "reference" for h in hits)
    assert "Silicone as a binder in composite electrolytes" in {h["summary"].split(": ", 1)[1] for h in hits}


@pytest.mark.parametrize("typed", ["μ-Si", "µ-Si"])  # Greek mu as the review, or the keyboard's micro sign
def test_micro_silicon(full_build, engine, typed):
    wanted = {c for c, q in quotes(engine).items() if re.search(r"μ ?-Si", readable(q))}
    assert len(wanted) > 5
    assert wanted <= {h["id"] for h in hits_json(full_build, typed, "--kind", "claim", "--limit", "200")}


def test_li_ion_as_written_or_in_ascii(full_build):
    unicode, ascii_, latex = (hits_json(full_build, t, "--limit", "200") for t in ("Li⁺", "Li+", "Li^+"))
    assert unicode == ascii_ == latex
    claims = [h for h in unicode if h["kind"] == "claim"]
    assert claims and all("Li⁺" in h["snippet"] for h in claims)


def test_table_marks_matches_and_ranks_the_named_entity_first(full_build):
    assert [h["id"] for h in hits_json(full_build, "PAA", "--limit", "3")][0] == "PAA"  # before blends naming PAA
    res = run(full_build, "PAA", "--limit", "3")
    assert res.exit_code == 0 and res.output.split()[:5] == ["kind", "id", "summary", "section", "snippet"]
    assert "[PAA]" in res.output and "[PAA]" not in hits_json(full_build, "PAA", "--limit", "3")[0]["snippet"]


def test_phrase_and_and(full_build, engine):
    both = {h["id"] for h in hits_json(full_build, "dry SBR", "--kind", "claim", "--limit", "100")}
    phrase = {h["id"] for h in hits_json(full_build, '"dry process" SBR', "--kind", "claim", "--limit", "100")}
    assert "claim-s4.1-068" in phrase <= both  # "The electrolytes prepared by the dry process showed … SBR …"
    assert "dry process" in quotes(engine)["claim-s4.1-068"]


def test_python_api(full_build):
    hits = search(full_build, "Inada", kind="claim", limit=3)
    assert len(hits) == 3 and all(h.kind == "claim" and h.section == "4.1" for h in hits)
    h = hits[0]
    assert [h.snippet[a:b] for a, b in h.spans] == ["Inada"]
    assert "[Inada]" in h.marked()
    assert search(full_build, "Inada", kind="claim", limit=3) == hits  # deterministic
    with pytest.raises(QueryError, match="unknown kind 'figure'"):
        search(full_build, "Inada", kind="figure")


# ---------------------------------------------------------------------------------- hostile input
@pytest.mark.parametrize("text", ['"', "AND (", "NEAR(", "*", "'; DROP TABLE search; --", "a:b", '"unclosed',
                                  "OR", "NOT PVDF", "^", "-", "{x}", "PAA*", "''"])
def test_hostile_text_gives_results_or_one_error_line(full_build, text):
    res = run(full_build, text)
    if res.exit_code == 0:
        assert res.output.startswith("kind") or res.output == "(no results)\n"
    else:
        assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
        assert res.output.startswith("error: search: no word to search for")
    assert search(full_build, "Inada", kind="reference")  # the index is intact


def test_no_fts5_is_one_line(monkeypatch):
    class NoFts5:
        OperationalError = sqlite3.OperationalError
        sqlite_version = sqlite3.sqlite_version

        @staticmethod
        def connect(_):
            raise sqlite3.OperationalError("no such module: fts5")

    monkeypatch.setattr(search_mod, "sqlite3", NoFts5)
    search_mod.require_fts5.cache_clear()
    try:
        with pytest.raises(BindergraphError, match="search needs SQLite with FTS5"):
            search_mod.require_fts5()
    finally:
        search_mod.require_fts5.cache_clear()


def test_help_has_examples():
    res = CliRunner().invoke(main, ["search", "--help"])
    assert res.exit_code == 0 and "bindergraph search Inada" in res.output
