"""The installed `bindergraph` command works from any directory, with the data shipped inside."""
from __future__ import annotations

import shutil
import subprocess

import pytest

EXE = shutil.which("bindergraph")


@pytest.mark.skipif(EXE is None, reason="bindergraph is not installed as a command")
def test_build_and_export_from_another_directory(tmp_path):
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    out = tmp_path / "home"
    env = {"PATH": shutil.os.environ["PATH"], "HOME": str(tmp_path), "BINDERGRAPH_HOME": str(out)}
    res = subprocess.run([EXE, "build"], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    assert "built" in res.stdout and (out / "store").is_dir()
    res = subprocess.run([EXE, "export", "--format", "nt", "--output", "x.nt"], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    text = (cwd / "x.nt").read_text(encoding="utf-8")
    assert "<https://w3id.org/bindergraph/resource/PVDF>" in text
    assert "http://www.w3.org/ns/oa#exact" in text


@pytest.mark.skipif(EXE is None, reason="bindergraph is not installed as a command")
def test_bad_input_gives_one_line_and_no_traceback(tmp_path):
    env = {"PATH": shutil.os.environ["PATH"], "HOME": str(tmp_path), "BINDERGRAPH_HOME": str(tmp_path / "h")}
    bad = tmp_path / "records" / "claims"
    bad.mkdir(parents=True)
    (bad / "x.yaml").write_text("claims: [1, 2\n")
    res = subprocess.run([EXE, "check", "--records", str(tmp_path / "records")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1
    assert res.stderr.count("\n") == 1 and "x.yaml" in res.stderr and "Traceback" not in res.stderr
