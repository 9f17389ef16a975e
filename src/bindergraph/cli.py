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
        except MemoryError:  # outputs are written atomically: nothing earlier is damaged
            click.echo("error: out of memory (the earlier outputs are unchanged)", err=True)
            sys.exit(1)


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


# Options of every command that prints data (see query/results.py for what each format holds).
_OUTPUT = click.option("--output", "-o", "output", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
                       default=None, help="Write to this file (atomically) instead of standard output.")
_REPORT_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
                              show_default=True, help="table: the text; csv/tsv/json: the same content as tables.")


# ------------------------------------------------------------------------------------ building
@main.command()
@click.option("--records", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="Directory of curated record files (default: the shipped records).")
@click.option("--allow-empty", is_flag=True, help="Accept a records directory without entity or claim records.")
def check(records: Path | None, allow_empty: bool) -> None:
    """Check curated records: ids, quotes (verbatim in the review), references, units.

    \b
    Examples:
      bindergraph check
      bindergraph check --records data/records
    """
    from .curate.curation import check_records
    from .graph.ontology import load_tbox
    from .curate.source import Review

    cur = check_records(records or paths.RECORDS_DIR, load_tbox(paths.ONTOLOGY_FILE), Review.load(paths.REVIEW_FILE),
                        allow_empty=allow_empty)
    click.echo(f"ok: {len(cur.entities)} entities, {len(cur.claims)} claims")


@main.command()
@click.option("--records", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="Directory of curated record files (default: the shipped records).")
@click.option("--no-reason", is_flag=True, help="Skip HermiT (no Java needed; defined classes stay empty).")
@click.option("--allow-empty", is_flag=True, help="Accept a records directory without entity or claim records.")
@click.option("--wait", type=click.FloatRange(0), default=0, metavar="SECONDS",
              help="Wait this long for another build of the same output folder (default: fail at once).")
@click.option("-v", "--verbose", is_flag=True, help="Print the time of each step.")
@click.pass_context
def build(ctx: click.Context, records: Path | None, no_reason: bool, allow_empty: bool, wait: float,
          verbose: bool) -> None:
    """Build the graph: check records, emit RDF, validate (SHACL), check evidence,
    classify with HermiT, write graph.nt / graph.ttl / graph.nq and the SPARQL store.

    A failed or interrupted build leaves the previous outputs untouched; one build at a time
    writes an output folder (see --wait).

    \b
    Examples:
      bindergraph build
      bindergraph --out ./out build -v
    """
    from .build import BuildOptions, build as run_build

    opts = BuildOptions(records=records or paths.RECORDS_DIR, out_dir=_out(ctx), reason=not no_reason,
                        allow_empty=allow_empty, wait=wait)
    res = run_build(opts, log=(lambda m: click.echo(m, err=True)) if verbose else (lambda m: None))
    c = res.counts
    click.echo(f"built {c['triples']} triples ({c['entities']} entities, {c['claims']} claims) in {res.out_dir}")


def ensure_built(ctx: click.Context) -> Path:
    """The output dir, building first (with a note on stderr) if nothing was built yet, or waiting
    for the build another command is running there."""
    out = _out(ctx)
    if not (paths.current_build(out) / "manifest.json").is_file():
        from .build import WAIT_FOR_RUNNING_BUILD, BuildOptions, build as run_build

        click.echo(f"no graph in {out} yet: building it first …", err=True)
        run_build(BuildOptions(out_dir=out, wait=WAIT_FOR_RUNNING_BUILD, if_missing=True))
    return out


EXPORT_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "owl", "ofn", "nanopub")  # publish.export.FORMATS + nanopub


@main.command()
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="ttl", show_default=True,
              help="ttl/nt/nq/trig/jsonld: the graph (trig, jsonld and nq keep the named graphs); owl: the graph "
                   "as one OWL ontology in RDF/XML; ofn: the ontology in OWL functional syntax; nanopub: one "
                   "nanopublication per claim (--output is a folder).")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="File to write (written atomically); a folder for --format nanopub.")
