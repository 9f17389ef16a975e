"""The catalogue on real SPARQL stores, compared with the embedded store: Oxigraph server, Apache Jena
TDB2 and OpenLink Virtuoso, each loaded with `bindergraph export --format nq` by its own bulk loader,
queried through `RemoteEngine` (what `--endpoint` uses) on a loopback port.

Cases: every catalogue query with its defaults plus the parameter variants tests/test_queries.py runs
(tests/test_endpoint_cases.py); answers compared as sets, GROUP_CONCAT lists as sets of items.

Engines (each skipped, with the reason in ENGINES.md, when its software is missing):
  oxigraph        `oxigraph load` then `oxigraph serve-read-only` (PyPI `oxigraph`), without the union default
                  graph: every request names the project's graphs (default-graph-uri / named-graph-uri)
  oxigraph-union  the same store served with `--union-default-graph`
  jena            Debian `libapache-jena-java` 4.5 (classes only, no Fuseki): `tdb2.tdbloader`, then a small
                  HTTP wrapper (JDK com.sun.net.httpserver, source below) that answers the SPARQL protocol from
                  the TDB2 dataset, with the protocol's dataset applied as Fuseki does (DynamicDatasets)
  virtuoso        Debian `virtuoso-opensource` 7.2: `ld_dir` + `rdf_loader_run`, endpoint /sparql
  serve           `bindergraph serve` on the build (graph in memory); its latency per case is set beside
                  oxigraph-union's (Oxigraph's own server on the same data): the ratio's median is the
                  measure of issue 15 (goal <= 1.3)

Usage:  python benchmarks/bench_engines.py [--engines oxigraph,oxigraph-union,jena,virtuoso,serve] [--runs 5]
Writes benchmarks/ENGINES.md. Needs a build ($BINDERGRAPH_HOME or --out); everything else lives in a
temporary folder and every server started is stopped.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from bench_queries import machine  # noqa: E402  (one description of the machine)
from serving import free_port, stop, wait_up  # noqa: E402
from test_endpoint_cases import CASES, Case, answer, differences  # noqa: E402

from bindergraph import paths  # noqa: E402
from bindergraph.query.engine import OxigraphEngine, RemoteEngine  # noqa: E402
from bindergraph.query.store import build_dir, open_store  # noqa: E402

STARTUP_SECONDS = 120.0
JAVA_LIB = Path("/usr/share/java")
JENA_JARS = ["jena-arq", "jena-base", "jena-core", "jena-iri", "jena-dboe-base", "jena-dboe-index", "jena-dboe-storage",
             "jena-dboe-trans-data", "jena-dboe-transaction", "jena-tdb2", "jena-tdb", "jena-cmds", "jena-shacl",
             "jena-shex", "jena-rdfconnection", "commons-cli", "commons-codec", "commons-compress", "commons-csv",
             "commons-io", "commons-lang3", "dexx.collection", "gson", "guava", "httpclient", "httpcore",
             "jackson-core", "jackson-databind", "jackson-annotations", "jsonld-java", "jakarta.json-api",
             "protobuf", "slf4j-api", "slf4j-nop", "thrift", "titanium-json-ld"]

# The Jena wrapper: /sparql answers POST/GET form `query`, `default-graph-uri`, `named-graph-uri` with SPARQL JSON
# results; /data?graph=IRI takes Graph Store Protocol writes (PUT replaces, POST appends; an N-Triples body), each
# in one TDB2 write transaction. A missing TDB2 location is created empty.
JENA_ENDPOINT = r"""
import com.sun.net.httpserver.*;
import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.util.*;
import org.apache.jena.graph.Graph;
import org.apache.jena.graph.Node;
import org.apache.jena.graph.NodeFactory;
import org.apache.jena.query.*;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFParser;
import org.apache.jena.sparql.core.DatasetDescription;
import org.apache.jena.sparql.core.DatasetGraph;
import org.apache.jena.sparql.core.DynamicDatasets;
import org.apache.jena.sparql.resultset.ResultsFormat;
import org.apache.jena.tdb2.TDB2;
import org.apache.jena.tdb2.TDB2Factory;

