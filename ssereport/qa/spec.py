"""Spec limits and the acceptance rule of a batch: what a film must meet to pass.

:class:`Spec` (read from TOML by :func:`load_spec`, units converted with Pint),
:func:`check_spec` (a bare number far off the reference's scale is refused),
:class:`Limit` and :func:`acceptance_limits` (the spec limits, or the class-1
percentiles of the reference model when no spec limit is set).
"""

from __future__ import annotations

import functools
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..config import read_toml_section
from ..errors import ConfigError, ModelError
from .model import ReferenceModel

__all__ = ["CLASS1_RULE", "SPEC_LIMITS", "Limit", "Spec", "acceptance_limits", "check_spec", "load_spec"]

@dataclass(frozen=True)
class Spec:
    """Specification limits; a film passes when it meets every limit that is set.

    Without any limit a film passes when its σ and RD are within the class-1
    acceptance limits of the reference model (:data:`CLASS1_RULE`).
    ``min_pass_fraction`` is the share of films that must pass for the batch
    to pass (default 0.9: at most one film in ten may fail). Limits are in the
    canonical units (σ in S/cm, thickness in µm, RD dimensionless); ``given``
    keeps, for each limit written with a unit, the text as written
    (``("sigma_min", "0.3 mS/cm")``); ``source`` is the spec file's name.
    """

    sigma_min: float | None = None
    rd_max: float | None = None
    thickness_min: float | None = None
    thickness_max: float | None = None
    min_pass_fraction: float = 0.9
    given: tuple[tuple[str, str], ...] = ()
    source: str = ""

    @property
    def has_limits(self) -> bool:
        return any(v is not None for v in (self.sigma_min, self.rd_max, self.thickness_min, self.thickness_max))

    def to_dict(self) -> dict[str, Any]:
        return {"sigma_min": self.sigma_min, "rd_max": self.rd_max, "thickness_min": self.thickness_min,
                "thickness_max": self.thickness_max, "min_pass_fraction": self.min_pass_fraction,
                "given": dict(self.given)}


#: Spec options with a limit: (variable, kind, canonical unit for pint, units a bare number may have been meant in).
SPEC_LIMITS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "sigma_min": ("conductivity_s_cm", "min", "S/cm", ("mS/cm", "µS/cm", "S/m", "mS/m")),
    "rd_max": ("rd", "max", "", ("%",)),
    "thickness_min": ("thickness_um", "min", "µm", ("mm", "nm", "cm")),
    "thickness_max": ("thickness_um", "max", "µm", ("mm", "nm", "cm")),
}
#: A bare spec number more than this factor outside the reference range is refused (a likely unit mistake).
SPEC_SCALE = 10.0


@functools.lru_cache(maxsize=1)
def _units():
    import pint

    return pint.UnitRegistry()


def _spec_quantity(name: str, key: str, value: Any) -> float:
    """A spec value written with a unit (``"0.3 mS/cm"``) in the canonical unit of ``key``, via pint.

    Notes
    -----
    ``pint.UnitRegistry().Quantity(text).to(unit)``; R: ``units::set_units``. Could move to
    :mod:`ssereport.units` beside the header units.
    """
    import pint

    unit = SPEC_LIMITS[key][2] if key in SPEC_LIMITS else ""
    example = {"sigma_min": "0.3 mS/cm", "rd_max": "10 %", "thickness_min": "20 µm",
               "thickness_max": "0.1 mm"}.get(key, "0.9")
    expected = f"expected a number or a number with a unit, e.g. {key} = \"{example}\""
    try:
        q = _units().Quantity(value.strip()) if value.strip() else None
        mag = float(q.to(unit or "dimensionless").magnitude) if q is not None else float("nan")
    except pint.DimensionalityError:
        raise ConfigError(f"{name}: spec option {key!r}: got {value!r}, a quantity in {q.units:~P} "
                          f"({q.dimensionality}); expected {unit or 'a dimensionless number'} or a unit of the "
                          f"same kind, e.g. {key} = \"{example}\"") from None
    except (pint.PintError, ValueError, TypeError, AttributeError, SyntaxError, tokenize.TokenError):
        raise ConfigError(f"{name}: spec option {key!r}: got {value!r}, {expected}") from None
    if not np.isfinite(mag):
        raise ConfigError(f"{name}: spec option {key!r}: got {value!r}, {expected}")
    return mag