@click.option("--key", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="nanopub only: sign each nanopublication with this RSA private key (PEM); unsigned without.")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path, key: Path | None) -> None:
    """Write the complete graph (ontology, data, references, inferences, links).

    \b
    Examples:
      bindergraph export --format nt --output binders.nt
      bindergraph export --format nq --output binders.nq   # with named graphs, for triple stores
      bindergraph export --format trig --output binders.trig
      bindergraph export --format owl --output binders.owl   # RDF/XML: owlready2, pronto, Protégé
      bindergraph export --format ofn --output bindergraph.ofn
      bindergraph export --format nanopub --output nanopubs/
    """
    build_dir = paths.current_build(ensure_built(ctx))
    if fmt == "nanopub":
        from .publish.nanopub import write_nanopubs

        count = write_nanopubs(build_dir, output, key)
        click.echo(f"wrote {count} nanopublications to {output}" + (" (signed)" if key else " (unsigned)"))
        return
    if key is not None:
        raise BindergraphError("--key signs nanopublications: use it with --format nanopub")
    if output.is_dir():
        raise BindergraphError(f"{output} is a folder: --format {fmt} writes one file")
    from .publish.export import export_bytes

    data = export_bytes(build_dir, fmt)
    atomic_write(output, data)
    click.echo(f"wrote {output} ({len(data)} bytes)")


@main.command()
@click.option("--to", "store", metavar="URL", required=True,
              help="The store's SPARQL 1.1 Graph Store endpoint (Oxigraph server: http://HOST:PORT/store).")
@click.option("--file", "nq_file", metavar="PATH.nq", type=click.Path(path_type=Path), default=None,
              help="Publish this N-Quads file (a merged export, a bigger graph) instead of the build.")
@click.option("--query-endpoint", metavar="URL", default=None,
              help="Where to count the triples afterwards [default: /query beside /store, /sparql beside "
                   "/data, else --to].")
@click.option("--chunk-triples", type=click.IntRange(min=1), default=250_000, show_default=True,
              help="Triples per request: a graph's first chunk is PUT (replaces it), the others POSTed (appended).")
@click.option("--dry-run", is_flag=True, help="Read and cut the file; print per graph its triples, chunks and "
                                              "bytes; send nothing.")
@click.pass_context
def publish(ctx: click.Context, store: str, nq_file: Path | None, query_endpoint: str | None, chunk_triples: int,
            dry_run: bool) -> None:
    """Upload the built graph (or an N-Quads file) to a running triple store, named graph by named graph.

    Each graph goes to URL?graph=IRI (SPARQL 1.1 Graph Store HTTP Protocol, N-Triples) in chunks: the
    first is PUT, replacing what the store held under that name, the rest are POSTed (appended). The
    file is streamed, so a graph of millions of triples needs no more memory than a few chunks. Then
    the triples per graph are counted through the store's query endpoint and must match. Progress
    goes to stderr. A read-write Oxigraph server to try it:
    `oxigraph serve --location DB --bind 127.0.0.1:7878`, then `publish --to http://127.0.0.1:7878/store`.

    \b
    Examples:
      bindergraph publish --to http://127.0.0.1:7878/store --dry-run
      bindergraph publish --to http://127.0.0.1:7878/store --file binders.nq --dry-run   # from `export --format nq`
      bindergraph publish --to http://127.0.0.1:3030/ds/data --chunk-triples 100000 --dry-run   # Fuseki
    """
    from .publish.upload import ChunkReader, dry_run as cut_only, publish as upload, query_endpoint_for
    from .query.store import build_dir

    chunks = ChunkReader(nq_file or build_dir(ensure_built(ctx)) / "graph.nq", chunk_triples)
    if dry_run:
        tally = cut_only(chunks)
        for g in sorted(tally.graphs.values(), key=lambda g: g.iri):
            click.echo(f"would send <{g.iri}>: {g.triples} triples in {g.chunks} chunk{'s' * (g.chunks != 1)} "
                       f"(1 PUT, {g.chunks - 1} POST), {g.bytes} bytes")
        click.echo(f"to {store}: {len(tally.graphs)} graphs, {tally.triples} triples")
        return
    tally = upload(store, chunks, query_endpoint or query_endpoint_for(store))
    click.echo(f"published {tally.triples} triples in {len(tally.graphs)} graphs to {store}; counts match")


