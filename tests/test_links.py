"""External links: the SSSOM table, the import modules, what the build and the CLI make of them.

The content checks run against the shipped import modules always, and against the offline reference
data (ChEBI 2024-01-18, EMMO/BattINFO snapshot, Wikidata and PubChem tables) when it is available
($BINDERGRAPH_REFERENCE, default /work/shared/ontologies); they are skipped otherwise.
"""
from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from bindergraph import paths
from bindergraph.cli import main
from bindergraph.curate.curation import check_records
from bindergraph.errors import RecordError
from bindergraph.graph.links import (IMPORT_FILES, MAPPINGS_FILE, UNLINKED_FILE, link_graphs, read_sssom,
                               read_unlinked)
from bindergraph.query.catalogue import bind_params, get_query
from bindergraph.query.stats import compute_stats

REFERENCE = Path(os.environ.get("BINDERGRAPH_REFERENCE", "/work/shared/ontologies"))
needs_reference = pytest.mark.skipif(not (REFERENCE / "chebi").is_dir() or not (REFERENCE / "emmo").is_dir(),
                                     reason=f"offline reference data not found in {REFERENCE}")
CHEBI = "http://purl.obolibrary.org/obo/CHEBI_"
EMMO = "https://w3id.org/emmo"
GROUP, POLYMER, CHEM_ENTITY, ION = (URIRef(CHEBI + n) for n in ("24433", "60027", "24431", "24870"))
MATCHES = {SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.relatedMatch}


# ------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def mset():
    return read_sssom(MAPPINGS_FILE)


@pytest.fixture(scope="module")
def imports() -> Graph:
    g = Graph()
    for p in IMPORT_FILES:
        g.parse(p, format="turtle")
    return g


@pytest.fixture(scope="module")
def cur(tbox, review):
    return check_records(paths.RECORDS_DIR, tbox, review)


@pytest.fixture(scope="module")
def built(full_build) -> Graph:
    """The links and imports named graphs of the full build, read back from graph.nq."""
    g = Graph()
    links_iri, imports_iri = "<https://w3id.org/bindergraph/graph/links>", "<https://w3id.org/bindergraph/graph/imports>"
    lines = [l[: l.rfind("<")].rstrip() + " ." for l in (full_build / "graph.nq").read_text(encoding="utf-8").splitlines()
             if l.rstrip().endswith((links_iri + " .", imports_iri + " ."))]
    g.parse(data="\n".join(lines), format="nt")
    return g


def ancestors(g: Graph, cls: URIRef) -> set[URIRef]:
    return set(g.transitive_objects(cls, RDFS.subClassOf))


def rows_for(mset, subject_id: str) -> dict[str, str]:
    return {m.object_id: m.predicate_id for m in mset.mappings if m.subject_id == subject_id}


@lru_cache(maxsize=1)
def chebi_terms() -> dict[str, dict]:
    with gzip.open(REFERENCE / "chebi" / "chebi_lite_2024-01-18.json.gz", "rt", encoding="utf-8") as fh:
        return {t["id"]: t for t in json.load(fh)}


@lru_cache(maxsize=1)
def emmo_graph() -> Graph:
    g = Graph()
    for p in sorted((REFERENCE / "emmo").rglob("*.ttl")):
        g.parse(p, format="turtle")
    return g


@lru_cache(maxsize=1)
def emmo_context() -> dict[str, str]:
    ctx = json.loads((REFERENCE / "emmo" / "domain-battery" / "context" / "context.json").read_text())["@context"]
    out = {}
    for term, v in ctx.items():
        iri = v if isinstance(v, str) else v.get("@id") if isinstance(v, dict) else None
        if isinstance(iri, str):
            out.setdefault(iri, term)
    return out


def _pairs(name: str, a: str, b: str) -> set[tuple[str, str]]:
    with open(REFERENCE / "chebi" / name, encoding="utf-8") as fh:
        return {(r[a], r[b]) for r in csv.DictReader(fh, delimiter="\t")}


