"""Unit symbols curators write, and the unit IRIs the graph uses.

QUDT has no unit for some battery quantities (C-rate, capacity per area and per cycle, current per
mass); rather than guess a QUDT IRI that may not exist, those are project units under
https://w3id.org/bindergraph/unit/, each with a definition (see `PROJECT_UNITS`).

Each unit carries what converting a figure needs, as QUDT states it: its conversion multiplier to the
coherent SI unit (mS/cm: 0.1 S/m), its offset where it has one (°C: 273.15 K; such a unit is never
converted by a multiplier alone) and its QUDT quantity kind. Multipliers are definitions (prefixes,
1 h = 3600 s); a project unit gets one only where its definition gives it, and a quantity kind of
its own (`PROJECT_KINDS`) only where two units share one. No multiplier, no conversion: a C-rate is
relative to a capacity, a cycle is not an SI unit, QUDT gives none for NUM.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

QUDT = "http://qudt.org/vocab/unit/"
PROJECT = "https://w3id.org/bindergraph/unit/"
QK = "http://qudt.org/vocab/quantitykind/"
_CURRENT_PER_MASS = PROJECT + "kind/current-per-active-mass"
PROJECT_KINDS = {_CURRENT_PER_MASS: "current per mass of active material"}  # QUDT has none we could verify


@dataclass(frozen=True)
class Conversion:
    """How QUDT converts the unit to the coherent SI unit: value × multiplier (+ offset)."""
    multiplier: str | None  # a decimal as written (exact), e.g. "0.1"; None: not convertible by a factor
    kind: str | None        # the quantity-kind IRI
    offset: str | None = None  # °C: 273.15; a unit with an offset is never converted by its multiplier


@dataclass(frozen=True)
class Unit:
    symbol: str
    iri: str
    label: str
    default_metric: str | None = None
    conversion: Conversion = Conversion(None, None)


def _q(symbol: str, local: str, label: str, metric: str | None, multiplier: str | None, kind: str | None,
       offset: str | None = None) -> Unit:
    return Unit(symbol, QUDT + local, label, metric, Conversion(multiplier, kind and QK + kind, offset))


def _p(symbol: str, local: str, label: str, metric: str | None, multiplier: str | None = None,
       kind: str | None = None) -> Unit:
    return Unit(symbol, PROJECT + local, label, metric, Conversion(multiplier, kind))


# Multipliers to SI by definition (1 mAh = 3.6 C; 1 eV = 1.602176634e-19 J exactly, SI 2019).
_UNITS = [
    _q("%", "PERCENT", "percent", None, "0.01", "DimensionlessRatio"),
    _q("wt%", "PERCENT", "percent (by weight)", "binder-content", "0.01", "DimensionlessRatio"),
    _q("mAh/g", "MilliA-HR-PER-GM", "milliampere hour per gram", "specific-capacity", "3600", None),
    _q("mAh", "MilliA-HR", "milliampere hour", "cell-capacity", "3.6", "ElectricCharge"),
    _q("Ah", "A-HR", "ampere hour", "cell-capacity", "3600", "ElectricCharge"),
    _q("mg", "MilliGM", "milligram", None, "0.000001", "Mass"),
    _q("mg/cm2", "MilliGM-PER-CentiM2", "milligram per square centimetre", "mass-loading", "0.01", "MassPerArea"),
    _q("S/cm", "S-PER-CentiM", "siemens per centimetre", "ionic-conductivity", "100", "Conductivity"),
    _q("mS/cm", "MilliS-PER-CentiM", "millisiemens per centimetre", "ionic-conductivity", "0.1", "Conductivity"),
    _q("°C", "DEG_C", "degree Celsius", "temperature", "1", "Temperature", offset="273.15"),
    _q("V", "V", "volt", "voltage", "1", "Voltage"),
    _q("mV", "MilliV", "millivolt", "voltage", "0.001", "Voltage"),
    _q("mA/cm2", "MilliA-PER-CentiM2", "milliampere per square centimetre", "current-density", "10",
       "ElectricCurrentDensity"),
    _q("cycles", "NUM", "number", "cycle-number", None, "Dimensionless"),
    _q("h", "HR", "hour", "duration", "3600", "Time"),
    _q("min", "MIN", "minute", "duration", "60", "Time"),
    _q("µm", "MicroM", "micrometre", "thickness", "0.000001", "Length"),
    _q("nm", "NanoM", "nanometre", "thickness", "0.000000001", "Length"),
    _q("MPa", "MegaPA", "megapascal", "tensile-strength", "1000000", "ForcePerArea"),
    _q("GPa", "GigaPA", "gigapascal", "modulus", "1000000000", "ForcePerArea"),
    _q("kPa", "KiloPA", "kilopascal", None, "1000", "ForcePerArea"),
    _q("N/m", "N-PER-M", "newton per metre", "peel-strength", "1", "ForcePerLength"),
    _q("N", "N", "newton", "peel-strength", "1", "Force"),
    _q("Wh/kg", "W-HR-PER-KiloGM", "watt hour per kilogram", "energy-density", "3600", "SpecificEnergy"),
    _q("g/cm3", "GM-PER-CentiM3", "gram per cubic centimetre", None, "1000", "Density"),
    _q("Ω", "OHM", "ohm", "resistance", "1", "Resistance"),
    _q("eV", "EV", "electron volt", "energy-barrier", "1.602176634E-19", "Energy"),
    _q("1", "UNITLESS", "unitless", None, "1", "Dimensionless"),
    _p("C", "C-rate", "C-rate (multiples of the current that (dis)charges the nominal capacity in one hour)", "c-rate"),
    _p("mAh/cm2", "mAh-per-cm2", "milliampere hour per square centimetre", "areal-capacity", "36000"),
    _p("mA/g", "mA-per-g", "milliampere per gram of active material", "current-density", "1", _CURRENT_PER_MASS),
    _p("A/g", "A-per-g", "ampere per gram of active material", "current-density", "1000", _CURRENT_PER_MASS),
    _p("%/cycle", "percent-per-cycle", "percent per cycle", "capacity-decay"),
    _p("mAh/g/cycle", "mAh-per-g-per-cycle", "milliampere hour per gram per cycle", "capacity-decay"),
    _p("N/cm", "N-per-cm", "newton per centimetre", "peel-strength", "100", QK + "ForcePerLength"),
]

UNITS: dict[str, Unit] = {u.symbol: u for u in _UNITS}
PROJECT_UNITS = [u for u in _UNITS if u.iri.startswith(PROJECT)]
_SPELLINGS = {"wt.%": "wt%", "mAh g-1": "mAh/g", "mA h/g": "mAh/g", "S cm-1": "S/cm", "mS cm-1": "mS/cm", "C-rate": "C",
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
