"""What a command prints: SPARQL results as JSON / XML / CSV / TSV, graphs as Turtle / N-Triples / JSON-LD,
booleans, report tables, and the terminal table.

How the terminal table shows a term:
- An IRI by its rdfs:label, followed by its id in parentheses unless the id only re-spells the label
  (`poly(acrylic acid) (PAA)`, `silicon (Si)`, but `thermal stability` for bgr:thermal-stability and
  `has function` for bg:hasFunction): the id is what `--param` and SPARQL take. The graph's own ids are
  shown bare (PAA, SelfHealingBinder), others as CURIEs (CHEBI:53250) or whole; an IRI without a label
  shows its id alone.
- A claim by its id alone (`claim-s3.1.1-005`): its label only repeats what the other columns say.
- A quote (a variable named quote or snippet, or any literal with `$` math or `**` emphasis) through
  text.readable(): `Li₇P₃S₁₁`, not `$\\text{Li}_7...$`. CSV, TSV, JSON and XML keep the verbatim text.

How it fits the terminal (COLUMNS if set, else the terminal's width, else 100): short columns (at most 12
characters, or values without spaces: ids, stance, section, numbers) never wrap; long text (labels, quotes)
shares the remaining width, wrapped to at most 3 lines, the last cut with "…". A long column without
spaces (a list of CURIEs) wraps only when the table would not fit otherwise. When even that does not
fit (a dozen columns on 100), and always with --full, every row is a block of `name : value` lines,
long values whole with --full.

CSV and JSON carry, right after each variable `x` that holds IRIs, a variable `x_label` with their
rdfs:label (a plain literal), so that a spreadsheet reads names. TSV and XML, and `FORMATS` (what
`bindergraph serve` answers), stay exactly as SPARQL 1.1 defines them.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from xml.sax.saxutils import escape, quoteattr

from rich.box import Box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import QueryError
from .engine import Answer, Engine, Result, Term, Triples, to_rdflib
from .text import readable

XSD = "http://www.w3.org/2001/XMLSchema#"
BGR = "https://w3id.org/bindergraph/resource/"
BG = "https://w3id.org/bindergraph/ontology#"
CURIES = {BGR: "bgr:", BG: "bg:",
          "http://qudt.org/vocab/unit/": "unit:", "https://w3id.org/bindergraph/unit/": "bgunit:",
          "http://purl.obolibrary.org/obo/CHEBI_": "CHEBI:", "http://www.wikidata.org/entity/": "wd:",
          "https://w3id.org/emmo/domain/electrochemistry#": "echem:", "https://w3id.org/emmo/domain/battery#": "battery:",
          "https://w3id.org/emmo/domain/chemical-substance#": "chemsub:", "https://w3id.org/emmo#": "emmo:",
          "http://www.w3.org/2002/07/owl#": "owl:", "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
          "http://www.w3.org/2004/02/skos/core#": "skos:", "http://www.w3.org/ns/oa#": "oa:",
          "https://pubchem.ncbi.nlm.nih.gov/compound/": "pubchem.compound:",
          "http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID": "pubchem.compound:"}
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "long", "int", "nonNegativeInteger")}
MAX_LINES = 3  # a long cell in a table: at most this many lines
MIN_WRAP = 12  # a wrapping column is never narrower than this (nor than its name) ...
MIN_QUOTE = 30  # ... nor, if its text is longer than LONG_TEXT (a quote), than this
LONG_TEXT = 100
MAX_KEPT = 16  # a column of labels is wide enough for the " (id)" after them and their longest word, up to this
GAP = 2        # spaces between columns
# a rule under the column names, no other lines
_RULE = Box("    \n    \n -  \n    \n    \n    \n    \n    \n")


# ------------------------------------------------------------------------- SPARQL 1.1 results
def json_payload(res: Result) -> dict:
    def term(t: Term) -> dict:
        d = {"type": t.kind, "value": t.value}
        if t.lang:
            d["xml:lang"] = t.lang
        elif t.datatype:
            d["datatype"] = t.datatype
        return d
    return {"head": {"vars": res.variables},
            "results": {"bindings": [{k: term(v) for k, v in row.items()} for row in res.rows]}}


def to_json(res: Result) -> str:
    return json.dumps(json_payload(res), ensure_ascii=False, indent=1)


def to_xml(res: Result) -> str:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    out += [f"<variable name={quoteattr(v)}/>" for v in res.variables]
    out += ["</head>", "<results>"]
    for row in res.rows:
        out.append("<result>")
        for k, t in row.items():
            if t.kind == "uri":
                inner = f"<uri>{escape(t.value)}</uri>"
            elif t.kind == "bnode":
                inner = f"<bnode>{escape(t.value)}</bnode>"
            elif t.lang:
                inner = f"<literal xml:lang={quoteattr(t.lang)}>{escape(t.value)}</literal>"
            elif t.datatype:
                inner = f"<literal datatype={quoteattr(t.datatype)}>{escape(t.value)}</literal>"
            else:
                inner = f"<literal>{escape(t.value)}</literal>"
            out.append(f"<binding name={quoteattr(k)}>{inner}</binding>")
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"


def to_csv(res: Result) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(res.variables)
    for row in res.rows:
        w.writerow([row[v].value if v in row else "" for v in res.variables])
    return buf.getvalue()


def to_tsv(res: Result) -> str:
    lines = ["\t".join("?" + v for v in res.variables)]
    for row in res.rows:
        lines.append("\t".join(_tsv_term(row[v]) if v in row else "" for v in res.variables))
    return "\n".join(lines) + "\n"


def _tsv_term(t: Term) -> str:
    if t.kind == "uri":
        return f"<{t.value}>"
    if t.kind == "bnode":
        return f"_:{t.value}"
    if t.datatype in (XSD + "integer", XSD + "decimal", XSD + "double", XSD + "boolean"):
        return t.value
    return t.n3()


def to_boolean(value: bool, fmt: str) -> str:
    """An ASK answer in the SPARQL 1.1 JSON or XML results format."""
    if fmt == "xml":
        return (f'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>")
    return json.dumps({"head": {}, "boolean": value})


FORMATS = {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv}
MEDIA_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
               "csv": "text/csv", "tsv": "text/tab-separated-values"}
TABLE_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}  # --format -> rdflib serializer
REPORT_FORMATS = ("table", "csv", "tsv", "json")


# ------------------------------------------------------------------------------------- labels
def curie(iri: str) -> str:
    for base, prefix in CURIES.items():
        if iri.startswith(base):
            return prefix + iri[len(base):]
    return iri


def labels_for(engine: Engine, res: Result) -> dict[str, str]:
    iris = sorted({t.value for row in res.rows for t in row.values() if t.kind == "uri"})
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in iris)
    q = (f"PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} "
         "?s rdfs:label ?l }")
    labels: dict[str, str] = {}
    for row in engine.select(q).rows:
        labels.setdefault(row["s"].value, row["l"].value)
    return labels


def with_labels(res: Result, labels: dict[str, str]) -> Result:
    """`x_label` (the rdfs:label, a plain literal) right after every variable `x` that holds IRIs."""
    iri_vars = [v for v in res.variables if any(v in row and row[v].kind == "uri" for row in res.rows)
                and f"{v}_label" not in res.variables]
    if not iri_vars:
        return res
    variables = [x for v in res.variables for x in ((v, f"{v}_label") if v in iri_vars else (v,))]
    rows = []
    for row in res.rows:
        new = dict(row)
        for v in iri_vars:
            if v in row and row[v].value in labels:
                new[f"{v}_label"] = Term("literal", labels[row[v].value])
        rows.append(new)
    return Result(variables, rows)


def ident(iri: str) -> str:
    """The id a reader types: bare for the graph's own terms (PAA, SelfHealingBinder), else a CURIE."""
    for base in (BGR, BG):
        if iri.startswith(base):
            return iri[len(base):]
    return curie(iri)