# ------------------------------------------------------------------------------- the table
def test_table_header_and_rows_are_curated(mset):
    assert mset.meta["license"] == "https://creativecommons.org/licenses/by/4.0/"
    for prefix in ("bgr", "bg", "CHEBI", "wd", "pubchem.compound", "emmo", "echem", "battery", "chemsub"):
        assert prefix in mset.curie_map, prefix
    assert len(mset.mappings) > 300
    assert {m.predicate_id for m in mset.mappings} <= {"skos:exactMatch", "skos:closeMatch", "skos:broadMatch",
                                                       "skos:relatedMatch"}
    for m in mset.mappings:
        assert m.comment and 0 <= m.confidence <= 1 and m.justification.startswith("semapv:"), m.record
        if m.object_id.split(":")[0] in ("wd", "pubchem.compound"):
            assert m.justification == "semapv:MappingChaining", m.record
    # class-level rows are never exact: bg classes classify kinds, EMMO/ChEBI classes classify things
    assert not [m for m in mset.mappings if m.subject_id.startswith("bg:") and m.predicate_id == "skos:exactMatch"]


def test_binder_class_is_related_to_emmo_binder_role(mset):
    rows = rows_for(mset, "bg:Binder")
    assert rows == {"echem:electrochemistry_68eb5e35_5bd8_47b1_9b7f_f67224fa291e": "skos:relatedMatch"}


def test_known_traps(mset):
    pvdf = rows_for(mset, "bgr:PVDF")
    assert pvdf["CHEBI:53250"] == "skos:closeMatch"                       # 'poly(vinylene fluoride)'
    assert pvdf["CHEBI:82550"] == "skos:relatedMatch"                     # the monomer, never exact
    assert not [o for o in pvdf if o.startswith("pubchem")]               # EMMO's CID 135021938 is not PVDF
    emmo_pvdf = next(m for m in mset.mappings if m.subject_id == "bgr:PVDF" and m.object_id.startswith("chemsub:"))
    assert "C22H25NO4S" in emmo_pvdf.comment and "135021938" in emmo_pvdf.comment
    assert "CHEBI:85146" in rows_for(mset, "bgr:CMC") and "CHEBI:31357" not in {m.object_id for m in mset.mappings}
    assert rows_for(mset, "bgr:cellulose") == {"CHEBI:18246": "skos:closeMatch", "wd:Q80294": "skos:closeMatch"}
    assert rows_for(mset, "bgr:PPy") == {"CHEBI:53263": "skos:closeMatch"}
    assert "CHEBI:38077" not in {m.object_id for m in mset.mappings}
    # absent from ChEBI: never an exact ChEBI link
    for ent in ("LiTFSI", "LiFSI", "LiDFOB", "LFP", "LCO", "sericin", "GG"):
        assert not [o for o, p in rows_for(mset, "bgr:" + ent).items() if o.startswith("CHEBI:") and p == "skos:exactMatch"]
    # NCM523 (Ni:Co:Mn 5:2:3) is EMMO's NMC532; context-only IRIs say so in the comment
    ncm523 = next(m for m in mset.mappings if m.subject_id == "bgr:NCM523")
    assert ncm523.object_label == "LithiumNickelManganeseCobaltOxide532" and "context" in ncm523.comment
    # no PubChem CID for a polymer unless two sources agree, and then only close
    for m in mset.mappings:
        if m.object_id.startswith("pubchem") and m.subject_id in ("bgr:SBR",):
            assert m.predicate_id == "skos:closeMatch"
    assert not [m for m in mset.mappings if m.object_id.startswith("pubchem")
                and m.subject_id in ("bgr:PEG", "bgr:PEO", "bgr:PVDF", "bgr:CMC", "bgr:chitosan", "bgr:PAA")]