public class JenaEndpoint {
  public static void main(String[] a) throws Exception {
    Dataset ds = TDB2Factory.connectDataset(a[0]);
    boolean union = a.length > 2 && a[2].equals("union");
    long timeoutMs = Long.getLong("bindergraph.timeout.ms", 0L);
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(a[1])), 0);
    s.createContext("/sparql", ex -> {
      try {
        String body = ex.getRequestMethod().equals("POST")
            ? new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8) : ex.getRequestURI().getRawQuery();
        Map<String, List<String>> form = new HashMap<>();
        for (String kv : (body == null ? "" : body).split("&")) {
          if (kv.isEmpty()) continue;
          String[] p = kv.split("=", 2);
          form.computeIfAbsent(URLDecoder.decode(p[0], StandardCharsets.UTF_8), k -> new ArrayList<>())
              .add(p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "");
        }
        Query q = QueryFactory.create(form.get("query").get(0));
        List<String> dflt = form.getOrDefault("default-graph-uri", List.of());
        List<String> named = form.getOrDefault("named-graph-uri", List.of());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String ctype = "application/sparql-results+json";
        ds.begin(ReadWrite.READ);
        try {
          DatasetGraph dsg = ds.asDatasetGraph();
          DatasetDescription dd = (dflt.isEmpty() && named.isEmpty()) ? DatasetDescription.create(q)
              : DatasetDescription.create(dflt, named);
          Dataset use = DatasetFactory.wrap(dd == null || dd.isEmpty() ? dsg : DynamicDatasets.dynamicDataset(dd, dsg, false));
          QueryExecution qe = QueryExecutionFactory.create(q, use);
          if (union) qe.getContext().set(TDB2.symUnionDefaultGraph, true);
          if (timeoutMs > 0) qe.setTimeout(timeoutMs);  // -Dbindergraph.timeout.ms=N (bench_scale); none by default
          if (q.isSelectType()) ResultSetFormatter.outputAsJSON(out, qe.execSelect());
          else if (q.isAskType()) ResultSetFormatter.outputAsJSON(out, qe.execAsk());
          else { ctype = "application/n-triples"; org.apache.jena.riot.RDFDataMgr.write(out,
                 q.isConstructType() ? qe.execConstruct() : qe.execDescribe(), org.apache.jena.riot.Lang.NTRIPLES); }
        } finally { ds.end(); }
        byte[] b = out.toByteArray();
        ex.getResponseHeaders().add("Content-Type", ctype);
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
      } catch (Exception e) {
        byte[] b = String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(400, b.length);
        ex.getResponseBody().write(b);
      }
      ex.close();
    });
    s.createContext("/data", ex -> {
      int code;
      String msg = "";
      try {
        String method = ex.getRequestMethod();
        String graph = null;
        String raw = ex.getRequestURI().getRawQuery();
        for (String kv : (raw == null ? "" : raw).split("&")) {
          String[] p = kv.split("=", 2);
          if (p.length == 2 && p[0].equals("graph")) graph = URLDecoder.decode(p[1], StandardCharsets.UTF_8);
        }
        if (!method.equals("PUT") && !method.equals("POST")) { code = 405; msg = "PUT or POST only"; }
        else if (graph == null || graph.isEmpty()) { code = 400; msg = "graph=IRI is required"; }
        else {
          byte[] body = ex.getRequestBody().readAllBytes();
          Node g = NodeFactory.createURI(graph);
          ds.begin(ReadWrite.WRITE);
          try {
            Graph target = ds.asDatasetGraph().getGraph(g);
            boolean existed = !target.isEmpty();
            if (method.equals("PUT")) target.clear();
            RDFParser.source(new ByteArrayInputStream(body)).lang(Lang.NTRIPLES).parse(target);
            ds.commit();
            code = existed ? 204 : 201;
          } catch (RuntimeException e) { ds.abort(); throw e; }  // the parser's message, not end()'s
          finally { ds.end(); }
        }
      } catch (Exception e) { code = 400; msg = String.valueOf(e.getMessage()); }
      byte[] b = msg.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(code, code == 204 ? -1 : (b.length == 0 ? -1 : b.length));
      if (code != 204 && b.length > 0) ex.getResponseBody().write(b);
      ex.close();
    });
    s.start();
    System.out.println("ready");
  }
}
"""


@dataclass
class Outcome:
    """One engine's run: a reason it did not run, or per case a difference ("" = same) and a median latency."""
    engine: str
    setup: str = ""
    skipped: str = ""
    load_s: float = 0.0
    diffs: dict[Case, str] = field(default_factory=dict)
    ms: dict[Case, float] = field(default_factory=dict)


