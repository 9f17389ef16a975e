"""The licence and citation files say what the README and the ontology say."""
from __future__ import annotations

from pathlib import Path

import yaml

from bindergraph.curate.source import REVIEW_DOI

ROOT = Path(__file__).resolve().parent.parent


def test_citation_cff_names_the_software_and_the_review():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["version"] == "0.1.0"
    assert set(cff["license"]) == {"MIT", "CC-BY-4.0"}
    review = cff["references"][0]
    assert review["doi"] == REVIEW_DOI
    # the authors as the review's title page lists them (data/source/review.txt, line 7)
    names = " · ".join(f"{a['given-names']} {a['family-names']}" for a in review["authors"])
    title_page = (ROOT / "data" / "source" / "review.txt").read_text(encoding="utf-8").splitlines()[6]
    assert names == title_page.replace("¹", "").replace("²", "").replace("^{1,3}", "")


def test_licence_file_covers_code_and_data():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in text and "CC BY 4.0" in text and REVIEW_DOI in text
