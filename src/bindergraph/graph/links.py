"""External links: the SSSOM mapping table -> skos mapping triples, plus the MIREOT import modules.

`ontology/mappings/bindergraph.sssom.tsv` is the curated source (SSSOM TSV: a `#`-prefixed YAML header
with the `curie_map`, then one row per mapping); `ontology/mappings/unlinked.tsv` lists entities left
unlinked on purpose, with a reason; `ontology/imports/*.ttl` are the import modules that
`scripts/cut_imports.py` cuts from ChEBI and EMMO/BattINFO (each referenced term, its label and its
superclasses). The build checks every row and names the file, row and field of the first problem.

The links graph holds, per row, the skos triple (`bgr:PVDF skos:closeMatch CHEBI:53250`), the
external term's label, and an `owl:Axiom` node carrying the SSSOM justification, confidence and
comment (the SSSOM/RDF convention: `owl:annotatedSource/Property/Target`). Mapping triples stay out of
the reasoner: only the import modules (classes, labels, `rdfs:subClassOf`) reach HermiT.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from .. import paths
from ..curate.curation import Curated
from ..errors import RecordError
from .emit import new_graph
from ..query.engine import Term
from ..query.results import Report, table_of, terminal_width, to_table
from .ontology import BG, load_tbox

MAPPINGS_FILE = paths.MAPPINGS_DIR / "bindergraph.sssom.tsv"
UNLINKED_FILE = paths.MAPPINGS_DIR / "unlinked.tsv"
IMPORT_FILES = (paths.IMPORTS_DIR / "chebi-import.ttl", paths.IMPORTS_DIR / "emmo-import.ttl")

SSSOM = Namespace("https://w3id.org/sssom/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")
MAPPING_NODE = "https://w3id.org/bindergraph/mapping/"
_BGR = "https://w3id.org/bindergraph/resource/"

COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id", "object_label", "mapping_justification",
           "confidence", "comment")
PREDICATES = {"skos:exactMatch": SKOS.exactMatch, "skos:closeMatch": SKOS.closeMatch,
              "skos:broadMatch": SKOS.broadMatch, "skos:relatedMatch": SKOS.relatedMatch}
# the mapping justifications of the SEMAPV vocabulary (https://w3id.org/semapv/vocab/)
JUSTIFICATIONS = frozenset({
    "ManualMappingCuration", "MappingChaining", "LexicalMatching", "LogicalReasoning", "CompositeMatching",
    "UnspecifiedMatching", "SemanticSimilarityThresholdMatching", "LexicalSimilarityThresholdMatching",
    "MappingReview", "MappingInversion", "StructuralMatching", "InstanceBasedMatching",
    "BackgroundKnowledgeBasedMatching"})
# object prefixes whose terms must come with a label and be declared in an import module
IMPORTED_PREFIXES = frozenset({"CHEBI", "emmo", "echem", "battery", "chemsub"})
# object prefixes with no offline label source: object_label may stay empty
UNLABELLED_PREFIXES = frozenset({"wd", "pubchem.compound"})
LOCAL_PATTERNS = {"CHEBI": r"[1-9][0-9]*", "wd": r"Q[1-9][0-9]*", "pubchem.compound": r"[1-9][0-9]*"}
_CURIE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*):(\S+)$")


# ---------------------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class Mapping:
    row: int            # 1-based data row
    line: int           # line in the file
    subject_id: str
    subject_label: str
    predicate_id: str
    object_id: str
    object_label: str
    justification: str
    confidence: float
    comment: str
    subject: URIRef
    predicate: URIRef
    object: URIRef

    @property
    def record(self) -> str:
        return f"row {self.row} ({self.subject_id} {self.predicate_id} {self.object_id})"


@dataclass
class MappingSet:
    path: Path
    meta: dict
    curie_map: dict[str, str]
    mappings: list[Mapping] = field(default_factory=list)

    def curie(self, iri: str) -> str:
        """The shortest CURIE for an IRI under this set's curie map (the IRI itself if none applies)."""
        best = None
        for prefix, ns in self.curie_map.items():
            if iri.startswith(ns) and (best is None or len(ns) > len(self.curie_map[best])):
                best = prefix
        return f"{best}:{iri[len(self.curie_map[best]):]}" if best else iri