def test_exact_matches_only_between_same_kinds(mset, imports, cur):
    """A binder is exactly a ChEBI polymer (material) entry, an inorganic binder a compound, a group a ChEBI
    group, a constituent polymer (a chemical entity) a polymer entry, a solvent/chemical/material a chemical
    entity that is neither a group nor a polymer."""
    for m in mset.mappings:
        if m.predicate_id != "skos:exactMatch" or m.subject_id.startswith("bg:"):
            continue
        ent = m.subject_id[4:]
        cat, types = cur.categories[ent], set(cur.entities[ent].type)
        if m.object_id.startswith("CHEBI:"):
            anc = ancestors(imports, m.object) | {m.object}
            assert CHEM_ENTITY in anc, m.record
            if cat == "Binder" and "InorganicBinder" not in types:
                assert POLYMER in anc, f"{m.record}: a binder is exactly a ChEBI polymer (material) entry"
            elif cat == "FunctionalGroup":
                assert GROUP in anc, f"{m.record}: a group is exactly a ChEBI group"
            elif cat == "ChemicalEntity" and POLYMER in anc:
                pass  # a polymer the review names only as a constituent of a binder (PEDOT of PEDOT:PSS)
            else:
                assert GROUP not in anc and POLYMER not in anc, f"{m.record}: kind mismatch"
                if "Ion" in types or "TransitionMetalIon" in types:
                    assert ION in anc, m.record
        elif m.object_id.split(":")[0] in ("chemsub", "echem", "battery", "emmo"):
            labels = {str(imports.value(a, RDFS.label)) for a in ancestors(imports, m.object) | {m.object}}
            if cat in ("Binder", "ActiveMaterial", "Solvent", "ChemicalEntity"):
                context_only = imports.value(m.object, SKOS.editorialNote) is not None
                assert "ChemicalSubstance" in labels or context_only, m.record
                if cat == "Binder" and "InorganicBinder" not in types:
                    assert "PolymerCompound" in labels, m.record
            elif cat == "CellComponent":
                assert "ElectrochemicalComponent" in labels, m.record
            elif cat == "BatteryType":
                assert "Battery" in labels, m.record
            else:
                pytest.fail(f"{m.record}: no exact EMMO match expected for a {cat}")


def test_every_entity_in_scope_is_linked_or_listed_unlinked(mset, cur):
    mapped = {m.subject_id[4:] for m in mset.mappings if m.subject_id.startswith("bgr:")}
    unlinked = {u.subject_id[4:]: u.reason for u in read_unlinked(UNLINKED_FILE)}
    assert not mapped & set(unlinked)
    for eid, cat in cur.categories.items():
        if cat in ("Binder", "FunctionalGroup", "Solvent", "ActiveMaterial", "ChemicalEntity"):
            assert eid in mapped or eid in unlinked, f"{eid}: neither linked nor listed in unlinked.tsv"
    # coverage floor: common binders, every solvent that is a compound, common active materials
    for b in ("PVDF", "PTFE", "CMC", "SBR", "PAA", "PAALi", "PAANa", "SA", "chitosan", "cellulose", "PEO", "PAN", "PI",
              "PMMA", "PEDOT", "PANI", "PPy", "Nafion-Li"):
        assert any(o.startswith("CHEBI:") for o in rows_for(mset, "bgr:" + b)), b
    for s in ("water", "NMP", "p-xylene", "toluene", "heptane", "THF", "ethanol", "DMF", "DMC", "acetonitrile"):
        assert any(o.startswith("CHEBI:") and p == "skos:exactMatch" for o, p in rows_for(mset, "bgr:" + s).items()), s
    for a in ("LFP", "LCO", "NCM", "NCA", "LMO", "LNMO", "graphite", "Si", "Li-metal", "NCM811", "LTO", "sulfur"):
        assert any(o.startswith("chemsub:") for o in rows_for(mset, "bgr:" + a)), a
    groups = [e for e, c in cur.categories.items() if c == "FunctionalGroup"]
    assert sum(e in mapped for e in groups) >= len(groups) - 3  # only the three non-chemical 'groups' stay unlinked


