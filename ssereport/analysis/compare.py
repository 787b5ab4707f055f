"""Compare two analysed studies (or two periods): what changed, by how much, and what it means.

The pure part of :func:`ssereport.compare_studies` (``ssereport.qa.compare``,
which loads, analyses and derives the acceptance limits): per variable the
Mann-Whitney test with Holm, the change of the medians, the direction and the
Hodges–Lehmann shift with its interval (:func:`shift_tests`); the headline
(:func:`headline`); the films of each study beyond the acceptance limits
(:func:`beyond_limits`); class shares, B's films in A's classes, A's
classifier scored on them, class-1 windows and I-MR charts
(:func:`compare_results`).
"""

from __future__ import annotations

import bisect

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..schema import CONDITIONS, FILM_VARIABLES

__all__ = ["BeyondLimits", "Comparison", "beyond_limits", "compare_results", "headline", "hodges_lehmann",
           "shift_tests"]

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


#: Largest n_a × n_b for which the Hodges–Lehmann shift is computed from every pairwise difference; above it,
#: from seeded random subsamples of at most :data:`HL_SUBSAMPLE` films of each study (the method says so).
HL_MAX_PAIRS = 25_000_000
HL_SUBSAMPLE = 5000


def hodges_lehmann(a, b, *, confidence: float = 0.95, method: str = "auto") -> tuple[float, float, float]:
    """Hodges–Lehmann shift of B relative to A with its distribution-free confidence interval.

    Parameters
    ----------
    a, b : array_like
        The two samples (finite numbers).
    confidence : float, default 0.95
    method : {"auto", "exact", "asymptotic"}
        Null distribution of the Mann-Whitney test inverted for the interval;
        ``"auto"`` as R: exact when both samples have fewer than 50 values and
        no value is tied, else the normal approximation (tie and continuity corrections).

    Returns
    -------
    estimate, low, high : float
        The median of the n_a·n_b pairwise differences ``b_j − a_i`` (in the
        variables' unit; > 0 when B tends to be larger) and the interval
        between two of their order statistics.

    Notes
    -----
    SciPy has no two-sample Hodges–Lehmann estimator; it is composed here: the
    pairwise differences by ``numpy.subtract.outer``, sorted, the estimate their
    ``numpy.median``. The interval inverts ``scipy.stats.mannwhitneyu``: the
    lower bound is the ``k``-th smallest difference, the upper the ``k``-th
    largest, for the smallest ``k`` at which B shifted by a value between the
    ``k``-th and ``(k+1)``-th difference is not rejected (two-sided, level
    ``1 − confidence``; ``k`` found by ``bisect.bisect_left``). R: ``wilcox.test(b, a,
    conf.int = TRUE)``, whose exact method returns the same median and order
    statistics (``k = qwilcox(alpha/2, n_b, n_a)``); checked against it in
    ``tests/test_compare.py`` (``tests/reference/compare_hl.R``). R's
    asymptotic estimate and bounds are roots (``uniroot``) of the corrected z
    between two consecutive differences: each lies within one difference of
    the values here (``tests/reference/compare_hl.R``, ties
    included; its ``tol = 1e-4`` is absolute, so σ in S/cm must be rescaled
    for R to be that close).
    """
    from scipy.stats import mannwhitneyu

    xa = np.asarray(a, dtype=float).ravel()
    xb = np.asarray(b, dtype=float).ravel()
    m, n = len(xa), len(xb)
    d = np.sort(np.subtract.outer(xb, xa).ravel())
    mn = len(d)
    if method == "auto":
        pooled = np.concatenate([xa, xb])
        method = "exact" if m < 50 and n < 50 and len(np.unique(pooled)) == len(pooled) else "asymptotic"
    alpha = 1.0 - confidence

    def accepted(k: int) -> bool:  # B shifted by a value with k differences below it
        s = (d[k - 1] + d[k]) / 2.0
        return bool(mannwhitneyu(xb - s, xa, alternative="two-sided", method=method).pvalue > alpha)

    # the smallest k accepted (p grows with k up to the middle), by the standard library's binary search;
    # max(mn // 2, 1) when none below it is
    k = 1 + bisect.bisect_left(range(1, max(mn // 2, 1)), True, key=accepted)
    return float(np.median(d)), float(d[k - 1]), float(d[mn - k])


def shift_tests(a: pd.DataFrame, b: pd.DataFrame, variables=FILM_VARIABLES, *, alpha: float = 0.05,
                confidence: float = 0.95, seed: int = 42) -> pd.DataFrame:
    """Distribution shift of each variable between two film tables: test, size and direction.

    Parameters
    ----------
    a, b : pandas.DataFrame
        Film tables with the columns ``variables``.
    variables : sequence of str
    alpha : float
        Family-wise level of the Holm adjustment; ``shifted`` is
        ``p_holm <= alpha``.
    confidence : float, default 0.95
        Level of the Hodges–Lehmann interval.
    seed : int, default 42
        Seeds the subsamples of the Hodges–Lehmann shift above
        :data:`HL_MAX_PAIRS` pairs (not used below).

    Returns
    -------
    pandas.DataFrame
        ``variable, statistic, p_value, p_holm, effect_size, shifted, n_a, n_b,
        median_a, median_b, change_pct, direction, shift, shift_ci_low,
        shift_ci_high``: ``statistic`` is the Mann-Whitney U of A,
        ``effect_size`` the rank-biserial correlation 2U/(n_a·n_b) − 1 (Cliff's
        delta; > 0 when A tends to be larger than B, in −1…1);
        ``change_pct`` = 100 × (median_b / median_a − 1) (NaN when
        median_a is 0); ``direction`` ``"higher"`` or ``"lower"`` (B against
        A, from the sign of the effect size) when shifted, else None;
        ``shift`` the Hodges–Lehmann shift of B against A (unit of the
        variable) and ``shift_ci_low``, ``shift_ci_high`` its interval
        (:func:`hodges_lehmann`).

    Notes
    -----
    ``scipy.stats.mannwhitneyu(a, b, alternative="two-sided",
    method="auto")`` (exact for small samples without ties, else the normal
    approximation with tie and continuity corrections); Holm by
    ``statsmodels.stats.multitest.multipletests(method="holm")`` (:func:`ssereport.analysis.tests.adjust_holm`). R:
    ``wilcox.test(a, b)`` (``W`` = U) and ``p.adjust(p, "holm")``;
    rank-biserial as ``effectsize::rank_biserial``; the shift as
    ``wilcox.test(b, a, conf.int = TRUE)``.
    """
    from scipy.stats import mannwhitneyu

    from .tests import adjust_holm

    rng = np.random.default_rng(seed)
    rows = []
    for v in variables:
        xa = a[v].to_numpy(dtype=float)
        xb = b[v].to_numpy(dtype=float)
        res = mannwhitneyu(xa, xb, alternative="two-sided")
        u = float(res.statistic)
        ha, hb = xa, xb
        if len(xa) * len(xb) > HL_MAX_PAIRS:
            ha = xa if len(xa) <= HL_SUBSAMPLE else rng.choice(xa, HL_SUBSAMPLE, replace=False)
            hb = xb if len(xb) <= HL_SUBSAMPLE else rng.choice(xb, HL_SUBSAMPLE, replace=False)
        est, lo, hi = hodges_lehmann(ha, hb, confidence=confidence)
        med_a, med_b = float(np.median(xa)), float(np.median(xb))
        rows.append({"variable": v, "statistic": u, "p_value": float(res.pvalue),
                     "effect_size": 2.0 * u / (len(xa) * len(xb)) - 1.0, "n_a": len(xa), "n_b": len(xb),
                     "median_a": med_a, "median_b": med_b,
                     "change_pct": 100.0 * (med_b / med_a - 1.0) if med_a != 0 else float("nan"),
                     "shift": est, "shift_ci_low": lo, "shift_ci_high": hi})
    out = pd.DataFrame(rows)
    out.insert(3, "p_holm", adjust_holm(out["p_value"].to_numpy(), alpha=alpha))
    out.insert(5, "shifted", out["p_holm"] <= alpha)
    direction = pd.Series(np.where(out["effect_size"] > 0, "lower", "higher"), index=out.index, dtype=object)
    out.insert(out.columns.get_loc("change_pct") + 1, "direction", direction.where(out["shifted"], None))
    return out


def shift_method(n_a: int, n_b: int, *, confidence: float = 0.95) -> str:
    """What :func:`shift_tests` ran, in words (for the JSON and the report)."""
    sub = (f"; from random subsamples of {HL_SUBSAMPLE} films of each study (n_a × n_b above "
           f"{HL_MAX_PAIRS:,} pairs)" if n_a * n_b > HL_MAX_PAIRS else "")
    return (f"Hodges–Lehmann shift of B against A (median of the pairwise differences B − A) with its "
            f"{confidence:.0%} distribution-free confidence interval (order statistics of the differences, by "
            f"inverting scipy.stats.mannwhitneyu; R: wilcox.test(b, a, conf.int = TRUE)){sub}")


@dataclass(frozen=True, eq=False)
class BeyondLimits:
    """Share of each study's films beyond acceptance limits (the consequence of a shift for quality).

    Attributes
    ----------
    table : pandas.DataFrame
        ``variable, kind, limit, label, n_a, n_a_beyond, share_a, n_b, n_b_beyond, share_b``: one row per
        limit, then ``variable = "any"`` (films beyond at least one limit: would fail QA).
    basis : str
        ``"class1"`` (limits derived from A's class-1 films, as ``ssereport fit`` does) or ``"spec"``.
    """

    table: pd.DataFrame
    basis: str

    def to_dict(self) -> dict[str, Any]:
        return {"basis": self.basis, "limits": [
            {"variable": r["variable"], "kind": r["kind"], "limit": None if pd.isna(r["limit"]) else float(r["limit"]),
             "label": r["label"], "n_a": int(r["n_a"]), "n_a_beyond": int(r["n_a_beyond"]),
             "share_a": float(r["share_a"]), "n_b": int(r["n_b"]), "n_b_beyond": int(r["n_b_beyond"]),
             "share_b": float(r["share_b"])} for r in self.table.to_dict(orient="records")]}


def beyond_limits(a: pd.DataFrame, b: pd.DataFrame, limits) -> BeyondLimits:
    """Films of A and of B beyond each acceptance limit, and beyond any.

    Parameters
    ----------
    a, b : pandas.DataFrame
        Film tables.
    limits : sequence of Limit
        :func:`ssereport.qa.spec.acceptance_limits` (``variable``, ``kind``
        ``"min"``/``"max"``, ``value``, ``basis``, ``label``).

    Returns
    -------
    BeyondLimits

    Notes
    -----
    A film is beyond a ``"min"`` limit when its value is below it and beyond a
    ``"max"`` limit when above it, as :meth:`ssereport.qa.spec.Limit.fails`
    (vectorised here; the test suite checks both agree film by film).
    """
    rows = []
    any_a = np.zeros(len(a), dtype=bool)
    any_b = np.zeros(len(b), dtype=bool)
    for lim in limits:
        fa = _beyond(a[lim.variable].to_numpy(dtype=float), lim)
        fb = _beyond(b[lim.variable].to_numpy(dtype=float), lim)
        any_a |= fa
        any_b |= fb
        rows.append(_limit_row(lim.variable, lim.kind, float(lim.value), lim.label, fa, fb))
    rows.append(_limit_row("any", "any", float("nan"), "beyond at least one limit (would fail QA)", any_a, any_b))
    basis = {lim.basis for lim in limits}
    return BeyondLimits(table=pd.DataFrame(rows), basis=basis.pop() if len(basis) == 1 else "+".join(sorted(basis)))


def _beyond(x: np.ndarray, lim) -> np.ndarray:
    return x < lim.value if lim.kind == "min" else x > lim.value


def _limit_row(variable, kind, value, label, fa, fb) -> dict[str, Any]:
    return {"variable": variable, "kind": kind, "limit": value, "label": label,
            "n_a": len(fa), "n_a_beyond": int(fa.sum()), "share_a": float(fa.mean()) if len(fa) else float("nan"),
            "n_b": len(fb), "n_b_beyond": int(fb.sum()), "share_b": float(fb.mean()) if len(fb) else float("nan")}


def headline(variables: pd.DataFrame, *, alpha: float) -> str:
    """One sentence naming every shifted variable with its direction and size, or saying nothing shifted.

    ``"σ fell 30 % (median 4.93 → 3.45 × 10⁻⁴ S/cm, p_holm < .001); RD and 7 other variables
    unchanged."`` Every variable is either named with its change or counted as unchanged (no
    significant shift after Holm at ``alpha``); σ and RD, which define film quality, are always named.
    """
    from ..schema import by_name

    order = [v for v in ("conductivity_s_cm", "rd") if v in set(variables["variable"])]
    rows = sorted(variables.itertuples(index=False),
                  key=lambda r: order.index(r.variable) if r.variable in order else len(order))
    parts = [change_phrase(r, with_p=True) for r in rows if r.shifted]
    if not parts:
        return (f"No variable shifted: none of the {len(variables)} film variables of B differs from A's "
                f"(every Holm-adjusted p > {alpha:g}).")
    unshifted = [r.variable for r in variables.itertuples(index=False) if not r.shifted]
    names = [by_name(v).symbol for v in ("conductivity_s_cm", "rd") if v in unshifted]
    others = len(unshifted) - len(names)
    if others:
        names.append(f"{others} other variable{'s' if others > 1 else ''}" if names else
                     f"the other {others} variable{'s' if others > 1 else ''}")
    tail = [f"{' and '.join(names)} unchanged"] if names else []
    return "; ".join(parts + tail) + "."


_KNOWN = set(FILM_VARIABLES)


def change_phrase(r, *, with_p: bool = True) -> str:
    """``σ fell 30 % (median 4.78 → 3.35 × 10⁻⁴ S/cm, p_holm < .001)`` for one shifted row of :func:`shift_tests`.

    "fell"/"rose" and the percentage come from the medians when they agree with the
    test's direction; otherwise only the direction of the ranks is given. A median that
    at least doubled is given as a factor (``Ω rose 11.2-fold``, not ``rose 1023 %``).
    """
    from ..format import fmt_p
    from ..schema import by_name

    col = by_name(r.variable) if r.variable in _KNOWN else None
    sym = col.symbol if col else r.variable
    unit = f" {col.unit}" if col and col.unit not in ("", "–", "-") else ""
    meds = f"median {_pair(r.median_a, r.median_b)}{unit}" + (f", p_holm {fmt_p(r.p_holm, prefix=False)}"
                                                             if with_p else "")
    pct = r.change_pct
    if np.isfinite(pct) and pct != 0 and (pct < 0) == (r.direction == "lower"):
        if pct >= 100:
            return f"{sym} rose {r.median_b / r.median_a:.1f}-fold ({meds})"
        return f"{sym} {'fell' if pct < 0 else 'rose'} {abs(pct):.0f} % ({meds})"
    return f"{sym} {r.direction} in rank (the medians do not show it: {meds})"


def _pair(a: float, b: float) -> str:
    """``4.93 → 3.45 × 10⁻⁴`` (one shared power of ten), ``0.045 → 0.068``."""
    from ..format import fmt_num

    x, y = fmt_num(a), fmt_num(b)
    if " × " in x and " × " in y and x.split(" × ", 1)[1] == y.split(" × ", 1)[1]:
        return f"{x.split(' × ', 1)[0]} → {y}"
    return f"{x} → {y}"


@dataclass(frozen=True, eq=False)
class Comparison:
    """Result of :func:`compare_results` (and of :func:`ssereport.compare_studies`).

    Attributes
    ----------
    source_a, source_b : str
    variables : pandas.DataFrame
        :func:`shift_tests`: test, effect, change, direction and Hodges–Lehmann shift per variable.
    headline : str
        :func:`headline`: every shifted variable with its direction and size, or that nothing shifted.
    shift_method : str
        How the shift's interval was computed (:func:`shift_method`).
    limits : BeyondLimits or None
        Films of A and of B beyond the acceptance limits derived from A (None when not given).
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
    a_cv_f1_low : float
        The 2.5th percentile of A's CV fold scores: the model holds when ``transfer_f1`` reaches it.
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
    results_a, results_b : StudyResults, StudyResults or FilmTable
        What was compared (for the report; not in :meth:`to_dict`).
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
    headline: str = ""
    shift_method: str = ""
    limits: BeyondLimits | None = None
    a_cv_f1_low: float = float("nan")
    results_a: Any = field(default=None, repr=False)
    results_b: Any = field(default=None, repr=False)

    def tables(self) -> tuple[Any, Any]:
        """The two FilmTables compared (A's, B's)."""
        b = self.results_b
        return self.results_a.table, (b.table if hasattr(b, "clusters") else b)

    # -- the two questions, kept apart ------------------------------------------------------------------
    def quality_answer(self) -> str:
        """Did film quality change? σ and RD (and any limited variable), and the films beyond the limits."""
        return quality_answer(self)

    def model_answer(self) -> str:
        """Does A's recipe → class model still predict B's classes? Nothing about film quality."""
        return model_answer(self)

    def to_dict(self) -> dict[str, Any]:
        """The documented layout (README, docs/suggest-compare-json.md)."""
        v = self.variables

        def num(x):
            return None if x is None or not np.isfinite(x) else float(x)

        return {
            "a": self.source_a,
            "b": self.source_b,
            "n_a": self.n_a,
            "n_b": self.n_b,
            "b_note": self.b_note,
            "headline": self.headline,
            "quality_answer": self.quality_answer(),
            "model_answer": self.model_answer(),
            "variables": [{"variable": r["variable"], "statistic": float(r["statistic"]),
                           "p_value": float(r["p_value"]), "p_holm": float(r["p_holm"]),
                           "effect_size": float(r["effect_size"]), "shifted": bool(r["shifted"]),
                           "n_a": int(r["n_a"]), "n_b": int(r["n_b"]), "median_a": float(r["median_a"]),
                           "median_b": float(r["median_b"]), "change_pct": num(r["change_pct"]),
                           "direction": r["direction"] if r["shifted"] else None, "shift": num(r["shift"]),
                           "shift_ci": [num(r["shift_ci_low"]), num(r["shift_ci_high"])]}
                          for r in v.to_dict(orient="records")],
            "shift_method": self.shift_method,
            "quality": None if self.limits is None else self.limits.to_dict(),
            "classes": {
                "assignment": "own: each study's K-means classes; in_a: B's films in A's classes (nearest A "
                              "centroid in A's PCA)",
                "table": [{k: ((int(x) if x >= 0 else None) if k.startswith("n_") or k == "class" else float(x))
                           for k, x in r.items()} for r in self.classes.to_dict(orient="records")],
                "chi2_a_vs_b_in_a": self.class_test,
                "transfer_f1_macro": self.transfer_f1,
                "a_cv_f1_macro": self.a_cv_f1,
                "a_cv_f1_macro_low": num(self.a_cv_f1_low),
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

    def _repr_html_(self) -> str:
        """Headline, the two answers, the shifts and the films beyond the limits as HTML, for notebooks."""
        from ..display import comparison_html

        return comparison_html(self)

    def __repr__(self) -> str:
        return f"<Comparison {self.source_b} vs {self.source_a}: {self.headline}>"

    def summary(self) -> str:
        """Plain-text summary (what ``ssereport compare`` prints)."""
        lines = [self.headline,
                 f"A: {self.source_a} ({self.n_a} films)   B: {self.source_b} ({self.n_b} films)"]
        if self.b_note:
            lines.append(f"B has no analysis of its own: {self.b_note}")
        lines.append(f"{'variable':<18} {'U':>9} {'p':>9} {'p (Holm)':>9} {'effect':>7} {'change':>8}  shifted")
        for r in self.variables.itertuples(index=False):
            ch = f"{r.change_pct:+.1f}%" if np.isfinite(r.change_pct) else "–"
            lines.append(f"{r.variable:<18} {r.statistic:>9.1f} {r.p_value:>9.3g} {r.p_holm:>9.3g} "
                         f"{r.effect_size:>+7.2f} {ch:>8}  {r.direction if r.shifted else 'no'}")
        lines.append("Film quality: " + self.quality_answer())
        lines.append("Recipe → class model: " + self.model_answer())
        c = self.classes
        lines.append("classes (share): " + "; ".join(
            f"{int(r['class'])}: A {r['share_a']:.0%}, B "
            + (f"{r['share_b']:.0%}" if r["n_b"] >= 0 else "–") + f" (B in A's classes {r['share_b_in_a']:.0%})"
            for r in c.to_dict(orient="records")))
        if self.grid["class1_b"] is not None:
            lines.append(f"class-1 window: Jaccard overlap {self.window_jaccard:.2f}; " + ", ".join(
                f"P {r['polymer_wt_pct']:g}: A {r['share_a']:.0%} / B {r['share_b']:.0%}"
                for r in self.window.to_dict(orient="records")))
        else:
            lines.append("class-1 window: B has no SVM of its own; A's only")
        lines.append(f"I-MR: {self.imr_note}")
        return "\n".join(lines)


def _symbol(variable: str) -> str:
    from ..schema import by_name

    return by_name(variable).symbol if variable in _KNOWN else variable


def quality_answer(c: Comparison) -> str:
    """"Did film quality change?": the shifts of σ, RD and any limited variable, and the films beyond the limits.

    Says "yes" only when one of those variables shifted (Holm); the shares of
    films beyond A's acceptance limits are given as numbers either way.
    """
    from ..format import fmt_pct

    v = c.variables.set_index("variable")
    limited = [] if c.limits is None else [x for x in c.limits.table["variable"] if x != "any"]
    watched = [x for x in dict.fromkeys(["conductivity_s_cm", "rd", *limited]) if x in v.index]
    moved = [x for x in watched if bool(v.loc[x, "shifted"])]
    if moved:
        rows = {r.variable: r for r in c.variables.itertuples(index=False)}
        text = "Yes: " + "; ".join(change_phrase(rows[x], with_p=False) for x in moved) + "."
    else:
        text = (f"No shift detected in {' or '.join(_symbol(x) for x in watched)} "
                f"(Holm-adjusted p > {c.alpha:g}).")
    if c.limits is not None:
        t = c.limits.table.set_index("variable")
        anyrow = t.loc["any"]
        basis = ("A's class-1 acceptance limits (as ssereport fit derives them)" if c.limits.basis == "class1"
                 else "the spec limits")
        text += (f" Beyond {basis}: {fmt_pct(anyrow['share_b'])} of B's films ({int(anyrow['n_b_beyond'])} of "
                 f"{int(anyrow['n_b'])}) against {fmt_pct(anyrow['share_a'])} of A's ({int(anyrow['n_a_beyond'])} of "
                 f"{int(anyrow['n_a'])}).")
    return text


def model_answer(c: Comparison) -> str:
    """"Does A's recipe → class model still predict B's classes?": the transfer F1 against A's own CV."""
    what = (f"A's SVM predicts the class of B's films (placed in A's classes) from their recipes with macro F1 "
            f"{c.transfer_f1:.3f}; A's own cross-validation: {c.a_cv_f1:.3f}, 2.5th percentile "
            f"{c.a_cv_f1_low:.3f}.")
    if c.model_holds:
        return (f"Yes: {what} The mapping from recipe to quality class still holds for B; this says which "
                "recipes give which of A's classes, not whether B's films are as good as A's (the quality "
                "answer).")
    return f"No: {what} B's films do not fall in the classes A's model expects from their recipes."


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


def compare_results(a, b, *, alpha: float = 0.05, variables=FILM_VARIABLES, b_note: str = "",
                    limits=None, confidence: float = 0.95) -> Comparison:
    """Compare study B with study A, both analysed (the pure part of :func:`ssereport.compare_studies`).

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
    limits : sequence of Limit, optional
        Acceptance limits (:func:`ssereport.qa.spec.acceptance_limits` of A's
        model): the films of A and B beyond them are counted (:func:`beyond_limits`).
    confidence : float, default 0.95
        Level of the Hodges–Lehmann interval of each shift.

    Returns
    -------
    Comparison

    Notes
    -----
    Shifts: :func:`shift_tests` (Mann-Whitney, Holm, Hodges–Lehmann). Classes: each study's own K-means classes,
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
              "statsmodels.stats.multitest.multipletests, Hodges–Lehmann shift with its interval; films beyond "
              "acceptance limits: the limits ssereport fit derives from A's class-1 films (or a spec); classes: each study's own K-means, and B's films in A's "
              "classes (nearest A centroid in A's PCA), scipy.stats.chi2_contingency; model transfer: A's SVM "
              "pipeline on B's recipes, sklearn.metrics.f1_score(average='macro') against B's films in A's classes, "
              "holds when at least the 2.5th percentile of A's CV fold scores; windows: both SVMs on A's "
              "decision-map grid")
    shifts = shift_tests(a.data, bd, variables, alpha=alpha, confidence=confidence, seed=a.config.seed)
    return Comparison(source_a=a.table.source, source_b=b_table.source, variables=shifts, classes=classes,
                      class_test=class_test, transfer_f1=transfer, a_cv_f1=a.classifier.cv_f1_macro_mean,
                      window=window, window_jaccard=jaccard,
                      grid={"polymer_levels": tuple(dm.polymer_levels), "ls": dm.ls, "xb": dm.xb, "class1_a": c1a,
                            "class1_b": c1b}, imr=imr, imr_note=note, alpha=alpha, method=method,
                      model_holds=bool(holds), b_note=b_note, n_a=a.table.n_analyzed, n_b=b_table.n_analyzed,
                      headline=headline(shifts, alpha=alpha),
                      shift_method=shift_method(len(a.data), len(bd), confidence=confidence),
                      limits=None if limits is None else beyond_limits(a.data, bd, limits),
                      a_cv_f1_low=float(a.classifier.cv_f1_macro_ci95[0]), results_a=a, results_b=b)
