"""Exports are byte-identical from run to run, and hold the graph."""
from __future__ import annotations

import os
import subprocess
import sys

from rdflib import Graph
from rdflib.compare import isomorphic

from bindergraph import paths


def test_jsonld_is_deterministic_across_processes(small_build, tmp_path):
    """Two processes with different hash seeds (rdflib's JSON-LD order follows hash sets) write the same bytes."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"g{seed}.jsonld"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "bindergraph", "--out", str(small_build), "export", "--format", "jsonld",
                        "--output", str(out)], check=True, env=env, capture_output=True)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    jsonld = Graph().parse(data=outs[0], format="json-ld")
    nt = Graph().parse(paths.current_build(small_build) / "graph.nt", format="nt")
    assert len(jsonld) == len(nt) and isomorphic(jsonld, nt)