def _iri_parts(iri: str, labels: dict[str, str]) -> tuple[str, str]:
    """(label, " (id)"); (label, "") where the id only re-spells the label; (id, "") for claims and
    IRIs without a label."""
    ident_ = ident(iri)
    label = " ".join(labels.get(iri, "").split())
    if not label or iri.startswith(BGR + "claim-"):
        return ident_, ""
    local = ident_ if iri in (BGR + ident_, BG + ident_) else ident_.split(":", 1)[-1]
    if _letters(label) == _letters(local):
        return label, ""
    return label, f" ({ident_})"


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def cell_parts(var: str, t: Term | None, labels: dict[str, str]) -> tuple[str, str]:
    """A cell as (text, kept): `kept` (an IRI's " (id)") survives when the cell is cut short."""
    if t is None:
        return "", ""
    if t.kind == "uri":
        return _iri_parts(t.value, labels)
    text = " ".join(t.value.split())
    if var in ("quote", "snippet") or "$" in text or "**" in text:
        text = readable(text)
    return text, ""


# ------------------------------------------------------------------------------ terminal table
def terminal_width() -> int:
    """COLUMNS if set, else the terminal's width, else 100 (output to a pipe or a file)."""
    return max(40, shutil.get_terminal_size((100, 24)).columns)


