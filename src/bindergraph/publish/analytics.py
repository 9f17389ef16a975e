"""The entity network behind the claims, and hub analytics on it (`bindergraph hubs`).

`load_claims` reads every claim, the entities it touches and their labels, types and external
links with a handful of SPARQL queries; `entity_graph` projects the claims onto a networkx graph
whose nodes are entities (binders, groups, mechanisms, materials, ...) and whose edges are claims.
The HTML map (`bindergraph.page`) draws that same projection.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from ..query.engine import PREFIXES, Engine, Result, Term
from ..query.results import Report, table_of, terminal_width, titled, to_table

BG = "https://w3id.org/bindergraph/ontology#"
OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"

# Node kinds in precedence order: an entity gets the first kind whose class it is an instance of.
# (key, class IRI, legend label); "class" marks general statements about a whole class of things.
KINDS: tuple[tuple[str, str, str], ...] = (
    ("binder", BG + "Binder", "binder"),
    ("group", BG + "FunctionalGroup", "functional group"),
    ("mechanism", BG + "Mechanism", "function / mechanism"),
    ("material", BG + "ActiveMaterial", "active material"),
    ("component", BG + "CellComponent", "cell component"),
    ("battery", BG + "BatteryType", "battery type"),
    ("solvent", BG + "Solvent", "solvent"),
    ("process", BG + "ProcessingRoute", "processing route"),
    ("chemical", BG + "ChemicalEntity", "chemical species"),
    ("drawback", BG + "Drawback", "drawback"),
    ("class", OWL_CLASS, "class (general statement)"),
    ("reference", BG + "Reference", "reference"),
)

# Claim roles that name an entity besides subject and object: these become context edges.
CONTEXT_ROLES: dict[str, str] = {
    "activeMaterial": "with active material",
    "cellComponent": "in cell component",
    "batteryType": "in battery type",
    "viaGroup": "via group",
    "target": "acts on",
    "solvent": "with solvent or route",
    "comparator": "compared against",
}
MATCH_PROPS = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass
class Claim:
    iri: str
    relation: str  # the semantic-layer property IRI, e.g. bg:hasFunction
    section: str  # section number, e.g. "3.1.1"
    quote: str
    subjects: list[str] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)
    context: list[tuple[str, str]] = field(default_factory=list)  # (role local name, entity IRI)
    refs: list[str] = field(default_factory=list)
    stance: str = "positive"  # positive, negative or hedged
    collective: bool = False  # a statement about its subjects as a group: it pairs none of them
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (subject, object) its statements pair


@dataclass
class Entity:
    iri: str
    kind: str
    label: str
    alt: list[str] = field(default_factory=list)
    types: set[str] = field(default_factory=set)
    matches: list[tuple[str, str]] = field(default_factory=list)  # (skos property local name, IRI)
    broader: set[str] = field(default_factory=set)


@dataclass
class Reference:
    iri: str
    number: int
    label: str
    doi: str | None


@dataclass
class ClaimData:
    claims: list[Claim]
    entities: dict[str, Entity]
    references: dict[str, Reference]
    sections: dict[str, str]  # number -> label
    term_labels: dict[str, str]  # labels of the ontology's classes and properties
    superclasses: dict[str, set[str]]  # class -> direct superclasses

    def label(self, iri: str) -> str:
        ent = self.entities.get(iri)
        return ent.label if ent else self.term_labels.get(iri, local_name(iri))

    def families(self, iri: str) -> set[str]:
        """Mechanism families of an entity: its types that are direct subclasses of bg:Mechanism."""
        ent = self.entities.get(iri)
        if not ent:
            return set()
        return {t for t in ent.types if BG + "Mechanism" in self.superclasses.get(t, ())}

    def most_specific(self, iri: str) -> list[str]:
        """The entity's classes without those implied by another of its classes."""
        types = self.entities[iri].types
        implied = set().union(*(self.ancestors(t) for t in types)) if types else set()
        return sorted(t for t in types if t not in implied and t.startswith(BG))

    def ancestors(self, cls: str) -> set[str]:
        seen: set[str] = set()
        todo = list(self.superclasses.get(cls, ()))
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                todo.extend(self.superclasses.get(c, ()))
        return seen