@main.command()
@_REPORT_FORMAT
@_OUTPUT
@click.pass_context
def stats(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Counts per class and per relation, and the share of entities with external links.

    \b
    Examples:
      bindergraph stats
      bindergraph stats --format json --output stats.json
    """
    from .query.stats import stats_output

    eng = _engine(ctx)
    _print_result(eng, stats_output(eng), fmt, False, output)


# ------------------------------------------------------------------------------------- querying
def _engine(ctx: click.Context, endpoint: str | None = None, engine: str = "oxigraph", allow_service: bool = False):
    from .query.engine import OxigraphEngine, RdflibEngine, RemoteEngine
    from .query.store import open_store

    if endpoint:
        eng = RemoteEngine(endpoint)
    else:
        out = ensure_built(ctx)
        if engine == "rdflib":
            eng = RdflibEngine.from_file(paths.current_build(out) / "graph.nt")
        else:
            eng = OxigraphEngine(open_store(out))
    eng.allow_remote = allow_service
    return eng


@main.command("queries")
@_REPORT_FORMAT
@_OUTPUT
def list_queries(fmt: str, output: Path | None) -> None:
    """List the competency-query catalogue with titles and parameters.

    \b
    Examples:
      bindergraph queries
      bindergraph queries --format csv
    """
    from .query.results import catalogue_output

    _print_result(None, catalogue_output(), fmt, False, output)


_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml"]),
                       default="table", show_default=True)
_FULL = click.option("--full", is_flag=True, help="Show long values (quotes) whole, wrapped.")
_ENDPOINT = click.option("--endpoint", metavar="URL", default=None,
                         help="Send the query to a SPARQL 1.1 Protocol endpoint instead of the local store.")
_ALLOW_SERVICE = click.option("--allow-service", is_flag=True,
                              help="Let SERVICE call other SPARQL endpoints over the network (refused by default).")
_TIMEOUT = click.option("--timeout", type=click.FloatRange(0), default=300.0, show_default=True, metavar="SECONDS",
                        help="Stop a local query after this long (0: no limit).")
_ENGINE = click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
                       help="Local engine (rdflib is the slow reference).")
_ANSWER_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld"]),
                              default="table", show_default=True,
                              help="SELECT: table, csv, tsv, json, xml; ASK: table, json, xml; "
                                   "CONSTRUCT/DESCRIBE: ttl (also for table), nt, jsonld.")


@main.command()
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE", help="Bind a parameter (repeatable).")
@click.option("--file", "qfile", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True), default=None,
              help="Run an ad-hoc query (SELECT, ASK, CONSTRUCT, DESCRIBE) from a .rq file (- for standard input) "
                   "instead of a catalogue query.")
@_ANSWER_FORMAT
@_FULL
@_OUTPUT
@_ENDPOINT
@_ENGINE
@_ALLOW_SERVICE
@_TIMEOUT
@click.pass_context
def query(ctx, name, params, qfile, fmt, full, output, endpoint, engine, allow_service, timeout) -> None:
    """Run a catalogue query by NAME (see `bindergraph queries`), or --file my.rq.

    \b
    Examples:
      bindergraph query groups-functions
      bindergraph query binders-for-material --param material=LNMO
      bindergraph query claim-evidence --param subject=PAN --full
      bindergraph query statement-support --param subject=carboxyl --param object=hydrogen-bonding
      bindergraph query table1 --format csv
      bindergraph query --file my.rq --format json
      bindergraph query table1 --format csv --output table1.csv
      bindergraph query groups-functions --endpoint http://127.0.0.1:8000/sparql
    """
    from .query.catalogue import get_query, parse_param_args
    from .query.engine import PREFIXES

    if bool(name) == bool(qfile):
        raise QueryError("give a query NAME or --file, not both or neither")
    eng = _engine(ctx, endpoint, engine, allow_service)
    if qfile:
        if params:
            raise QueryError("--param applies to catalogue queries only")
        text, source = _read_query(qfile)
        res = _answer(eng, timeout, source, lambda: eng.run(PREFIXES + text))
    else:
        from .query.catalogue import bind_params

        q = get_query(name)
        bound = bind_params(q, parse_param_args(params), eng)
        res = _answer(eng, timeout, f"queries/{q.path.name}", lambda: eng.select(bound.query, bound.bindings))
    _print_result(eng, res, fmt, full, output)


def _answer(eng, timeout: float, source: str, ask):
    """ask() with syntax errors placed in the user's text (`source`), stopped after `timeout` seconds:
    a local engine runs it in a forked child (query/timeout.py), a remote one as its HTTP timeout."""
    from .query.engine import RemoteEngine, user_text
    from .query.timeout import run_with_timeout

    def located():
        with user_text(source):
            return ask()

    if isinstance(eng, RemoteEngine):
        eng.timeout = timeout or None
        return located()
    return run_with_timeout(located, timeout)


def _read_query(source: Path | str) -> tuple[str, str]:
    """The text of a query file, or of standard input for "-", and how to name it in an error."""
    if str(source) == "-":
        return sys.stdin.read(), "standard input"
    try:
        return Path(source).read_text(encoding="utf-8"), str(source)
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{source}: cannot read ({exc})") from None


@main.command()
@click.argument("text")
@_ANSWER_FORMAT
@_FULL
@_OUTPUT
@_ENDPOINT
@_ENGINE
@_ALLOW_SERVICE
@_TIMEOUT
@click.pass_context
def sparql(ctx, text, fmt, full, output, endpoint, engine, allow_service, timeout) -> None:
    """Run an ad-hoc SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) given on the command line, or on
    standard input when TEXT is - (common prefixes predeclared).

    \b
    Examples:
      bindergraph sparql "SELECT ?b WHERE { ?b a bg:SelfHealingBinder }"
      bindergraph sparql "SELECT (COUNT(*) AS ?n) WHERE { ?c a bg:Claim }" --format json
      bindergraph sparql "ASK { bgr:PAA bg:hasFunctionalGroup bgr:carboxyl }"
      bindergraph sparql "CONSTRUCT { bgr:PAA ?p ?o } WHERE { bgr:PAA ?p ?o }" --format nt
      echo "SELECT ?b WHERE { ?b a bg:SelfHealingBinder }" | bindergraph sparql - --format csv
    """
    from .query.engine import PREFIXES

    source = "the query"
    if text == "-":
        text, source = _read_query("-")
    eng = _engine(ctx, endpoint, engine, allow_service)
    answer = _answer(eng, timeout, source, lambda: eng.run(PREFIXES + text))
    _print_result(eng, answer, fmt, full, output)


@main.command()
@click.argument("entity")
@click.option("--evidence", is_flag=True, help="Print each claim's quote, section and references (DOIs).")
@_FORMAT
@_OUTPUT
@click.pass_context
def show(ctx, entity, evidence, fmt, output) -> None:
    """Everything the graph says about one binder, group, mechanism, material or solvent: names, classes
    (asserted and inferred), composition, groups, functions, applications, processing, comparisons,
    drawbacks, figures and external ids, each line with the claims behind it. Negative and hedged
    claims are marked; ENTITY is an id or a label.

    \b
    Examples:
      bindergraph show PAA
      bindergraph show carboxyl --evidence
      bindergraph show "hydrogen bonding"
      bindergraph show LNMO --format json
    """
    from .query.results import terminal_width
    from .query.show import entity_page, page_result, render_page

    eng = _engine(ctx)
    page = entity_page(eng, eng.resolve_entity(entity), evidence=evidence)
    if fmt != "table":
        _print_result(eng, page_result(page), fmt, True, output)
    elif output is not None and str(output) != "-":
        atomic_write(output, render_page(page, width=100).encode("utf-8"))
    else:
        click.echo(render_page(page, width=terminal_width()), nl=False)


@main.command("compare")
@click.argument("entities", nargs=-1, required=True)
@_FORMAT
@_FULL
@_OUTPUT
@click.pass_context
def compare_cmd(ctx, entities, fmt, full, output) -> None:
    """Two or more entities side by side: first the review's comparisons between them (head to head
    first, then across studies, designs, outlooks), then aspect by aspect (composition, groups,
    functions, applications, processing, compatibility, drawbacks, each figure metric).

    \b
    Examples:
      bindergraph compare PAA PR-PAA
      bindergraph compare CMC SBR PVDF
      bindergraph compare "sodium alginate" CMC --format csv
    """
    from .query.show import compare

    eng = _engine(ctx)
    terms = [eng.resolve_entity(e) for e in entities]
    if len({t.value for t in terms}) < 2:
        raise QueryError("compare needs at least two different entities")
    res, _pages = compare(eng, terms)
    _print_result(eng, res, fmt, full, output)


def _print_result(eng, res, fmt: str, full: bool, output: Path | None = None) -> None:
    """Print (or write to `output`, atomically, printing nothing) a Result, an ASK boolean, a CONSTRUCT
    graph or a report, in `fmt`; IRIs are labelled with the graph's labels (`eng`: None for none)."""
    from .query.results import labels_for, render

    text = render(res, fmt, lambda r: labels_for(eng, r) if eng is not None else {}, full=full)
    if output is not None and str(output) != "-":
        atomic_write(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)