@dataclass
class _Column:
    name: str
    cells: list[tuple[str, str]]  # (text, kept), see cell_parts
    numeric: bool

    @cached_property
    def natural(self) -> int:
        return max(cell_len(self.name), *(cell_len(t + k) for t, k in self.cells))

    @cached_property
    def wraps(self) -> bool:
        """Long text wraps; short values and values without spaces (ids, numbers) do not."""
        return self.natural > MIN_WRAP and any(" " in t + k for t, k in self.cells)

    @cached_property
    def least(self) -> int:
        """Long text (quotes) needs room for a phrase per line; labels and lists a word, and their ids whole."""
        floor = MIN_QUOTE if self.natural > LONG_TEXT else MIN_WRAP
        kept = max(cell_len(k) for _, k in self.cells)
        word = max(cell_len(w) for t, _ in self.cells for w in t.split() or [""])
        return min(self.natural, max(floor, min(MAX_KEPT, max(kept, word)), cell_len(self.name)))


def to_table(res: Result, labels: dict[str, str] | None = None, width: int | None = None, full: bool = False,
             max_lines: int | None = MAX_LINES) -> str:
    """The rows as a table no wider than `width` (default: the terminal), cells cut at `max_lines`
    (None: wrapped whole); see the module docstring."""
    labels = labels or {}
    if not res.rows:
        return "(no results)\n"
    width = width or terminal_width()
    columns = [_Column(v, [cell_parts(v, row.get(v), labels) for row in res.rows],
                       all(row[v].datatype in NUMERIC for row in res.rows if v in row) and any(v in r for r in res.rows))
               for v in res.variables]
    widths = None if full else _fit(columns, width)
    body = _blocks(columns, width, None if full else max_lines) if widths is None else \
        _grid(columns, widths, width, max_lines)
    n = len(res.rows)
    return f"{body}\n({n} row{'s' if n != 1 else ''})\n"


def _fit(columns: list[_Column], width: int) -> list[int] | None:
    """Column widths that fit `width`, or None. Wrapping columns start at their least width; narrowest
    first, one that fits whole in about its share of the rest gets its whole width; the others share
    what remains in proportion to what they lack. A long column without spaces wraps only if nothing
    else fits."""
    budget = width - GAP * (len(columns) - 1)
    wraps = [c.wraps for c in columns]
    while sum(c.least if w else c.natural for c, w in zip(columns, wraps)) > budget:
        rigid = [i for i, c in enumerate(columns) if not wraps[i] and c.natural > c.least]
        if not rigid:
            return None
        wraps[max(rigid, key=lambda i: columns[i].natural)] = True
    widths = [c.least if w else c.natural for c, w in zip(columns, wraps)]
    spare = budget - sum(widths)
    short = sorted((i for i, w in enumerate(wraps) if w), key=lambda i: columns[i].natural)
    for k, i in enumerate(short):
        lack = columns[i].natural - widths[i]
        if lack <= min(spare, spare // (len(short) - k) * 1.3):
            widths[i], spare = columns[i].natural, spare - lack
    rest = [i for i in short if widths[i] < columns[i].natural]
    lacking = sum(columns[i].natural - widths[i] for i in rest)
    for i in rest:
        widths[i] += spare * (columns[i].natural - widths[i]) // lacking
    return widths


def _console(width: int) -> Console:
    """Plain text, no colour, no markup: the same output on a terminal, in a pipe and in tests."""
    return Console(width=width, force_terminal=False, color_system=None, markup=False, highlight=False, emoji=False,
                   legacy_windows=False, soft_wrap=False, file=io.StringIO())


def _clip(console: Console, cell: tuple[str, str], width: int, max_lines: int | None) -> list[str]:
    """The cell wrapped to `width` (long words folded); past `max_lines`, its text is cut with "…" and
    what it keeps (an id) stays whole, unless that leaves less than a word of the text."""
    text, kept = cell
    lines = _wrap(console, text + kept, width)
    if not max_lines or len(lines) <= max_lines:
        return lines
    lo, hi = 0, len(text)  # the longest cut of the text that fits, by bisection
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(_wrap(console, text[:mid].rstrip() + "…" + kept, width)) <= max_lines:
            lo = mid
        else:
            hi = mid - 1
    if kept and lo < min(len(text), MIN_WRAP):  # a long id (an EMMO CURIE) would leave no label
        return _clip(console, (text + kept, ""), width, max_lines)
    return _wrap(console, text[:lo].rstrip() + "…" + kept, width)


def _wrap(console: Console, text: str, width: int) -> list[str]:
    return [line.plain.rstrip() for line in Text(text).wrap(console, width, overflow="fold")] or [""]


def _grid(columns: list[_Column], widths: list[int], width: int, max_lines: int | None) -> str:
    console = _console(width)
    cells = [[_clip(console, c, w, max_lines) for c in col.cells] for col, w in zip(columns, widths)]
    wrapped = any(len(lines) > 1 for col in cells for lines in col)
    table = Table(box=_RULE, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0), header_style="",
                  show_lines=wrapped)  # a blank line between rows once cells wrap
    for col, w in zip(columns, widths):
        table.add_column(Text(col.name), width=w, no_wrap=True, justify="right" if col.numeric else "left")
    for r in range(len(columns[0].cells)):
        table.add_row(*(Text("\n".join(col[r])) for col in cells))
    with console.capture() as cap:
        console.print(table)
    return "\n".join(line.rstrip() for line in cap.get().splitlines())


