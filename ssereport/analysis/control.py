"""Individuals and moving-range (I-MR) control charts with Western Electric rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["ControlChart", "Flag", "imr_chart", "lower_control_limit", "reference_charts", "western_electric"]

#: d2 for moving ranges of 2 and the MR-chart upper limit factor D4.
D2 = 1.128
D4 = 3.267


def lower_control_limit(center: float, sigma: float, lower_bound: float | None = 0.0) -> float:
    """The lower 3σ limit ``center - 3 * sigma``, floored at ``lower_bound``.

    Parameters
    ----------
    center, sigma : float
        Center line and standard deviation (the reference class-1 mean and SD).
    lower_bound : float or None, default 0.0
        The smallest value the variable can take (0 for σ and RD, which cannot
        be negative); ``None`` leaves the limit unfloored.

    Returns
    -------
    float

    Notes
    -----
    R: ``max(center - 3 * sigma, lower_bound)``. Only the displayed limit is
    floored; the Western Electric zones stay at ``center ± k * sigma``.
    """
    low = center - 3 * sigma
    return max(low, lower_bound) if lower_bound is not None else low


#: Rule code of a moving range above its upper limit (the Western Electric rules are 1–4).
MR_RULE = "MR"


@dataclass(frozen=True)
class Flag:
    """One flagged point of an I-MR chart.

    ``index`` is the film's position in time order; ``panel`` is
    ``"individuals"`` (``rules``: Western Electric rules 1–4 it breaks) or
    ``"moving range"`` (``rules == ("MR",)``: the range between film
    ``index - 1`` and film ``index`` is above the MR upper limit).
    """

    index: int
    panel: str
    rules: tuple[int | str, ...]


@dataclass(frozen=True, eq=False)
class ControlChart:
    """I-MR chart of one variable.

    ``center`` and ``sigma`` come from the reference class-1 films (mean and
    SD, n − 1); individuals limits are center ± 3·sigma; the moving-range chart
    has center d2·sigma and upper limit D4·d2·sigma. ``violations`` maps point
    index -> list of Western Electric rules broken (1–4); ``mr_violations``
    lists the point indices whose moving range (to the point before) is above
    ``mr_ucl``. :attr:`flags` is every flagged point of both panels: the one
    list the chart draws and the index's rule table lists.
    """

    variable: str
    values: np.ndarray
    labels: tuple[str, ...]
    center: float
    sigma: float
    moving_range: np.ndarray
    mr_center: float
    mr_ucl: float
    violations: dict[int, list[int]]
    lower_bound: float | None = None
    mr_violations: tuple[int, ...] = ()

    @property
    def flags(self) -> tuple[Flag, ...]:
        """Every flagged point, individuals and moving range, in time order (individuals first at a tie)."""
        out = [Flag(i, "individuals", tuple(r)) for i, r in self.violations.items()]
        out += [Flag(i, "moving range", (MR_RULE,)) for i in self.mr_violations]
        return tuple(sorted(out, key=lambda f: (f.index, f.panel != "individuals")))

    @property
    def ucl(self) -> float:
        return self.center + 3 * self.sigma

    @property
    def lcl(self) -> float:
        """Lower limit, floored at ``lower_bound`` (0 for σ and RD, which cannot be negative)."""
        return lower_control_limit(self.center, self.sigma, self.lower_bound)


def western_electric(x: np.ndarray, center: float, sigma: float) -> dict[int, list[int]]:
    """Points breaking the Western Electric rules.

    1: one point beyond 3σ; 2: two of three consecutive beyond 2σ on the same
    side; 3: four of five consecutive beyond 1σ on the same side; 4: eight
    consecutive on the same side of the center. The last point of a run that
    completes a rule is flagged.
    """
    z = (np.asarray(x, dtype=float) - center) / sigma
    out: dict[int, list[int]] = {}

    def flag(i: int, rule: int) -> None:
        rules = out.setdefault(i, [])
        if rule not in rules:
            rules.append(rule)

    for i in range(len(z)):
        if abs(z[i]) > 3:
            flag(i, 1)
        for side in (1, -1):
            w3 = z[max(0, i - 2): i + 1] * side
            if len(w3) == 3 and np.sum(w3 > 2) >= 2 and z[i] * side > 2:
                flag(i, 2)
            w5 = z[max(0, i - 4): i + 1] * side
            if len(w5) == 5 and np.sum(w5 > 1) >= 4 and z[i] * side > 1:
                flag(i, 3)
            w8 = z[max(0, i - 7): i + 1] * side
            if len(w8) == 8 and np.all(w8 > 0):
                flag(i, 4)
    return {i: sorted(r) for i, r in sorted(out.items())}


def imr_chart(variable: str, values, labels, *, center: float, sigma: float,
              lower_bound: float | None = 0.0) -> ControlChart:
    """Build an I-MR chart of ``values`` (in time order) with reference limits.

    ``lower_bound`` floors the displayed lower limit (a variable that cannot be
    negative has no negative limit); the Western Electric zones are unchanged.
    """
    x = np.asarray(values, dtype=float)
    mr = np.abs(np.diff(x))
    mr_ucl = D4 * D2 * float(sigma)
    return ControlChart(variable=variable, values=x, labels=tuple(str(v) for v in labels), center=float(center),
                        sigma=float(sigma), moving_range=mr, mr_center=D2 * float(sigma),
                        mr_ucl=mr_ucl, violations=western_electric(x, center, sigma),
                        lower_bound=lower_bound, mr_violations=tuple(int(i) + 1 for i in np.flatnonzero(mr > mr_ucl)))


def reference_charts(values: dict[str, Sequence[float]], labels: Sequence[str],
                     reference: dict[str, dict[str, float]]) -> dict[str, ControlChart]:
    """I-MR charts of several variables of the same films, with limits from a reference.

    Parameters
    ----------
    values : dict of str -> sequence of float
        Variable -> the films' values in time order (every sequence as long as ``labels``).
    labels : sequence of str
        One label per film (``"batch / sample"``).
    reference : dict of str -> dict
        Variable -> at least ``{"mean", "sd"}`` of the reference films
        (:attr:`ssereport.qa.model.ReferenceModel.class1`).

    Returns
    -------
    dict of str -> ControlChart
        In the order of ``values``; lower limits floored at 0 (σ and RD cannot be negative).

    Examples
    --------
    >>> from ssereport.analysis.control import reference_charts
    >>> ch = reference_charts({"rd": [0.05, 0.06, 0.30]}, ["a", "b", "c"], {"rd": {"mean": 0.05, "sd": 0.02}})
    >>> [(f.index, f.panel, f.rules) for f in ch["rd"].flags]
    [(2, 'individuals', (1,)), (2, 'moving range', ('MR',))]
    """
    return {var: imr_chart(var, x, labels, center=reference[var]["mean"], sigma=reference[var]["sd"])
            for var, x in values.items()}