def local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# ------------------------------------------------------------------------------------ loading
_ROLES = " ".join(f"bg:{r}" for r in ("claimSubject", "claimObject", "aboutClass", *CONTEXT_ROLES))

_CLAIMS = """SELECT ?c ?rel ?num ?quote ?stance ?pairing WHERE {
  ?c a bg:Claim ; bg:claimRelation ?rel ; bg:inSection/bg:sectionNumber ?num .
  OPTIONAL { ?c bg:quote ?quote } OPTIONAL { ?c bg:stance ?stance } OPTIONAL { ?c bg:pairing ?pairing } }"""
# The (subject, object) pairs of each claim's own relation, as its statements name them (its pairing).
_CLAIM_PAIRS = """SELECT ?c ?s ?o WHERE {
  ?st prov:wasDerivedFrom ?c ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o . ?c bg:claimRelation ?p }"""
_CLAIM_ROLES = f"""SELECT ?c ?role ?x WHERE {{
  ?c a bg:Claim ; ?role ?x . VALUES ?role {{ {_ROLES} }} FILTER(isIRI(?x)) }}"""
_CLAIM_REFS = """SELECT ?c ?r ?n ?label ?doi WHERE {
  ?c a bg:Claim ; dcterms:references ?r . ?r bg:referenceNumber ?n .
  OPTIONAL { ?r rdfs:label ?label } OPTIONAL { ?r bibo:doi ?doi } }"""
# Facts of every resource, not joined with the claims: the join is five times slower in Oxigraph,
# and load_claims keeps only the resources a claim mentions.
_ENTITY_FACTS = """SELECT ?x ?p ?v WHERE {
  VALUES ?p { rdfs:label skos:altLabel rdf:type skos:broader
              skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch }
  ?x ?p ?v . FILTER(STRSTARTS(STR(?x), "https://w3id.org/bindergraph/resource/")) }"""
_SECTIONS = "SELECT ?num ?label WHERE { ?s a bg:ReviewSection ; bg:sectionNumber ?num ; rdfs:label ?label }"
_TERMS = """SELECT ?c ?label ?super WHERE {
  { ?c a owl:Class } UNION { ?c a owl:ObjectProperty } UNION { ?c a owl:AnnotationProperty }
  FILTER(isIRI(?c)) OPTIONAL { ?c rdfs:label ?label }
  OPTIONAL { ?c rdfs:subClassOf ?super FILTER(isIRI(?super)) } }"""


def load_claims(engine: Engine) -> ClaimData:
    """Every claim with its roles, evidence and references, and the entities it touches."""
    def rows(q):
        return engine.select(PREFIXES + q).rows

    claims = {r["c"].value: Claim(r["c"].value, r["rel"].value, r["num"].value,
                                  r["quote"].value if "quote" in r else "",
                                  stance=r["stance"].value if "stance" in r else "positive",
                                  collective="pairing" in r and r["pairing"].value == "collective")
              for r in rows(_CLAIMS)}
    for r in rows(_CLAIM_ROLES):
        _add_role(claims.get(r["c"].value), local_name(r["role"].value), r["x"].value)
    for r in rows(_CLAIM_PAIRS):
        claims[r["c"].value].pairs.append((r["s"].value, r["o"].value))
    refs: dict[str, Reference] = {}
    for r in rows(_CLAIM_REFS):
        iri = r["r"].value
        refs.setdefault(iri, Reference(iri, int(r["n"].value), r["label"].value if "label" in r else f"[{r['n'].value}]",
                                       r["doi"].value if "doi" in r else None))
        if iri not in claims[r["c"].value].refs:
            claims[r["c"].value].refs.append(iri)
    term_labels, supers = {}, defaultdict(set)
    for r in rows(_TERMS):
        if "label" in r:
            term_labels.setdefault(r["c"].value, r["label"].value)
        if "super" in r:
            supers[r["c"].value].add(r["super"].value)
    data = ClaimData(sorted(claims.values(), key=lambda c: c.iri), {}, refs,
                     {r["num"].value: r["label"].value for r in rows(_SECTIONS)}, term_labels, dict(supers))
    data.entities = _entities(rows(_ENTITY_FACTS), data)
    for c in data.claims:
        c.refs.sort(key=lambda i: refs[i].number)
    return data


