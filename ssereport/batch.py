"""Judging a production batch against a saved reference model."""

from __future__ import annotations

import functools
import platform
import re
import tokenize
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import read_toml_section
from .errors import ConfigError, DataError, ModelError
from .io import FilmTable, table_from_frame
from .model import ReferenceModel, check_units

__all__ = ["BATCH_SCHEMA", "CLASS1_RULE", "BatchResult", "Limit", "Spec", "acceptance_limits", "capability",
           "check_spec", "judge_batch", "load_spec"]

BATCH_SCHEMA = "ssereport-batch/1"


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
    from .report.filters import fmt_num, fmt_trimmed
    from .schema import by_name

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

    def reason(self, x: float) -> str:
        """``"RD = 0.21 > 0.101 (95th percentile of class-1 reference films)"``,
        ``"σ = 1.7 × 10⁻⁴ S/cm < spec minimum 3 × 10⁻⁴ S/cm"``."""
        from .report.filters import fmt_compare
        from .schema import by_name

        col = by_name(self.variable)
        unit = f" {col.unit}" if col.unit not in ("", "–", "-") else ""
        a, b = fmt_compare(x, self.value)
        op = "<" if self.kind == "min" else ">"
        if self.basis == "spec":
            return f"{col.symbol} = {a}{unit} {op} {self.label} {b}{unit}"
        return f"{col.symbol} = {a}{unit} {op} {b}{unit} ({self.label})"

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


def capability(x: np.ndarray, lsl: float | None, usl: float | None) -> dict[str, float | None]:
    """Process capability of one variable.

    Cp, Cpk use the within-batch σ estimated from the average moving range
    (MR̄ / d2, d2 = 1.128); Pp, Ppk the overall sample SD (n − 1). Cp and Pp
    need both limits; with one limit only Cpk/Ppk (one-sided) are given.
    """
    x = np.asarray(x, dtype=float)
    mean = float(x.mean())
    sd_overall = float(x.std(ddof=1)) if len(x) > 1 else float("nan")
    mr = np.abs(np.diff(x))
    sd_within = float(mr.mean() / 1.128) if len(mr) else float("nan")

    def idx(sd: float) -> tuple[float | None, float | None]:
        if not sd > 0:
            return None, None
        both = (usl - lsl) / (6 * sd) if lsl is not None and usl is not None else None
        sides = []
        if usl is not None:
            sides.append((usl - mean) / (3 * sd))
        if lsl is not None:
            sides.append((mean - lsl) / (3 * sd))
        return both, (min(sides) if sides else None)

    cp, cpk = idx(sd_within)
    pp, ppk = idx(sd_overall)
    return {"mean": mean, "sd_within": sd_within, "sd_overall": sd_overall, "lsl": lsl, "usl": usl,
            "cp": cp, "cpk": cpk, "pp": pp, "ppk": ppk, "n": int(len(x))}


@dataclass(frozen=True, eq=False)
class BatchResult:
    """Verdict on one batch. ``films`` is a tidy DataFrame, one row per film.

    ``model`` is the reference model the batch was judged against (for the
    report's figures; not part of :meth:`to_dict`).
    """

    batch_id: str
    verdict: str
    films: pd.DataFrame
    scores: np.ndarray
    capability: dict[str, dict[str, Any]]
    spec: Spec
    table: FilmTable
    model_info: dict[str, Any]
    cast_date: str | None
    provenance: dict[str, Any] = field(default_factory=dict)
    model: ReferenceModel | None = field(default=None, repr=False)
    limits: tuple[Limit, ...] = ()

    @property
    def basis(self) -> str:
        """``"spec"`` when the films were judged against spec limits, else ``"class1"``."""
        return "spec" if self.spec.has_limits else "class1"

    @property
    def counts(self) -> dict[str, Any]:
        f = self.films
        return {"films": int(len(f)), "pass": int(f["pass"].sum()), "fail": int((~f["pass"]).sum()),
                "observed_class": {str(c): int((f["observed_class"] == c).sum()) for c in (1, 2, 3)},
                "predicted_class": {str(c): int((f["predicted_class"] == c).sum()) for c in (1, 2, 3)},
                "out_of_range": int((f["out_of_range"].map(len) > 0).sum())}

    def to_dict(self) -> dict[str, Any]:
        films = []
        for _, row in self.films.iterrows():
            films.append({
                "sample_id": row["sample_id"], "row": int(row["row"]),
                "observed_class": int(row["observed_class"]), "predicted_class": int(row["predicted_class"]),
                "margin": float(row["margin"]), "pass": bool(row["pass"]),
                "out_of_range": list(row["out_of_range"]), "reasons": list(row["reasons"]),
                "conductivity_s_cm": float(row["conductivity_s_cm"]), "rd": float(row["rd"]),
                "thickness_um": float(row["thickness_um"]),
                "polymer_wt_pct": float(row["polymer_wt_pct"]), "ls_ratio": float(row["ls_ratio"]),
                "xylene_vol_pct": float(row["xylene_vol_pct"]),
                **{v: float(row[v]) for v in _EXTRA_MEASUREMENTS if v in row.index},
            })
        return {
            "schema_version": BATCH_SCHEMA,
            "batch_id": self.batch_id,
            "cast_date": self.cast_date,
            "verdict": self.verdict,
            "counts": self.counts,
            "spec": self.spec.to_dict(),
            "acceptance": {"basis": self.basis, "limits": [lim.to_dict() for lim in self.limits],
                           "min_pass_fraction": self.spec.min_pass_fraction},
            "capability": self.capability,
            "films": films,
            "input": {"path": self.table.source, "sha256": self.table.sha256, "n_rows": self.table.n_rows,
                      "excluded": [{"row": e.row, "sample_id": e.sample_id, "reason": e.reason}
                                   for e in self.table.excluded], "notes": list(self.table.notes)},
            "model": self.model_info,
            "provenance": self.provenance,
        }

    def to_json(self) -> str:
        from .jsonutil import dumps

        return dumps(self.to_dict())


