"""Where the shipped resources live: inside the installed package, or in a source checkout."""
from __future__ import annotations

import os
from pathlib import Path

_PKG = Path(__file__).resolve().parent
# A wheel carries ontology/, queries/ and data/ under bindergraph/_resources (see pyproject.toml);
# an editable install or a source checkout reads them from the repository root.
RESOURCES = _PKG / "_resources" if (_PKG / "_resources").is_dir() else _PKG.parent.parent

ONTOLOGY_DIR = RESOURCES / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "bindergraph.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes" / "bindergraph-shapes.ttl"
IMPORTS_DIR = ONTOLOGY_DIR / "imports"
MAPPINGS_DIR = ONTOLOGY_DIR / "mappings"
QUERIES_DIR = RESOURCES / "queries"
RECORDS_DIR = RESOURCES / "data" / "records"
REVIEW_FILE = RESOURCES / "data" / "source" / "review.txt"
COVERAGE_IGNORE = RESOURCES / "data" / "coverage-ignore.yaml"


def default_out_dir() -> Path:
    """Build output: $BINDERGRAPH_HOME, else the user's cache directory, so any cwd works."""
    env = os.environ.get("BINDERGRAPH_HOME")
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "bindergraph"


# An output folder holds one folder per build under builds/ and the pointer `current`, a symlink to the
# complete build readers should use (see build.py). The build switches the pointer atomically.
CURRENT = "current"
BUILDS = "builds"


def current_build(out_dir: Path) -> Path:
    """The build folder readers open, resolved once: open every file of one build from the returned
    folder, never through `out_dir`, and you see the old build or the new one, never a mix.
    `out_dir` itself when it has no pointer (written before builds were versioned, or a build folder)."""
    out_dir = Path(out_dir)
    try:
        target = os.readlink(out_dir / CURRENT)  # one system call: the pointer as it is now
    except OSError:  # no pointer (or not a symlink): files directly in out_dir
        return out_dir
    return out_dir / target
