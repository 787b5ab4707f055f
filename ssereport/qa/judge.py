"""Judging a production batch against a saved reference model: :func:`judge_batch` -> :class:`BatchResult`."""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.capability import capability
from ..errors import DataError
from ..io import FilmTable, table_from_frame
from .model import ReferenceModel, check_units
from .reasons import RANGE_SOURCE, Finding, unit_of
from .spec import CLASS1_RULE, Limit, Spec, acceptance_limits, check_spec, load_spec

__all__ = ["BATCH_SCHEMA", "CLASS1_RULE", "BatchResult", "Limit", "Spec", "acceptance_limits", "capability",
           "check_spec", "judge_batch", "load_spec"]

BATCH_SCHEMA = "ssereport-batch/2"


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

    def __repr__(self) -> str:
        from .notebook import batch_repr

        return batch_repr(self)

    def _repr_html_(self) -> str:
        """Verdict, acceptance limits, films and capability as HTML (≤ 200 KB), for notebooks."""
        from .notebook import batch_html

        return batch_html(self)

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
                "out_of_range": list(row["out_of_range"]),
                "reasons": [r.to_dict() for r in row["reasons"]], "notes": [r.to_dict() for r in row["notes"]],
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
        from ..jsonutil import dumps

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
    conditions (P%, L:S, X:B). Each failed limit, and only a failed limit, is a
    reason: a :class:`~ssereport.qa.reasons.Finding` record with the value, the
    limit, the relation, the unit and the limit's source. Shown besides, never used for pass/fail: the nearest
    reference class (``observed_class``: the film's variables, recipe
    included, projected into the reference PCA, nearest K-means centroid, as
    in the paper) and the class expected from the recipe by the SVM
    (``predicted_class``) with its margin. Every variable outside the
    reference range is listed in ``out_of_range`` and recorded in ``notes``
    (a Finding against the range bound, source ``"reference range
    (extrapolation)"``): a note, never a reason, whichever side it is on.

    ``model_file`` (``{"path", "sha256"}`` of the model file, when judged from
    one) is recorded in the result's ``model`` block.

    Raises
    ------
    DataError
        Fewer than 2 films, or a likely unit mistake.
    ConfigError
        A bare spec number far outside the reference's scale (:func:`check_spec`).

    Returns
    -------
    BatchResult
        ``verdict`` (``"pass"``/``"fail"``), ``films`` (one row per film: ``sample_id,
        row, observed_class, predicted_class, margin, pass, out_of_range, reasons, notes`` and
        the measurements), ``counts``, ``limits``, ``capability`` (with spec limits).

    Notes
    -----
    The projection and nearest centroid are NumPy on the model's stored PCA; the
    expected class is the embedded pipeline's ``predict``/``decision_function``
    (scikit-learn ``SVC``; R ``predict(e1071::svm(...))``).

    Examples
    --------
    >>> import ssereport
    >>> table = ssereport.load_films("data/sse_films_reference.csv")
    >>> model = ssereport.fit_model(ssereport.analyze(table, ssereport.Config(cv_repeats=1, n_bootstrap=0)))
    >>> batch = ssereport.judge_batch(model, ssereport.load_films("data/batches/batch_2026-03-09_B.csv"))
    >>> batch.batch_id, batch.verdict, batch.counts["pass"], batch.counts["films"]
    ('2026-03-09_B', 'pass', 11, 12)
    >>> [[r.to_dict() for r in rs] for rs in batch.films.loc[~batch.films["pass"], "reasons"]]  # doctest: +ELLIPSIS
    [[{'variable': 'rd', 'value': 0.13..., 'limit': 0.10..., 'op': '>', 'unit': '', 'source': '95th percentile of class-1 reference films'}]]
    """
    from .. import __version__
    from ..versions import package_versions

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
        oor, notes = [], []
        for v, (lo, hi) in model.ranges.items():
            if v in d.columns and not lo <= film[v] <= hi:
                oor.append(v)
                low = bool(film[v] < lo)
                notes.append(Finding(variable=v, value=float(film[v]), limit=float(lo if low else hi),
                                     op="<" if low else ">", unit=unit_of(v), source=RANGE_SOURCE))
        failed = [lim for lim in limits if lim.fails(float(film[lim.variable]))]
        reasons = [lim.finding(float(film[lim.variable])) for lim in failed]
        rows.append({"row": int(rownum), "sample_id": film["sample_id"], "observed_class": int(observed[i]),
                     "predicted_class": int(predicted[i]), "margin": float(margin[i]), "pass": not failed,
                     "out_of_range": tuple(oor), "reasons": tuple(reasons), "notes": tuple(notes),
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
