"""The `bindergraph` command line: build, check, query, serve, explore and export the graph."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import paths
from .errors import BindergraphError, QueryError
from .files import atomic_write

OUT_HELP = "Build output directory (default: $BINDERGRAPH_HOME, else ~/.cache/bindergraph)."


class _Group(click.Group):
    """Turns project errors into one line on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except BindergraphError as exc:
            for line in str(exc).splitlines():
                click.echo(f"error: {line}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=None, help=OUT_HELP)
@click.version_option(package_name="bindergraph")
@click.pass_context
def main(ctx: click.Context, out_dir: Path | None) -> None:
    """bindergraph: the knowledge graph of lithium-battery binders, built from
    Zhang et al., "Exploring More Functions in Binders for Lithium Batteries" (2023).

    \b
    Quick start:
      bindergraph build                      # records -> RDF, SHACL, HermiT, store
      bindergraph queries                    # the competency-question catalogue
      bindergraph query groups-functions     # which groups serve which function
      bindergraph viz --output binders.html  # the interactive map
    """
    ctx.obj = {"out": out_dir or paths.default_out_dir()}


def _out(ctx: click.Context) -> Path:
    return ctx.obj["out"]


# ------------------------------------------------------------------------------------ building
@main.command()
@click.option("--records", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="Directory of curated record files (default: the shipped records).")
def check(records: Path | None) -> None:
    """Check curated records: ids, quotes (verbatim in the review), references, units.

    \b
    Examples:
      bindergraph check
      bindergraph check --records data/records
    """
    from .curate.curation import check_records
    from .graph.ontology import load_tbox
    from .curate.source import Review

    cur = check_records(records or paths.RECORDS_DIR, load_tbox(paths.ONTOLOGY_FILE), Review.load(paths.REVIEW_FILE))
    click.echo(f"ok: {len(cur.entities)} entities, {len(cur.claims)} claims")


@main.command()
@click.option("--records", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="Directory of curated record files (default: the shipped records).")
@click.option("--no-reason", is_flag=True, help="Skip HermiT (no Java needed; defined classes stay empty).")
@click.option("-v", "--verbose", is_flag=True, help="Print the time of each step.")
@click.pass_context
def build(ctx: click.Context, records: Path | None, no_reason: bool, verbose: bool) -> None:
    """Build the graph: check records, emit RDF, validate (SHACL), check evidence,
    classify with HermiT, write graph.nt / graph.ttl / graph.nq and the SPARQL store.

    A failed build leaves the previous outputs untouched.

    \b
    Examples:
      bindergraph build
      bindergraph --out ./out build -v
    """
    from .build import BuildOptions, build as run_build

    opts = BuildOptions(records=records or paths.RECORDS_DIR, out_dir=_out(ctx), reason=not no_reason)
    res = run_build(opts, log=(lambda m: click.echo(m, err=True)) if verbose else (lambda m: None))
    c = res.counts
    click.echo(f"built {c['triples']} triples ({c['entities']} entities, {c['claims']} claims) in {res.out_dir}")


def ensure_built(ctx: click.Context) -> Path:
    """The output dir, building first (with a note on stderr) if nothing was built yet."""
    out = _out(ctx)
    if not (out / "manifest.json").is_file():
        from .build import BuildOptions, build as run_build

        click.echo(f"no graph in {out} yet: building it first …", err=True)
        run_build(BuildOptions(out_dir=out))
    return out


@main.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "nq", "jsonld"]), default="ttl", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="File to write (written atomically).")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path) -> None:
    """Write the complete graph (ontology, data, references, inferences, links).

    \b
    Examples:
      bindergraph export --format nt --output binders.nt
      bindergraph export --format nq --output binders.nq   # with named graphs, for triple stores
      bindergraph export --format jsonld --output binders.jsonld
    """
    out = ensure_built(ctx)
    if fmt == "jsonld":
        from rdflib import Graph

        from .graph.emit import PREFIXES

        g = Graph()
        g.parse(out / "graph.nt", format="nt")
        data = g.serialize(format="json-ld", context={k: str(v) for k, v in PREFIXES.items()}, sort_keys=True,
                           indent=1).encode("utf-8")
    else:
        data = (out / f"graph.{fmt}").read_bytes()
    atomic_write(output, data)
    click.echo(f"wrote {output} ({len(data)} bytes)")