_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
#: Measurements recorded per film besides σ, RD and thickness (when the batch file has them).
_EXTRA_MEASUREMENTS = ("dot_um", "density_g_cm3", "resistance_ohm")


def judge_batch(model: ReferenceModel, data: FilmTable | pd.DataFrame, *, spec: Spec | None = None,
                batch_id: str | None = None, model_file: dict[str, str] | None = None) -> BatchResult:
    """Judge every film of a batch against the reference model.

    A film passes when its measurements meet every acceptance limit
    (:func:`acceptance_limits`): the spec limits when ``spec`` sets any, else
    σ ≥ the 5th and RD ≤ the 95th percentile of the reference class-1 films
    (:data:`CLASS1_RULE`). The verdict never depends on the manufacturing
    conditions (P%, L:S, X:B). Each failed limit is a reason quoting the value
    and the limit. Shown besides, never used for pass/fail: the nearest
    reference class (``observed_class``: the film's variables, recipe
    included, projected into the reference PCA, nearest K-means centroid, as
    in the paper) and the class expected from the recipe by the SVM
    (``predicted_class``) with its margin. Every variable outside the
    reference range is listed in ``out_of_range`` and named in ``reasons`` as
    an extrapolation.

    ``model_file`` (``{"path", "sha256"}`` of the model file, when judged from
    one) is recorded in the result's ``model`` block.

    Raises
    ------
    DataError
        Fewer than 2 films, or a likely unit mistake.
    ConfigError
        A bare spec number far outside the reference's scale (:func:`check_spec`).
    """
    from . import __version__
    from .versions import package_versions

    spec = spec or Spec()
    table = data if isinstance(data, FilmTable) else table_from_frame(data)
    d = table.data
    source = table.source
    if len(d) < 2:
        raise DataError(f"the batch has {len(d)} film; a batch report needs at least 2 films", source)
    check_units(d, model, source, table.headers)
    check_spec(spec, model)
    limits = acceptance_limits(model, spec)
    if batch_id is None:
        if "batch_id" in d.columns and d["batch_id"].nunique() == 1:
            batch_id = str(d["batch_id"].iloc[0])
        else:
            batch_id = Path(source).stem
    observed = model.observed_class(d)
    predicted, margin = model.predict(d)
    scores = model.project(d)
    rows = []
    for i, (rownum, film) in enumerate(d.iterrows()):
        oor, reasons = [], []
        for v, (lo, hi) in model.ranges.items():
            if v in d.columns and not lo <= film[v] <= hi:
                oor.append(v)
                reasons.append(f"{v} = {film[v]:.4g} outside the reference range {lo:.4g}–{hi:.4g} (extrapolation)")
        failed = [lim for lim in limits if lim.fails(float(film[lim.variable]))]
        reasons = [lim.reason(float(film[lim.variable])) for lim in failed] + reasons
        rows.append({"row": int(rownum), "sample_id": film["sample_id"], "observed_class": int(observed[i]),
                     "predicted_class": int(predicted[i]), "margin": float(margin[i]), "pass": not failed,
                     "out_of_range": tuple(oor), "reasons": tuple(reasons),
                     **{v: float(film[v]) for v in ("polymer_wt_pct", "ls_ratio", "xylene_vol_pct",
                                                    "thickness_um", "conductivity_s_cm", "rd")},
                     **{v: float(film[v]) for v in _EXTRA_MEASUREMENTS if v in d.columns}})
    films = pd.DataFrame(rows)
    share = float(films["pass"].mean())
    verdict = "pass" if share >= spec.min_pass_fraction - 1e-12 else "fail"
    cap = {}
    if spec.sigma_min is not None:
        cap["conductivity_s_cm"] = capability(d["conductivity_s_cm"].to_numpy(), spec.sigma_min, None)
    if spec.rd_max is not None:
        cap["rd"] = capability(d["rd"].to_numpy(), None, spec.rd_max)
    if spec.thickness_min is not None or spec.thickness_max is not None:
        cap["thickness_um"] = capability(d["thickness_um"].to_numpy(), spec.thickness_min, spec.thickness_max)
    m = _DATE.search(batch_id) or _DATE.search(source)
    return BatchResult(
        batch_id=batch_id, verdict=verdict, films=films, scores=scores, capability=cap, spec=spec,
        table=table, cast_date=m.group(1) if m else None, limits=limits,
        model_info={**{k: model.info.get(k) for k in ("data", "created", "ssereport_version", "class_counts")},
                    "checksum": model.checksum, "file": model_file},
        provenance={"ssereport_version": __version__, "python": platform.python_version(),
                    "packages": package_versions(),
                    "created": datetime.now(timezone.utc).isoformat(timespec="seconds")},
        model=model,
    )
