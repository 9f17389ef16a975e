"""Full-text search over the graph: entities, claims and references, ranked by BM25 (SQLite FTS5).

**The index** (`search.sqlite` next to `graph.nt`) holds one row per document, written by the build
from the store it just loaded, or here from `graph.nt` when an output folder lacks it (or holds an
index of another graph: the index records the SHA-256 of the `graph.nt` it was made from, and the
manifest tells the current one). Every text is indexed as read (`text.readable`: `*p*-xylene` ->
`p-xylene`, `Li^+` -> `Li⁺`), in four columns weighted for BM25:

| column | weight | entity | claim | reference |
|---|---|---|---|---|
| `name` | 10 | id, label, alternative labels | claim id, subjects (id and label), relation, objects | `ref-N`, label, authors |
| `body` | 4 | definition | the quote | title, venue, year, DOI |
| `note` | 1 | curator's note | curator's note, stance, section number | |
| `cites` | 1 | | number and authors of every reference the claim cites or reports | |

so an author's name ("Inada") finds the references, the claims whose quote names the author and the
claims whose sentence cites (`dcterms:references`) or reports (`prov:hadPrimarySource`) that work.

**The tokenizer** is `unicode61 remove_diacritics 2 tokenchars '°⁺⁻'`: words are runs of letters and
digits (Unicode), so `p-xylene` and `μ-Si` are the phrases `p xylene` and `μ si`; diacritics are
folded, so `Leonard` finds `Léonard`; the degree sign and superscript charges are part of a word, so
`80 °C` is the phrase `80 °c` (not the C-rate `80 C`) and `Li⁺` is one word distinct from `Li`.
Sub- and superscript digits are letters of their word (`Li₇P₃S₁₁`, `g⁻¹`): type them as the review
shows them, or in its LaTeX (`Li^+`, `Li_7P_3S_{11}`), which the search renders the same way.

**Query syntax**: plain words are ANDed; `"a phrase"` matches its words in sequence; `word*` is a
prefix. Every word and phrase is passed to FTS5 as a quoted string, so no user text is FTS5 syntax
(`AND`, `NEAR(`, `(`, `:` are words or nothing). Ranking: a hit whose id or label is the text
itself first (`PAA` the binder before the blends naming PAA), then hits containing all the words in
sequence (`80 °C` before a claim with 80 cycles and 25 °C), then BM25, then kind (entity, claim,
reference) and id, so that ties come out in a stable order.

**Snippets**: `Hit.snippet` is the plain text around the match (FTS5 `snippet()`) in the first
matching column of body (a claim's quote), name, note and cites, and
`Hit.spans` the code-point offsets of each match within it. The terminal table shows the matches in
`[…]`; JSON, CSV, TSV and XML give the plain `snippet` with `match_start` / `match_end`, the offsets
of the first match in it.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import secrets
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import BindergraphError, NotBuiltError, QueryError
from ..paths import current_build
from .engine import BGR, XSD, Result, Term
from .text import readable

INDEX_FILE = "search.sqlite"
SCHEMA_VERSION = "2"  # bump when the table or the tokenizer changes: older indexes are rebuilt
KINDS = ("entity", "claim", "reference")
TOKENCHARS = "°⁺⁻"
_TOKENIZE = f"unicode61 remove_diacritics 2 tokenchars '{TOKENCHARS}'"
_COLUMNS = ("kind", "id", "summary", "section", "name", "body", "note", "cites")
_WEIGHTS = (0, 0, 0, 0, 10.0, 4.0, 1.0, 1.0)  # the four display columns are not indexed
_OPEN, _CLOSE = "\x02", "\x03"  # snippet markers: control characters never found in the text
_SNIPPET_TOKENS = 10

BG = "https://w3id.org/bindergraph/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV_SOURCE = "http://www.w3.org/ns/prov#hadPrimarySource"
BIBO_DOI = "http://purl.org/ontology/bibo/doi"
OWL_INDIVIDUAL = "http://www.w3.org/2002/07/owl#NamedIndividual"


@dataclass(frozen=True)
class Hit:
    kind: str  # entity | claim | reference
    id: str  # PAA, claim-s4.1-066, ref-244
    summary: str  # label; for a claim: subjects → relation → objects
    section: str  # a claim's section number, else ""
    snippet: str  # plain text around the best match
    spans: tuple[tuple[int, int], ...]  # code-point offsets of the matches in `snippet`
    score: float  # BM25 as FTS5 gives it: lower is better

    def marked(self, open_: str = "[", close: str = "]") -> str:
        """The snippet with every match between `open_` and `close`."""
        out, last = [], 0
        for start, end in self.spans:
            out += [self.snippet[last:start], open_, self.snippet[start:end], close]
            last = end
        return "".join(out) + self.snippet[last:]


@dataclass(frozen=True)
class _Doc:
    kind: str
    id: str
    summary: str
    section: str
    name: str
    body: str
    note: str
    cites: str


# ----------------------------------------------------------------------------------- FTS5 support
@functools.lru_cache(maxsize=1)
def require_fts5() -> None:
    """Fail with one line when this Python's SQLite was compiled without FTS5."""
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.OperationalError:
        raise BindergraphError(f"search needs SQLite with FTS5; this Python's SQLite {sqlite3.sqlite_version} "
                               "lacks it") from None


