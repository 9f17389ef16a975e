"""The CLI through click's runner: one-line errors, exit codes, no tracebacks, atomic export."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bindergraph.cli import main


@pytest.fixture()
def run(small_build):
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, ["--out", str(small_build), *args], catch_exceptions=False)
    return invoke


def test_help_texts_carry_examples():
    runner = CliRunner()
    for cmd in ("build", "check", "export", "query", "sparql", "queries", "stats"):
        res = runner.invoke(main, [cmd, "--help"])
        assert res.exit_code == 0
        assert "Example" in res.output and "bindergraph " + cmd in res.output, cmd


def test_check_bad_record_one_line(tmp_path, fixture_records):
    (fixture_records / "claims" / "bad.yaml").write_text(
        "claims:\n  - id: bad-1\n    quote: 'this sentence is not in the review at all'\n"
        "    attribution: background\n    subject: PVDF\n    relation: applied_in\n    object: LNMO\n")
    res = CliRunner().invoke(main, ["check", "--records", str(fixture_records)])
    assert res.exit_code == 1
    lines = res.output.strip().splitlines()
    assert len(lines) == 1
    assert "bad.yaml" in lines[0] and "record bad-1" in lines[0] and "field quote" in lines[0]
    assert "Traceback" not in res.output


def test_sparql_table_uses_labels(run):
    res = run("sparql", "SELECT ?b WHERE { ?b a bg:CarboxylBearingBinder }")
    assert res.exit_code == 0
    assert "poly(acrylic acid)" in res.output and "https://" not in res.output


def test_sparql_json_is_standard(run):
    """SPARQL 1.1 results JSON, with the label of each IRI variable as one more variable."""
    res = run("sparql", "SELECT ?b WHERE { ?b a bg:CarboxylBearingBinder }", "--format", "json")
    payload = json.loads(res.output)
    assert payload["head"]["vars"] == ["b", "b_label"]
    assert payload["results"]["bindings"][0]["b"] == {
        "type": "uri", "value": "https://w3id.org/bindergraph/resource/PAA"}
    assert payload["results"]["bindings"][0]["b_label"] == {"type": "literal", "value": "poly(acrylic acid)"}


def test_sparql_syntax_error_one_line(small_build):
    res = CliRunner().invoke(main, ["--out", str(small_build), "sparql", "SELECT ?b WHERE { ?b a"])
    assert res.exit_code == 2
    assert res.output.startswith("error: SPARQL syntax error")
    assert len(res.output.strip().splitlines()) == 1


def test_update_is_refused(small_build):
    res = CliRunner().invoke(main, ["--out", str(small_build), "sparql", "DROP ALL"])
    assert res.exit_code == 2 and "error:" in res.output


def test_export_atomic_and_complete(run, tmp_path):
    target = tmp_path / "x.nt"
    res = run("export", "--format", "nt", "--output", str(target))
    assert res.exit_code == 0
    text = target.read_text()
    assert "<https://w3id.org/bindergraph/resource/PAA>" in text
    assert "CarboxylBearingBinder" in text  # inferences are part of the export
    res = run("export", "--format", "ttl", "--output", str(tmp_path / "missing" / "x.ttl"))
    assert res.exit_code == 1 and "does not exist" in res.output


def test_export_jsonld(run, tmp_path):
    target = tmp_path / "x.jsonld"
    assert run("export", "--format", "jsonld", "--output", str(target)).exit_code == 0
    doc = json.loads(target.read_text())
    assert "@context" in doc


def test_stats_counts(run):
    res = run("stats")
    assert res.exit_code == 0
    assert "Reference" in res.output and "359" in res.output
    assert "hasFunction" in res.output
