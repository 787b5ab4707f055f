"""ANOVA of log(RD) on X:B, L:S and their interaction (statsmodels OLS + anova_lm)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import Config  # the defaults of every setting (one place)
from ..errors import DataError

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
    method : str
        The library calls that ran.
    """

    formula: str
    type: int
    table: pd.DataFrame
    r_squared: float
    n: int
    method: str = ""

    def summary(self) -> str:
        return f"ANOVA (type {self.type} SS) of {self.formula}, n = {self.n}\n" + self.table.to_string(index=False)


def log_anova(data: pd.DataFrame, *, dv: str = "rd", a: str = "xylene_vol_pct", b: str = "ls_ratio",
              typ: int = Config.anova_type) -> AnovaResult:
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
    ``statsmodels.formula.api.ols("log_y ~ a * b", data).fit()`` and
    ``statsmodels.stats.anova.anova_lm(fit, typ=typ)``; the ``Intercept`` row
    of type 3 is not shown. R: ``anova(lm(log(rd) ~ xylene_vol_pct * ls_ratio))``
    (type 1); ``car::Anova(..., type = 2)`` (type 2); type 3 drops each term
    from the full model (``drop1(fit, . ~ ., test = "F")``). The predictors are
    continuous (1 df each), so no contrasts are involved; type 3 then depends on
    the predictors' origin, as in R. Partial η² = SS_term / (SS_term + SS_residual).
    """
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm

    if typ not in (1, 2, 3):
        raise ValueError(f"typ: got {typ!r}, expected 1, 2 or 3")
    yv = data[dv].to_numpy(dtype=float)
    if np.any(yv <= 0):
        raise DataError(f"log({dv}) needs every {dv} > 0; {int(np.sum(yv <= 0))} film(s) have {dv} ≤ 0")
    n = len(yv)
    if n < 6:
        raise DataError(f"the ANOVA needs at least 6 films; got {n}")
    frame = pd.DataFrame({"log_y": np.log(yv), "a": data[a].to_numpy(dtype=float),
                          "b": data[b].to_numpy(dtype=float)})
    fit = smf.ols("log_y ~ a * b", data=frame).fit()
    if fit.df_resid <= 0 or fit.df_model < 3:
        raise DataError(f"the ANOVA of log({dv}) ~ {a} * {b} cannot be fitted: the {n} films do not vary "
                        f"enough in {a} and {b} (rank {int(fit.df_model) + 1} of 4) or leave no residual "
                        "degrees of freedom")
    raw = anova_lm(fit, typ=typ)
    names = {"a": a, "b": b, "a:b": f"{a}:{b}", "Residual": "Residual"}
    raw = raw.loc[list(names)]
    ss = raw["sum_sq"].to_numpy(dtype=float)
    df = raw["df"].to_numpy(dtype=float)
    rss = float(fit.ssr)
    eta = ss / (ss + rss)
    eta[-1] = np.nan
    table = pd.DataFrame({
        "term": list(names.values()),
        "df": df.astype(int),
        "sum_sq": ss,
        "mean_sq": ss / df,
        "F": raw["F"].to_numpy(dtype=float),
        "p_value": raw["PR(>F)"].to_numpy(dtype=float),
        "partial_eta_squared": eta,
    })
    method = (f"statsmodels.formula.api.ols(\"log({dv}) ~ {a} * {b}\").fit() + "
              f"statsmodels.stats.anova.anova_lm(typ={typ})")
    return AnovaResult(formula=f"log({dv}) ~ {a} * {b}", type=typ, table=table,
                       r_squared=float(fit.rsquared), n=n, method=method)
