"""The figures of a batch report and of the report index, with alt text and caption, as inline SVG.

Drawn by the public :mod:`ssereport.plots.batch` functions (matplotlib) from the saved
:class:`~ssereport.qa.model.ReferenceModel` and the :class:`~ssereport.qa.judge.BatchResult`
(and, for the index, :class:`~ssereport.analysis.control.ControlChart` objects);
saved as SVG with real text by ``to_svg``, the one SVG writer of :mod:`ssereport.plots`
(shared with the study figures of :mod:`ssereport.report.figures`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..report.figures import FigureOutput
from ..plots import batch as pb
from ..plots._base import to_svg
from ..format import fmt_num
from ..schema import by_name
from ..theme import CLASS_COLORS

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis.control import ControlChart
    from .judge import BatchResult
    from .model import ReferenceModel

__all__ = ["render_batch_figures", "render_control_figures", "rule_text"]

_RULES = {1: "1 point beyond 3σ", 2: "2 of 3 beyond 2σ, same side", 3: "4 of 5 beyond 1σ, same side",
          4: "8 in a row on one side"}


def _classes_text(counts: dict[str, int]) -> str:
    return ", ".join(f"class {c}: {n}" for c, n in counts.items())


def render_batch_figures(model: ReferenceModel, result: BatchResult) -> dict[str, FigureOutput]:
    """The three figures of a batch report as inline SVG with alt text and caption.

    Returns
    -------
    dict
        ``pc_map``, ``decision_maps``, ``class1`` -> :class:`~ssereport.report.figures.FigureOutput`.
    """
    f = result.films
    counts = result.counts
    fails = int((~f["pass"]).sum())
    levels = sorted({float(v) for v in f["polymer_wt_pct"]})  # the panels of pb.decision_panels
    cent = "; ".join(f"class {i + 1} at ({fmt_num(c[0])}, {fmt_num(c[1])})"
                     for i, c in enumerate(np.asarray(model.centroids)[:, :2]))
    out = {}
    alt = (f"Map of the {len(f)} films of batch {result.batch_id} on the first two principal components of the "
           f"reference study, coloured by nearest reference class ({_classes_text(counts['observed_class'])}); "
           f"{fails} failing film{'s' if fails != 1 else ''} drawn as crosses. Reference class centroids: {cent}.")
    out["pc_map"] = FigureOutput(
        key="pc_map",
        svg=to_svg(pb.pc_map(model, result).figure, key="pc_map", title="Batch films on the reference PC map",
                   desc=alt),
        alt=alt,
        caption="Films on the reference PC1–PC2 map (dimensionless scores). Shading: nearest reference class "
                "centroid in this plane (an approximation of the class regions); markers: films by nearest reference class, "
                "circles pass, crosses fail.")
    shares = []
    for p in levels:
        sel = np.isclose(f["polymer_wt_pct"].to_numpy(dtype=float), p)
        pred = f["predicted_class"][sel]
        shares.append(f"P = {fmt_num(p, trim=True)} wt%: {int(sel.sum())} films, predicted "
                      + ", ".join(f"class {c} ×{int((pred == c).sum())}" for c in sorted(CLASS_COLORS)
                                  if (pred == c).any()))
    alt = ("Decision maps of the reference SVM: predicted class over L:S (µL/mg) and X:B (vol%) within the "
           "reference range, one panel per binder content of the batch, with the films as markers in the "
           "colour of their nearest reference class. " + "; ".join(shares) + ".")
    out["decision_maps"] = FigureOutput(
        key="decision_maps",
        svg=to_svg(pb.decision_panels(model, result), key="decision_maps", title="Decision maps of the reference SVM",
                   desc=alt),
        alt=alt,
        caption="Class predicted from the manufacturing conditions by the reference SVM over L:S (µL/mg) × X:B "
                "(vol%), one panel per binder content P (wt%) of the batch; the shading covers the reference "
                "range, films on the white margin are extrapolations.")
    c1 = model.class1
    sig, rd = f["conductivity_s_cm"], f["rd"]
    alt = (f"Strip plots of σ (S/cm) and RD of the {len(f)} films against the reference class-1 films. Batch σ "
           f"from {fmt_num(float(sig.min()))} to {fmt_num(float(sig.max()))} S/cm, reference class-1 median "
           f"{fmt_num(c1['conductivity_s_cm']['median'])} S/cm (5th–95th percentile "
           f"{fmt_num(c1['conductivity_s_cm']['q05'])}–{fmt_num(c1['conductivity_s_cm']['q95'])}); batch RD from "
           f"{fmt_num(float(rd.min()))} to {fmt_num(float(rd.max()))}, reference class-1 median "
           f"{fmt_num(c1['rd']['median'])} ({fmt_num(c1['rd']['q05'])}–{fmt_num(c1['rd']['q95'])}).")
    out["class1"] = FigureOutput(
        key="class1",
        svg=to_svg(pb.against_class1(model, result), key="class1", title="Films against the reference class 1",
                   desc=alt),
        alt=alt,
        caption="Ionic conductivity σ (S/cm) and relative thickness deviation RD (dimensionless) of each film "
                "(x: film number in the table) against the reference class-1 films: grey band 5th–95th "
                "percentile, solid line median, dashed lines mean ± 3 SD; red dash-dot line: the "
                + ("spec limit" if result.spec.has_limits else "acceptance limit") + " of the variable; a cross "
                "labelled with its sample id marks a film failing that variable's limit (on that panel only).")
    return out


def render_control_figures(charts: dict[str, ControlChart], starts: Sequence[int], names: Sequence[str], *,
                           limits: dict[str, Sequence[float | None]] | None = None,
                           limit_labels: dict[str, tuple[str, str]] | None = None,
                           failed: dict[str, Sequence[tuple[int, str]]] | None = None) -> dict[str, FigureOutput]:
    """I-MR charts of σ and RD across batches as inline SVG with alt text and caption.

    ``limits``: per variable, the acceptance limit of each batch (aligned with ``starts``), and
    ``limit_labels`` its legend label and short tag (``("acceptance limit: 5th percentile …", "min")``);
    ``failed``: per variable, ``(index, sample id)`` of every film failing that limit (from the
    reasons of the batch JSON), drawn as labelled red crosses. Every other flagged point is a
    process signal.
    """
    limits, failed, limit_labels = limits or {}, failed or {}, limit_labels or {}
    out = {}
    for var, chart in charts.items():
        key = f"imr_{'sigma' if var == 'conductivity_s_cm' else var}"
        sym = "σ" if var == "conductivity_s_cm" else "RD"
        unit = by_name(var).unit
        unit = "" if unit in ("", "–") else unit
        u = f" {unit}" if unit else ""
        fails = list(failed.get(var, ()))
        fail_idx = {i for i, _ in fails}
        n_sig = len({f.index for f in chart.flags} - fail_idx)
        lims = [v for v in limits.get(var, ()) if v is not None]
        label, tag = limit_labels.get(var, ("acceptance limit", "limit"))
        lim_text = (f"; {label} {fmt_num(lims[-1])}{u} drawn as a red dash-dot line" if lims else "")
        alt = (f"Individuals and moving-range control chart of {sym}{' (' + unit + ')' if unit else ''} for "
               f"{len(chart.values)} films of {len(starts)} batches in time order; center line "
               f"{fmt_num(chart.center)}{u}, control limits {fmt_num(chart.lcl)} to {fmt_num(chart.ucl)}{u} "
               f"from the reference class-1 films{lim_text}; {len(fails)} film{'s' if len(fails) != 1 else ''} "
               f"failing the {sym} limit marked with red crosses and their ids"
               + (f" ({', '.join(t for _, t in fails[:10])}{' …' if len(fails) > 10 else ''})" if fails else "")
               + f"; {n_sig} process signal{'s' if n_sig != 1 else ''} (open amber diamonds: a Western Electric "
               f"rule or a moving range above its limit, on a film within the limit).")
        out[key] = FigureOutput(
            key=key,
            svg=to_svg(pb.control_chart(chart, starts, names, limits=limits.get(var), limit_label=label, limit_tag=tag,
                                        failed=[i for i, _ in fails], failed_ids=[t for _, t in fails]),
                       key=key, title=f"I-MR control chart of {sym}", desc=alt),
            alt=alt,
            caption=(f"I-MR chart of {sym}{' (' + unit + ')' if unit else ' (dimensionless)'}: individuals (top) "
                     f"with center line and ±3σ control limits of the reference class-1 films"
                     + (f" and the {label} (red dash-dot)" if lims else "")
                     + f", moving range of consecutive films (bottom). Red crosses with their ids: films that "
                     f"fail the {sym} limit. Open amber diamonds: process signals (a Western Electric rule or a "
                     f"moving range above its UCL on a film within the limit: unusual, not a failure). Every "
                     f"marked point is listed in the table below; vertical rules separate batches."))
    return out


def rule_text(rule: int) -> str:
    """Short description of a Western Electric rule number."""
    return _RULES.get(int(rule), f"rule {rule}")

