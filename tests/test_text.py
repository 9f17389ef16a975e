"""Quotes rendered for reading: the review's LaTeX and Markdown as Unicode, the stored quote untouched."""
from __future__ import annotations

import pytest

from bindergraph.query.text import readable


@pytest.mark.parametrize("raw, shown", [
    (r"$\text{Li}_7\text{P}_3\text{S}_{11}$", "Li₇P₃S₁₁"),
    (r"$> 10^{-4} \text{ S cm}^{-1}$", "> 10⁻⁴ S cm⁻¹"),
    (r"$2.23 \times 10^{-5} \text{ S cm}^{-1}$", "2.23 × 10⁻⁵ S cm⁻¹"),
    (r"$-\text{C}\equiv\text{N}\cdots\text{Ni}^{3+}$", "-C≡N⋯Ni³⁺"),
    (r"$320\text{--}330 \text{ }^\circ\text{C}$", "320–330 °C"),
    (r"$35 \mu\text{m}$", "35 μm"),
    # no Unicode subscript for "." or "y": the figures stay inline, as chemists write them in plain text
    (r"$\text{LiNi}_{0.8}\text{Co}_{0.15}\text{Al}_{0.05}\text{O}_2$", "LiNi0.8Co0.15Al0.05O₂"),
    # scripts outside math, as the review also writes them
    ("a capacity of 3580 mAh g^{-1} on lithiation", "a capacity of 3580 mAh g⁻¹ on lithiation"),
    ("rapid Li^+ transport", "rapid Li⁺ transport"),
    ("LiFe_xMn_{1-x}PO₄ (LFMP)", "LiFeₓMn₁₋ₓPO₄ (LFMP)"),
    # Markdown emphasis: markers dropped
    ("poly(acrylic acid-*co*-maleic acid)", "poly(acrylic acid-co-maleic acid)"),
    ("dissolved in *p*-xylene", "dissolved in p-xylene"),
    ("**a** Schematic of the binder", "a Schematic of the binder"),
    # plain text and lone asterisks are left alone
    ("PVDF, CMC and SBR fulfill most of the requirements", "PVDF, CMC and SBR fulfill most of the requirements"),
    ("5 * 3 and 4 * 2", "5 * 3 and 4 * 2"),
])
def test_readable(raw, shown):
    assert readable(raw) == shown
