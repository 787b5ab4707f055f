"""Compare two studies (or two periods): class shares, shifts, class-1 windows, model transfer.

Each study is analysed on its own (:func:`ssereport.analyze`); B's films are
also placed in A's classes (nearest A centroid in A's PCA), and A's
classifier is scored on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..schema import CONDITIONS, FILM_VARIABLES

__all__ = ["Comparison", "compare_studies", "shift_tests"]

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


def shift_tests(a: pd.DataFrame, b: pd.DataFrame, variables=FILM_VARIABLES, *, alpha: float = 0.05) -> pd.DataFrame:
    """Distribution shift of each variable between two film tables.

    Parameters
    ----------
    a, b : pandas.DataFrame
        Film tables with the columns ``variables``.
    variables : sequence of str
    alpha : float
        Family-wise level of the Holm adjustment; ``shifted`` is
        ``p_holm <= alpha``.

    Returns
    -------
    pandas.DataFrame
        ``variable, statistic, p_value, p_holm, effect_size, shifted, n_a, n_b,
        median_a, median_b``: ``statistic`` is the Mann-Whitney U of A,
        ``effect_size`` the rank-biserial correlation 2U/(n_a·n_b) − 1 (Cliff's
        delta; > 0 when A tends to be larger than B, in −1…1).

    Notes
    -----
    ``scipy.stats.mannwhitneyu(a, b, alternative="two-sided",
    method="auto")`` (exact for small samples without ties, else the normal
    approximation with tie and continuity corrections); Holm by
    ``statsmodels.stats.multitest.multipletests(method="holm")``. R:
    ``wilcox.test(a, b)`` (``W`` = U) and ``p.adjust(p, "holm")``;
    rank-biserial as ``effectsize::rank_biserial``.
    """
    from scipy.stats import mannwhitneyu
    from statsmodels.stats.multitest import multipletests

    rows = []
    for v in variables:
        xa = a[v].to_numpy(dtype=float)
        xb = b[v].to_numpy(dtype=float)
        res = mannwhitneyu(xa, xb, alternative="two-sided")
        u = float(res.statistic)
        rows.append({"variable": v, "statistic": u, "p_value": float(res.pvalue),
                     "effect_size": 2.0 * u / (len(xa) * len(xb)) - 1.0, "n_a": len(xa), "n_b": len(xb),
                     "median_a": float(np.median(xa)), "median_b": float(np.median(xb))})
    out = pd.DataFrame(rows)
    out.insert(3, "p_holm", multipletests(out["p_value"].to_numpy(), alpha=alpha, method="holm")[1])
    out.insert(5, "shifted", out["p_holm"] <= alpha)
    return out


@dataclass(frozen=True, eq=False)
class Comparison:
    """Result of :func:`compare_studies`.

    Attributes
    ----------
    source_a, source_b : str
    variables : pandas.DataFrame
        :func:`shift_tests`.
    classes : pandas.DataFrame
        ``class, n_a, share_a, n_b, share_b, n_b_in_a, share_b_in_a``: each
        study's own K-means classes (``n_b = -1``, ``share_b = NaN`` when B
        has no analysis of its own), and B's films in A's classes (nearest
        A centroid of their scores in A's PCA, ``ReferenceModel.observed_class``).
    class_test : dict
        ``scipy.stats.chi2_contingency`` of A's classes against B's films in
        A's classes: ``statistic, p_value, dof``.
    transfer_f1 : float
        Macro F1 of A's SVM (recipe -> class) on B's films labelled in A's classes.
    a_cv_f1 : float
        A's own cross-validated macro F1, for comparison.
    window : pandas.DataFrame
        ``polymer_wt_pct, share_a, share_b, agreement``: share of the L:S × X:B
        grid (A's decision map) predicted class 1 by each study's SVM, and the
        share of cells where they agree on class 1 or not (NaN without B's own SVM).
    window_jaccard : float
        |class-1 cells of A ∩ of B| / |∪| over the whole grid (NaN without B's own SVM).
    grid : dict
        ``polymer_levels, ls, xb, class1_a, class1_b`` (boolean arrays of shape
        (levels, xb, ls); ``class1_b`` None without B's own SVM) for the overlaid maps.
    imr : dict or None
        ``charts`` (variable -> :class:`~ssereport.analysis.control.ControlChart`),
        ``n_a`` (the first ``n_a`` points are A's) when both tables have dates.
    imr_note : str
    alpha : float
    b_note : str
        Why B has no analysis of its own ("" when it has one).
    n_a, n_b : int
        Films compared.
    method : str
    """

    source_a: str
    source_b: str
    variables: pd.DataFrame
    classes: pd.DataFrame
    class_test: dict[str, float]
    transfer_f1: float
    a_cv_f1: float
    window: pd.DataFrame
    window_jaccard: float
    grid: dict[str, Any]
    imr: dict[str, Any] | None
    imr_note: str
    alpha: float
    method: str
    model_holds: bool = field(default=True)
    b_note: str = ""
    n_a: int = 0
    n_b: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The documented layout (docs/compare-json.md)."""
        v = self.variables
        return {
            "a": self.source_a,
            "b": self.source_b,
            "n_a": self.n_a,
            "n_b": self.n_b,
            "b_note": self.b_note,
            "variables": [{"variable": r["variable"], "statistic": float(r["statistic"]),
                           "p_value": float(r["p_value"]), "p_holm": float(r["p_holm"]),
                           "effect_size": float(r["effect_size"]), "shifted": bool(r["shifted"]),
                           "n_a": int(r["n_a"]), "n_b": int(r["n_b"]), "median_a": float(r["median_a"]),
                           "median_b": float(r["median_b"])} for r in v.to_dict(orient="records")],
            "classes": {
                "assignment": "own: each study's K-means classes; in_a: B's films in A's classes (nearest A "
                              "centroid in A's PCA)",
                "table": [{k: ((int(x) if x >= 0 else None) if k.startswith("n_") or k == "class" else float(x))
                           for k, x in r.items()} for r in self.classes.to_dict(orient="records")],
                "chi2_a_vs_b_in_a": self.class_test,
                "transfer_f1_macro": self.transfer_f1,
                "a_cv_f1_macro": self.a_cv_f1,
                "model_holds": self.model_holds,
            },
            "window": {
                "grid": "A's decision-map grid (L:S × X:B per P% level)",
                "levels": [{k: float(x) for k, x in r.items()} for r in self.window.to_dict(orient="records")],
                "jaccard": self.window_jaccard,
            },
            "imr": None if self.imr is None else {
                var: {"center": ch.center, "sigma": ch.sigma, "n_a": self.imr["n_a"],
                      "flags": [{"index": f.index, "panel": f.panel, "rules": list(f.rules)} for f in ch.flags]}
                for var, ch in self.imr["charts"].items()},
            "imr_note": self.imr_note,
            "alpha": self.alpha,
            "method": self.method,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        from ..jsonutil import dumps

        return dumps(self.to_dict(), indent=indent)

    def summary(self) -> str:
        """Plain-text summary (what ``ssereport compare`` prints)."""
        lines = [f"A: {self.source_a} ({self.n_a} films)   B: {self.source_b} ({self.n_b} films)"]
        if self.b_note:
            lines.append(f"B has no analysis of its own: {self.b_note}")
        lines += [
                 f"{'variable':<18} {'U':>9} {'p':>9} {'p (Holm)':>9} {'effect':>7}  shifted"]
        for r in self.variables.itertuples(index=False):
            lines.append(f"{r.variable:<18} {r.statistic:>9.1f} {r.p_value:>9.3g} {r.p_holm:>9.3g} "
                         f"{r.effect_size:>+7.2f}  {'yes' if r.shifted else 'no'}")
        c = self.classes
        lines.append("classes (share): " + "; ".join(
            f"{int(r['class'])}: A {r['share_a']:.0%}, B "
            + (f"{r['share_b']:.0%}" if r["n_b"] >= 0 else "–") + f" (B in A's classes {r['share_b_in_a']:.0%})"
            for r in c.to_dict(orient="records")))
        lines.append(f"A's SVM on B (B's films in A's classes): macro F1 {self.transfer_f1:.3f} "
                     f"(A's own CV {self.a_cv_f1:.3f}) -> model {'still holds' if self.model_holds else 'does not hold'}")
        if self.grid["class1_b"] is not None:
            lines.append(f"class-1 window: Jaccard overlap {self.window_jaccard:.2f}; " + ", ".join(
                f"P {r['polymer_wt_pct']:g}: A {r['share_a']:.0%} / B {r['share_b']:.0%}"
                for r in self.window.to_dict(orient="records")))
        else:
            lines.append("class-1 window: B has no SVM of its own; A's only")
        lines.append(f"I-MR: {self.imr_note}")
        return "\n".join(lines)


def _dates(table) -> list[str] | None:
    d = table.data
    if "batch_id" not in d.columns:
        return None
    out = []
    for v in d["batch_id"].astype(str):
        m = _DATE.search(v)
        if not m:
            return None
        out.append(m.group(1))
    return out


def _imr(ta, a_data: pd.DataFrame, tb) -> tuple[dict[str, Any] | None, str]:
    from ..analysis.control import imr_chart

    da, db = _dates(ta), _dates(tb)
    if da is None or db is None:
        missing = [t.source for t, d in ((ta, da), (tb, db)) if d is None]
        return None, (f"skipped: no cast dates in {' and '.join(missing)} (a batch_id column holding a "
                      "YYYY-MM-DD date on every film)")
    fa = a_data.assign(_date=da)
    fb = tb.data.assign(_date=db)
    films = pd.concat([fa.sort_values("_date", kind="stable"), fb.sort_values("_date", kind="stable")])
    c1 = a_data[a_data["class"] == 1]
    charts = {}
    for var in ("conductivity_s_cm", "rd"):
        ref = c1[var].to_numpy(dtype=float)
        charts[var] = imr_chart(var, films[var].to_numpy(dtype=float),
                                [f"{d} / {s}" for d, s in zip(films["_date"], films["sample_id"])],
                                center=float(np.mean(ref)), sigma=float(np.std(ref, ddof=1)))
    return ({"charts": charts, "n_a": len(fa)},
            f"A's films then B's, each in date order; limits from A's class-1 films (mean ± 3 SD, n = {len(c1)})")


def compare_studies(a, b, *, alpha: float = 0.05, variables=FILM_VARIABLES, b_note: str = "") -> Comparison:
    """Compare study B with study A.

    Parameters
    ----------
    a : StudyResults
        The reference, from :func:`ssereport.analyze`.
    b : StudyResults or FilmTable
        Analysed on its own table when it can be; a :class:`~ssereport.io.FilmTable`
        (a table too small or too uniform for its own K-means and SVM, e.g. a
        month of production in the class-1 window) is compared in A's classes
        only: its own class shares and class-1 window are then missing
        (``NaN``) and ``b_note`` says why.
    alpha : float, default 0.05
    variables : sequence of str
    b_note : str
        Why B has no analysis of its own (shown in the report and JSON).

    Returns
    -------
    Comparison

    Notes
    -----
    Shifts: :func:`shift_tests`. Classes: each study's own K-means classes,
    and B's films in A's classes (``a.pca.transform`` then
    ``a.clusters.predict``: the nearest A centroid in A's standardised PCA,
    ``sklearn.metrics.pairwise_distances_argmin``), tested against A's by
    ``scipy.stats.chi2_contingency``. Model transfer: A's fitted pipeline
    predicts B's classes (in A's classes) from B's recipes, scored by
    ``sklearn.metrics.f1_score(average="macro")``; it "still holds" when that
    F1 is at least the 2.5th percentile of A's own CV fold scores. Windows: both
    SVMs predict A's decision-map grid. I-MR: :func:`ssereport.analysis.control.imr_chart`.
    R: ``wilcox.test``, ``p.adjust(, "holm")``, ``chisq.test(rbind(n_a, n_b))``,
    ``caret::confusionMatrix``.
    """
    from scipy.stats import chi2_contingency
    from sklearn.metrics import f1_score

    b_results = b if hasattr(b, "clusters") else None
    b_table = b_results.table if b_results is not None else b
    bd = b_table.data
    in_a = a.clusters.predict(a.pca.transform(bd))
    cb = b_results.clusters.labels.to_numpy() if b_results is not None else None
    labels = sorted(set(a.clusters.counts) | set(int(v) for v in in_a)
                    | (set(b_results.clusters.counts) if b_results is not None else set()))
    ca = a.clusters.labels.to_numpy()
    rows = []
    for c in labels:
        rows.append({"class": c, "n_a": int(np.sum(ca == c)), "share_a": float(np.mean(ca == c)),
                     "n_b": int(np.sum(cb == c)) if cb is not None else -1,
                     "share_b": float(np.mean(cb == c)) if cb is not None else float("nan"),
                     "n_b_in_a": int(np.sum(in_a == c)), "share_b_in_a": float(np.mean(in_a == c))})
    classes = pd.DataFrame(rows)
    table = classes[["n_a", "n_b_in_a"]].to_numpy().T
    table = table[:, table.sum(axis=0) > 0]
    chi = chi2_contingency(table)
    class_test = {"statistic": float(chi.statistic), "p_value": float(chi.pvalue), "dof": int(chi.dof)}

    pred = np.asarray(a.classifier.model.predict(bd[list(CONDITIONS)].to_numpy(dtype=float)))
    # macro over the classes B's films have or are predicted (scikit-learn's default): a class absent from B
    # is not a failure of the model
    transfer = float(f1_score(in_a, pred, average="macro", zero_division=0))
    holds = transfer >= a.classifier.cv_f1_macro_ci95[0]

    dm = a.decision_map
    gp, gy, gx = np.meshgrid(dm.polymer_levels, dm.xb, dm.ls, indexing="ij")
    grid_x = np.column_stack([gp.ravel(), gx.ravel(), gy.ravel()])
    c1a = (dm.predicted == 1)
    if b_results is not None:
        c1b = (np.asarray(b_results.classifier.model.predict(grid_x)) == 1).reshape(gp.shape)
        share_b = c1b.mean(axis=(1, 2))
        agree = (c1a == c1b).mean(axis=(1, 2))
        union = np.sum(c1a | c1b)
        jaccard = float(np.sum(c1a & c1b) / union) if union else 1.0
    else:
        c1b = None
        share_b = agree = np.full(len(dm.polymer_levels), np.nan)
        jaccard = float("nan")
    window = pd.DataFrame({"polymer_wt_pct": list(dm.polymer_levels), "share_a": c1a.mean(axis=(1, 2)),
                           "share_b": share_b, "agreement": agree})
    imr, note = _imr(a.table, a.data, b_table)
    method = ("shifts: scipy.stats.mannwhitneyu (two-sided), rank-biserial effect size, Holm by "
              "statsmodels.stats.multitest.multipletests; classes: each study's own K-means, and B's films in A's "
              "classes (nearest A centroid in A's PCA), scipy.stats.chi2_contingency; model transfer: A's SVM "
              "pipeline on B's recipes, sklearn.metrics.f1_score(average='macro') against B's films in A's classes, "
              "holds when at least the 2.5th percentile of A's CV fold scores; windows: both SVMs on A's "
              "decision-map grid")
    return Comparison(source_a=a.table.source, source_b=b_table.source, variables=shift_tests(
        a.data, bd, variables, alpha=alpha), classes=classes, class_test=class_test, transfer_f1=transfer,
        a_cv_f1=a.classifier.cv_f1_macro_mean, window=window, window_jaccard=jaccard,
        grid={"polymer_levels": tuple(dm.polymer_levels), "ls": dm.ls, "xb": dm.xb, "class1_a": c1a,
              "class1_b": c1b}, imr=imr, imr_note=note, alpha=alpha, method=method, model_holds=bool(holds),
        b_note=b_note, n_a=a.table.n_analyzed, n_b=b_table.n_analyzed)
