"""Process capability indices Cp, Cpk (within-batch spread) and Pp, Ppk (overall spread).

Pure NumPy over the batch values; no library in the stack computes these
(SciPy and statsmodels have no capability index). The within-batch σ is the
average moving range over d2 (:data:`ssereport.analysis.control.D2`), as for
the I-MR chart.
"""

from __future__ import annotations

import numpy as np

from .control import D2

__all__ = ["capability"]


def capability(x, lsl: float | None, usl: float | None) -> dict[str, float | None]:
    """Process capability of one variable against its spec limits.

    Parameters
    ----------
    x : array-like of float
        The batch values in time (table) order; the moving range uses that order.
    lsl, usl : float or None
        Lower and upper spec limits; ``None`` when the spec has no such limit.

    Returns
    -------
    dict
        ``mean``; ``sd_within`` (mean moving range / d2, d2 = 1.128);
        ``sd_overall`` (SD with n − 1); ``lsl``, ``usl``; ``cp``, ``pp``
        (``(usl - lsl) / 6 sd``, ``None`` unless both limits are set); ``cpk``,
        ``ppk`` (the smaller of ``(usl - mean) / 3 sd`` and ``(mean - lsl) / 3 sd``
        over the limits that are set); ``n``. An index is ``None`` when its SD is 0
        or undefined.

    Notes
    -----
    R: ``qcc::process.capability(qcc(x, type = "xbar.one"), spec.limits = c(lsl, usl))``
    gives Cp and Cpk with the same MR̄/d2 SD; Pp and Ppk replace it with ``sd(x)``.

    Examples
    --------
    >>> from ssereport.analysis.capability import capability
    >>> c = capability([10.0, 12.0, 11.0, 13.0, 12.0], 5.0, 17.0)
    >>> round(c["cp"], 3), round(c["ppk"], 3)
    (1.504, 1.579)
    """
    x = np.asarray(x, dtype=float)
    mean = float(x.mean())
    sd_overall = float(x.std(ddof=1)) if len(x) > 1 else float("nan")
    mr = np.abs(np.diff(x))
    sd_within = float(mr.mean() / D2) if len(mr) else float("nan")

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
