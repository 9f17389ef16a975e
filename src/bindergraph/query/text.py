"""Quotes for reading: the review's Markdown emphasis and LaTeX math turned into plain Unicode.

The graph keeps every quote verbatim (`$\\text{Li}_7\\text{P}_3\\text{S}_{11}$`, `*p*-xylene`,
`mAh g^{-1}`); tables, search snippets and entity pages show `Li₇P₃S₁₁`, `p-xylene`, `mAh g⁻¹`.
Only what the review's text uses is handled; anything else in math passes through unchanged.
"""
from __future__ import annotations

import re

_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SUP = dict(zip("0123456789+-=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ"))
_SYMBOLS = {r"\times": "×", r"\cdots": "⋯", r"\cdot": "·", r"\equiv": "≡", r"\approx": "≈", r"\sim": "~",
            r"\geq": "≥", r"\leq": "≤", r"\mu": "μ", r"\circ": "°", r"\%": "%", r"\pm": "±", r"\rightarrow": "→"}
_MATH = re.compile(r"\$([^$]+)\$")
_TEXT = re.compile(r"\\text\{([^{}]*)\}")
_SCRIPT = re.compile(r"([_^])(\{([^{}]*)\}|\\[a-z]+|[A-Za-z0-9+-])")
_SYMBOL = re.compile("|".join(re.escape(s) for s in sorted(_SYMBOLS, key=len, reverse=True)) + r"(?![a-z])")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")


def readable(text: str) -> str:
    """The text with `$...$` math rendered in Unicode, sub- and superscripts also outside math
    (`Li^+`, `mAh g^{-1}`), and `**bold**` / `*italic*` markers dropped."""
    text = _MATH.sub(lambda m: _math(m.group(1)), text)
    text = _SCRIPT.sub(_script, text)
    text = _BOLD.sub(r"\1", text)
    return _ITALIC.sub(r"\1", text)


def _math(expr: str) -> str:
    expr = _TEXT.sub(lambda m: m.group(1).replace("--", "–"), expr)
    expr = _SCRIPT.sub(_script, expr)  # before the symbols: ^\circ is a degree sign
    expr = _SYMBOL.sub(lambda m: _SYMBOLS[m.group(0)], expr)
    # spacing in math comes from \text{ ... }; runs of it collapse to one space
    return " ".join(expr.replace("{", "").replace("}", "").split())


def _script(m: re.Match) -> str:
    """A sub- or superscript in Unicode where every character has one; else inline ("Ni0.8")."""
    body = m.group(3) if m.group(3) is not None else m.group(2)
    body = _SYMBOLS.get(body, body)
    if body == "°":  # ^\circ: the degree sign is already superscript
        return body
    table = _SUB if m.group(1) == "_" else _SUP
    if all(ch in table for ch in body):
        return "".join(table[ch] for ch in body)
    return body
