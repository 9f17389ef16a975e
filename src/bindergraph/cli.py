"""The `bindergraph` command line."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import paths
from .errors import BindergraphError


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except BindergraphError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_Group)
def main() -> None:
    """bindergraph: the knowledge graph of lithium-battery binders."""


@main.command()
@click.option("--records", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Directory of curated record files (default: the shipped records).")
def check(records: Path | None) -> None:
    """Check curated records: ids, quotes (verbatim in the review), references, units.

    \b
    Example:
      bindergraph check
      bindergraph check --records data/records
    """
    from .curation import check_records
    from .ontology import load_tbox
    from .source import Review

    cur = check_records(records or paths.RECORDS_DIR, load_tbox(paths.ONTOLOGY_FILE), Review.load(paths.REVIEW_FILE))
    click.echo(f"ok: {len(cur.entities)} entities, {len(cur.claims)} claims")
