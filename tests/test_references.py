"""The reference list, parsed by code: all 359 entries with their DOIs."""
from __future__ import annotations

import re

from bindergraph.curate.references import parse_references


def test_count_and_numbering(review):
    refs = parse_references(review)
    assert len(refs) == 359
    assert [r.number for r in refs] == list(range(1, 360))


def test_sample_dois_match_text(review):
    refs = {r.number: r for r in parse_references(review)}
    assert refs[1].doi == "10.1038/s41560-020-00748-8"
    assert refs[6].doi == "10.1021/acs.chemmater.7b00454"  # split across a page break in the text
    assert refs[6].title.startswith("Thermal decomposition of the solid electrolyte interphase (SEI) on silicon electrodes")
    assert refs[97].year and refs[249].doi == "10.1021/acs.nanolett.1c01344"
    assert refs[359].doi == "10.1038/s41586-021-04139-1" and refs[359].venue == "Nature"
    assert refs[43].doi is None and refs[43].year == 2011  # a book chapter
    assert refs[354].doi is None and "US Patent" in refs[354].text


def test_every_doi_in_text_is_parsed(review):
    body = review.text[review.references_start:]
    in_text = set(re.findall(r"<https?://(?:dx\.)?doi\.org/([^>\s]+)>", body))
    # DOIs with parentheses are written as Markdown links whose text escapes them: [https://doi.org/…\(02\)…](…)
    in_text |= {d.replace("\\(", "(").replace("\\)", ")")
                for d in re.findall(r"\[https?://(?:dx\.)?doi\.org/([^\]\s]+)\]\(", body)}
    parsed = {r.doi for r in parse_references(review) if r.doi}
    assert parsed == in_text
    assert len(parsed) == body.count("doi.org/") - 7  # the seven Markdown links name each DOI twice
    refs = {r.number: r for r in parse_references(review)}
    assert refs[244].doi == "10.1016/S0167-2738(02)00889-5"  # Inada et al. 2003


def test_references_in_graph(engine):
    from bindergraph.query.engine import PREFIXES
    rows = engine.select(PREFIXES + "SELECT (COUNT(?r) AS ?n) (COUNT(?d) AS ?d2) WHERE { ?r a bg:Reference . OPTIONAL { ?r bibo:doi ?d } }").rows
    assert int(rows[0]["n"].value) == 359
    row = engine.select(PREFIXES + "SELECT ?doi ?t WHERE { bgr:ref-97 bibo:doi ?doi ; dcterms:title ?t }").rows[0]
    assert row["doi"].value.startswith("10.")
