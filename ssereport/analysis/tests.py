"""Nonparametric comparisons between quality classes: Kruskal-Wallis and Dunn."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["class_summary", "dunn", "holm", "kruskal"]


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
    R: ``kruskal.test(dv ~ between)``. If every value is equal the test is
    undefined and H, p and ε² are NaN.
    """
    d = data[[dv, between]]
    groups = [g[dv].to_numpy(dtype=float) for _, g in d.groupby(between, sort=True)]
    n = int(sum(len(g) for g in groups))
    k = len(groups)
    if k < 2 or np.ptp(d[dv].to_numpy(dtype=float)) == 0:
        h, p = float("nan"), float("nan")
    else:
        h, p = stats.kruskal(*groups)
        h, p = float(h), float(p)
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
    Same as ``scikit_posthocs.posthoc_dunn(p_adjust="holm")`` and R's
    ``dunn.test(method = "holm")``.
    """
    if p_adjust != "holm":
        raise ValueError(f"p_adjust: got {p_adjust!r}, expected 'holm'")
    y = data[dv].to_numpy(dtype=float)
    g = data[between].to_numpy()
    n = len(y)
    ranks = stats.rankdata(y)
    _, t = np.unique(y, return_counts=True)
    tie = float(np.sum(t**3 - t)) / (12.0 * (n - 1))
    levels = sorted(pd.unique(g).tolist())
    mean_rank = {lv: ranks[g == lv].mean() for lv in levels}
    size = {lv: int(np.sum(g == lv)) for lv in levels}
    rows = []
    for a, b in itertools.combinations(levels, 2):
        se = np.sqrt((n * (n + 1) / 12.0 - tie) * (1.0 / size[a] + 1.0 / size[b]))
        z = (mean_rank[a] - mean_rank[b]) / se if se > 0 else float("nan")
        rows.append({"variable": dv, "group1": a, "group2": b, "z": float(z),
                     "p_unadjusted": float(2 * stats.norm.sf(abs(z)))})
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
