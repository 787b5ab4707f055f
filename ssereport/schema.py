"""Canonical columns of a film table: names, units, aliases and valid ranges.

Headers in an input file are matched case- and space-insensitively against the
canonical name and its aliases; a unit in brackets after the header
(``σ (S/cm)``, ``ρ [g/cm3]``) is ignored for matching; :mod:`ssereport.units` converts the values from it to
the canonical unit ``pint_unit`` with Pint.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "Column",
    "COLUMNS",
    "CONDITIONS",
    "FILM_VARIABLES",
    "PCA_FEATURES",
    "READINGS",
    "REQUIRED",
    "by_name",
    "normalize_header",
]


@dataclass(frozen=True)
class Column:
    """A canonical column.

    ``low``/``high`` bound the valid values; ``low_open``/``high_open`` say
    whether the bound itself is excluded.
    """

    name: str
    label: str
    symbol: str
    unit: str
    aliases: tuple[str, ...] = ()
    numeric: bool = True
    required: bool = True
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    expected: str = ""
    pint_unit: str = ""

    @property
    def axis_label(self) -> str:
        """Label with unit for a plot axis or table header."""
        return f"{self.symbol} ({self.unit})" if self.unit and self.unit != "–" else self.symbol


COLUMNS: tuple[Column, ...] = (
    Column("sample_id", "Sample ID", "ID", "–", ("sample", "id", "film", "sample id", "film id"),
           numeric=False, expected="a unique, non-empty film ID"),
    Column("batch_id", "Batch", "batch", "–", ("batch", "batch id", "lot"), numeric=False,
           required=False, expected="a batch name"),
    Column("polymer_wt_pct", "Polymer binder content", "P%", "wt%",
           ("p%", "p", "polymer", "binder", "polymer content", "binder content", "polymer wt%"),
           low=0, high=100, low_open=True, expected="a number > 0 and ≤ 100 (wt%)", pint_unit="percent"),
    Column("ls_ratio", "Liquid-to-solid ratio", "L:S", "µL/mg",
           ("l:s", "l/s", "ls", "liquid to solid", "liquid-to-solid ratio", "l:s ratio"),
           low=0, low_open=True, expected="a number > 0 (µL/mg)", pint_unit="µL/mg"),
    Column("xylene_vol_pct", "Cosolvent ratio (xylene share)", "X:B", "vol%",
           ("x:b", "x/b", "xb", "xylene", "cosolvent ratio", "xylene vol%"),
           low=0, high=100, expected="a number from 0 to 100 (vol% xylene)", pint_unit="percent"),
    Column("thickness_um", "Thickness", "thickness", "µm",
           ("thickness", "t", "mean thickness", "thickness um", "thickness µm"),
           low=0, low_open=True, expected="a number > 0 (µm)", pint_unit="µm"),
    Column("density_g_cm3", "Density", "ρ", "g/cm³", ("ρ", "rho", "density"),
           low=0, low_open=True, expected="a number > 0 (g/cm³)", pint_unit="g/cm**3"),
    Column("resistance_ohm", "Ohmic resistance", "Ω", "Ω",
           ("ω", "Ω", "r", "resistance", "ohmic resistance", "ohm"),
           low=0, low_open=True, expected="a number > 0 (Ω)", pint_unit="ohm"),
    Column("conductivity_s_cm", "Ionic conductivity", "σ", "S/cm",
           ("σ", "sigma", "conductivity", "ionic conductivity", "σ_i^n", "σi", "sigma_i"),
           low=0, low_open=True, expected="a number > 0 (S/cm)", pint_unit="S/cm"),
    Column("dot_um", "Deviation of thickness", "DoT", "µm",
           ("dot", "deviation of thickness", "sd thickness"),
           low=0, expected="a number ≥ 0 (µm)", pint_unit="µm"),
    Column("rd", "Relative deviation", "RD", "–",
           ("rd", "relative deviation", "relative thickness deviation"),
           low=0, high=1, high_open=True, expected="a number ≥ 0 and < 1 (RD = DoT/thickness)",
           pint_unit="dimensionless"),
) + tuple(
    Column(f"thickness_{i}", f"Thickness reading {i}", f"t{i}", "µm",
           (f"t{i}", f"thickness {i}", f"t_{i}", f"reading {i}"), required=False,
           low=0, low_open=True, expected="a number > 0 (µm)", pint_unit="µm")
    for i in range(1, 10)
)

_BY_NAME = {c.name: c for c in COLUMNS}

#: Manufacturing conditions, in the paper's order.
CONDITIONS: tuple[str, ...] = ("polymer_wt_pct", "ls_ratio", "xylene_vol_pct")
#: Measured film outputs.
OUTPUTS: tuple[str, ...] = ("thickness_um", "density_g_cm3", "resistance_ohm",
                            "conductivity_s_cm", "dot_um", "rd")
#: All numeric film variables (conditions and outputs).
FILM_VARIABLES: tuple[str, ...] = CONDITIONS + OUTPUTS
#: PCA features: the film variables without P% (a qualitative variable in the paper).
PCA_FEATURES: tuple[str, ...] = ("ls_ratio", "xylene_vol_pct") + OUTPUTS
#: The 9 thickness readings.
READINGS: tuple[str, ...] = tuple(f"thickness_{i}" for i in range(1, 10))
#: Columns every study table must have.
REQUIRED: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)


def by_name(name: str) -> Column:
    """The canonical column called ``name``."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown column {name!r}; expected one of {sorted(_BY_NAME)}") from None


_UNIT = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]\s*$")


def normalize_header(header: object) -> str:
    """Header text used for matching: NFKC, no unit in brackets, lower case, single spaces.

    Examples
    --------
    >>> normalize_header("  σ (S/cm) ")
    'σ'
    >>> normalize_header("Thickness_1")
    'thickness_1'
    """
    text = unicodedata.normalize("NFKC", str(header)).strip().lstrip("\ufeff")
    stripped = _UNIT.sub("", text)
    if stripped:  # "P (%)" -> "p"; but keep a header that is only a bracket
        text = stripped
    text = text.replace("μ", "µ")
    return re.sub(r"\s+", " ", text).strip().lower()


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for col in COLUMNS:
        for key in (col.name, col.name.replace("_", " "), *col.aliases):
            norm = normalize_header(key)
            if norm in lookup and lookup[norm] != col.name:
                raise RuntimeError(f"alias {key!r} maps to two columns")  # pragma: no cover
            lookup[norm] = col.name
    return lookup


#: normalized header -> canonical name
ALIASES: dict[str, str] = _build_lookup()