def _add_role(claim: Claim | None, role: str, iri: str) -> None:
    if claim is None:
        return
    if role == "claimSubject":
        claim.subjects.append(iri)
    elif role == "aboutClass":
        claim.context.append(("aboutClass", iri))
    elif role == "claimObject":
        claim.objects.append(iri)
    else:
        claim.context.append((role, iri))


def _entities(facts, data: ClaimData) -> dict[str, Entity]:
    mentioned = {iri for c in data.claims for iri in (*c.subjects, *c.objects, *(x for _, x in c.context))}
    raw: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in facts:
        if r["x"].value in mentioned:
            raw[r["x"].value][r["p"].value].append(r["v"].value)
    out = {}
    for iri, props in raw.items():
        types = set(props.get(RDF_TYPE, ()))
        kind = next((k for k, cls, _ in KINDS if cls in types), None)
        if kind is None:
            continue  # not a domain entity (e.g. a measurement): schema plumbing, not a node
        labels = sorted(props.get(RDFS_LABEL, ())) or [data.term_labels.get(iri, local_name(iri))]
        matches = sorted((p, v) for p in MATCH_PROPS for v in props.get(SKOS + p, ()))
        out[iri] = Entity(iri, kind, labels[0], sorted(set(props.get(SKOS + "altLabel", ()))), types, matches,
                          set(props.get(SKOS + "broader", ())))
    # Subjects of general statements are classes (bg:aboutClass); they are nodes of kind "class".
    for c in data.claims:
        for role, iri in c.context:
            if role == "aboutClass" and iri not in out:
                out[iri] = Entity(iri, "class", data.term_labels.get(iri, local_name(iri)), [], {OWL_CLASS})
    return out


# --------------------------------------------------------------------------------- projection
def claim_subjects(c: Claim) -> list[str]:
    """The claim's subjects; a general statement's subject is the class it is about."""
    return c.subjects or [iri for role, iri in c.context if role == "aboutClass"]


def main_pairs(c: Claim) -> list[tuple[str, str]]:
    """(subject, object) of the claim's relation: the pairs its statements name (its pairing); none for a
    collective statement; every subject with every object where the claim names no pair (a statement
    about a class)."""
    if c.collective:
        return []
    if c.pairs:
        subjects = set(c.subjects)
        return [(s, o) for s, o in c.pairs if s in subjects]
    return [(s, o) for s in claim_subjects(c) for o in c.objects]


def claim_edges(c: Claim, data: ClaimData, references: bool = False):
    """(subject, relation key, relation label, object) for each edge a claim yields: subject ->
    object for its relation (as the claim pairs them; a negative or hedged claim on an edge of its
    own, "applied in (negative)"), subject -> each context entity, and (optionally) subject -> reference."""
    ents = data.entities
    subjects = [s for s in claim_subjects(c) if s in ents]
    rel_key = local_name(c.relation)
    rel_label = data.term_labels.get(c.relation, rel_key)
    if c.stance != "positive":
        rel_key, rel_label = f"{rel_key}~{c.stance}", f"{rel_label} ({c.stance})"
    pairs = [(s, o) for s, o in main_pairs(c) if s in ents and o in ents and o != s]
    for s, o in pairs:
        yield s, rel_key, rel_label, o
    for s in subjects:
        linked = set(c.objects) | {s}
        for role, x in c.context:
            # A context entity that is already the object would only duplicate the main edge.
            if role in CONTEXT_ROLES and x in ents and x not in linked:
                linked.add(x)
                yield s, "ctx:" + role, CONTEXT_ROLES[role], x
        if references:
            for r in c.refs:
                yield s, "reportedIn", "reported in", r


