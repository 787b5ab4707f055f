"""Judging a production batch against a saved reference model."""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import read_toml_section
from .errors import ConfigError, DataError
from .io import FilmTable, table_from_frame
from .model import ReferenceModel, check_units

__all__ = ["BATCH_SCHEMA", "BatchResult", "Spec", "capability", "judge_batch", "load_spec"]

BATCH_SCHEMA = "ssereport-batch/1"


@dataclass(frozen=True)
class Spec:
    """Specification limits; a film passes when it meets every limit that is set.

    Without any limit a film passes when its observed class is 1.
    ``min_pass_fraction`` is the share of films that must pass for the batch
    to pass (default 0.9: at most one film in ten may fail).
    """

    sigma_min: float | None = None
    rd_max: float | None = None
    thickness_min: float | None = None
    thickness_max: float | None = None
    min_pass_fraction: float = 0.9

    @property
    def has_limits(self) -> bool:
        return any(v is not None for v in (self.sigma_min, self.rd_max, self.thickness_min, self.thickness_max))

    def to_dict(self) -> dict[str, Any]:
        return {"sigma_min": self.sigma_min, "rd_max": self.rd_max, "thickness_min": self.thickness_min,
                "thickness_max": self.thickness_max, "min_pass_fraction": self.min_pass_fraction}


def load_spec(path: str | Path) -> Spec:
    """Read spec limits from TOML (keys at top level or under ``[spec]``)."""
    p = Path(path)
    section = read_toml_section(p, "spec", what="spec")
    allowed = set(Spec.__dataclass_fields__)
    for key, value in section.items():
        if key not in allowed:
            raise ConfigError(f"{p.name}: unknown spec option {key!r}; expected one of {sorted(allowed)}")
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not np.isfinite(value):
            raise ConfigError(f"{p.name}: spec option {key!r}: got {value!r}, expected a number")
    spec = Spec(**{k: float(v) for k, v in section.items()})
    if not 0 < spec.min_pass_fraction <= 1:
        raise ConfigError(f"{p.name}: min_pass_fraction: got {spec.min_pass_fraction}, expected a number in (0, 1]")
    if spec.thickness_min is not None and spec.thickness_max is not None and spec.thickness_min >= spec.thickness_max:
        raise ConfigError(f"{p.name}: thickness_min ({spec.thickness_min}) must be below thickness_max "
                          f"({spec.thickness_max})")
    return spec


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
            })
        return {
            "schema_version": BATCH_SCHEMA,
            "batch_id": self.batch_id,
            "cast_date": self.cast_date,
            "verdict": self.verdict,
            "counts": self.counts,
            "spec": self.spec.to_dict(),
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


def judge_batch(model: ReferenceModel, data: FilmTable | pd.DataFrame, *, spec: Spec | None = None,
                batch_id: str | None = None, model_file: dict[str, str] | None = None) -> BatchResult:
    """Judge every film of a batch against the reference model.

    Per film: the observed class (measurements projected into the reference
    PCA, nearest centroid), the class predicted from the conditions by the SVM
    with its margin, pass/fail (observed class 1, or the spec limits when set),
    and every variable outside the reference range. Films outside the range
    are still classified, but flagged: each variable out of range is listed in
    ``out_of_range`` and named in ``reasons`` as an extrapolation.

    ``model_file`` (``{"path", "sha256"}`` of the model file, when judged from
    one) is recorded in the result's ``model`` block.

    Raises
    ------
    DataError
        Fewer than 2 films, or a likely unit mistake.
    """
    from . import __version__
    from .versions import package_versions

    spec = spec or Spec()
    table = data if isinstance(data, FilmTable) else table_from_frame(data)
    d = table.data
    source = table.source
    if len(d) < 2:
        raise DataError(f"the batch has {len(d)} film; a batch report needs at least 2 films", source)
    check_units(d, model, source)
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
        if spec.has_limits:
            ok = True
            if spec.sigma_min is not None and film["conductivity_s_cm"] < spec.sigma_min:
                ok = False
                reasons.append(f"σ = {film['conductivity_s_cm']:.3g} S/cm below the spec minimum {spec.sigma_min:.3g}")
            if spec.rd_max is not None and film["rd"] > spec.rd_max:
                ok = False
                reasons.append(f"RD = {film['rd']:.3g} above the spec maximum {spec.rd_max:.3g}")
            if spec.thickness_min is not None and film["thickness_um"] < spec.thickness_min:
                ok = False
                reasons.append(f"thickness = {film['thickness_um']:.3g} µm below the spec minimum "
                               f"{spec.thickness_min:.3g} µm")
            if spec.thickness_max is not None and film["thickness_um"] > spec.thickness_max:
                ok = False
                reasons.append(f"thickness = {film['thickness_um']:.3g} µm above the spec maximum "
                               f"{spec.thickness_max:.3g} µm")
        else:
            ok = bool(observed[i] == 1)
            if not ok:
                what = {2: "high σ but high RD (non-uniform)", 3: "low σ"}.get(int(observed[i]), "")
                reasons.append(f"observed class {int(observed[i])}: {what}")
        rows.append({"row": int(rownum), "sample_id": film["sample_id"], "observed_class": int(observed[i]),
                     "predicted_class": int(predicted[i]), "margin": float(margin[i]), "pass": ok,
                     "out_of_range": tuple(oor), "reasons": tuple(reasons),
                     **{v: float(film[v]) for v in ("polymer_wt_pct", "ls_ratio", "xylene_vol_pct",
                                                    "thickness_um", "conductivity_s_cm", "rd")}})
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
        table=table, cast_date=m.group(1) if m else None,
        model_info={**{k: model.info.get(k) for k in ("data", "created", "ssereport_version", "class_counts")},
                    "checksum": model.checksum, "file": model_file},
        provenance={"ssereport_version": __version__, "python": platform.python_version(),
                    "packages": package_versions(),
                    "created": datetime.now(timezone.utc).isoformat(timespec="seconds")},
        model=model,
    )