@main.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Counts per class and per relation, and the share of entities with external links.

    \b
    Example:
      bindergraph stats
    """
    from .query.stats import compute_stats

    click.echo(compute_stats(_engine(ctx)), nl=False)


# ------------------------------------------------------------------------------------- querying
def _engine(ctx: click.Context, endpoint: str | None = None, engine: str = "oxigraph"):
    from .query.engine import OxigraphEngine, RdflibEngine, RemoteEngine
    from .query.store import open_store

    if endpoint:
        return RemoteEngine(endpoint)
    out = ensure_built(ctx)
    if engine == "rdflib":
        return RdflibEngine.from_file(out / "graph.nt")
    return OxigraphEngine(open_store(out))


@main.command("queries")
def list_queries() -> None:
    """List the competency-query catalogue with titles and parameters.

    \b
    Example:
      bindergraph queries
    """
    from .query.engine import catalogue

    for q in catalogue().values():
        click.echo(f"{q.id}\n    {q.title}\n    Q: {q.question}")
        for p in q.params:
            default = f" (default: {p.default})" if p.default else " (optional)"
            click.echo(f"    --param {p.name}=…  [{p.kind}]{default} {p.doc}")


_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml"]),
                       default="table", show_default=True)
_FULL = click.option("--full", is_flag=True, help="Show long values (quotes) whole, wrapped.")
_ENDPOINT = click.option("--endpoint", metavar="URL", default=None,
                         help="Send the query to a SPARQL 1.1 Protocol endpoint instead of the local store.")
_ENGINE = click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
                       help="Local engine (rdflib is the slow reference).")


@main.command()
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE", help="Bind a parameter (repeatable).")
@click.option("--file", "qfile", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Run an ad-hoc SELECT query from a .rq file instead of a catalogue query.")
@_FORMAT
@_FULL
@_ENDPOINT
@_ENGINE
@click.pass_context
def query(ctx, name, params, qfile, fmt, full, endpoint, engine) -> None:
    """Run a catalogue query by NAME (see `bindergraph queries`), or --file my.rq.

    \b
    Examples:
      bindergraph query groups-functions
      bindergraph query binders-for-material --param material=LNMO
      bindergraph query claim-evidence --param subject=PAN --full
      bindergraph query statement-support --param subject=carboxyl --param object=hydrogen-bonding
      bindergraph query table1 --format csv
      bindergraph query --file my.rq --format json
      bindergraph query groups-functions --endpoint http://127.0.0.1:8000/sparql
    """
    from .query.engine import PREFIXES, get_query, parse_param_args

    if bool(name) == bool(qfile):
        raise QueryError("give a query NAME or --file, not both or neither")
    eng = _engine(ctx, endpoint, engine)
    if qfile:
        if params:
            raise QueryError("--param applies to catalogue queries only")
        try:
            text = qfile.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"{qfile}: cannot read ({exc})") from None
        res = eng.select(PREFIXES + text)
    else:
        from .query.engine import bind_params

        bound = bind_params(get_query(name), parse_param_args(params), eng)
        res = eng.select(bound.query, bound.bindings)
    _print_result(eng, res, fmt, full)


@main.command()
@click.argument("text")
@_FORMAT
@_FULL
@_ENDPOINT
@_ENGINE
@click.pass_context
def sparql(ctx, text, fmt, full, endpoint, engine) -> None:
    """Run an ad-hoc SPARQL SELECT query given on the command line (common prefixes predeclared).

    \b
    Examples:
      bindergraph sparql "SELECT ?b WHERE { ?b a bg:SelfHealingBinder }"
      bindergraph sparql "SELECT (COUNT(*) AS ?n) WHERE { ?c a bg:Claim }" --format json
    """
    from .query.engine import PREFIXES

    eng = _engine(ctx, endpoint, engine)
    _print_result(eng, eng.select(PREFIXES + text), fmt, full)


def _print_result(eng, res, fmt: str, full: bool) -> None:
    from .query.results import FORMATS, labels_for, to_table

    if fmt == "table":
        click.echo(to_table(res, labels_for(eng, res), full=full), nl=False)
    else:
        click.echo(FORMATS[fmt](res), nl=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600), help="Seconds per query.")
@click.option("--max-rows", default=10000, show_default=True, type=click.IntRange(1), help="Result-size cap.")
@click.option("--store", "store_mode", type=click.Choice(["auto", "memory", "disk"]), default="auto", show_default=True,
              help="Answer from the graph loaded into memory (several times faster), or from the on-disk store; "
                   "auto loads graphs up to 256 MB of N-Quads.")
@click.pass_context
def serve(ctx, host, port, timeout, max_rows, store_mode) -> None:
    """Serve the graph as a read-only SPARQL 1.1 Protocol endpoint at /sparql.

    GET and POST; JSON, XML, CSV and TSV results by content negotiation; updates are refused.

    \b
    Examples:
      bindergraph serve --port 8000
      bindergraph serve --store disk --timeout 30
      curl 'http://127.0.0.1:8000/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20a%20bg:Binder%7D%20LIMIT%205'
      bindergraph query groups-functions --endpoint http://127.0.0.1:8000/sparql
    """
    from .publish.serve import ServerConfig, make_server

    out = ensure_built(ctx)
    try:
        server = make_server(ServerConfig(out, timeout, max_rows, store=store_mode), host, port)
    except OSError as exc:
        raise BindergraphError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    click.echo(f"SPARQL endpoint on http://{server.server_address[0]}:{server.server_address[1]}/sparql "
               f"(read-only, graph {'in memory' if server.in_memory else 'on disk'}; Ctrl-C to stop)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.command()
@click.option("--strict", is_flag=True, help="Exit 1 when a binder-like token is unexplained (for CI).")
@click.pass_context
def coverage(ctx, strict) -> None:
    """How completely the graph covers the review: abbreviations near "binder" that the graph
    lacks (with line numbers), binders named in the text, claims per section, and claims per
    attribution (reported finding, review synthesis, background) and per stance.
    Tokens that are not binders are listed with a reason in data/coverage-ignore.yaml.

    \b
    Examples:
      bindergraph coverage
      bindergraph coverage --strict
    """
    from .checks.coverage import compute_coverage, load_ignore
    from .curate.source import Review

    report = compute_coverage(_engine(ctx), Review.load(paths.REVIEW_FILE), load_ignore(paths.COVERAGE_IGNORE))
    click.echo(report.render(), nl=False)
    if strict and report.missing:
        sys.exit(1)


# ------------------------------------------------------------------------------ exploring, linking
@main.command()
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=Path("bindergraph.html"),
              show_default=True, help="HTML file to write (self-contained, works offline).")
@click.option("--focus", default=None, help="Only the neighbourhood of this binder or group (id or label).")
@click.option("--depth", default=1, show_default=True, type=click.IntRange(1, 5), help="Neighbourhood depth for --focus.")
@click.option("--query", "query_name", default=None, help="Only the entities a catalogue query returns, with their links.")
@click.option("--mechanism", default=None, help="Only claims about this mechanism (or family class, e.g. Scavenging).")
@click.option("--material", default=None, help="Only claims in the context of this active material.")
@click.option("--references/--no-references", default=False, show_default=True, help="Show references as nodes.")
@click.pass_context
def viz(ctx, output, focus, depth, query_name, mechanism, material, references) -> None:
    """Write the interactive HTML map: binders, groups, mechanisms, materials, solvents;
    every edge carries its quote, section and references.

    \b
    Examples:
      bindergraph viz --output binders.html
      bindergraph viz --focus PAN --depth 2 --output pan.html
      bindergraph viz --query tm-trapping-binders --output tm.html
      bindergraph viz --mechanism PolysulfideTrapping --output lis.html
    """
    from .publish.page import PageOptions, write_page

    opts = PageOptions(focus=focus, depth=depth, query=query_name, mechanism=mechanism, material=material,
                       references=references)
    stats = write_page(_engine(ctx), output, opts)
    click.echo(f"wrote {output} ({stats['nodes']} nodes, {stats['edges']} edges)")


@main.command()
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.pass_context
def hubs(ctx, top) -> None:
    """Network analytics: the most multifunctional groups and binders, the mechanisms with the most
    supporting binders, and the binders that bridge application areas.

    \b
    Example:
      bindergraph hubs --top 5
    """
    from .publish.analytics import hubs_report

    click.echo(hubs_report(_engine(ctx), top), nl=False)


@main.command()
@click.argument("name", required=False)
@click.pass_context
def links(ctx, name) -> None:
    """External identifiers (ChEBI, EMMO/BattINFO, Wikidata, PubChem) of a binder, group, solvent or
    material, with match type and justification; all links without NAME.

    \b
    Examples:
      bindergraph links PVDF
      bindergraph links carboxyl
      bindergraph links
    """
    from .graph.links import links_report

    click.echo(links_report(_engine(ctx), name), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
