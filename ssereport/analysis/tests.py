"""Nonparametric comparisons between quality classes: Kruskal-Wallis and Dunn."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ._dist import chi2_sf, norm_sf2

__all__ = ["class_summary", "dunn", "holm", "kruskal", "rankdata", "tie_term"]


def rankdata(y) -> np.ndarray:
    """Ranks 1…n of ``y``, ties given the average of the ranks they span.

    Notes
    -----
    R: ``rank(y)`` (``ties.method = "average"``); SciPy: ``stats.rankdata(y)``.
    """
    y = np.asarray(y, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"rankdata: expected a 1-D array; got shape {y.shape}")
    order = np.argsort(y, kind="mergesort")
    sorted_y = y[order]
    first = np.r_[True, sorted_y[1:] != sorted_y[:-1]]  # start of each run of equal values
    dense = np.cumsum(first)  # 1-based id of the run, in sorted order
    bounds = np.r_[np.flatnonzero(first), len(y)]  # run j spans sorted positions bounds[j-1] … bounds[j] - 1
    ranks = np.empty(len(y))
    ranks[order] = 0.5 * (bounds[dense] + bounds[dense - 1] + 1)
    return ranks


def tie_term(y) -> float:
    """Σ (t³ − t) over the groups of t tied values of ``y`` (0 without ties)."""
    _, t = np.unique(np.asarray(y, dtype=float), return_counts=True)
    t = t.astype(float)
    return float(np.sum(t**3 - t))


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
    R: ``kruskal.test(dv ~ between)``; SciPy: ``stats.kruskal``. With average
    ranks R (ties), group rank sums R_i and sizes n_i,
    H = [12 / (n(n + 1)) Σ R_i² / n_i − 3(n + 1)] / [1 − Σ(t³ − t) / (n³ − n)],
    and p = P(χ²_{k−1} > H). If every value is equal the test is undefined and
    H, p and ε² are NaN.
    """
    y = data[dv].to_numpy(dtype=float)
    codes, levels = pd.factorize(data[between], sort=True)
    n = len(y)
    k = len(levels)
    if k < 2 or np.ptp(y) == 0:
        h, p = float("nan"), float("nan")
    else:
        ranks = rankdata(y)
        size = np.bincount(codes, minlength=k).astype(float)
        rank_sum = np.bincount(codes, weights=ranks, minlength=k)
        h = 12.0 / (n * (n + 1.0)) * float(np.sum(rank_sum**2 / size)) - 3.0 * (n + 1.0)
        h /= 1.0 - tie_term(y) / (float(n) ** 3 - n)
        p = chi2_sf(h, k - 1)
    eps = h * (n + 1) / (n**2 - 1) if n > 1 else float("nan")
    return pd.DataFrame({"variable": [dv], "H": [h], "df": [k - 1], "p_value": [p],
                         "epsilon_squared": [eps], "n": [n]})


def holm(p) -> np.ndarray:
    """Holm's step-down adjustment of p-values (R: ``p.adjust(p, "holm")``)."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="mergesort")
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adj[i] = running
    return adj


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
    z = (R̄_a − R̄_b) / sqrt((n(n + 1)/12 − Σ(t³ − t) / (12(n − 1))) (1/n_a + 1/n_b))
    with average ranks R̄ over all films; p = 2 P(Z > |z|). Same as
    ``scikit_posthocs.posthoc_dunn(p_adjust="holm")`` and R's
    ``dunn.test(method = "holm")``.
    """
    if p_adjust != "holm":
        raise ValueError(f"p_adjust: got {p_adjust!r}, expected 'holm'")
    y = data[dv].to_numpy(dtype=float)
    g = data[between].to_numpy()
    n = len(y)
    ranks = rankdata(y)
    tie = tie_term(y) / (12.0 * (n - 1))
    levels = sorted(pd.unique(g).tolist())
    mean_rank = {lv: ranks[g == lv].mean() for lv in levels}
    size = {lv: int(np.sum(g == lv)) for lv in levels}
    rows = []
    for a, b in itertools.combinations(levels, 2):
        se = np.sqrt((n * (n + 1) / 12.0 - tie) * (1.0 / size[a] + 1.0 / size[b]))
        z = (mean_rank[a] - mean_rank[b]) / se if se > 0 else float("nan")
        rows.append({"variable": dv, "group1": a, "group2": b, "z": float(z),
                     "p_unadjusted": norm_sf2(z)})
    out = pd.DataFrame(rows)
    out["p_value"] = holm(out["p_unadjusted"].to_numpy())
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