# ------------------------------------------------------------------------------ documents from RDF
def _props(store: ox.Store, cls: str, props: list[str]) -> dict[str, dict[str, list[str]]]:
    """{instance IRI: {property IRI: sorted distinct values}} for the instances of `cls` under bgr:."""
    members = {s.value for (s,) in store.query(f"SELECT ?s WHERE {{ ?s a <{cls}> }}", use_default_graph_as_union=True)
               if s.value.startswith(BGR)}
    # one scan per property, filtered here: a type pattern in the query makes oxigraph join (2-3 times slower)
    q = f"SELECT ?s ?p ?v WHERE {{ VALUES ?p {{ {' '.join(f'<{p}>' for p in props)} }} ?s ?p ?v }}"
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for s, p, v in store.query(q, use_default_graph_as_union=True):
        if s.value in members:
            found[s.value][p.value].add(v.value)
    return {s: defaultdict(list, {p: sorted(vs) for p, vs in by_prop.items()}) for s, by_prop in found.items()}


def _labels(store: ox.Store) -> dict[str, str]:
    """One label per IRI (English first, then the smallest), as read."""
    found: dict[str, list[tuple[bool, str]]] = defaultdict(list)
    q = f"SELECT ?x ?l WHERE {{ ?x <{RDFS_LABEL}> ?l }}"
    for x, label in store.query(q, use_default_graph_as_union=True):
        if isinstance(x, ox.NamedNode):
            found[x.value].append((label.language not in (None, "en"), label.value))
    return {x: as_searched(min(ls)[1]) for x, ls in found.items()}


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1]


_CHARGE = re.compile(r"(?<=[A-Za-z0-9])\+(?![\w+])")  # an ASCII charge, as some labels write it: Li+


@functools.lru_cache(maxsize=4096)  # labels repeat in every claim that names them
def as_searched(text: str) -> str:
    """Text as the index holds it: as read (text.readable), with the review's own signs for the
    micro sign (μ) and for ASCII charges (Li+ -> Li⁺), on one line with single spaces."""
    return " ".join(_CHARGE.sub("⁺", readable(text).replace("µ", "μ")).split())


def _text(*parts: str) -> str:
    """The distinct non-empty parts, as searched, joined by "; " (a separator to the tokenizer too)."""
    return "; ".join(dict.fromkeys(as_searched(p) for p in parts if p))


def _entity_docs(store: ox.Store) -> list[_Doc]:
    props = [RDFS_LABEL, SKOS + "altLabel", SKOS + "definition", SKOS + "editorialNote"]
    docs = []
    for iri, p in _props(store, OWL_INDIVIDUAL, props).items():
        ident, label = _local(iri), _text(*p[RDFS_LABEL][:1])
        docs.append(_Doc("entity", ident, label, "", _text(ident, *p[RDFS_LABEL], *p[SKOS + "altLabel"]),
                         _text(*p[SKOS + "definition"]), _text(*p[SKOS + "editorialNote"]), ""))
    return docs


def _reference_docs(store: ox.Store) -> tuple[list[_Doc], dict[str, str]]:
    """The reference rows, and for each reference the text a citing claim carries (number, authors, year)."""
    props = [BG + "referenceNumber", RDFS_LABEL, BG + "authors", DCTERMS + "title", BG + "venue", BG + "year",
             BIBO_DOI]
    docs, cited = [], {}
    for iri, p in _props(store, BG + "Reference", props).items():
        label, authors, year = _text(*p[RDFS_LABEL]), _text(*p[BG + "authors"]), " ".join(p[BG + "year"])
        title = _text(*p[DCTERMS + "title"])
        docs.append(_Doc("reference", _local(iri), f"{label}: {title}" if title else label, "",
                         _text(_local(iri), label, authors),
                         _text(title, *p[BG + "venue"], year, *p[BIBO_DOI]), "", ""))
        cited[iri] = f"[{' '.join(p[BG + 'referenceNumber'])}] {authors or label} ({year})"
    return docs, cited


