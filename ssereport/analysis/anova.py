"""ANOVA of log(RD) on X:B, L:S and their interaction (ordinary least squares)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError
from ._dist import f_sf

__all__ = ["AnovaResult", "log_anova"]


@dataclass(frozen=True, eq=False)
class AnovaResult:
    """Result of :func:`log_anova`.

    Attributes
    ----------
    formula : str
        R-style model formula.
    type : int
        Sums of squares: 1 (sequential), 2 (each main effect adjusted for the
        other, interaction last) or 3 (each term adjusted for all others).
    table : pandas.DataFrame
        Columns ``term, df, sum_sq, mean_sq, F, p_value, partial_eta_squared``;
        the last row is ``Residual``.
    r_squared : float
    n : int
    """

    formula: str
    type: int
    table: pd.DataFrame
    r_squared: float
    n: int

    def summary(self) -> str:
        return f"ANOVA (type {self.type} SS) of {self.formula}, n = {self.n}\n" + self.table.to_string(index=False)


def _rss(y: np.ndarray, cols: list[np.ndarray]) -> tuple[float, int]:
    x = np.column_stack([np.ones_like(y)] + cols)
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    r = y - x @ beta
    return float(r @ r), x.shape[1]


def log_anova(data: pd.DataFrame, *, dv: str = "rd", a: str = "xylene_vol_pct", b: str = "ls_ratio",
              typ: int = 2) -> AnovaResult:
    """Two-way ANOVA with interaction of ``log(dv) ~ a * b`` (continuous predictors).

    Parameters
    ----------
    data : pandas.DataFrame
    dv : str, default "rd"
        Response, log-transformed (natural log); must be > 0.
    a, b : str
        Predictors, X:B and L:S by default.
    typ : {1, 2, 3}
        Type of sums of squares.

    Returns
    -------
    AnovaResult

    Notes
    -----
    R: ``anova(lm(log(rd) ~ xylene_vol_pct * ls_ratio))`` (type 1);
    ``car::Anova(..., type = 2)`` (type 2); type 3 drops each term from the
    full model (``drop1(fit, . ~ ., test = "F")``), which for continuous
    predictors depends on their origin. Partial η² = SS_term / (SS_term + SS_residual).
    p-values are P(F_{1, n−4} > F) (R ``pf(F, 1, n - 4, lower.tail = FALSE)``).
    """
    if typ not in (1, 2, 3):
        raise ValueError(f"typ: got {typ!r}, expected 1, 2 or 3")
    yv = data[dv].to_numpy(dtype=float)
    if np.any(yv <= 0):
        raise DataError(f"log({dv}) needs every {dv} > 0; {int(np.sum(yv <= 0))} film(s) have {dv} ≤ 0")
    y = np.log(yv)
    xa = data[a].to_numpy(dtype=float)
    xb = data[b].to_numpy(dtype=float)
    xab = xa * xb
    n = len(y)
    if n < 6:
        raise DataError(f"the ANOVA needs at least 6 films; got {n}")
    rss_full, p_full = _rss(y, [xa, xb, xab])
    df_res = n - p_full
    if df_res <= 0:
        raise DataError("the ANOVA has no residual degrees of freedom; more films are needed")
    rss_0, _ = _rss(y, [])
    rss_a, _ = _rss(y, [xa])
    rss_b, _ = _rss(y, [xb])
    rss_ab, _ = _rss(y, [xa, xb])
    if typ == 1:
        ss = [rss_0 - rss_a, rss_a - rss_ab, rss_ab - rss_full]
    elif typ == 2:
        ss = [rss_b - rss_ab, rss_a - rss_ab, rss_ab - rss_full]
    else:
        ss = [_rss(y, [xb, xab])[0] - rss_full, _rss(y, [xa, xab])[0] - rss_full, rss_ab - rss_full]
    ms_res = rss_full / df_res
    terms = [a, b, f"{a}:{b}"]
    rows = []
    for term, s in zip(terms, ss):
        s = max(float(s), 0.0)
        f = s / ms_res if ms_res > 0 else float("nan")
        rows.append({"term": term, "df": 1, "sum_sq": s, "mean_sq": s, "F": f,
                     "p_value": f_sf(f, 1, df_res),
                     "partial_eta_squared": s / (s + rss_full) if s + rss_full > 0 else float("nan")})
    rows.append({"term": "Residual", "df": df_res, "sum_sq": rss_full, "mean_sq": ms_res,
                 "F": float("nan"), "p_value": float("nan"), "partial_eta_squared": float("nan")})
    table = pd.DataFrame(rows)
    return AnovaResult(formula=f"log({dv}) ~ {a} * {b}", type=typ, table=table,
                       r_squared=1 - rss_full / rss_0 if rss_0 > 0 else float("nan"), n=n)