def via_group_edges(data: ClaimData, claims: list[Claim] | None = None):
    """(group, relation key, mechanism, claim IRI) for each function a claim credits "via" a group
    (bg:viaGroup context of a bg:hasFunction claim): the group -> function step of binder -> group -> function."""
    for c in data.claims if claims is None else claims:
        if c.relation != BG + "hasFunction" or c.collective:
            continue
        key = "servesVia" + ("" if c.stance == "positive" else "~" + c.stance)
        for role, grp in c.context:
            if role != "viaGroup" or grp not in data.entities:
                continue
            for m in c.objects:
                if data.entities.get(m) and data.entities[m].kind == "mechanism":
                    yield grp, key, m, c.iri


def entity_graph(data: ClaimData, claims: list[Claim] | None = None, references: bool = False) -> nx.MultiDiGraph:
    """Entities as nodes; one edge per (subject, relation, object) carrying the claims behind it."""
    g = nx.MultiDiGraph()
    for c in data.claims if claims is None else claims:
        for s, key, label, o in claim_edges(c, data, references):
            for n in (s, o):
                if n not in g:
                    g.add_node(n)
            if g.has_edge(s, o, key):
                g.edges[s, o, key]["claims"].append(c.iri)
            else:
                g.add_edge(s, o, key, relation=key, label=label, claims=[c.iri])
    return g


# ---------------------------------------------------------------------------------- analytics
@dataclass
class _Functions:
    mechanisms: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    claims: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def _functions(data: ClaimData) -> _Functions:
    """Mechanisms each binder or group is reported to perform (as subject, or as the group a
    binder acts through)."""
    f = _Functions()
    for c in data.claims:
        if c.relation != BG + "hasFunction":
            continue
        actors = claim_subjects(c) + [x for role, x in c.context if role == "viaGroup"]
        for a in actors:
            for m in c.objects:
                if data.entities.get(m) and data.entities[m].kind == "mechanism":
                    f.mechanisms[a].add(m)
                    f.claims[a].add(c.iri)
    return f


_TITLES = {"binders": "Most multifunctional binders (distinct mechanism families, then mechanisms)",
           "groups": "Most multifunctional functional groups (distinct mechanism families, then mechanisms)",
           "mechanisms": "Mechanisms with the most supporting binders",
           "bridges": "Binders bridging application areas (active-material classes; betweenness on the "
                      "binder-material graph)"}


def hubs_output(engine: Engine, top: int = 10) -> Report:
    """The analytics as tables (entities as IRIs, numbers typed) and as text, one titled table each."""
    data = load_claims(engine)
    g = nx.Graph(entity_graph(data))
    centrality = nx.degree_centrality(g) if len(g) > 1 else {n: 0.0 for n in g}
    funcs = _functions(data)
    tables = {"binders": _multifunctional(data, funcs, centrality, "binder", top),
              "groups": _multifunctional(data, funcs, centrality, "group", top),
              "mechanisms": _mechanism_support(data, top), "bridges": _bridges(data, top)}
    labels = {t.value: data.label(t.value) for res in tables.values() for row in res.rows for t in row.values()
              if t.kind == "uri"}
    width = terminal_width()
    parts = [f"Hubs of the binder graph: {len(data.claims)} claims, {g.number_of_nodes()} entities, "
             f"{g.number_of_edges()} linked pairs (networkx).\n"]
    parts += [titled(_TITLES[name], to_table(res, labels, width), width) for name, res in tables.items()]
    summary = table_of(["claims", "entities", "linkedPairs"], [(len(data.claims), len(g), g.number_of_edges())])
    return Report("\n".join(parts), {"summary": summary, **tables})