@main.command("search")
@click.argument("text")
@click.option("--kind", type=click.Choice(["entity", "claim", "reference"]), default=None,
              help="Only entities, claims or references.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1), help="Number of hits.")
@_FORMAT
@_FULL
@click.pass_context
def search_cmd(ctx, text, kind, limit, fmt, full) -> None:
    """Full-text search over entities (labels, alternative labels), claims (quote, subjects, relation,
    note, the authors of the references cited) and references (authors, title, venue, year, DOI),
    ranked by BM25. Words are ANDed, "a phrase" matches in sequence, word* is a prefix; case and
    accents are ignored. The table marks matches in [...]; JSON/CSV/TSV/XML give the plain snippet and
    match_start/match_end, the code-point offsets of its first match.

    \b
    Examples:
      bindergraph search Inada
      bindergraph search "80 °C" --kind claim
      bindergraph search p-xylene --format json
      bindergraph search '"dry process" SBR' --full
      bindergraph search Leonard --kind reference
    """
    from .query.search import hits_result, search

    eng = _engine(ctx)
    hits = search(_out(ctx), text, kind=kind, limit=limit)
    _print_result(eng, hits_result(hits, marked=fmt == "table"), fmt, full)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600), help="Seconds per query.")
@click.option("--max-rows", default=10000, show_default=True, type=click.IntRange(1), help="Result-size cap.")
@click.option("--store", "store_mode", type=click.Choice(["auto", "memory", "disk"]), default="auto", show_default=True,
              help="Answer from the graph loaded into memory (several times faster), or from the on-disk store; "
                   "auto loads graphs up to 256 MB of N-Quads.")
