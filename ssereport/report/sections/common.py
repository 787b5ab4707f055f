"""Helpers shared by the study-report sections: tables, figures and APA phrases as typed values.

Everything here turns numbers of the results into strings through
:mod:`ssereport.format` (the only place that rounds) and returns the
report vocabulary's objects (:mod:`ssereport.report.vocab`) and small frozen
dataclasses that the HTML, Typst and Quarto templates display.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ...schema import FILM_VARIABLES, by_name
from ..vocab import Figure, KeyValue, Table, shown
from ...format import fmt_fixed, fmt_int, fmt_num, fmt_p, fmt_pct, fmt_range, fmt_window

if TYPE_CHECKING:  # pragma: no cover
    from ...pipeline import StudyResults
    from .registry import SectionInput


@dataclass(frozen=True, eq=False)
class ClassRow:
    """One quality class as the summary describes it (numbers already formatted)."""

    cls: int
    n: int
    share: str
    meaning: str
    sigma: str
    rd: str
    thickness: str


@dataclass(frozen=True, eq=False)
class ProcessWindow:
    """The L:S ranges predicted to give class 1 films, per P% level, at three X:B levels."""

    table: Table
    sentence: str = shown(role="hidden")  # part of the summary's verdict
    xb_levels: tuple[str, ...] = shown(role="hidden")

ANOVA_SHORT = {1: "type I", 2: "type II", 3: "type III"}
ANOVA_TYPE = {1: "type I (sequential)", 2: "type II (each main effect adjusted for the other)",
               3: "type III (each term adjusted for all others)"}


def alpha_text(a: float) -> str:
    """A significance level as APA writes it: ``.05``."""
    return fmt_num(a, 3, trim=True).replace("0.", ".", 1) if 0 < a < 1 else fmt_num(a, 3, trim=True)


def sym(name: str) -> str:
    return by_name(name).symbol


def head(name: str) -> str:
    """Column header with unit: ``σ (S/cm)``; ``RD`` has no unit."""
    return by_name(name).axis_label


def var_label(name: str) -> str:
    """``Ionic conductivity σ``."""
    c = by_name(name)
    return f"{c.label} {c.symbol}" if c.symbol.lower() != c.label.lower() else c.label


def level(p: float) -> str:
    """A P% level: ``3`` or ``7.5``."""
    return fmt_num(p, 3) if float(p) != int(p) else f"{int(p)}"


def join(items: list[str], conj: str = "and") -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


def make_table(headers: list[str], rows: list[list[Any]], *, caption: str = "", note: str = "",
               numeric: list[bool] | None = None, cls: str = "") -> Table:
    """A :class:`~ssereport.report.vocab.Table`; ``numeric`` right-aligns columns."""
    return Table(headers=headers, rows=rows, caption=caption, note=note, numeric=numeric, cls=cls)


def figure(figs: Mapping[str, Any] | None, key: str) -> Figure:
    """The drawn figure ``key`` as a :class:`~ssereport.report.vocab.Figure` (not available if missing)."""
    # The SVG is written by ssereport.report.figures (matplotlib, which escapes all text) from our own numbers:
    # trusted markup. The HTML inlines it; the PDF (ssereport.report.pdf) places it as an image file.
    return Figure.from_output(key, (figs or {}).get(key))


def silhouette_meaning(s: float) -> str:
    if not np.isfinite(s):
        return "could not be computed"
    if s > 0.5:
        return "the classes are well separated"
    if s >= 0.25:
        return "the classes are reasonably separated, with some films near a boundary"
    return "the classes are weakly separated; many films sit between classes"


def ari_meaning(a: float | None) -> str:
    if a is None or not np.isfinite(a):
        return "stability was not assessed"
    if a > 0.8:
        return "the classes are stable: resampling the films gives almost the same classes"
    if a >= 0.6:
        return "the classes are moderately stable: resampling moves some films to another class"
    return "the classes are unstable: resampling the films changes them substantially"


def find_runs(mask: np.ndarray, values: np.ndarray) -> list[tuple[float, float]]:
    """Contiguous True runs of ``mask`` as (first value, last value)."""
    out, start = [], None
    for i, m in enumerate(mask):
        if m and start is None:
            start = i
        if not m and start is not None:
            out.append((values[start], values[i - 1]))
            start = None
    if start is not None:
        out.append((values[start], values[len(mask) - 1]))
    return out


# --------------------------------------------------------------------------- sections


def classes_overview(d: dict) -> tuple[ClassRow, ...]:
    counts = d["classes"]["counts"]
    total = sum(counts.values())
    summ = d["classes"]["summary"]
    labels = sorted(counts, key=int)
    last = labels[-1]
    rows = []
    for cls in labels:
        s = summ[cls]
        if cls == last:
            meaning = "lowest ionic conductivity (worst quality)"
        elif cls == labels[0]:
            meaning = "conductive and the most uniform thickness (target quality)"
        else:
            meaning = "conductive but less uniform thickness"
        rows.append(ClassRow(cls=int(cls), n=counts[cls], share=fmt_pct(counts[cls] / total), meaning=meaning,
                             sigma=fmt_num(s["conductivity_s_cm"]["median"]), rd=fmt_num(s["rd"]["median"]),
                             thickness=fmt_num(s["thickness_um"]["median"])))
    return tuple(rows)


def process_window(r: StudyResults) -> ProcessWindow:
    dm = r.decision_map
    xb = np.asarray(dm.xb, dtype=float)
    ls = np.asarray(dm.ls, dtype=float)
    picks = sorted({0, (len(xb) - 1) // 2, len(xb) - 1})
    xb_levels = [float(xb[i]) for i in picks]
    step = float(ls[1] - ls[0]) if len(ls) > 1 else 0.0
    rows = []
    any_window = False
    for k, p in enumerate(dm.polymer_levels):
        cells = []
        for i in picks:
            runs = find_runs(dm.predicted[k, i, :] == 1, ls)
            if runs:
                any_window = True
            cells.append(", ".join(fmt_window(a, b, ls[0], ls[-1]) for a, b in runs) or "none")
        rows.append({"p": level(p), "observed": bool(dm.observed[k]), "cells": cells})
    headers = ["P% (wt%)"] + [f"L:S (µL/mg) at X:B = {fmt_num(v, trim=True)} vol%" for v in xb_levels]
    table = make_table(headers, [[row["p"] + ("" if row["observed"] else " *")] + row["cells"] for row in rows],
                   caption="Process window: L:S ranges predicted to give class 1 films.",
                   note=f"The classifier's prediction on a grid with L:S steps of {fmt_num(step, 2, trim=True)} µL/mg. "
                        "* P% level not cast; the prediction is interpolated by the model. "
                        f"≤ / ≥: the window reaches the edge of the tested L:S range ({fmt_range(ls[0], ls[-1])} "
                        "µL/mg) and may extend beyond it.")
    # A one-sentence verdict at the middle X:B for the observed levels.
    mid = picks[len(picks) // 2]
    parts = []
    for k, p in enumerate(dm.polymer_levels):
        if not dm.observed[k]:
            continue
        runs = find_runs(dm.predicted[k, mid, :] == 1, ls)
        if runs:
            parts.append(f"L:S {', '.join(fmt_window(a, b, ls[0], ls[-1]) for a, b in runs)} µL/mg at {level(p)} wt%")
    if parts:
        sentence = (f"At X:B = {fmt_num(xb[mid], trim=True)} vol% the classifier predicts class 1 films for "
                    f"{join(parts)}.")
    else:
        sentence = (f"At X:B = {fmt_num(xb[mid], trim=True)} vol% the classifier predicts no class 1 films at any cast "
                    "P% level.")
    if not any_window:
        sentence += " No tested combination of conditions is predicted to give class 1 films."
    return ProcessWindow(table=table, sentence=sentence, xb_levels=tuple(fmt_num(v, trim=True) for v in xb_levels))


def describe(r: StudyResults) -> Table:
    df = r.table.data
    rows = []
    for v in FILM_VARIABLES:
        x = df[v].to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        sd = float(x.std(ddof=1)) if len(x) > 1 else float("nan")
        rows.append([var_label(v), by_name(v).unit if by_name(v).unit != "–" else "–", fmt_int(len(x)),
                     fmt_num(x.mean()), fmt_num(sd), fmt_num(x.min()), fmt_num(x.max())])
    return make_table(["Variable", "Unit", "n", "Mean", "SD", "Min", "Max"], rows,
                  caption="Film variables: conditions (first three rows) and measured outputs.",
                  numeric=[False, False, True, True, True, True, True])


def kruskal_sentence(row: dict, alpha: float) -> str:
    name = sym(row["variable"])
    h, df_, p, eps = row["H"], row["df"], row["p_value"], row["epsilon_squared"]
    if h is None or not np.isfinite(h):
        return f"{name} was the same for every film, so it cannot differ between classes."
    verb = "differed between classes" if p <= alpha else "did not differ significantly between classes"
    return f"{name} {verb}, H({fmt_int(df_)}) = {fmt_num(h)}, {fmt_p(p)}, ε² = {fmt_fixed(eps, 2)}."


def dunn_sentence(var: str, rows: list[dict], alpha: float) -> str:
    sig = [f"{r['group1']}–{r['group2']} ({fmt_p(r['p_value'])})" for r in rows if r["p_value"] <= alpha]
    ns = [f"{r['group1']}–{r['group2']} ({fmt_p(r['p_value'])})" for r in rows if r["p_value"] > alpha]
    out = f"For {sym(var)}, Dunn's tests (Holm-adjusted) "
    if sig:
        out += f"separated classes {join(sig)}"
        out += f" but not {join(ns, 'or')}." if ns else "."
    else:
        out += f"separated no pair of classes ({join(ns)})."
    return out


def term_label(term: str) -> str:
    parts = term.split(":")
    if len(parts) == 2 and all(p in FILM_VARIABLES for p in parts):
        return f"{sym(parts[0])} × {sym(parts[1])}"
    if term in FILM_VARIABLES:
        return head(term)
    return term


def section_figures(inp: SectionInput, section: str) -> tuple[Figure, ...]:
    """The figures the registry (:data:`ssereport.report.figures.FIGURES`) gives the section ``section``,
    drawn (or noted as missing), in registry order."""
    from ..figures import section_figures as specs

    return tuple(figure(inp.figures, spec.key) for spec in specs(section))


def kw_sentence(d: Mapping[str, Any], var: str, alpha: float) -> str:
    """The Kruskal-Wallis sentence of ``var`` from the results dict; empty if it was not tested."""
    row = next((r for r in d["kruskal_wallis"] if r["variable"] == var), None)
    return kruskal_sentence(row, alpha) if row is not None else ""


def cv_sentence(svm: Mapping[str, Any]) -> str:
    """The cross-validated macro F1 as one sentence (shared by the summary and the classifier section)."""
    lo, hi = svm["cv_f1_macro_ci95"]
    return (f"Across {svm['cv_repeats']} repeats of {svm['cv_splits']}-fold cross-validation the mean "
            f"macro F1 was {fmt_num(svm['cv_f1_macro_mean'])}, and 95 % of the folds scored between "
            f"{fmt_num(lo)} and {fmt_num(hi)}.")


def config_items(d: Mapping[str, Any], cfg: Any) -> tuple[KeyValue, ...]:
    """The settings as ``label = value`` items (from the provenance, else the config)."""
    return tuple(KeyValue(label=k, value=", ".join(map(str, v)) if isinstance(v, list) else str(v))
                 for k, v in d["provenance"].get("config", cfg.to_dict()).items())
