"""Facts from different sections of the review, asserted on the full built graph (issue: populate)."""
from __future__ import annotations

import re

from bindergraph.query.engine import PREFIXES, Term
from bindergraph.curate.source import cited_numbers

BGR = "https://w3id.org/bindergraph/resource/"


def claims(engine, where: str, bindings: dict | None = None):
    q = PREFIXES + f"""SELECT ?c ?quote ?section WHERE {{ ?c a bg:Claim ; bg:inSection/bg:sectionNumber ?section ;
        prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote . {where} }} ORDER BY ?c"""
    return engine.select(q, bindings).rows


def test_sa_traps_mn_in_lmo_at_55c(engine):
    rows = claims(engine, """?c bg:claimSubject bgr:SA ; bg:claimObject bgr:tm-trapping ; bg:activeMaterial bgr:LMO ;
        bg:target bgr:Mn2%2B ; bg:hasCondition ?t . ?t bg:metric bgr:temperature ; qudt:numericValue 55.0 .""".replace(
        "bgr:Mn2%2B", "<https://w3id.org/bindergraph/resource/Mn2+>"))
    assert rows, "no claim: SA traps Mn2+ in LMO at 55 °C"
    assert any("SA has a strong Mn²⁺ trapping ability" in r["quote"].value for r in rows)
    assert {r["section"].value for r in rows} == {"3.1.3"}


def test_pan_nitrile_coordinates_ni3_in_nca(engine):
    """"The PAN endows the binder [P(AN-MA), on NCA] with ... -C≡N···Ni³⁺ coordination": the copolymer on NCA,
    and the PAN segment's nitrile (with no NCA of its own: the homopolymer was not used there)."""
    rows = claims(engine, """?c bg:claimSubject bgr:P-AN-MA ; bg:claimObject bgr:coordination ; bg:viaGroup bgr:nitrile ;
        bg:activeMaterial bgr:NCA ; bg:target <https://w3id.org/bindergraph/resource/Ni3+> .""")
    assert len(rows) == 1
    pan = claims(engine, """?c bg:claimSubject bgr:PAN ; bg:claimObject bgr:coordination ; bg:viaGroup bgr:nitrile .
        FILTER NOT EXISTS { ?c bg:activeMaterial ?m }""")
    assert len(pan) == 1
    assert r"$-\text{C}\equiv\text{N}\cdots\text{Ni}^{3+}$ coordination" in rows[0]["quote"].value
    # the semantic layer carries it too: PAN has the nitrile group, and the nitrile group coordinates
    direct = engine.select(PREFIXES + "SELECT ?x WHERE { bgr:PAN bg:hasFunctionalGroup bgr:nitrile . "
                                      "bgr:nitrile bg:hasFunction ?x }").rows
    assert Term("uri", BGR + "coordination") in {r["x"] for r in direct}


def test_nbr_with_p_xylene_suits_lps(engine):
    rows = claims(engine, """?c bg:claimSubject bgr:NBR ; bg:claimRelation bg:compatibleWith ;
        bg:claimObject bgr:LPS-75-25 ; bg:solvent bgr:p-xylene .""")
    assert [r["section"].value for r in rows] == ["4.1"]
    assert "*p*-xylene and NBR were considered to be the suitable solvent and binder" in rows[0]["quote"].value
    label = engine.select(PREFIXES + "SELECT ?l WHERE { bgr:LPS-75-25 rdfs:label ?l }").rows[0]["l"].value
    assert label == "75Li2S-25P2S5"


def test_app_suppresses_shuttle_and_retards_flame(engine):
    shuttle = claims(engine, "?c bg:claimSubject bgr:APP ; bg:claimObject bgr:polysulfide-trapping .")
    assert any("the shuttle effect was suppressed" in r["quote"].value for r in shuttle)
    flame = claims(engine, "?c bg:claimSubject bgr:APP ; bg:claimObject bgr:flame-retardancy .")
    assert any("flame retardant" in r["quote"].value for r in flame)
    inferred = engine.select(PREFIXES + "SELECT ?c WHERE { bgr:APP a ?c }").rows
    classes = {r["c"].value.rsplit("#", 1)[-1] for r in inferred}
    assert {"InorganicBinder", "PolysulfideTrappingBinder", "FlameRetardantBinder"} <= classes