@click.option("--cors", "cors", multiple=True, metavar="ORIGIN",
              help="Let web pages from this origin (http://host:port) read answers; repeatable; * for any. "
                   "Off by default.")
@click.pass_context
def serve(ctx, host, port, timeout, max_rows, store_mode, cors) -> None:
    """Serve the graph as a read-only SPARQL 1.1 Protocol endpoint at /sparql.

    GET, POST and HEAD; JSON, XML, CSV and TSV results, and Turtle, N-Triples, RDF/XML and JSON-LD
    graphs, by content negotiation (Accept q-values); a GET without a query describes the service.
    The default graph is the union of the named graphs, unless the query (FROM, FROM NAMED) or the
    request (default-graph-uri, named-graph-uri) names graphs. Each entity has its page at its IRI's
    path (/resource/PAA, /ontology): HTML, or Turtle, N-Triples, JSON-LD by Accept. Updates are
    refused (403), and so are queries that would call another endpoint (SERVICE, 400): nothing reaches
    the network. Slow queries cannot hold the workers that new queries start in; bodies are limited
    to 1 MB, idle connections close after 10 s. SIGTERM or Ctrl-C stops the server and its workers.

    \b
    Examples:
      bindergraph serve --port 8000
      bindergraph serve --store disk --timeout 30
      bindergraph serve --cors http://localhost:3000     # a web app on that origin may query it
      curl 'http://127.0.0.1:8000/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20a%20bg:Binder%7D%20LIMIT%205'
      curl -H 'Accept: text/turtle' http://127.0.0.1:8000/sparql         # the service description
      curl -H 'Accept: text/turtle' http://127.0.0.1:8000/resource/PAA   # an entity's triples
      bindergraph query groups-functions --endpoint http://127.0.0.1:8000/sparql
    """
    from .publish.serve import ServerConfig, make_server, parse_origins

    out = ensure_built(ctx)
    try:
        config = ServerConfig(out, timeout, max_rows, store=store_mode, cors=parse_origins(cors))
        server = make_server(config, host, port)
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
@_REPORT_FORMAT
@_OUTPUT
@click.pass_context
def coverage(ctx, strict, fmt, output) -> None:
    """How completely the graph covers the review: abbreviations near "binder" that the graph
    lacks (with line numbers), binders named in the text, claims per section, and claims per
    attribution (reported finding, review synthesis, background) and per stance.
    Tokens that are not binders are listed with a reason in data/coverage-ignore.yaml.

    \b
    Examples:
      bindergraph coverage
      bindergraph coverage --strict
      bindergraph coverage --format csv --output coverage.csv
    """
    from .checks.coverage import compute_coverage, load_ignore
    from .curate.source import Review

    eng = _engine(ctx)
    report = compute_coverage(eng, Review.load(paths.REVIEW_FILE), load_ignore(paths.COVERAGE_IGNORE))
    _print_result(eng, report.output(), fmt, False, output)
    if strict and report.missing:
        sys.exit(1)