def hubs_report(engine: Engine, top: int = 10) -> str:
    return hubs_output(engine, top).text


def _multifunctional(data, funcs, centrality, kind, top) -> Result:
    rows = []
    for iri, mechs in funcs.mechanisms.items():
        if data.entities.get(iri) and data.entities[iri].kind == kind:
            fams = set().union(*(data.families(m) for m in mechs))
            rows.append((len(fams), len(mechs), centrality.get(iri, 0.0), iri, fams))
    rows.sort(key=lambda r: (-r[0], -r[1], -r[2], data.label(r[3]).lower()))
    return table_of(["name", "families", "mechanisms", "degreeCentrality", "mechanismFamilies"],
                    [(Term("uri", iri), nf, nm, round(dc, 3), _names(fams)) for nf, nm, dc, iri, fams in rows[:top]])


def _mechanism_support(data: ClaimData, top: int) -> Result:
    binders: dict[str, set[str]] = defaultdict(set)
    claims: dict[str, int] = defaultdict(int)
    for c in data.claims:
        if c.relation != BG + "hasFunction":
            continue
        for m in c.objects:
            if data.entities.get(m) and data.entities[m].kind == "mechanism":
                claims[m] += 1
                binders[m] |= {s for s in c.subjects if data.entities.get(s) and data.entities[s].kind == "binder"}
    rows = sorted(binders, key=lambda m: (-len(binders[m]), -claims[m], data.label(m).lower()))
    return table_of(["mechanism", "binders", "claims", "family"],
                    [(Term("uri", m), len(binders[m]), claims[m], _names(data.families(m))) for m in rows[:top]])


def _application_areas(data: ClaimData, material: str) -> set[str]:
    """The material's classes one level below cathode/anode material (sulfur cathode, silicon anode, ...)."""
    tops = {BG + "CathodeMaterial", BG + "AnodeMaterial"}
    ent = data.entities[material]
    areas = {t for t in ent.types if data.superclasses.get(t, set()) & tops}
    return areas or (ent.types & tops)


def binder_material_graph(data: ClaimData) -> nx.Graph:
    """Bipartite graph: a binder is linked to each active material a claim uses it with."""
    g = nx.Graph()
    for c in data.claims:
        mats = {x for role, x in c.context if role == "activeMaterial"}
        mats |= set(c.objects) if c.relation == BG + "appliedIn" else set()
        for s in c.subjects:
            for m in mats:
                if data.entities.get(s) and data.entities[s].kind == "binder" and \
                        data.entities.get(m) and data.entities[m].kind == "material":
                    g.add_node(s, side="binder")
                    g.add_node(m, side="material")
                    g.add_edge(s, m)
    return g


def _bridges(data: ClaimData, top: int) -> Result:
    g = binder_material_graph(data)
    between = nx.betweenness_centrality(g) if len(g) > 2 else {}
    rows = []
    for b in (n for n, d in g.nodes(data=True) if d["side"] == "binder"):
        areas = set().union(*(_application_areas(data, m) for m in g[b]))
        if len(areas) >= 2:  # a bridge joins at least two application areas
            rows.append((len(areas), between.get(b, 0.0), b, areas))
    rows.sort(key=lambda r: (-r[0], -r[1], data.label(r[2]).lower()))
    return table_of(["binder", "areas", "betweenness", "materials", "applicationAreas"],
                    [(Term("uri", b), n, round(bc, 3), g.degree(b), _names(areas)) for n, bc, b, areas in rows[:top]])


def _names(classes) -> str:
    """Class names as `--mechanism` and the ontology spell them (Adhesion, SiliconAnode)."""
    return ", ".join(sorted(local_name(c) for c in classes))
