"""Nonparametric comparisons between quality classes: Kruskal-Wallis (SciPy) and Dunn."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd


def adjust_holm(p_values: np.ndarray, *, alpha: float = 0.05) -> np.ndarray:
    """Holm-adjusted p-values: ``statsmodels.stats.multitest.multipletests(p, alpha, method="holm")[1]``.

    statsmodels' Holm branch calls ``gc.collect()`` on every call; with SciPy,
    scikit-learn and statsmodels loaded, each full collection walks every object
    they created (about 0.1 s each: 0.9 s for the Dunn tests of a study, a third
    of a comparison's tests). The objects alive before the call are left out of
    that collection (``gc.freeze``, unless the caller froze them already;
    ``gc.unfreeze`` puts them back in the oldest generation afterwards, so
    nothing is kept alive for longer).

    Examples
    --------
    >>> adjust_holm(np.array([0.01, 0.04, 0.03])).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    import gc

    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, dtype=float)
    freeze = not gc.get_freeze_count()  # not frozen already (ssereport report freezes after its imports)
    if freeze:
        gc.freeze()
    try:
        return multipletests(p, alpha=alpha, method="holm")[1]
    finally:
        if freeze:
            gc.unfreeze()

__all__ = ["TIE_DIGITS", "class_summary", "dunn", "kruskal", "tie_values"]

#: Values that agree to this many significant digits are ranked as ties (see :func:`tie_values`).
TIE_DIGITS = 12


def tie_values(y, digits: int = TIE_DIGITS) -> np.ndarray:
    """``y`` rounded to ``digits`` significant digits, so that near-equal values rank as ties.

    DoT, RD and mean thickness are derived from readings: two films can have
    mathematically equal values that differ in the last bit (e.g. the same
    variance of readings computed in a different order). R's
    ``kruskal.test`` counts ties with ``table()``, i.e. at 15 significant
    digits, while ``rank()`` compares exactly; ssereport ranks values that
    agree to 12 significant digits as ties, in the ranks and in the tie
    correction alike. Rounding is monotone, so the order of distinct values
    is kept. Non-finite values are returned unchanged.

    Notes
    -----
    The same as ``signif(y, 12)`` in R, done with ``numpy.round`` on the
    decimal exponent of each value.
    """
    y = np.asarray(y, dtype=float)
    out = y.copy()
    ok = np.isfinite(y) & (y != 0)
    exponent = np.floor(np.log10(np.abs(y[ok])))
    scale = 10.0 ** (digits - 1 - exponent)
    out[ok] = np.round(y[ok] * scale) / scale
    return out


def kruskal(data: pd.DataFrame, dv: str, between: str) -> pd.DataFrame:
    """Kruskal-Wallis H test of ``dv`` between the groups of ``between``.

    Returns
    -------
    pandas.DataFrame
        One row: ``variable`` (dv), ``H`` (tie-corrected statistic), ``df``
        (groups − 1), ``p_value`` (χ² approximation), ``epsilon_squared``
        (H / (n − 1), the rank-based effect size of Tomczak & Tomczak 2014),
        ``n``.

    Notes
    -----
    ``scipy.stats.kruskal(*groups)`` on the values after :func:`tie_values`
    (ties at 12 significant digits); ε² = H (n + 1) / (n² − 1). R:
    ``kruskal.test(dv ~ between)``. If every value is equal (or there is one
    group) the test is undefined and H, p and ε² are NaN.
    """
    from scipy.stats import kruskal as scipy_kruskal

    y = tie_values(data[dv].to_numpy(dtype=float))
    codes, levels = pd.factorize(data[between], sort=True)
    n = len(y)
    k = len(levels)
    if k < 2 or np.ptp(y) == 0:
        h, p = float("nan"), float("nan")
    else:
        res = scipy_kruskal(*(y[codes == j] for j in range(k)))
        h, p = float(res.statistic), float(res.pvalue)
    eps = h * (n + 1) / (n**2 - 1) if n > 1 else float("nan")
    return pd.DataFrame({"variable": [dv], "H": [h], "df": [k - 1], "p_value": [p],
                         "epsilon_squared": [eps], "n": [n]})


def dunn(data: pd.DataFrame, dv: str, between: str, *, p_adjust: str = "holm") -> pd.DataFrame:
    """Dunn's (1964) pairwise test on mean ranks, with tie correction.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``variable``, ``group1``, ``group2``, ``z``
        (mean rank of group1 minus group2, standardized), ``p_unadjusted``
        (two-sided), ``p_value`` (Holm-adjusted over the pairs of this variable).

    Notes
    -----
    Ranks ``scipy.stats.rankdata`` of the values after :func:`tie_values`,
    tie factor ``C = scipy.stats.tiecorrect(ranks)`` = 1 − Σ(t³ − t)/(n³ − n);
    z = (R̄_a − R̄_b) / sqrt(C · n(n + 1)/12 · (1/n_a + 1/n_b)), which is Dunn's
    n(n + 1)/12 − Σ(t³ − t)/(12(n − 1)); p = 2 ``scipy.stats.norm.sf(|z|)``;
    Holm by ``statsmodels.stats.multitest.multipletests(p, method="holm")`` (:func:`adjust_holm`).
    The same as ``scikit_posthocs.posthoc_dunn(p_adjust="holm")`` and R's
    ``dunn.test(method = "holm")`` / ``p.adjust(p, "holm")``.
    """
    from scipy.stats import norm, rankdata, tiecorrect

    if p_adjust != "holm":
        raise ValueError(f"p_adjust: got {p_adjust!r}, expected 'holm'")
    y = tie_values(data[dv].to_numpy(dtype=float))
    g = data[between].to_numpy()
    n = len(y)
    ranks = rankdata(y)
    var = tiecorrect(ranks) * n * (n + 1) / 12.0
    levels = sorted(pd.unique(g).tolist())
    mean_rank = {lv: ranks[g == lv].mean() for lv in levels}
    size = {lv: int(np.sum(g == lv)) for lv in levels}
    rows = []
    for a, b in itertools.combinations(levels, 2):
        se = np.sqrt(var * (1.0 / size[a] + 1.0 / size[b]))
        z = (mean_rank[a] - mean_rank[b]) / se if se > 0 else float("nan")
        rows.append({"variable": dv, "group1": a, "group2": b, "z": float(z),
                     "p_unadjusted": float(2.0 * norm.sf(abs(z)))})
    out = pd.DataFrame(rows, columns=["variable", "group1", "group2", "z", "p_unadjusted"])
    p = out["p_unadjusted"].to_numpy(dtype=float)
    ok = ~np.isnan(p)
    adjusted = np.full(len(p), np.nan)
    if ok.any():
        adjusted[ok] = adjust_holm(p[ok])
    out["p_value"] = adjusted
    return out


def class_summary(data: pd.DataFrame, variables, between: str) -> pd.DataFrame:
    """n, mean, SD (n − 1) and median of every variable per class.

    Returns
    -------
    pandas.DataFrame
        Columns ``class``, ``variable``, ``n``, ``mean``, ``sd``, ``median``
        (tidy: one row per class and variable).
    """
    rows = []
    for cls, grp in data.groupby(between, sort=True):
        for v in variables:
            x = grp[v].to_numpy(dtype=float)
            rows.append({"class": int(cls), "variable": v, "n": int(len(x)), "mean": float(x.mean()),
                         "sd": float(x.std(ddof=1)) if len(x) > 1 else float("nan"),
                         "median": float(np.median(x))})
    return pd.DataFrame(rows)
