"""Result serialisations: SPARQL JSON / XML / CSV / TSV, and an aligned terminal table."""
from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap
from xml.sax.saxutils import escape, quoteattr

from .engine import Engine, Result, Term

XSD = "http://www.w3.org/2001/XMLSchema#"
CURIES = {"https://w3id.org/bindergraph/resource/": "bgr:", "https://w3id.org/bindergraph/ontology#": "bg:",
          "http://qudt.org/vocab/unit/": "unit:", "https://w3id.org/bindergraph/unit/": "bgunit:",
          "http://purl.obolibrary.org/obo/CHEBI_": "CHEBI:", "http://www.wikidata.org/entity/": "wd:",
          "http://www.w3.org/2002/07/owl#": "owl:", "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
          "http://www.w3.org/2004/02/skos/core#": "skos:", "http://www.w3.org/ns/oa#": "oa:",
          "https://pubchem.ncbi.nlm.nih.gov/compound/": "pubchem.compound:"}


def to_json(res: Result) -> str:
    def term(t: Term) -> dict:
        d = {"type": t.kind, "value": t.value}
        if t.lang:
            d["xml:lang"] = t.lang
        elif t.datatype:
            d["datatype"] = t.datatype
        return d
    payload = {"head": {"vars": res.variables},
               "results": {"bindings": [{k: term(v) for k, v in row.items()} for row in res.rows]}}
    return json.dumps(payload, ensure_ascii=False, indent=1)


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


def to_table(res: Result, labels: dict[str, str] | None = None, width: int | None = 60, full: bool = False) -> str:
    """Aligned columns; IRIs shown by label (else CURIE); long values cut unless `full`."""
    labels = labels or {}
    if not res.rows:
        return "(no results)\n"

    def show(t: Term | None) -> str:
        if t is None:
            return ""
        text = labels.get(t.value) or curie(t.value) if t.kind == "uri" else t.value
        text = " ".join(text.split())
        if not full and width and len(text) > width:
            text = text[: width - 1] + "…"
        return text

    cells = [[show(row.get(v)) for v in res.variables] for row in res.rows]
    if full:
        return _wrapped(res.variables, cells)
    widths = [max(len(v), *(len(c[i]) for c in cells)) for i, v in enumerate(res.variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(res.variables, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _wrapped(variables: list[str], cells: list[list[str]]) -> str:
    """--full: one block per row, long values wrapped to the terminal width."""
    cols = shutil.get_terminal_size((100, 20)).columns
    key_w = max(len(v) for v in variables)
    out = []
    for i, row in enumerate(cells, start=1):
        out.append(f"--- row {i}")
        for v, c in zip(variables, row):
            wrapped = textwrap.wrap(c, max(20, cols - key_w - 3)) or [""]
            out.append(f"{v.rjust(key_w)} : {wrapped[0]}")
            out += [" " * (key_w + 3) + w for w in wrapped[1:]]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


FORMATS = {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv}
MEDIA_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
               "csv": "text/csv", "tsv": "text/tab-separated-values"}
