"""Why a film failed, and what else is worth knowing about it, as records.

A :class:`Finding` is one comparison of a film's value with a number: a broken
acceptance limit (a *reason*: the film fails because of it) or a reference-range
bound it lies beyond (a *note*: an extrapolation, never a reason to fail). The
batch JSON stores them as ``{"variable", "value", "limit", "op", "unit",
"source"}``; every document (batch HTML and PDF, the index, the notebook view)
words them with :func:`finding_text` from these fields, so no text is ever
parsed back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["RANGE_SOURCE", "Finding", "finding_text", "unit_of"]

#: ``source`` of a note: the film's value lies beyond the range of the reference films.
RANGE_SOURCE = "reference range (extrapolation)"


def unit_of(variable: str) -> str:
    """The canonical unit of ``variable`` as the JSON states it (``""`` for a dimensionless one)."""
    from ..schema import by_name

    try:
        u = by_name(variable).unit
    except KeyError:
        return ""
    return "" if u in ("", "–", "-") else u


@dataclass(frozen=True)
class Finding:
    """``value op limit``: a film's ``variable`` compared with a limit or a reference-range bound.

    Attributes
    ----------
    variable : str
        Canonical column name (``"conductivity_s_cm"``).
    value : float
        The film's value, in ``unit``.
    limit : float
        The limit or range bound, in ``unit``.
    op : {"<", ">"}
        The relation that holds: ``value < limit`` or ``value > limit``.
    unit : str
        Canonical unit, ``""`` when dimensionless.
    source : str
        Where ``limit`` comes from: ``"spec"``, ``"5th percentile of class-1 reference films"``,
        or :data:`RANGE_SOURCE` for a note.
    """

    variable: str
    value: float
    limit: float
    op: str
    unit: str
    source: str

    def __post_init__(self) -> None:
        if self.op not in ("<", ">"):
            raise ValueError(f"finding op: got {self.op!r}, expected '<' or '>'")

    def to_dict(self) -> dict[str, Any]:
        return {"variable": self.variable, "value": float(self.value), "limit": float(self.limit), "op": self.op,
                "unit": self.unit, "source": self.source}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Finding:
        return cls(variable=str(d["variable"]), value=float(d["value"]), limit=float(d["limit"]), op=str(d["op"]),
                   unit=str(d.get("unit") or ""), source=str(d.get("source") or ""))


def finding_text(f: Finding | Mapping[str, Any]) -> str:
    """A finding for a reader, numbers formatted as in the film table, with their unit.

    Examples
    --------
    >>> finding_text({"variable": "conductivity_s_cm", "value": 1.1e-4, "limit": 3.21e-4, "op": "<",
    ...               "unit": "S/cm", "source": "5th percentile of class-1 reference films"})
    'σ = 1.1 × 10⁻⁴ S/cm < 3.21 × 10⁻⁴ S/cm (5th percentile of class-1 reference films)'
    >>> finding_text({"variable": "rd", "value": 0.02, "limit": 0.0317, "op": "<", "unit": "",
    ...               "source": "reference range (extrapolation)"})
    'RD = 0.02, below the lowest reference film (0.0317): extrapolation'
    >>> finding_text({"variable": "rd", "value": 0.2, "limit": 0.15, "op": ">", "unit": "", "source": "spec"})
    'RD = 0.2 > spec limit 0.15'
    """
    from ..format import fmt_compare
    from ..schema import by_name

    f = f if isinstance(f, Finding) else Finding.from_dict(f)
    try:
        col = by_name(f.variable)
        name = col.symbol if col.symbol != col.unit else col.label  # not "Ω = 150.9 Ω"
    except KeyError:
        name = f.variable
    unit = f" {f.unit}" if f.unit else ""
    a, b = fmt_compare(f.value, f.limit)
    if f.source == RANGE_SOURCE:
        where = "below the lowest" if f.op == "<" else "above the highest"
        return f"{name} = {a}{unit}, {where} reference film ({b}{unit}): extrapolation"
    if f.source == "spec":
        return f"{name} = {a}{unit} {f.op} spec limit {b}{unit}"
    return f"{name} = {a}{unit} {f.op} {b}{unit} ({f.source})"