def rel(path: Path) -> str:
    """A path as users see it in messages: relative to the repository (or resources) root."""
    try:
        return Path(path).resolve().relative_to(paths.RESOURCES.resolve()).as_posix()
    except ValueError:
        return str(path)


def _split_header(path: Path) -> tuple[list[str], list[tuple[int, str]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(rel(path), None, None, f"cannot read: {exc}") from None
    header, body = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#") and not body:
            header.append(line[1:])
        elif line.strip() or body:
            body.append((n, line))
    return header, body


def expand(curie: str, curie_map: dict[str, str]) -> str | None:
    m = _CURIE.match(curie)
    if not m or m.group(1) not in curie_map:
        return None
    return curie_map[m.group(1)] + m.group(2)


def read_sssom(path: Path = MAPPINGS_FILE) -> MappingSet:
    """Parse and syntactically check an SSSOM TSV file (header, columns, CURIEs, predicates, values)."""
    f = rel(path)
    header, body = _split_header(path)
    try:
        meta = yaml.safe_load("\n".join(header)) or {}
    except yaml.YAMLError as exc:
        raise RecordError(f, "header", None, f"the #-prefixed YAML header does not parse: {_first_line(exc)}") from None
    if not isinstance(meta, dict):
        raise RecordError(f, "header", None, "the #-prefixed YAML header must be a mapping")
    curie_map = meta.get("curie_map")
    if not isinstance(curie_map, dict) or not curie_map:
        raise RecordError(f, "header", "curie_map", "the header needs a non-empty curie_map")
    curie_map = {str(k): str(v) for k, v in curie_map.items()}
    for key in ("mapping_set_id", "license"):
        if not meta.get(key):
            raise RecordError(f, "header", key, f"the header needs {key}")
    for prefix in ("bgr", "bg", "skos", "semapv"):
        if prefix not in curie_map:
            raise RecordError(f, "header", "curie_map", f"curie_map lacks the {prefix!r} prefix")
    if not body:
        raise RecordError(f, "header", "columns", "no column header row")
    reader = csv.reader(io.StringIO("\n".join(line for _, line in body)), delimiter="\t")
    rows = list(reader)
    columns = rows[0]
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise RecordError(f, "header", "columns", f"missing column(s): {', '.join(missing)}", body[0][0])
    ms = MappingSet(path, meta, curie_map)
    seen: dict[tuple[str, str], int] = {}
    for i, values in enumerate(rows[1:], start=1):
        line = body[i][0] if i < len(body) else None
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(columns):
            raise RecordError(f, f"row {i}", None, f"{len(values)} fields, the header has {len(columns)}", line)
        r = dict(zip(columns, (v.strip() for v in values)))
        where = f"row {i} ({r['subject_id'] or '?'})"

        def fail(fld: str, msg: str):
            raise RecordError(f, where, fld, msg, line)

        subj = expand(r["subject_id"], curie_map)
        if subj is None or r["subject_id"].split(":", 1)[0] not in ("bgr", "bg"):
            fail("subject_id", f"{r['subject_id']!r} is not a bgr: entity or bg: class CURIE")
        if r["predicate_id"] not in PREDICATES:
            fail("predicate_id", f"{r['predicate_id']!r} is not one of {', '.join(PREDICATES)}")
        prefix = r["object_id"].split(":", 1)[0] if ":" in r["object_id"] else ""
        obj = expand(r["object_id"], curie_map)
        if obj is None:
            fail("object_id", f"{r['object_id']!r} does not expand with the curie_map (unknown prefix {prefix!r})")
        if prefix in ("bg", "bgr"):
            fail("object_id", "the object must be an external term, not a bindergraph one")
        local = r["object_id"].split(":", 1)[1]
        if prefix in LOCAL_PATTERNS and not re.fullmatch(LOCAL_PATTERNS[prefix], local):
            fail("object_id", f"{r['object_id']!r} is not a valid {prefix} identifier")
        if re.search(r"[\s<>\"{}|\\^`]", obj):
            fail("object_id", f"{r['object_id']!r} expands to an invalid IRI")
        if not r["object_label"] and prefix not in UNLABELLED_PREFIXES:
            fail("object_label", f"a {prefix} term needs its label")
        just = r["mapping_justification"]
        if not just.startswith("semapv:") or just[len("semapv:"):] not in JUSTIFICATIONS:
            fail("mapping_justification", f"{just!r} is not a SEMAPV mapping justification (e.g. semapv:ManualMappingCuration)")
        try:
            conf = float(r["confidence"])
        except ValueError:
            fail("confidence", f"{r['confidence']!r} is not a number")
        if not 0.0 <= conf <= 1.0:
            fail("confidence", f"{conf} is outside [0, 1]")
        if not r["comment"]:
            fail("comment", "every mapping is a curated decision and needs a comment")
        key = (r["subject_id"], r["object_id"])
        if key in seen:
            fail("object_id", f"{r['object_id']} is already mapped from {r['subject_id']} in row {seen[key]}")
        seen[key] = i
        ms.mappings.append(Mapping(i, line or 0, r["subject_id"], r["subject_label"], r["predicate_id"], r["object_id"],
                                   r["object_label"], just, conf, r["comment"], URIRef(subj), PREDICATES[r["predicate_id"]],
                                   URIRef(obj)))
    return ms


@dataclass(frozen=True)
class Unlinked:
    row: int
    line: int
    subject_id: str
    subject_label: str
    reason: str


def read_unlinked(path: Path = UNLINKED_FILE) -> list[Unlinked]:
    f = rel(path)
    _header, body = _split_header(path)
    if not body:
        return []
    rows = list(csv.reader(io.StringIO("\n".join(line for _, line in body)), delimiter="\t"))
    columns = rows[0]
    for c in ("subject_id", "reason"):
        if c not in columns:
            raise RecordError(f, "header", "columns", f"missing column {c}", body[0][0])
    out = []
    for i, values in enumerate(rows[1:], start=1):
        line = body[i][0]
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(columns):
            raise RecordError(f, f"row {i}", None, f"{len(values)} fields, the header has {len(columns)}", line)
        r = dict(zip(columns, (v.strip() for v in values)))
        if not r["subject_id"].startswith("bgr:"):
            raise RecordError(f, f"row {i}", "subject_id", f"{r['subject_id']!r} is not a bgr: entity CURIE", line)
        if not r["reason"]:
            raise RecordError(f, f"row {i} ({r['subject_id']})", "reason", "give the reason the entity is left unlinked", line)
        out.append(Unlinked(i, line, r["subject_id"], r.get("subject_label", ""), r["reason"]))
    return out


# ----------------------------------------------------------------------------------- the graphs
def _shipped_entity_ids() -> frozenset[str]:
    """Entity ids of the shipped record tree: a row about one of them is skipped, not rejected, when a
    build uses a smaller record tree (a fixture, a curator's work in progress)."""
    from ..curate.records import load_records

    return frozenset(l.record.id for l in load_records(paths.RECORDS_DIR, kinds=("entities",)))


class _Subjects:
    def __init__(self, cur: Curated):
        self.cur = cur
        self.tbox = load_tbox(paths.ONTOLOGY_FILE)
        self._shipped: frozenset[str] | None = None

    def check(self, f: str, where: str, line: int, curie: str, label: str | None) -> bool:
        """True if the subject exists in this build, False if it exists only in the shipped records."""
        prefix, local = curie.split(":", 1)
        if prefix == "bg":
            if not self.tbox.is_class(local):
                raise RecordError(f, where, "subject_id", f"bg:{local} is not a class of ontology/bindergraph.ttl", line)
            expected = self.tbox.labels[local]
        else:
            if local not in self.cur.entities:
                if self._shipped is None:
                    self._shipped = _shipped_entity_ids()
                if local in self._shipped:
                    return False
                raise RecordError(f, where, "subject_id", f"unknown entity id {local!r} (not in data/records)", line)
            expected = self.cur.entities[local].label
        if label is not None and label and label != expected:
            raise RecordError(f, where, "subject_label", f"{label!r} differs from the entity's label {expected!r}", line)
        return True


def mapping_node(m: Mapping) -> URIRef:
    digest = hashlib.sha1(f"{m.subject}|{m.predicate}|{m.object}".encode("utf-8")).hexdigest()[:16]
    return URIRef(MAPPING_NODE + digest)


def link_graphs(cur: Curated, mapping_file: Path = MAPPINGS_FILE, unlinked_file: Path = UNLINKED_FILE,
                import_files: tuple[Path, ...] = IMPORT_FILES) -> tuple[Graph, Graph]:
    """The links graph (skos mappings, labels, mapping metadata) and the imports graph (import modules)."""
    imports = new_graph()
    for p in import_files:
        try:
            imports.parse(p, format="turtle")
        except FileNotFoundError:
            raise RecordError(rel(p), None, None, "import module missing: run scripts/cut_imports.py") from None
        except Exception as exc:  # rdflib raises several parser errors
            raise RecordError(rel(p), None, None, f"does not parse as Turtle: {_first_line(exc)}") from None
    imported_labels: dict[URIRef, set[str]] = {}
    for cls in imports.subjects(RDF.type, OWL.Class):
        imported_labels[cls] = {str(l) for l in imports.objects(cls, RDFS.label)}

    ms = read_sssom(mapping_file)
    f = rel(mapping_file)
    subjects = _Subjects(cur)
    links = new_graph()
    for prefix, ns in sorted(ms.curie_map.items()):
        if prefix not in ("bg", "bgr") and "." not in prefix:
            links.bind(prefix, Namespace(ns))
    links.bind("sssom", SSSOM)
    links.bind("semapv", SEMAPV)
    _declare_sssom(links)
    set_iri = URIRef(str(ms.meta["mapping_set_id"]))
    links.add((set_iri, RDF.type, SSSOM.MappingSet))
    links.add((set_iri, DCTERMS.license, URIRef(str(ms.meta["license"]))))
    for key, prop in (("mapping_set_title", DCTERMS.title), ("mapping_set_description", DCTERMS.description),
                      ("mapping_set_version", OWL.versionInfo)):
        if ms.meta.get(key):
            links.add((set_iri, prop, Literal(str(ms.meta[key]))))
    mapped: set[str] = set()
    for m in ms.mappings:
        if not subjects.check(f, m.record, m.line, m.subject_id, m.subject_label):
            continue
        prefix = m.object_id.split(":", 1)[0]
        if prefix in IMPORTED_PREFIXES:
            labels = imported_labels.get(m.object)
            if labels is None:
                raise RecordError(f, m.record, "object_id",
                                  f"{m.object_id} is not declared in the import modules (run scripts/cut_imports.py)", m.line)
            if m.object_label not in labels:
                raise RecordError(f, m.record, "object_label",
                                  f"{m.object_label!r} differs from the imported label {sorted(labels)[0]!r}", m.line)
        mapped.add(m.subject_id)
        links.add((m.subject, m.predicate, m.object))
        if m.object_label:
            links.add((m.object, RDFS.label, Literal(m.object_label)))
        node = mapping_node(m)
        links.add((node, RDF.type, OWL.Axiom))
        links.add((node, OWL.annotatedSource, m.subject))
        links.add((node, OWL.annotatedProperty, m.predicate))
        links.add((node, OWL.annotatedTarget, m.object))
        links.add((node, SSSOM.mapping_justification, SEMAPV[m.justification.split(":", 1)[1]]))
        links.add((node, SSSOM.confidence, Literal(format(m.confidence, ".2f"), datatype=XSD.double)))
        links.add((node, RDFS.comment, Literal(m.comment, lang="en")))
        links.add((node, DCTERMS.isPartOf, set_iri))

    if unlinked_file is not None and Path(unlinked_file).exists():
        uf = rel(unlinked_file)
        for u in read_unlinked(unlinked_file):
            where = f"row {u.row} ({u.subject_id})"
            if not subjects.check(uf, where, u.line, u.subject_id, u.subject_label):
                continue
            if u.subject_id in mapped:
                raise RecordError(uf, where, "subject_id",
                                  f"{u.subject_id} is listed as unlinked but has mappings in {f}", u.line)
    return links, imports


def _declare_sssom(links: Graph) -> None:
    """Declare the SSSOM terms the links graph uses, so that the merged graph stays OWL 2 DL (the SSSOM
    vocabulary publishes no OWL file to import): the set is an individual of a class, the mapping-node
    fields annotate owl:Axiom nodes and so must be annotation properties."""
    links.add((SSSOM.MappingSet, RDF.type, OWL.Class))
    links.add((SSSOM.MappingSet, RDFS.label, Literal("mapping set", lang="en")))
    for prop in (SSSOM.mapping_justification, SSSOM.confidence):
        links.add((prop, RDF.type, OWL.AnnotationProperty))
        links.add((prop, RDFS.label, Literal(str(prop)[len(str(SSSOM)):].replace("_", " "), lang="en")))


def _first_line(exc: BaseException) -> str:
    lines = [l for l in str(exc).splitlines() if l.strip()]
    return lines[0][:200] if lines else type(exc).__name__


# ------------------------------------------------------------------------------------ reporting
_MATCHES = ("exactMatch", "closeMatch", "broadMatch", "relatedMatch")
_LINKS_QUERY = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX sssom: <https://w3id.org/sssom/>
SELECT DISTINCT ?e ?elabel ?p ?x ?xlabel ?just ?conf ?comment WHERE {
  VALUES ?p { skos:exactMatch skos:closeMatch skos:broadMatch skos:relatedMatch }
  ?e ?p ?x .
  FILTER(STRSTARTS(STR(?e), "https://w3id.org/bindergraph/"))
  OPTIONAL { ?e rdfs:label ?elabel }
  OPTIONAL { ?x rdfs:label ?xlabel }
  OPTIONAL { ?m owl:annotatedSource ?e ; owl:annotatedProperty ?p ; owl:annotatedTarget ?x .
             OPTIONAL { ?m sssom:mapping_justification ?just }
             OPTIONAL { ?m sssom:confidence ?conf }
             OPTIONAL { ?m rdfs:comment ?comment } }
}"""

_TARGETS = (("CHEBI", "ChEBI"), ("chemsub", "EMMO"), ("echem", "EMMO"), ("battery", "EMMO"), ("emmo", "EMMO"),
            ("wd", "Wikidata"), ("pubchem.compound", "PubChem"))


def _target(curie: str) -> str:
    prefix = curie.split(":", 1)[0]
    return next((name for p, name in _TARGETS if p == prefix), prefix)


def _order(curie: str) -> int:
    prefix = curie.split(":", 1)[0]
    return next((i for i, (p, _) in enumerate(_TARGETS) if p == prefix), len(_TARGETS))


def links_report(engine, name: str | None) -> str:
    return links_output(engine, name).text


def links_output(engine, name: str | None) -> Report:
    """External identifiers of one entity (id, label, or bg:Class) with match type, label, justification and
    comment; without a name, every link, a summary, and the entities left unlinked with the reason. As text,
    and as tables: `links` (IRIs, with each CURIE), `summary`, `unlinked`."""
    try:
        ms: MappingSet | None = read_sssom(MAPPINGS_FILE)
    except RecordError:
        ms = None
    unlinked = {u.subject_id: u for u in read_unlinked(UNLINKED_FILE)} if UNLINKED_FILE.exists() else {}

    def short(iri: str) -> str:
        if ms is not None:
            return ms.curie(iri)
        for ns, p in (("https://w3id.org/bindergraph/resource/", "bgr:"), ("https://w3id.org/bindergraph/ontology#", "bg:")):
            if iri.startswith(ns):
                return p + iri[len(ns):]
        return iri

    bindings = None
    if name:
        if name.startswith("bg:"):
            iri = Term("uri", str(BG) + name[3:])
        else:
            iri = engine.resolve_entity(name)
        bindings = {"e": iri}
    res = engine.select(_LINKS_QUERY, bindings)
    rows = []
    for r in res.rows:
        e = r.get("e") or bindings["e"]
        rows.append({"iri": e, "p": r["p"], "xiri": r["x"], "e": short(e.value),
                     "elabel": r["elabel"].value if "elabel" in r else "",
                     "match": r["p"].value.rsplit("#", 1)[-1], "x": short(r["x"].value),
                     "xlabel": r["xlabel"].value if "xlabel" in r else "",
                     "just": r["just"].value.rsplit("/", 1)[-1] if "just" in r else "",
                     "conf": f"{float(r['conf'].value):.2f}" if "conf" in r else "", "comment": r["comment"].value if "comment" in r else ""})
    rows.sort(key=lambda r: (r["e"].lower(), _order(r["x"]), _MATCHES.index(r["match"]) if r["match"] in _MATCHES else 9, r["x"]))
    tables = {"links": table_of(
        ["entity", "match", "external", "externalId", "justification", "confidence", "comment"],
        [(r["iri"], r["p"], r["xiri"], r["x"], r["just"] or None, float(r["conf"]) if r["conf"] else None,
          r["comment"] or None) for r in rows])}
    width = terminal_width()
    out: list[str] = []
    if name:
        subject = short(bindings["e"].value)
        label = rows[0]["elabel"] if rows else _label(engine, bindings["e"])
        out.append(f"{subject}  {label}".rstrip())
        if not rows:
            u = unlinked.get(subject)
            out.append(textwrap.fill("  no external links" + (f": {u.reason}" if u else ""), width,
                                     subsequent_indent="    "))
            if u:
                tables["unlinked"] = table_of(["entity", "reason"], [(bindings["e"], u.reason)])
            return Report("\n".join(out) + "\n", tables)
        out.append(_table(rows, with_subject=False, width=width))
        out.append("Justification and comment:")
        for r in rows:
            out.append(textwrap.fill(f"  {r['x']} ({r['match']}, {r['just'] or 'no justification'}, "
                                     f"confidence {r['conf'] or '?'})", width, subsequent_indent="    "))
            for line in textwrap.wrap(r["comment"], width - 6) or ["(no comment)"]:
                out.append("      " + line)
        return Report("\n".join(out) + "\n", tables)
    out.append(_table(rows, with_subject=True, width=width))
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        counts[(_target(r["x"]), r["match"])] = counts.get((_target(r["x"]), r["match"]), 0) + 1
    out.append(f"{len(rows)} links from {len({r['e'] for r in rows})} entities and classes:")
    for target in dict.fromkeys(n for _, n in _TARGETS):
        parts = [f"{m} {counts[(target, m)]}" for m in _MATCHES if (target, m) in counts]
        if parts:
            out.append(f"  {target:9s} " + ", ".join(parts))
    tables["summary"] = table_of(["target", "match", "links"], [(t, m, n) for (t, m), n in counts.items()])
    if unlinked:
        out.append("")
        out.append(f"Left unlinked on purpose ({len(unlinked)}; ontology/mappings/unlinked.tsv):")
        listed = table_of(["entity", "reason"], [(unlinked[k].subject_id, unlinked[k].reason)
                                                for k in sorted(unlinked, key=str.lower)])
        out.append(to_table(listed, width=width, max_lines=None).removesuffix(f"({len(unlinked)} rows)\n"))
        tables["unlinked"] = table_of(["entity", "reason"], [(Term("uri", _BGR + k.removeprefix("bgr:")), unlinked[k].reason)
                                                            for k in sorted(unlinked, key=str.lower)])
    return Report("\n".join(out).rstrip("\n") + "\n", tables)


def _label(engine, term) -> str:
    res = engine.select("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?e ?l WHERE { ?e rdfs:label ?l } LIMIT 1",
                        {"e": term})
    return res.rows[0]["l"].value if res.rows else ""


def _table(rows: list[dict], with_subject: bool, width: int) -> str:
    """The links as the terminal table shows them: CURIEs, match, label, justification, confidence."""
    head = (["entity"] if with_subject else []) + ["match", "external id", "label", "justification", "conf"]
    body = [([r["e"]] if with_subject else []) + [r["match"], r["x"], r["xlabel"] or "-", r["just"] or "-", r["conf"] or "-"]
            for r in rows]
    return to_table(table_of(head, [tuple(row) for row in body]), width=width, max_lines=None)  # ids never cut
