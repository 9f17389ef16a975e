"""bindergraph: the knowledge graph of lithium-battery binders, built from Zhang et al. (2023).

`bindergraph.open()` gives the Python API (see `bindergraph.api`); `bindergraph` on the command line the CLI.
"""
__version__ = "0.1.0"


def open(out_dir=None, build: bool = True):  # noqa: A001 - the API's entry point, as in `bindergraph.open()`
    """The built graph as a `bindergraph.api.BinderGraph` (imported lazily: the CLI does not need it)."""
    from .api import open as _open

    return _open(out_dir, build)