def load_spec(path: str | Path) -> Spec:
    """Read spec limits from TOML (keys at top level or under ``[spec]``).

    A limit is a number in the canonical unit (σ in S/cm, thickness in µm, RD and
    ``min_pass_fraction`` dimensionless) or a string with its unit, converted
    with pint: ``sigma_min = "0.3 mS/cm"``, ``thickness_max = "0.1 mm"``,
    ``rd_max = "10 %"``. Bare numbers far from the reference's scale are caught
    by :func:`check_spec` once the model is known.

    Returns
    -------
    Spec

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ssereport.qa.spec import load_spec
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "spec.toml"
    >>> _ = p.write_text('sigma_min = "0.3 mS/cm"\\nthickness_max = 80\\n', encoding="utf-8")
    >>> s = load_spec(p)
    >>> round(s.sigma_min, 6), s.thickness_max, s.given
    (0.0003, 80.0, (('sigma_min', '0.3 mS/cm'),))
    """
    p = Path(path)
    section = read_toml_section(p, "spec", what="spec")
    allowed = set(SPEC_LIMITS) | {"min_pass_fraction"}
    values: dict[str, float] = {}
    given = []
    for key, value in section.items():
        if key not in allowed:
            raise ConfigError(f"{p.name}: unknown spec option {key!r}; expected one of {sorted(allowed)}")
        if isinstance(value, str):
            values[key] = _spec_quantity(p.name, key, value)
            if not re.fullmatch(r"\s*[-+0-9.eE]+\s*", value):
                given.append((key, value.strip()))
        elif not isinstance(value, (int, float)) or isinstance(value, bool) or not np.isfinite(value):
            raise ConfigError(f"{p.name}: spec option {key!r}: got {value!r}, expected a number or a number "
                              f"with a unit")
        else:
            values[key] = float(value)
    spec = Spec(**values, given=tuple(given), source=p.name)
    if not 0 < spec.min_pass_fraction <= 1:
        raise ConfigError(f"{p.name}: min_pass_fraction: got {spec.min_pass_fraction}, expected a number in (0, 1]")
    if spec.thickness_min is not None and spec.thickness_max is not None and spec.thickness_min >= spec.thickness_max:
        raise ConfigError(f"{p.name}: thickness_min ({spec.thickness_min:g} µm) must be below thickness_max "
                          f"({spec.thickness_max:g} µm)")
    return spec


def check_spec(spec: Spec, model: ReferenceModel) -> None:
    """Refuse a bare spec number far outside the reference's scale (a likely unit mistake).

    A limit written without a unit is read in the canonical unit; when it lies
    more than :data:`SPEC_SCALE` times outside the range of the reference films
    (``sigma_min = 0.3`` when σ is ~10⁻⁴ S/cm), the message names the option,
    the value, the reference range and the unit it was likely meant in.
    Limits written with a unit are taken as written.

    Raises
    ------
    ConfigError
    """
    from ..format import fmt_num, fmt_trimmed
    from ..schema import by_name

    given = dict(spec.given)
    problems = []
    for key, (var, _kind, unit, alternatives) in SPEC_LIMITS.items():
        value = getattr(spec, key)
        if value is None or key in given or var not in model.ranges:
            continue
        lo, hi = model.ranges[var]
        if lo > 0 and lo / SPEC_SCALE <= value <= hi * SPEC_SCALE:
            continue
        shown = f" {unit}" if unit else ""
        col = by_name(var)
        text = (f"{spec.source or 'spec'}: {key} = {value:g} is far outside the range of the reference films, "
                f"{col.symbol} = {fmt_num(lo)} to {fmt_num(hi)}{shown}; a number without a unit is read in "
                f"{unit or 'plain numbers (not %)'}")
        best = _likely_unit(value, unit, alternatives, lo, hi)
        if best is not None:
            alt, converted = best
            text += (f". Likely meant in {alt}: write {key} = \"{value:g} {alt}\" (= {fmt_trimmed(converted)}{shown})")
        problems.append(text + f", or the limit in {unit or 'plain numbers'} with its unit to keep it as it is")
    if problems:
        raise ConfigError("\n".join(problems))


