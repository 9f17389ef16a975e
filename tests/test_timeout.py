"""`--timeout` stops a runaway local query with one line, and leaves no process behind."""
from __future__ import annotations

import os
import time

import pytest
from click.testing import CliRunner

from bindergraph.cli import main
from bindergraph.errors import QueryError
from bindergraph.query.timeout import run_with_timeout

CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_cross_product_stopped(small_build, engine):
    start = time.monotonic()
    res = CliRunner().invoke(main, ["--out", str(small_build), "sparql", CROSS, "--timeout", "1", "--engine", engine])
    assert res.exit_code == 2
    assert res.output.strip() == ("error: the query ran longer than 1 s and was stopped (--timeout SECONDS, "
                                  "0 for no limit)")
    assert time.monotonic() - start < 30  # generous: proves the stop, not a speed
    with pytest.raises(ChildProcessError):  # the child was killed and collected: nothing left to wait for
        os.waitpid(-1, os.WNOHANG)


def test_answers_and_errors_come_back_from_the_child(small_build):
    res = CliRunner().invoke(main, ["--out", str(small_build), "sparql", "SELECT ?b WHERE { ?b a bg:Binder }",
                                    "--format", "csv", "--timeout", "60"])
    assert res.exit_code == 0 and "PAA" in res.output
    bad = CliRunner().invoke(main, ["--out", str(small_build), "sparql", "SELECT ?b WHERE {\n ?b a", "--timeout", "60"])
    assert bad.exit_code == 2 and bad.output.startswith("error: SPARQL syntax error at line 2")


def test_run_with_timeout_passes_errors_and_values():
    assert run_with_timeout(lambda: {"rows": [1, 2]}, 5) == {"rows": [1, 2]}

    def fail():
        raise QueryError("unknown id or label 'X'")
    with pytest.raises(QueryError, match="unknown id or label 'X'"):
        run_with_timeout(fail, 5)
    assert run_with_timeout(lambda: 42, 0) == 42  # 0: no limit, in this process