# ------------------------------------------------------------------------- the built graph
def test_build_carries_links_and_imports(full_build, built, mset):
    counts = json.loads((full_build / "manifest.json").read_text())["counts"]
    assert counts["graph:links"] > 1000 and counts["graph:imports"] > 1000
    assert counts["graph:inferred"] > 0                      # HermiT ran on TBox + imports + data
    pvdf = URIRef("https://w3id.org/bindergraph/resource/PVDF")
    assert (pvdf, SKOS.closeMatch, URIRef(CHEBI + "53250")) in built
    assert (pvdf, SKOS.exactMatch, URIRef(CHEBI + "53250")) not in built
    assert str(built.value(URIRef(CHEBI + "53250"), RDFS.label)) == "poly(vinylene fluoride)"
    axiom = next(built.subjects(OWL.annotatedTarget, URIRef(CHEBI + "53250")))
    assert built.value(axiom, URIRef("https://w3id.org/sssom/mapping_justification")) == URIRef(
        "https://w3id.org/semapv/vocab/ManualMappingCuration")
    assert (URIRef(mset.meta["mapping_set_id"]), DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in built


def test_imports_hold_only_classes_labels_and_subclass_axioms(imports):
    """MIREOT modules: nothing a reasoner could turn into a contradiction."""
    allowed_p = {RDF.type, RDFS.label, RDFS.subClassOf, SKOS.prefLabel, SKOS.altLabel, SKOS.editorialNote,
                 OWL.versionInfo, OWL.versionIRI, DCTERMS.source, DCTERMS.license, DCTERMS.description, DCTERMS.bibliographicCitation}
    for s, p, o in imports:
        assert p in allowed_p, (s, p, o)
        if p == RDF.type:
            assert o in (OWL.Class, OWL.Ontology, OWL.AnnotationProperty), (s, o)
        if p == RDFS.subClassOf:
            assert isinstance(o, URIRef) and (o, RDF.type, OWL.Class) in imports, (s, o)
    for header in imports.subjects(RDF.type, OWL.Ontology):
        assert imports.value(header, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
        assert imports.value(header, DCTERMS.source) is not None and imports.value(header, OWL.versionInfo) is not None


def test_every_mapped_term_is_imported_with_the_table_label(mset, imports):
    for m in mset.mappings:
        if m.object_id.split(":")[0] in ("CHEBI", "chemsub", "echem", "battery", "emmo"):
            assert (m.object, RDF.type, OWL.Class) in imports, m.record
            assert str(imports.value(m.object, RDFS.label)) == m.object_label, m.record
    for cls in imports.subjects(RDF.type, OWL.Class):
        if str(cls).startswith(CHEBI):
            assert URIRef(CHEBI + "24431") in ancestors(imports, cls) | {cls}, cls  # cut up to 'chemical entity'


@pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")
def test_hermit_consistent_with_imports(cur, tbox, review):
    from bindergraph.graph.emit import build_graph
    from bindergraph.checks.reason import classify, semantic_layer
    from bindergraph.curate.references import parse_references

    parts = build_graph(cur, parse_references(review), review)
    _links, imports = link_graphs(cur)
    assert len(imports) > 1000
    inferred = classify(semantic_layer(tbox.graph, parts.data, imports))  # raises if inconsistent
    paa = URIRef("https://w3id.org/bindergraph/resource/PAA")
    assert (paa, RDF.type, URIRef("https://w3id.org/bindergraph/ontology#CarboxylBearingBinder")) in inferred


# --------------------------------------------------------------- against the reference data
@needs_reference
def test_external_iris_exist_are_current_and_labels_match(built, mset):
    """Every external IRI of the built graph (mapping targets and imported ancestors) exists in the reference
    data, is not obsolete (ChEBI) nor deprecated (EMMO), and carries the mapping table's label."""
    terms = chebi_terms()
    secondary = {a for t in terms.values() for a in (t.get("alt_ids") or [])}
    emmo, context = emmo_graph(), emmo_context()
    table_label = {str(m.object): m.object_label for m in mset.mappings}
    sssom = "https://w3id.org/sssom/"  # the links graph declares the SSSOM vocabulary it uses (OWL 2 DL)
    external = {o for s, p, o in built if p in MATCHES} | {c for c in built.subjects(RDF.type, OWL.Class)
                                                         if not str(c).startswith(sssom)}
    assert len(external) > 500
    for iri in sorted(external, key=str):
        s = str(iri)
        label = str(built.value(iri, RDFS.label)) if built.value(iri, RDFS.label) is not None else None
        if s in table_label:
            assert label == table_label[s] or (label is None and not table_label[s]), s
        if s.startswith(CHEBI):
            cid = "CHEBI:" + s[len(CHEBI):]
            assert cid in terms and cid not in secondary, f"{cid} is not a current ChEBI term"
            assert terms[cid]["name"] == label, cid
        elif s.startswith(EMMO):
            if (iri, RDF.type, OWL.Class) in emmo:
                assert not any(str(o).lower() == "true" for o in emmo.objects(iri, OWL.deprecated)), f"{s} is deprecated"
                assert label in {str(l) for l in emmo.objects(iri, SKOS.prefLabel)}, s
            else:
                assert context.get(s) == label, f"{s} is neither an EMMO class of the snapshot nor a context term"
        elif s.startswith(("http://www.wikidata.org/entity/", "http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID")):
            pass  # checked through the chained ChEBI row below
        else:
            pytest.fail(f"unexpected external namespace: {s}")


@needs_reference
def test_wikidata_and_pubchem_ids_are_verified_through_chebi(mset, cur):
    wd = _pairs("wikidata_chebi_2019-11-04.tsv", "chebi_id", "wikidata_id")
    pc = {("CHEBI:" + c, p) for c, p in _pairs("chebi_to_pubchem.tsv", "CHEBI", "PUBCHEM")}
    chebi_rows = defaultdict(set)
    for m in mset.mappings:
        if m.object_id.startswith("CHEBI:") and m.predicate_id in ("skos:exactMatch", "skos:closeMatch"):
            chebi_rows[m.subject_id].add(m.object_id)
    n = 0
    for m in mset.mappings:
        prefix, local = m.object_id.split(":", 1)
        if prefix == "wd":
            assert any((c, local) in wd for c in chebi_rows[m.subject_id]), m.record
            n += 1
        elif prefix == "pubchem.compound":
            assert any((c, local) in pc for c in chebi_rows[m.subject_id]), m.record
            assert not m.subject_id.startswith("bg:") and cur.categories[m.subject_id[4:]] != "FunctionalGroup", m.record
            n += 1
    assert n > 50


@needs_reference
def test_shipped_import_modules_are_what_the_script_cuts(tmp_path):
    res = subprocess.run([sys.executable, str(Path(__file__).resolve().parents[1] / "scripts" / "cut_imports.py"), str(REFERENCE), "--check"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


# -------------------------------------------------------------------------------- queries, CLI
def _run(engine, name, **params):
    bound = bind_params(get_query(name), params, engine)
    return engine.select(bound.query, bound.bindings)


def _ids(res, var):
    return {r[var].value.rsplit("/", 1)[-1] for r in res.rows if var in r}


def test_external_ids_query(engine):
    res = _run(engine, "external-ids")  # default: PVDF
    rows = {(r["id"].value, r["match"].value.rsplit("#", 1)[-1], r["source"].value) for r in res.rows}
    assert ("CHEBI:53250", "closeMatch", "ChEBI") in rows
    assert ("wd:Q146393", "exactMatch", "Wikidata") in rows
    assert any(src == "EMMO/BattINFO" and match == "exactMatch" for _, match, src in rows)
    res = _run(engine, "external-ids", binder="carboxyl")
    assert ("CHEBI:46883", "exactMatch") in {(r["id"].value, r["match"].value.rsplit("#", 1)[-1]) for r in res.rows}


def test_chebi_polysaccharide_binders_query(engine):
    found = _ids(_run(engine, "chebi-polysaccharide-binders"), "binder")
    assert {"CMC", "SA", "chitosan", "cellulose", "XG", "GG"} <= found
    assert not {"PVDF", "PAA", "lignin", "PEO"} & found


def test_chebi_carboxylic_acid_binders_query(engine):
    res = _run(engine, "chebi-carboxylic-acid-binders")
    found = _ids(res, "binder")
    assert {"PAA", "PAALi", "CMC", "SA"} <= found
    assert not {"PVDF", "chitosan", "PEO", "PAN"} & found
    paa = next(r for r in res.rows if r["binder"].value.endswith("/PAA"))
    assert paa["match"].value.endswith("relatedMatch")  # through its monomer, acrylic acid
    cmc = next(r for r in res.rows if r["binder"].value.endswith("/CMC"))
    assert set(cmc["recordedGroups"].value.split(", ")) == {"carboxyl", "carboxymethyl"}


def test_emmo_binder_materials_query(engine):
    res = _run(engine, "emmo-binder-materials")
    assert {"PVDF", "CMC", "SBR", "PAA", "PTFE", "PAN"} <= _ids(res, "entity")
    res = _run(engine, "emmo-binder-materials", kind="ActiveMaterial")
    assert {"LFP", "LCO", "NCM", "graphite", "Si", "NCM811"} <= _ids(res, "entity")


def test_cli_links_pvdf(full_build):
    res = CliRunner().invoke(main, ["--out", str(full_build), "links", "PVDF"], catch_exceptions=False)
    assert res.exit_code == 0
    line = next(l for l in res.output.splitlines() if "CHEBI:53250" in l)
    assert "closeMatch" in line and "poly(vinylene fluoride)" in line
    assert "C22H25NO4S" in res.output  # the comment explains the EMMO trap


def test_cli_links_all_lists_summary_and_unlinked(full_build):
    res = CliRunner().invoke(main, ["--out", str(full_build), "links"], catch_exceptions=False)
    assert res.exit_code == 0
    assert "bgr:PVDF" in res.output and "ChEBI" in res.output and "Left unlinked on purpose" in res.output
    assert "bgr:PVDF-HFP" in res.output  # unlinked, with its reason
    res = CliRunner().invoke(main, ["--out", str(full_build), "links", "PVDF-HFP"], catch_exceptions=False)
    assert "no external links" in res.output and "hexafluoropropylene" in res.output
    res = CliRunner().invoke(main, ["--out", str(full_build), "links", "no-such-entity"])
    assert res.exit_code != 0 and res.output.startswith("error:")


def test_stats_report_link_coverage(engine):
    text = compute_stats(engine)
    section = text.split("External links")[1]
    for cat in ("Binder", "FunctionalGroup", "Solvent", "ActiveMaterial", "ChemicalEntity"):
        line = next(l for l in section.splitlines() if l.strip().startswith(cat))
        linked, total = (int(x) for x in line.split()[1].split("/"))
        assert linked > 0 and linked <= total, line
    solvents = next(l for l in section.splitlines() if l.strip().startswith("Solvent"))
    linked, total = (int(x) for x in solvents.split()[1].split("/"))
    assert linked >= total - 1


def test_small_build_skips_rows_about_absent_entities(small_build):
    """A smaller record tree (fixture, work in progress) builds: rows about entities it lacks are skipped."""
    nt = (small_build / "graph.nt").read_text(encoding="utf-8")
    assert "<https://w3id.org/bindergraph/resource/PVDF> <http://www.w3.org/2004/02/skos/core#closeMatch>" in nt
    assert "<https://w3id.org/bindergraph/resource/PEDOT> <http://www.w3.org/2004/02/skos/core#" not in nt


# ------------------------------------------------------------------------------ bad tables
def _corrupt(tmp_path: Path, subject: str, obj: str, field: str, value: str) -> Path:
    lines = MAPPINGS_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(l for l in lines if l.startswith("subject_id\t")).rstrip("\n").split("\t")
    out = []
    for line in lines:
        cells = line.rstrip("\n").split("\t")
        if not line.startswith("#") and len(cells) == len(header) and cells[0] == subject and cells[3] == obj:
            cells[header.index(field)] = value
            line = "\t".join(cells) + "\n"
        out.append(line)
    path = tmp_path / "bad.sssom.tsv"
    path.write_text("".join(out), encoding="utf-8")
    return path


@pytest.mark.parametrize("field, value, message", [
    ("predicate_id", "owl:sameAs", "is not one of"),
    ("subject_id", "bgr:NoSuchBinder", "unknown entity id"),
    ("object_id", "chebi:53250", "does not expand"),
    ("object_label", "poly(vinylidene fluoride)", "differs from the imported label"),
    ("confidence", "1.5", "outside [0, 1]"),
    ("mapping_justification", "semapv:GutFeeling", "not a SEMAPV"),
    ("subject_label", "PVDF!", "differs from the entity's label"),
    ("comment", "", "needs a comment"),
])
def test_bad_row_names_file_row_and_field(tmp_path, cur, field, value, message):
    bad = _corrupt(tmp_path, "bgr:PVDF", "CHEBI:53250", field, value)
    with pytest.raises(RecordError) as err:
        link_graphs(cur, mapping_file=bad)
    e = err.value
    assert e.file.endswith("bad.sssom.tsv") and e.record.startswith("row ") and e.field == field, str(e)
    assert message in e.message and e.line
    assert f"{e.file}:{e.line}, record row" in str(e)


def test_unlinked_entity_with_mappings_is_rejected(tmp_path, cur):
    path = tmp_path / "unlinked.tsv"
    path.write_text(UNLINKED_FILE.read_text(encoding="utf-8") + "bgr:PVDF\tpoly(vinylidene fluoride)\tnot really\n",
                    encoding="utf-8")
    with pytest.raises(RecordError, match=r"unlinked\.tsv.*field subject_id.*has mappings"):
        link_graphs(cur, unlinked_file=path)


def test_missing_import_module_is_reported(tmp_path, cur):
    with pytest.raises(RecordError, match="import module missing"):
        link_graphs(cur, import_files=(tmp_path / "nope.ttl",))


def _sssom_cli() -> str:
    """sssom-py's command line, next to this interpreter (CI installs it with the test extra)."""
    pytest.importorskip("sssom")
    exe = Path(sys.executable).with_name("sssom")
    if not exe.exists():
        pytest.skip("sssom is installed without its command line")
    return str(exe)


def test_sssom_validate_passes_on_the_table():
    """`sssom validate` (sssom-py's JSON-schema and LinkML checks) accepts the shipped table ..."""
    res = subprocess.run([_sssom_cli(), "validate", str(MAPPINGS_FILE)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]


def test_sssom_validate_rejects_a_bad_justification(tmp_path):
    """... and is a real check: a justification outside SEMAPV fails it."""
    bad = tmp_path / "bad.sssom.tsv"
    bad.write_text(MAPPINGS_FILE.read_text(encoding="utf-8").replace("semapv:ManualMappingCuration", "semapv:Guess"),
                   encoding="utf-8")
    res = subprocess.run([_sssom_cli(), "validate", str(bad)], capture_output=True, text=True, timeout=300)
    assert res.returncode != 0 and "validation errors" in res.stderr


# object prefix -> (object_source, release) as /work/shared/ontologies documents each table
SOURCES = {"CHEBI": ("obo:chebi.owl", "2024-01-18"), "emmo": ("emmo.w3id:emmo", "1.0.3"),
           "battery": ("emmo.w3id:emmo/domain/battery", "0.20.1"),
           "echem": ("emmo.w3id:emmo/domain/electrochemistry", "0.37.2"),
           "chemsub": ("emmo.w3id:emmo/domain/chemical-substance", "0.14.2"),
           "wd": ("source.web:www.wikidata.org", "2019-11-04")}


def test_recommended_columns(mset):
    """Every row names its author (the curators' CURIE, which the curie_map defines: no personal id is made
    up) and the release of the source its object comes from; the set has a mapping_date."""
    rows = list(csv.DictReader((l for l in MAPPINGS_FILE.read_text(encoding="utf-8").splitlines() if not l.startswith("#")),
                               delimiter="\t"))
    assert len(rows) == len(mset.mappings) and str(mset.meta["mapping_date"]) == "2026-11-25"
    assert mset.curie_map["bindergraph.team"] == "https://w3id.org/bindergraph/team/"
    emmo_module = Graph().parse(next(p for p in IMPORT_FILES if p.name == "emmo-import.ttl"))
    context_only = {s for s, n in emmo_module.subject_objects(SKOS.editorialNote) if "chemical-substance 0.15.0" in str(n)}
    for r in rows:
        prefix = r["object_id"].split(":", 1)[0]
        assert r["author_id"] == "bindergraph.team:curators", r["subject_id"]
        assert r["object_source"].split(":", 1)[0] in mset.curie_map, r["object_source"]
        if prefix in SOURCES:
            source, version = SOURCES[prefix]
            if prefix == "chemsub" and URIRef(mset.curie_map["chemsub"] + r["object_id"].split(":", 1)[1]) in context_only:
                version = "0.15.0"  # IRIs read from the domain-battery context, defined in chemical-substance 0.15.0
            assert (r["object_source"], r["object_source_version"]) == (source, version), r["object_id"]
        else:
            assert prefix == "pubchem.compound" and r["object_source"] == "source.web:pubchem.ncbi.nlm.nih.gov"


@needs_reference
def test_source_releases_are_those_of_the_reference_data():
    """The releases in object_source_version are the ones /work/shared/ontologies documents."""
    chebi = (REFERENCE / "chebi" / "README.md").read_text(encoding="utf-8")
    emmo = (REFERENCE / "emmo" / "README.md").read_text(encoding="utf-8")
    assert "2024-01-18" in chebi and "wikidata_chebi_2019-11-04.tsv" in chebi
    for folder, version in (("domain-battery", "0.20.1"), ("domain-electrochemistry", "0.37.2"),
                            ("domain-chemical-substance", "0.14.2"), ("EMMO", "1.0.3")):
        row = next(l for l in emmo.splitlines() if l.startswith(f"| `{folder}/`"))
        assert f"| {version} |" in row or f"| {version} (" in row, folder