def _likely_unit(value: float, unit: str, alternatives: tuple[str, ...], lo: float,
                 hi: float) -> tuple[str, float] | None:
    """The alternative unit that brings ``value`` closest (in decades) to ``[lo, hi]``, if within SPEC_SCALE."""
    if not value > 0 or not lo > 0:
        return None
    best = None
    for alt in alternatives:
        v = float(_units().Quantity(value, alt).to(unit or "dimensionless").magnitude)
        distance = max(np.log10(lo / v), np.log10(v / hi), 0.0)
        if distance <= np.log10(SPEC_SCALE) and (best is None or distance < best[0]):
            best = (distance, alt, v)
    return (best[1], best[2]) if best else None


#: The acceptance rule without a spec: one-sided limits from the reference class-1 films on the two
#: measurements that define the paper's quality classes (σ high, RD low): (variable, kind, class1 key, label).
CLASS1_RULE: tuple[tuple[str, str, str, str], ...] = (
    ("conductivity_s_cm", "min", "q05", "5th percentile of class-1 reference films"),
    ("rd", "max", "q95", "95th percentile of class-1 reference films"),
)


@dataclass(frozen=True)
class Limit:
    """One acceptance limit: a film fails when ``variable`` is below a ``"min"`` or above a ``"max"``.

    ``basis`` is ``"spec"`` or ``"class1"``; ``label`` says where the number comes from.
    """

    variable: str
    kind: str
    value: float
    basis: str
    label: str

    def fails(self, x: float) -> bool:
        return bool(x < self.value) if self.kind == "min" else bool(x > self.value)

    def finding(self, x: float):
        """The film's value ``x`` against this limit as a :class:`~ssereport.qa.reasons.Finding` record.

        ``source`` is ``"spec"`` for a spec limit, else the label (``"5th percentile of class-1
        reference films"``); ``op`` is ``"<"`` for a minimum, ``">"`` for a maximum.
        """
        from .reasons import Finding, unit_of

        return Finding(variable=self.variable, value=float(x), limit=float(self.value),
                       op="<" if self.kind == "min" else ">", unit=unit_of(self.variable),
                       source="spec" if self.basis == "spec" else self.label)

    def reason(self, x: float) -> str:
        """``"RD = 0.21 > 0.101 (95th percentile of class-1 reference films)"``,
        ``"σ = 1.7 × 10⁻⁴ S/cm < spec limit 3 × 10⁻⁴ S/cm"``."""
        from .reasons import finding_text

        return finding_text(self.finding(x))

    def to_dict(self) -> dict[str, Any]:
        return {"variable": self.variable, "kind": self.kind, "value": self.value, "basis": self.basis,
                "label": self.label}


def acceptance_limits(model: ReferenceModel, spec: Spec | None = None) -> tuple[Limit, ...]:
    """The limits a film must meet: the spec limits when any is set, else :data:`CLASS1_RULE`.

    Never a manufacturing condition (P%, L:S, X:B): the verdict is a function of
    the measurements only.

    Notes
    -----
    The class-1 quantiles are :func:`numpy.quantile` (type 7, as R ``quantile``) of the
    reference class-1 films, stored in the model (``class1``). With 5th/95th percentiles on
    two variables, at least 90 % of the reference class-1 films pass (up to rounding of the
    quantile position); the share is reported in the test suite.
    """
    spec = spec or Spec()
    if spec.has_limits:
        names = {"sigma_min": "spec minimum", "rd_max": "spec maximum", "thickness_min": "spec minimum",
                 "thickness_max": "spec maximum"}
        return tuple(Limit(var, kind, float(getattr(spec, key)), "spec", names[key])
                     for key, (var, kind, _u, _a) in SPEC_LIMITS.items() if getattr(spec, key) is not None)
    limits = []
    for var, kind, stat, label in CLASS1_RULE:
        try:
            value = float(model.class1[var][stat])
        except KeyError:
            raise ModelError(f"the reference model has no class-1 {stat} of {var!r}; refit it with "
                             f"`ssereport fit`") from None
        limits.append(Limit(var, kind, value, "class1", label))
    return tuple(limits)