def _claim_docs(store: ox.Store, labels: dict[str, str], cited: dict[str, str]) -> list[_Doc]:
    roles = [BG + "claimSubject", BG + "aboutClass", BG + "claimRelation", BG + "claimObject"]
    props = [BG + "quote", BG + "stance", SKOS + "editorialNote", BG + "inSection", DCTERMS + "references",
             PROV_SOURCE, *roles]
    sections = {iri: p[BG + "sectionNumber"][0]
                for iri, p in _props(store, BG + "ReviewSection", [BG + "sectionNumber"]).items()}
    docs = []
    for iri, p in _props(store, BG + "Claim", props).items():
        subjects = p[BG + "claimSubject"] + p[BG + "aboutClass"]
        relation = " ".join(labels.get(r, _local(r)) for r in p[BG + "claimRelation"])
        objects = p[BG + "claimObject"]
        summary = " → ".join(x for x in (", ".join(map(_local, subjects)), relation,
                                          ", ".join(map(_local, objects))) if x)
        section = " ".join(sections.get(s, "") for s in p[BG + "inSection"])
        named = [f"{_local(x)} {labels.get(x, '')}" for x in subjects + objects]
        refs = sorted(set(p[DCTERMS + "references"] + p[PROV_SOURCE]), key=lambda r: (len(r), r))  # ref-9 before ref-10
        docs.append(_Doc("claim", _local(iri), summary, section, _text(_local(iri), relation, *named),
                         _text(*p[BG + "quote"]), _text(*p[SKOS + "editorialNote"], *p[BG + "stance"], section),
                         _text(*(cited.get(r, _local(r)) for r in refs))))
    return docs


def documents(store: ox.Store) -> list[_Doc]:
    """Every searchable document of the graph, in a stable order."""
    refs, cited = _reference_docs(store)
    docs = _entity_docs(store) + _claim_docs(store, _labels(store), cited) + refs
    return sorted(docs, key=lambda d: (KINDS.index(d.kind), d.id))


# ---------------------------------------------------------------------------------- writing the index
def write_index(target: Path, store: ox.Store, graph_sha256: str) -> int:
    """Write the index of `store` (the graph whose graph.nt has `graph_sha256`) to `target` atomically;
    returns the number of documents."""
    require_fts5()
    docs = documents(store)
    # a new file beside the target, which SQLite creates with the usual permissions (mkstemp's are 0600)
    tmp = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}"
    try:
        con = sqlite3.connect(tmp)
        try:
            with con:
                con.execute("PRAGMA journal_mode = OFF")  # a private temporary file: no journal needed
                con.execute(f"CREATE VIRTUAL TABLE search USING fts5({', '.join(c + ' UNINDEXED' for c in _COLUMNS[:4])}, "
                            f"{', '.join(_COLUMNS[4:])}, tokenize = \"{_TOKENIZE}\")")
                con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
                con.executemany(f"INSERT INTO search VALUES ({', '.join('?' * len(_COLUMNS))})",
                                [tuple(getattr(d, c) for c in _COLUMNS) for d in docs])
                con.execute("INSERT INTO search(search) VALUES ('optimize')")
                con.executemany("INSERT INTO meta VALUES (?, ?)",
                                [("schema", SCHEMA_VERSION), ("graph_sha256", graph_sha256)])
        finally:
            con.close()
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return len(docs)


def write_search_index(out_dir: Path, store_dir: Path | None = None) -> int:
    """The index of a build folder, from its on-disk store (the build) or else from its graph.nt."""
    if store_dir is not None:
        store = ox.Store.read_only(str(store_dir))
    else:
        store = ox.Store()
        store.load(path=str(out_dir / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    try:
        return write_index(out_dir / INDEX_FILE, store, _graph_sha256(out_dir))
    except OSError as exc:
        raise BindergraphError(f"cannot write the search index in {out_dir}: {exc.strerror or exc}") from None


def _graph_sha256(out_dir: Path) -> str:
    """The SHA-256 of the build's graph.nt, as its manifest records it (else computed): the index
    records it when written and is current while the manifest still names it."""
    try:
        return json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))["sha256"]["graph.nt"]
    except (OSError, ValueError, KeyError, TypeError):
        return hashlib.sha256((out_dir / "graph.nt").read_bytes()).hexdigest()


def _read_only(index: Path) -> sqlite3.Connection:
    return sqlite3.connect(index.resolve().as_uri() + "?mode=ro", uri=True)


def _is_current(index: Path, out_dir: Path) -> bool:
    try:
        con = _read_only(index)
        try:
            meta = dict(con.execute("SELECT key, value FROM meta"))
        finally:
            con.close()
    except sqlite3.Error:
        return False  # missing, damaged or from an older layout: rebuild
    return meta.get("schema") == SCHEMA_VERSION and meta.get("graph_sha256") == _graph_sha256(out_dir)