# ------------------------------------------------------------------------------ exploring, linking
@main.command()
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=Path("bindergraph.html"),
              show_default=True, help="HTML file to write (self-contained, works offline).")
@click.option("--focus", default=None, help="Only the neighbourhood of this binder or group (id or label).")
@click.option("--depth", default=1, show_default=True, type=click.IntRange(1, 5), help="Neighbourhood depth for --focus.")
@click.option("--query", "query_name", default=None, help="Only the entities a catalogue query returns, with their links.")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="Bind a parameter of the --query (repeatable), as for `bindergraph query`.")
@click.option("--mechanism", default=None, help="Only claims about this mechanism (or family class, e.g. Scavenging).")
@click.option("--material", default=None, help="Only claims in the context of this active material.")
@click.option("--references/--no-references", default=False, show_default=True, help="Show references as nodes.")
@click.pass_context
def viz(ctx, output, focus, depth, query_name, params, mechanism, material, references) -> None:
    """Write the interactive HTML map: binders, groups, mechanisms, materials, solvents;
    every edge carries its quote, section and references.

    \b
    Examples:
      bindergraph viz --output binders.html
      bindergraph viz --focus PAN --depth 2 --output pan.html
      bindergraph viz --query binders-for-mechanism --output tm.html   # its default: TM trapping
      bindergraph viz --query binders-for-material --param material=LNMO --output lnmo.html
      bindergraph viz --mechanism PolysulfideTrapping --output lis.html
      bindergraph viz --focus carboxyl --output carboxyl.html   # with the functions it serves
    """
    from .publish.page import PageOptions, write_page

    from .query.catalogue import parse_param_args

    if params and not query_name:
        raise QueryError("viz: --param needs --query")
    opts = PageOptions(focus=focus, depth=depth, query=query_name, mechanism=mechanism, material=material,
                       references=references, params=parse_param_args(params))
    stats = write_page(_engine(ctx), output, opts)
    click.echo(f"wrote {output} ({stats['nodes']} nodes, {stats['edges']} edges)")


@main.command()
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder to write: new, empty, or an earlier site (replaced as a whole).")
@click.pass_context
def site(ctx, output) -> None:
    """Write the static web site at the w3id paths: one page (with Turtle, N-Triples and JSON-LD beside
    it) per entity and per claim under resource/, the ontology's documentation, the catalogue queries with
    their answers, the map and the dumps, linked relatively, offline. Publishing: docs/publishing.md.

    \b
    Examples:
      bindergraph site --output site
    """
    from .publish.site import write_site

    out = ensure_built(ctx)
    stats = write_site(_engine(ctx), paths.current_build(out), output)
    click.echo(f"wrote {output}: {stats.pages} pages ({stats.entities} entities, {stats.queries} queries), "
               f"{len(stats.dumps)} dumps")


@main.command()
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 1000))
@_REPORT_FORMAT
@_OUTPUT
@click.pass_context
def hubs(ctx, top, fmt, output) -> None:
    """Network analytics: the most multifunctional groups and binders, the mechanisms with the most
    supporting binders, and the binders that bridge application areas.

    \b
    Examples:
      bindergraph hubs --top 5
      bindergraph hubs --format json --output hubs.json
    """
    from .publish.analytics import hubs_output

    eng = _engine(ctx)
    _print_result(eng, hubs_output(eng, top), fmt, False, output)


@main.command()
@click.argument("name", required=False)
@_REPORT_FORMAT
@_OUTPUT
@click.pass_context
def links(ctx, name, fmt, output) -> None:
    """External identifiers (ChEBI, EMMO/BattINFO, Wikidata, PubChem) of a binder, group, solvent or
    material, with match type and justification; all links without NAME.

    \b
    Examples:
      bindergraph links PVDF
      bindergraph links carboxyl
      bindergraph links
      bindergraph links --format csv --output links.csv
    """
    from .graph.links import links_output

    eng = _engine(ctx)
    _print_result(eng, links_output(eng, name), fmt, False, output)


if __name__ == "__main__":  # pragma: no cover
    main()