def _blocks(columns: list[_Column], width: int, max_lines: int | None) -> str:
    """One block per row: `name : value`, values wrapped (cut at `max_lines`); empty values left out."""
    console = _console(width)
    key_w = max(cell_len(c.name) for c in columns)
    value_w = max(20, width - key_w - 3)
    out = []
    for r in range(len(columns[0].cells)):
        out.append(f"--- row {r + 1}")
        for col in columns:
            if not any(col.cells[r]):
                continue
            lines = _clip(console, col.cells[r], value_w, max_lines)
            out.append(f"{col.name.rjust(key_w)} : {lines[0]}")
            out += [" " * (key_w + 3) + line for line in lines[1:]]
    return "\n".join(out)


def titled(title: str, body: str, width: int | None = None) -> str:
    """A section of a report: its title (wrapped), underlined, then the body."""
    lines = textwrap.wrap(title, width or terminal_width())
    return "\n".join(lines) + "\n" + "=" * max(map(len, lines)) + "\n" + body


# ------------------------------------------------------------------------------------ reports
@dataclass
class Report:
    """What a report command (stats, hubs, links, coverage, queries) prints: `text` for a reader, and
    the same content as named tables for --format csv / tsv / json."""
    text: str
    tables: dict[str, Result]


def to_graph(answer: Triples, fmt: str) -> str:
    """A CONSTRUCT / DESCRIBE answer as Turtle (with the project's prefixes), N-Triples or JSON-LD."""
    from rdflib import Graph

    from ..graph.emit import PREFIXES as NAMESPACES

    g = Graph()
    for prefix, ns in NAMESPACES.items():
        g.bind(prefix, ns)
    for triple in answer.triples:
        g.add(tuple(to_rdflib(t) for t in triple))
    if fmt == "nt":  # sorted: the same answer gives the same file
        return "".join(sorted(line + "\n" for line in g.serialize(format="nt").splitlines() if line.strip()))
    if fmt == "jsonld":
        doc = json.loads(g.serialize(format="json-ld", context={k: str(v) for k, v in NAMESPACES.items()}))
        return json.dumps(stable_json(doc), ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    return g.serialize(format="turtle")


def stable_json(node):
    """rdflib writes JSON-LD nodes and the values of a property in the order of a hash set, which differs
    between processes: sort every list by its items' canonical JSON (RDF lists are @list and keep their order)."""
    if isinstance(node, dict):
        return {k: [stable_json(x) for x in v] if k == "@list" else stable_json(v) for k, v in node.items()}
    if isinstance(node, list):
        items = [stable_json(x) for x in node]
        return sorted(items, key=lambda x: json.dumps(x, ensure_ascii=False, sort_keys=True))
    return node


def render(answer: Answer | Report, fmt: str, labels: Callable[[Result], dict[str, str]], full: bool = False,
           width: int | None = None) -> str:
    """Any answer in the format asked for; a format that does not suit the answer is a QueryError.
    `labels(result)` gives the labels of a result's IRIs (for tables, and the x_label columns)."""
    if isinstance(answer, Report):
        return _report(answer, fmt, labels)
    if isinstance(answer, bool):
        if fmt not in ("table", "json", "xml"):
            raise QueryError(f"an ASK query answers true or false: use --format table, json or xml, not {fmt}")
        return ("true" if answer else "false") + "\n" if fmt == "table" else to_boolean(answer, fmt) + "\n"
    if isinstance(answer, Triples):
        if fmt not in ("table", *GRAPH_FORMATS):
            raise QueryError(f"a CONSTRUCT or DESCRIBE query answers a graph: use --format ttl, nt or jsonld, not {fmt}")
        return to_graph(answer, "ttl" if fmt == "table" else fmt)
    if fmt not in TABLE_FORMATS:
        raise QueryError(f"a SELECT query answers a table: use --format {', '.join(TABLE_FORMATS)}, not {fmt}")
    if fmt == "table":
        return to_table(answer, labels(answer), width, full)
    return _serialise(answer, fmt, labels)


def _serialise(res: Result, fmt: str, labels: Callable[[Result], dict[str, str]]) -> str:
    if fmt in ("csv", "json"):
        res = with_labels(res, labels(res))
    text = FORMATS[fmt](res)
    return text if text.endswith("\n") else text + "\n"


def _report(rep: Report, fmt: str, labels: Callable[[Result], dict[str, str]]) -> str:
    """json: one SPARQL results object per table, by name; csv / tsv: one table as is, several one after
    the other, each after a `# name` line."""
    if fmt == "table":
        return rep.text
    if fmt not in REPORT_FORMATS:
        raise QueryError(f"a report prints as {', '.join(REPORT_FORMATS)}, not {fmt}")
    if fmt == "json":
        payload = {name: json_payload(with_labels(res, labels(res))) for name, res in rep.tables.items()}
        return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"
    parts = {name: _serialise(res, fmt, labels) for name, res in rep.tables.items()}
    if len(parts) == 1:
        return next(iter(parts.values()))
    nl = "\r\n" if fmt == "csv" else "\n"  # the line ending of the format
    return nl.join(f"# {name}{nl}{text}" for name, text in parts.items())


def table_of(variables: list[str], rows: list[tuple]) -> Result:
    """A Result from plain values: a Term stays, int / float become typed literals, None is unbound,
    anything else a plain literal."""
    return Result(variables, [{v: t for v, x in zip(variables, row) if (t := _term(x)) is not None} for row in rows])


def _term(x) -> Term | None:
    if x is None or isinstance(x, Term):
        return x
    if isinstance(x, bool):
        return Term("literal", str(x).lower(), XSD + "boolean")
    if isinstance(x, int):
        return Term("literal", str(x), XSD + "integer")
    if isinstance(x, float):
        return Term("literal", repr(x), XSD + "double")
    return Term("literal", str(x))


def catalogue_output() -> Report:
    """`bindergraph queries`: the catalogue, one entry per query (wrapped to the terminal), and as a table."""
    from .catalogue import catalogue

    width = terminal_width()
    lines, rows = [], []
    for q in catalogue().values():
        params = [f"--param {p.name}=…  [{p.kind}]{f' (default: {p.default})' if p.default else ' (optional)'} {p.doc}"
                  for p in q.params]
        lines += [q.id, *textwrap.wrap(q.title, width, initial_indent="    ", subsequent_indent="    "),
                  *textwrap.wrap(f"Q: {q.question}", width, initial_indent="    ", subsequent_indent="       ")]
        lines += [line for text in params
                  for line in textwrap.wrap(text, width, initial_indent="    ", subsequent_indent="        ")]
        rows.append((q.id, q.title, q.question, "; ".join(p.removeprefix("--param ") for p in params) or None))
    return Report("\n".join(lines) + "\n", {"queries": table_of(["id", "title", "question", "parameters"], rows)})
