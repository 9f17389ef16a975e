"""Unit symbols curators write, and the unit IRIs the graph uses.

QUDT has no unit for some battery quantities (C-rate, capacity per area and per cycle, current per
mass); rather than guess a QUDT IRI that may not exist, those are project units under
https://w3id.org/bindergraph/unit/, each with a definition (see `PROJECT_UNITS`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

QUDT = "http://qudt.org/vocab/unit/"
PROJECT = "https://w3id.org/bindergraph/unit/"


@dataclass(frozen=True)
class Unit:
    symbol: str
    iri: str
    label: str
    default_metric: str | None = None


def _q(symbol: str, local: str, label: str, metric: str | None = None) -> Unit:
    return Unit(symbol, QUDT + local, label, metric)


def _p(symbol: str, local: str, label: str, metric: str | None = None) -> Unit:
    return Unit(symbol, PROJECT + local, label, metric)


_UNITS = [
    _q("%", "PERCENT", "percent"),
    _q("wt%", "PERCENT", "percent (by weight)", "binder-content"),
    _q("mAh/g", "MilliA-HR-PER-GM", "milliampere hour per gram", "specific-capacity"),
    _q("mAh", "MilliA-HR", "milliampere hour", "cell-capacity"),
    _q("Ah", "A-HR", "ampere hour", "cell-capacity"),
    _q("mg/cm2", "MilliGM-PER-CentiM2", "milligram per square centimetre", "mass-loading"),
    _q("S/cm", "S-PER-CentiM", "siemens per centimetre", "ionic-conductivity"),
    _q("mS/cm", "MilliS-PER-CentiM", "millisiemens per centimetre", "ionic-conductivity"),
    _q("°C", "DEG_C", "degree Celsius", "temperature"),
    _q("V", "V", "volt", "voltage"),
    _q("mV", "MilliV", "millivolt", "voltage"),
    _q("mA/cm2", "MilliA-PER-CentiM2", "milliampere per square centimetre", "current-density"),
    _q("cycles", "NUM", "number", "cycle-number"),
    _q("h", "HR", "hour", "duration"),
    _q("min", "MIN", "minute", "duration"),
    _q("µm", "MicroM", "micrometre", "thickness"),
    _q("nm", "NanoM", "nanometre", "thickness"),
    _q("MPa", "MegaPA", "megapascal", "tensile-strength"),
    _q("GPa", "GigaPA", "gigapascal", "modulus"),
    _q("kPa", "KiloPA", "kilopascal"),
    _q("N/m", "N-PER-M", "newton per metre", "peel-strength"),
    _q("N", "N", "newton", "peel-strength"),
    _q("Wh/kg", "W-HR-PER-KiloGM", "watt hour per kilogram", "energy-density"),
    _q("g/cm3", "GM-PER-CentiM3", "gram per cubic centimetre"),
    _q("Ω", "OHM", "ohm", "resistance"),
    _q("eV", "EV", "electron volt", "energy-barrier"),
    _q("1", "UNITLESS", "unitless"),
    _p("C", "C-rate", "C-rate (multiples of the current that (dis)charges the nominal capacity in one hour)", "c-rate"),
    _p("mAh/cm2", "mAh-per-cm2", "milliampere hour per square centimetre", "areal-capacity"),
    _p("mA/g", "mA-per-g", "milliampere per gram of active material", "current-density"),
    _p("A/g", "A-per-g", "ampere per gram of active material", "current-density"),
    _p("%/cycle", "percent-per-cycle", "percent per cycle", "capacity-decay"),
    _p("mAh/g/cycle", "mAh-per-g-per-cycle", "milliampere hour per gram per cycle", "capacity-decay"),
    _p("N/cm", "N-per-cm", "newton per centimetre", "peel-strength"),
]

UNITS: dict[str, Unit] = {u.symbol: u for u in _UNITS}
PROJECT_UNITS = [u for u in _UNITS if u.iri.startswith(PROJECT)]
_SPELLINGS = {"wt.%": "wt%", "mAh g-1": "mAh/g", "mA h/g": "mAh/g", "S cm-1": "S/cm", "C-rate": "C",
              "℃": "°C", "um": "µm", "μm": "µm", "cycle": "cycles", "Wh kg-1": "Wh/kg", "mg cm-2": "mg/cm2",
              "mAh cm-2": "mAh/cm2", "mA g-1": "mA/g", "A g-1": "A/g", "mA cm-2": "mA/cm2", "ohm": "Ω"}


def lookup(symbol: str) -> Unit:
    sym = _SPELLINGS.get(symbol.strip(), symbol.strip())
    if sym not in UNITS:
        raise KeyError(f"unknown unit {symbol!r}; known: {', '.join(sorted(UNITS))}")
    return UNITS[sym]


_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
# "55 °C", "3.5–4.9 V", "~110 mAh g⁻¹", "300 cycles", "0.2 C", "200 mA g⁻¹"
_QTY = re.compile(r"^\s*(?P<approx>[~≈>< ≥≤]*)\s*(?P<a>\d+(?:[ ,]\d{3})*(?:\.\d+)?)"
                  r"(?:\s*[–-]\s*(?P<b>\d+(?:\.\d+)?))?\s*(?P<unit>.+?)\s*$")
_UNIT_TEXT = {"°C": "°C", "V": "V", "C": "C", "cycles": "cycles", "cycle": "cycles", "mAh g-1": "mAh/g",
              "mA g-1": "mA/g", "A g-1": "A/g", "mA cm-2": "mA/cm2", "mAh cm-2": "mAh/cm2",
              "mg cm-2": "mg/cm2", "S cm-1": "S/cm", "mS cm-1": "mS/cm", "%": "%", "h": "h",
              "wt%": "wt%", "μm": "µm", "µm": "µm", "nm": "nm", "th cycles": "cycles"}


@dataclass(frozen=True)
class Quantity:
    value: float | None
    min: float | None
    max: float | None
    unit: Unit
    metric: str
    as_written: str


def parse_quantity(text: str) -> Quantity:
    """Parse a condition written as in the review ("55 °C", "3.5–4.9 V", "300 cycles")."""
    m = _QTY.match(text.translate(_SUP))
    if not m:
        raise ValueError(f"cannot read a number and unit in {text!r}")
    unit_text = m.group("unit").strip()
    sym = _UNIT_TEXT.get(unit_text) or _SPELLINGS.get(unit_text) or unit_text
    try:
        unit = lookup(sym)
    except KeyError:
        raise ValueError(f"unknown unit {unit_text!r} in {text!r}") from None
    a = float(m.group("a").replace(" ", "").replace(",", ""))
    metric = unit.default_metric or "value"
    if m.group("b"):
        b = float(m.group("b"))
        if metric == "voltage":
            metric = "voltage-window"
        return Quantity(None, a, b, unit, metric, text)
    return Quantity(a, None, None, unit, metric, text)