def run(cmd: list[str], **kw) -> None:
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if res.returncode:
        raise RuntimeError(f"{' '.join(cmd[:3])} … failed: {(res.stderr or res.stdout)[-400:]}")


# ---------------------------------------------------------------------------------------------- engines
def oxigraph(work: Path, nq: Path, union: bool) -> tuple[list[str], str, str]:
    exe = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if not exe:
        raise RuntimeError("the `oxigraph` command is not installed (pip install oxigraph)")
    db = work / ("ox-union" if union else "ox")
    if not db.exists():
        run([exe, "load", "--location", str(db), "--file", str(nq)])
    port = free_port()
    cmd = [exe, "serve-read-only", "--location", str(db), "--bind", f"127.0.0.1:{port}"]
    return (cmd + (["--union-default-graph"] if union else []), f"http://127.0.0.1:{port}/query",
            "oxigraph load + serve-read-only" + (" --union-default-graph" if union else ""))


def jena_classpath(work: Path) -> str:
    """Jena's classpath with JenaEndpoint compiled into `work`; RuntimeError when Jena or a JDK is missing."""
    if not (JAVA_LIB / "jena-tdb2.jar").is_file() or not shutil.which("javac"):
        raise RuntimeError("Debian libapache-jena-java (and a JDK) is not installed")
    # Jena 4.5 as Debian packs it misses xerces' message bundles: copied out of jena-core.jar, first on the path
    msgs = work / "jena-msgs"
    if not msgs.exists():
        with zipfile.ZipFile(JAVA_LIB / "jena-core.jar") as z:
            for name in z.namelist():
                if name.startswith("org/apache/jena/ext/xerces/impl/") and name.endswith(".properties"):
                    target = msgs / "xerces" / name.removeprefix("org/apache/jena/ext/xerces/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(z.read(name))
    cp = ":".join([str(msgs), str(work), *(str(JAVA_LIB / f"{j}.jar") for j in JENA_JARS)])
    if not (work / "JenaEndpoint.class").exists():
        (work / "JenaEndpoint.java").write_text(JENA_ENDPOINT)
        run(["javac", "-cp", cp, "-d", str(work), str(work / "JenaEndpoint.java")])
    return cp


def jena_command(cp: str, db: Path, port: int, union: bool = False, timeout_s: float = 0.0) -> list[str]:
    """JenaEndpoint on the TDB2 location `db` (created empty if missing): /sparql and /data on `port`; a query
    over `timeout_s` (0: no limit) is cancelled and answered 400."""
    limit = [f"-Dbindergraph.timeout.ms={int(timeout_s * 1000)}"] if timeout_s else []
    return ["java", *limit, "-cp", cp, "JenaEndpoint", str(db), str(port), *(["union"] if union else [])]


def jena(work: Path, nq: Path) -> tuple[list[str], str, str]:
    cp = jena_classpath(work)
    db = work / "tdb2"
    if not db.exists():
        run(["java", "-cp", cp, "tdb2.tdbloader", "--loc", str(db), str(nq)])
    port = free_port()
    return (jena_command(cp, db, port), f"http://127.0.0.1:{port}/sparql",
            "tdb2.tdbloader + JenaEndpoint (com.sun.net.httpserver)")


VIRTUOSO_INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{port}
DirsAllowed = ., {load}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {db}
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 60
DefaultGraph = http://example.org/unused
"""


def virtuoso(work: Path, nq: Path) -> tuple[list[str], str, str, Callable[[], None]]:
    if not shutil.which("virtuoso-t"):
        raise RuntimeError("Debian virtuoso-opensource is not installed")
    db, load = work / "virtuoso", work / "load"
    db.mkdir(exist_ok=True)
    load.mkdir(exist_ok=True)
    shutil.copy(nq, load / "binders.nq")
    port, http = free_port(), free_port()
    ini = db / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=db, port=port, http=http, load=load))

    def loaded() -> None:  # one isql call each: in one exec= string the loader found no file registered
        for sql in (f"ld_dir('{load}', 'binders.nq', 'http://example.org/unused');", "rdf_loader_run();", "checkpoint;"):
            run(["isql-vt", f"127.0.0.1:{port}", "dba", "dba", f"exec={sql}"])
    return (["virtuoso-t", "+foreground", "+configfile", str(ini)], f"http://127.0.0.1:{http}/sparql",
            "virtuoso-t + ld_dir/rdf_loader_run", loaded)


def serve(out_dir: Path) -> tuple[list[str], str, str]:
    """`bindergraph serve` on the build (graph in memory, as by default): the endpoint this project ships."""
    port = free_port()
    return ([sys.executable, "-m", "bindergraph", "--out", str(out_dir), "serve", "--port", str(port)],
            f"http://127.0.0.1:{port}/sparql", "bindergraph serve (graph in memory)")


# ------------------------------------------------------------------------------------------ measuring
def measure(name: str, url: str, local: dict[Case, object], runs: int) -> Outcome:
    remote = RemoteEngine(url, timeout=120.0)
    out = Outcome(name)
    for case in CASES:
        got = answer(remote, case)
        out.diffs[case] = differences(case.qid, local[case], got)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            answer(remote, case)
            times.append((time.perf_counter() - t) * 1000)
        out.ms[case] = statistics.median(times)
    return out


def run_engine(name: str, work: Path, nq: Path, local: dict, runs: int, out_dir: Path) -> Outcome:
    after_start: Callable[[], None] | None = None
    try:
        t = time.perf_counter()
        if name.startswith("oxigraph"):
            cmd, url, setup = oxigraph(work, nq, name == "oxigraph-union")
        elif name == "jena":
            cmd, url, setup = jena(work, nq)
        elif name == "virtuoso":
            cmd, url, setup, after_start = virtuoso(work, nq)
        elif name == "serve":
            cmd, url, setup = serve(out_dir)
        else:
            raise RuntimeError(f"unknown engine {name}")
    except (RuntimeError, OSError) as exc:
        return Outcome(name, skipped=str(exc))
    log = work / f"{name}.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=work)
    try:
        wait_up(proc, url, STARTUP_SECONDS, log)
        if after_start:
            after_start()
        load_s = time.perf_counter() - t
        out = measure(name, url, local, runs)
        out.setup, out.load_s = setup, load_s
        return out
    except (RuntimeError, OSError) as exc:
        return Outcome(name, skipped=str(exc))
    finally:
        stop(proc)


def local_answers(out_dir: Path, runs: int) -> tuple[dict, dict]:
    engine = OxigraphEngine(open_store(out_dir))
    answers, ms = {}, {}
    for case in CASES:
        answers[case] = answer(engine, case)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            answer(engine, case)
            times.append((time.perf_counter() - t) * 1000)
        ms[case] = statistics.median(times)
    return answers, ms


# --------------------------------------------------------------------------------------------- report
# Where the Virtuoso differences came from and how the catalogue avoids them (Virtuoso 7.2.5.1, Debian 12).
NOTES = """## Virtuoso

Its default graph is the union of the loaded graphs, so `RemoteEngine` sends no dataset to it. Virtuoso 7
answers some query shapes differently from SPARQL 1.1 (a transitive path to a parameter inside `FILTER
EXISTS`, a `FILTER EXISTS` in an `OPTIONAL` reading an outer variable, `CONCAT` over an unbound value, an
`OPTIONAL` subquery joined on an unbound variable, ...); the catalogue is written around them, each shape
and its rewrite listed in docs/queries.md ("Shapes to avoid").
"""
TARGET_RATIO = 1.3  # bindergraph serve / oxigraph serve-read-only --union-default-graph, median over the cases


def serve_ratio(ran: list[Outcome]) -> list[str]:
    """`bindergraph serve` beside Oxigraph's own server (same data, same client): the ratio per case and its median."""
    by = {o.engine: o for o in ran}
    if not {"serve", "oxigraph-union"} <= set(by):
        return []
    srv, ox = by["serve"], by["oxigraph-union"]
    ratios = {c: srv.ms[c] / ox.ms[c] for c in CASES if ox.ms[c] > 0}
    med = statistics.median(ratios.values())
    lines = ["", "## `bindergraph serve` beside Oxigraph's own server", "",
             f"Median ratio serve / oxigraph-union over the {len(ratios)} cases: **{med:.2f}** (goal <= {TARGET_RATIO}: "
             f"{'met' if med <= TARGET_RATIO else 'NOT met'}). Both answer from the same graph through the same "
             "client; serve holds it in memory, `oxigraph serve-read-only` reads RocksDB (benchmarks/SERVE.md "
             "measures serve on disk too, and under load).", "", "| case | serve ms | oxigraph-union ms | ratio |",
             "|---|---:|---:|---:|"]
    lines += [f"| {c} | {srv.ms[c]:.1f} | {ox.ms[c]:.1f} | {r:.2f} |" for c, r in ratios.items()]
    return lines


def report(outcomes: list[Outcome], local_ms: dict, runs: int) -> str:
    ran = [o for o in outcomes if not o.skipped]
    lines = ["# The catalogue on real SPARQL stores", "",
             "Written by `python benchmarks/bench_engines.py` (see its docstring for how each store is set up).",
             f"{len(CASES)} cases: every catalogue query with its defaults plus the parameter variants "
             "tests/test_queries.py runs; a case that fails (a misspelt name) must fail with the same message. "
             "Answers are compared with the embedded on-disk pyoxigraph store as sets (GROUP_CONCAT lists as sets "
             f"of items). Latency: median of {runs} runs through `RemoteEngine` (what `--endpoint` uses), in ms, "
             "name resolution included.", "", f"Machine: {machine()}", "", "## Engines", "",
             "| engine | set up | load + start (s) | cases same | differing |", "|---|---|---:|---:|---|"]
    for o in outcomes:
        if o.skipped:
            lines.append(f"| {o.engine} | not run: {o.skipped.replace('|', '/')} | | | |")
            continue
        bad = [str(c) for c, d in o.diffs.items() if d]
        lines.append(f"| {o.engine} | {o.setup} | {o.load_s:.1f} | {len(CASES) - len(bad)}/{len(CASES)} | "
                     f"{', '.join(bad) or 'none'} |")
    lines += ["", "## Per case: same answer (=) or different (≠), and median latency (ms)", "",
              "| case | embedded | " + " | ".join(o.engine for o in ran) + " |",
              "|---|---:|" + "---:|" * len(ran)]
    for case in CASES:
        cells = [f"{'=' if not o.diffs[case] else '≠'} {o.ms[case]:.1f}" for o in ran]
        lines.append(f"| {case} | {local_ms[case]:.1f} | " + " | ".join(cells) + " |")
    diffs = [(o.engine, c, d) for o in ran for c, d in o.diffs.items() if d]
    if diffs:
        lines += ["", "## Differences", ""] + [f"- {e}, `{c}`: {d[:300]}" for e, c, d in diffs]
    lines += serve_ratio(ran)
    if any(o.engine == "virtuoso" for o in ran):
        lines += ["", NOTES.rstrip()]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--engines", default="oxigraph,oxigraph-union,jena,virtuoso,serve")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", type=Path, default=None, help="the build folder [default: $BINDERGRAPH_HOME]")
    ap.add_argument("--report", type=Path, default=HERE / "ENGINES.md")
    args = ap.parse_args()
    out_dir = args.out or paths.default_out_dir()
    nq_src = build_dir(out_dir) / "graph.nq"  # the same bytes as `bindergraph export --format nq`
    local, local_ms = local_answers(out_dir, args.runs)
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as tmp:
        work = Path(tmp)
        nq = work / "binders.nq"
        shutil.copy(nq_src, nq)
        for name in args.engines.split(","):
            print(f"{name} …", file=sys.stderr)
            outcome = run_engine(name, work, nq, local, args.runs, out_dir)
            print(f"{name}: {outcome.skipped or f'{sum(1 for d in outcome.diffs.values() if d)} differing'}",
                  file=sys.stderr)
            outcomes.append(outcome)
    args.report.write_text(report(outcomes, local_ms, args.runs), encoding="utf-8")
    print(f"wrote {args.report}", file=sys.stderr)


if __name__ == "__main__":
    main()
