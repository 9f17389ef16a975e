"""`bindergraph coverage`: no unexplained binder missing from the graph; every section has claims."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from bindergraph import paths
from bindergraph.cli import main
from bindergraph.checks.coverage import compute_coverage, load_ignore
from bindergraph.errors import RecordError


def test_no_unexplained_gaps(engine, review):
    report = compute_coverage(engine, review, load_ignore(paths.COVERAGE_IGNORE))
    assert report.missing == {}
    assert len(report.binders_in_text) >= 90  # constituents (PEDOT, PSS, PMA, ...) are chemicals, not binders
    assert report.binders_in_text["PVDF"] > 50
    counts = {num: n for num, _title, n in report.claims_per_section}
    assert all(n > 0 for num, n in counts.items() if num != "3.2"), counts


def test_gap_is_reported_with_lines(engine, review):
    ignore = load_ignore(paths.COVERAGE_IGNORE)
    ignore.pop("GITT")
    report = compute_coverage(engine, review, ignore)
    assert "GITT" in report.missing
    assert 342 in report.missing["GITT"]  # a line of the review where GITT sits near "binder"


def test_ignore_entries_need_reasons(tmp_path):
    bad = tmp_path / "ignore.yaml"
    bad.write_text("ignore:\n  XYZ: ''\n")
    with pytest.raises(RecordError, match="needs a reason"):
        load_ignore(bad)


def test_cli_strict(full_build):
    res = CliRunner().invoke(main, ["--out", str(full_build), "coverage", "--strict"])
    assert res.exit_code == 0
    assert "No unexplained binder-like token" in res.output and "3.1.2" in res.output
