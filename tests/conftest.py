"""Shared fixtures: a tiny fixture build, and one full build of the shipped records per session."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bindergraph import paths
from bindergraph.build import BuildOptions, build
from bindergraph.graph.ontology import load_tbox
from bindergraph.query.engine import OxigraphEngine, RdflibEngine
from bindergraph.curate.source import Review
from bindergraph.query.store import open_store

INPUT = Path(__file__).parent / "input"


@pytest.fixture(scope="session")
def review() -> Review:
    return Review.load(paths.REVIEW_FILE)


@pytest.fixture(scope="session")
def tbox():
    return load_tbox(paths.ONTOLOGY_FILE)


@pytest.fixture()
def fixture_records(tmp_path) -> Path:
    """A private copy of tests/input/records (tests may edit it)."""
    dest = tmp_path / "records"
    shutil.copytree(INPUT / "records", dest)
    return dest


@pytest.fixture(scope="session")
def small_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small")
    build(BuildOptions(records=INPUT / "records", out_dir=out))
    return out


@pytest.fixture(scope="session")
def full_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("full")
    build(BuildOptions(out_dir=out))
    return out


@pytest.fixture(scope="session")
def engine(full_build) -> OxigraphEngine:
    return OxigraphEngine(open_store(full_build))


@pytest.fixture(scope="session")
def rdflib_engine(full_build) -> RdflibEngine:
    return RdflibEngine.from_file(full_build / "graph.nt")


def values(result, var: str) -> set[str]:
    return {row[var].value.rsplit("/", 1)[-1] for row in result.rows if var in row}
