"""Units written in a header, read and converted with Pint.

A header such as ``Conductivity (mS/cm)`` carries its unit in brackets. The
unit text is parsed by one lazily created, cached :class:`pint.UnitRegistry`
and converted to the canonical unit of the column (``schema.Column.pint_unit``);
conversion factors come from Pint, never from a table written here. A unit of
the wrong dimension (``σ (Ω)``) or a unit Pint does not know is a
:class:`~ssereport.errors.Problem` naming the header.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = ["HeaderUnit", "header_unit", "registry", "unit_text"]

#: Units Pint lacks, or spellings a spreadsheet uses that Pint does not know.
DEFINITIONS = """
fraction = 1 = frac
@alias ohm = Ohm
"""

_BRACKET = re.compile(r"[\(\[]([^\)\]]*)[\)\]]\s*$")
_PERCENT_WORDS = re.compile(r"\b(?:wt|vol|mass|w/w|v/v|m/m)\s*\.?\s*%|%\s*\(?(?:wt|vol|w/w|v/v)\)?\.?",
                            re.IGNORECASE)
_POWER = re.compile(r"(?<=[A-Za-zµμ])(-?[0-9])(?![0-9.])")  # cm3 -> cm**3, cm-1 -> cm**-1
_NO_UNIT = {"", "-", "–", "—", "1", "a.u.", "unitless", "dimensionless", "none", "n/a"}


def _preprocess(text: str) -> str:
    text = _PERCENT_WORDS.sub("%", text)
    return _POWER.sub(r"**\1", text)


@lru_cache(maxsize=1)
def registry():
    """The one UnitRegistry of ssereport (created on first use; importing Pint takes ~0.2 s).

    Notes
    -----
    ``pint.UnitRegistry(preprocessors=...)`` with :data:`DEFINITIONS` loaded by
    ``registry.define``; R has no equivalent in base R (the ``units`` package,
    ``units::set_units(x, "mS/cm")``, uses udunits2 the same way).
    """
    import pint

    ureg = pint.UnitRegistry(preprocessors=[_preprocess], autoconvert_offset_to_baseunit=False)
    for line in DEFINITIONS.strip().splitlines():
        ureg.define(line)
    return ureg


def unit_text(header: object) -> str | None:
    """The unit written in brackets at the end of a header, or None.

    Examples
    --------
    >>> unit_text("Conductivity (mS/cm)")
    'mS/cm'
    >>> unit_text("RD (-)") is None
    True
    """
    m = _BRACKET.search(str(header).strip())
    if m is None:
        return None
    text = m.group(1).strip()
    return None if text.lower() in _NO_UNIT else text


@dataclass(frozen=True)
class HeaderUnit:
    """How the values of one column are converted to the canonical unit.

    Attributes
    ----------
    header : str
        The header as written in the file.
    unit : str
        The unit as written (``"mS/cm"``).
    canonical : str
        The canonical unit as shown to a user (``"S/cm"``).
    pint_canonical : str
        The canonical unit as Pint reads it.
    factor : float
        Pint's factor from ``unit`` to ``canonical`` (1.0 when they are the same unit).
    reason : str
        Why this unit applies, when it is not written in the header (e.g. Excel
        cells formatted as percent).
    """

    header: str
    unit: str
    canonical: str
    pint_canonical: str
    factor: float
    reason: str = ""

    @property
    def converts(self) -> bool:
        return not math.isclose(self.factor, 1.0, rel_tol=1e-12)

    def convert(self, values):
        """Values in ``unit`` converted by Pint to the canonical unit (array or scalar)."""
        if not self.converts:
            return values
        q = registry().Quantity(np.asarray(values, dtype="float64"), self.unit)
        out = q.to(self.pint_canonical).magnitude
        # the factors are powers of ten: drop the binary noise (0.603 mS/cm -> 0.000603 S/cm, not
        # 0.0006029999999999999), so that the converted value is the number the user would have typed
        clean = np.array([float(f"{v:.12g}") for v in np.ravel(out)]).reshape(np.shape(out))
        return float(clean) if np.ndim(clean) == 0 else clean

    def note(self) -> str:
        why = f" ({self.reason})" if self.reason else ""
        return (f"column {self.header!r}: {self.unit} converted to {self.canonical} "
                f"(×{self.factor:.6g}){why}")


def header_unit(header: str, unit: str, *, canonical: str, pint_canonical: str, what: str,
                reason: str = "") -> HeaderUnit:
    """Parse ``unit`` with Pint and check it converts to ``pint_canonical``.

    Raises
    ------
    ValueError
        With a message naming the header, the unit and the expected unit.
    """
    import pint

    ureg = registry()
    try:
        q = ureg.Quantity(1.0, unit)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError, TypeError,
            ValueError, SyntaxError):
        raise ValueError(f"the unit {unit!r} in the header is not a unit ssereport can read; expected "
                         f"{what} in {canonical} or a unit convertible to it (e.g. {_examples(canonical)}), "
                         "or no unit in brackets") from None
    try:
        factor = float(q.to(pint_canonical).magnitude)
    except pint.errors.DimensionalityError:
        raise ValueError(f"the unit {unit!r} ({q.units:D}) in the header is not a unit of {what}; "
                         f"expected {canonical} or a unit convertible to it (e.g. {_examples(canonical)})"
                         ) from None
    return HeaderUnit(str(header), unit, canonical, pint_canonical, factor, reason)


def _examples(canonical: str) -> str:
    return {"S/cm": "mS/cm, µS/cm, S/m", "µm": "mm, nm", "Ω": "kΩ, mΩ", "g/cm³": "g/mL, kg/m³",
            "µL/mg": "mL/g", "wt%": "%, fraction", "vol%": "%, fraction", "–": "%, fraction",
            }.get(canonical, canonical)