def test_ptfe_low_dose_thin_membranes(engine):
    # The review: PTFE doses "only 0.2% and 0.5%" for ISE membranes of 15-30 µm (refs 249, 246);
    # elsewhere (4.3) it lists PTFE among binders applicable to sulfide SEs.
    dose = engine.select(PREFIXES + """SELECT ?v WHERE { ?c bg:claimSubject bgr:PTFE ; bg:hasMeasurement ?m .
        ?m bg:metric bgr:binder-content ; qudt:numericValue ?v }""").rows
    assert {float(r["v"].value) for r in dose} >= {0.2, 0.5}
    thick = engine.select(PREFIXES + """SELECT ?lo ?hi ?c WHERE { ?c bg:claimSubject bgr:PTFE ; bg:hasMeasurement ?m ;
        dcterms:references bgr:ref-249 . ?m bg:metric bgr:thickness ; bg:minimumValue ?lo ; bg:maximumValue ?hi }""").rows
    assert (float(thick[0]["lo"].value), float(thick[0]["hi"].value)) == (15.0, 30.0)
    sulfide = claims(engine, "?c bg:claimSubject bgr:PTFE ; bg:claimRelation bg:compatibleWith ; bg:claimObject bgr:sulfide-sse .")
    assert sulfide and "applicable to sulfide SEs, such as PTFE [335–337]" in sulfide[0]["quote"].value


def test_every_section_has_claims(engine, review):
    rows = engine.select(PREFIXES + """SELECT ?n (COUNT(?c) AS ?k) WHERE { ?s a bg:ReviewSection ; bg:sectionNumber ?n .
        OPTIONAL { ?c bg:inSection ?s } } GROUP BY ?n""").rows
    counts = {r["n"].value: int(r["k"].value) for r in rows}
    # 3.2 and 4.2 are headings followed directly by their subsections
    empty = {n for n, k in counts.items() if k == 0}
    assert empty <= {"3.2"}, empty
    assert sum(counts.values()) >= 900


def test_claim_quotes_and_references_agree_with_text(engine, review):
    """Every claim's quote is where it says, and each bracketed citation inside a quote is recorded."""
    rows = engine.select(PREFIXES + """SELECT ?c ?exact ?start (GROUP_CONCAT(STR(?n); separator=",") AS ?refs) WHERE {
        ?c a bg:Claim ; prov:wasDerivedFrom ?s . ?s oa:hasSelector ?q , ?p .
        ?q oa:exact ?exact . ?p oa:start ?start . OPTIONAL { ?c dcterms:references/bg:referenceNumber ?n } }
        GROUP BY ?c ?exact ?start""").rows
    assert len(rows) >= 900
    for r in rows:
        start = int(r["start"].value)
        assert review.text[start:start + len(r["exact"].value)] == r["exact"].value
        listed = {int(x) for x in r["refs"].value.split(",") if x} if "refs" in r else set()
        assert cited_numbers(r["exact"].value) <= listed, r["c"].value


def test_many_binders_each_with_claims(engine):
    rows = engine.select(PREFIXES + """SELECT ?b (COUNT(?c) AS ?k) WHERE { ?b a bg:Binder .
        FILTER NOT EXISTS { ?b a bg:GenericBinderFamily } ?c bg:claimSubject ?b } GROUP BY ?b""").rows
    assert len(rows) >= 90
    ids = {r["b"].value.rsplit("/", 1)[-1] for r in rows}
    for expected in ("PVDF", "PTFE", "CMC", "SBR", "PAA", "SA", "chitosan", "lignin", "sericin", "PEO", "PAN",
                     "FPI", "NBR", "HNBR", "PEDOT-PSS", "P3HT", "PProDOT-Hx2", "PSBA-Li", "PFSILi", "APP",
                     "waterglass", "Li2Si5O11", "LiH2PO4", "XG-KG", "CMC-PAA-PEO", "TBA-b-BR", "PAES-g-PEG", "LCBIM"):
        assert expected in ids, expected


def test_curator_notes_kept(engine):
    notes = engine.select(PREFIXES + "SELECT ?n WHERE { ?c a bg:Claim ; skos:editorialNote ?n }").rows
    assert len(notes) > 100
    assert any(re.search(r"LMNC|LNMC", r["n"].value) for r in notes)