def ensure_index(out_dir: Path) -> Path:
    """The index of the current build in the output folder `out_dir`, written from its graph.nt first
    if absent or stale."""
    out_dir = current_build(out_dir)  # resolved once: the index, graph.nt and manifest of one build
    if not (out_dir / "graph.nt").is_file():
        raise NotBuiltError(f"no built graph in {out_dir}: run `bindergraph build` first")
    require_fts5()
    index = out_dir / INDEX_FILE
    if not index.is_file() or not _is_current(index, out_dir):
        write_search_index(out_dir)
    return index


# -------------------------------------------------------------------------------------- querying
@dataclass(frozen=True)
class _Term:
    text: str
    prefix: bool = False

    def fts(self) -> str:
        return '"' + self.text.replace('"', '""') + '"' + ("*" if self.prefix else "")


_QUERY_TERM = re.compile(r'"([^"]*)"?|(\S+)')  # a "phrase" (closed or not) or a plain word


def parse_query(text: str) -> list[_Term]:
    """The user's words and phrases, as searched; terms without a letter or digit are dropped."""
    terms = []
    for m in _QUERY_TERM.finditer(as_searched(text)):
        phrase, word = m.group(1), m.group(2)
        term = _Term(phrase) if phrase is not None else _Term(word.rstrip("*"), word.endswith("*"))
        if any(ch.isalnum() or ch in TOKENCHARS for ch in term.text):
            terms.append(term)
    return terms


def search(out_dir: Path, text: str, kind: str | None = None, limit: int = 20) -> list[Hit]:
    """The best `limit` hits for `text` in the build in `out_dir` (see the module docstring)."""
    if kind is not None and kind not in KINDS:
        raise QueryError(f"search: unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if limit < 1:
        raise QueryError(f"search: --limit must be at least 1, got {limit}")
    terms = parse_query(text)
    if not terms:
        raise QueryError(f"search: no word to search for in {text!r}")
    index = ensure_index(out_dir)
    con = _read_only(index)
    try:
        return [_hit(row) for row in con.execute(*_select(terms, text, kind, limit))]
    except sqlite3.Error as exc:
        raise QueryError(f"search: cannot search for {text!r}: {exc}") from None
    finally:
        con.close()


_SNIPPET_COLUMNS = ("body", "name", "note", "cites")  # the snippet comes from the first that matches


def _select(terms: list[_Term], text: str, kind: str | None, limit: int) -> tuple[str, dict]:
    args: dict = {"expr": " AND ".join(t.fts() for t in terms), "kind": kind, "limit": limit,
                  "text": as_searched(text).strip().lower()}
    order = ["(lower(id) = :text OR lower(summary) = :text) DESC"]  # PAA the binder before blends naming PAA
    if len(terms) > 1:  # all the words in sequence rank first
        args["phrase"] = _Term(" ".join(t.text for t in terms)).fts()
        order.append("search.rowid IN (SELECT rowid FROM search WHERE search MATCH :phrase) DESC")
    order += ["score", "CASE kind " + " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(KINDS)) + " END", "id"]
    snippets = ", ".join(f"snippet(search, {_COLUMNS.index(c)}, '{_OPEN}', '{_CLOSE}', '…', {_SNIPPET_TOKENS})"
                         for c in _SNIPPET_COLUMNS)
    sql = (f"SELECT kind, id, summary, section, bm25(search, {', '.join(map(str, _WEIGHTS))}) AS score, {snippets} "
           "FROM search WHERE search MATCH :expr AND (:kind IS NULL OR kind = :kind) "
           f"ORDER BY {', '.join(order)} LIMIT :limit")
    return sql, args


def _hit(row: tuple) -> Hit:
    kind, ident, summary, section, score, *snippets = row
    marked = next((s for s in snippets if _OPEN in s), snippets[0])
    plain, spans, pos, start = [], [], 0, 0
    for part in re.split(f"([{_OPEN}{_CLOSE}])", marked):
        if part == _OPEN:
            start = pos
        elif part == _CLOSE:
            spans.append((start, pos))
        else:
            plain.append(part)
            pos += len(part)
    return Hit(kind, ident, summary, section, "".join(plain), tuple(spans), score)


# ------------------------------------------------------------------------------------ as a Result
def hits_result(hits: list[Hit], marked: bool) -> Result:
    """Rows for the shared printers: the snippet with matches in […] (`marked`, for the terminal
    table), else the plain snippet with the offsets of its first match."""
    variables = ["kind", "id", "summary", "section", "snippet"]
    if not marked:
        variables += ["match_start", "match_end"]
    rows = []
    for h in hits:
        row = {"kind": h.kind, "id": h.id, "summary": h.summary, "section": h.section,
               "snippet": h.marked() if marked else h.snippet}
        row = {k: Term("literal", v) for k, v in row.items() if v}
        if not marked and h.spans:
            row["match_start"], row["match_end"] = (Term("literal", str(n), XSD + "integer") for n in h.spans[0])
        rows.append(row)
    return Result(variables, rows)
