"""Results -> the plain dict a report template displays.

This is the *structure* layer between the analysis (numbers at full precision)
and the presentation (the Jinja templates of the HTML and the Typst templates
of the PDF, which only display). Everything a reader sees is decided here:
which tables, which columns with which units, and every narrative sentence,
generated from the numbers in APA style, as plain text (no emphasis or other
markup), so that both presentations show the same words. Rounding happens only
through :mod:`ssereport.report.filters`.

The only markup that is marked safe is the SVG of the figures, which our own
code generates (:func:`ssereport.figures.render_figures`); every other string,
including titles and sample IDs from the input file, is escaped by the HTML
templates and placed as text by the Typst templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import numpy as np
from markupsafe import Markup

from ..schema import CONDITIONS, FILM_VARIABLES, by_name
from .filters import fmt_fixed, fmt_int, fmt_num, fmt_p, fmt_pct, fmt_pm, fmt_range

if TYPE_CHECKING:  # pragma: no cover
    from ..pipeline import StudyResults

__all__ = ["MAX_FILM_ROWS", "PAPER", "SECTIONS", "build_context", "is_synthetic"]

#: The per-film appendix table shows at most this many films (the first ones, in file order), so that
#: the HTML does not grow with the number of films; every film is in the results JSON.
MAX_FILM_ROWS = 500

#: Section ids and headings, in report order.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("data", "Data"),
    ("pca", "Principal component analysis"),
    ("classes", "Quality classes"),
    ("tests", "Statistical tests"),
    ("maps", "Process maps"),
    ("classifier", "Classifier"),
    ("methods", "Methods"),
)

PAPER = {
    "text": "Chen, Y.-T., Duquesnoy, M., Tan, D. H. S., Doux, J.-M., Yang, H., Deysher, G., Ridley, P., "
            "Franco, A. A., Meng, Y. S., & Chen, Z. (2021). Fabrication of high-quality thin solid-state "
            "electrolyte films assisted by machine learning. ACS Energy Letters, 6(4), 1639–1648.",
    "doi": "10.1021/acsenergylett.1c00332",
}

_REFERENCES = (
    ("numpy", "Harris, C. R., et al. (2020). Array programming with NumPy. Nature, 585, 357–362.",
     "10.1038/s41586-020-2649-2"),
    ("pandas", "The pandas development team. pandas-dev/pandas: Pandas.", "10.5281/zenodo.3509134"),
    ("scipy", "Virtanen, P., et al. (2020). SciPy 1.0: fundamental algorithms for scientific computing in "
              "Python. Nature Methods, 17, 261–272.", "10.1038/s41592-019-0686-2"),
    ("scikit-learn", "Pedregosa, F., et al. (2011). Scikit-learn: machine learning in Python. Journal of "
                     "Machine Learning Research, 12, 2825–2830.", None),
    ("imbalanced-learn", "Lemaître, G., Nogueira, F., & Aridas, C. K. (2017). Imbalanced-learn: a Python "
                         "toolbox to tackle the curse of imbalanced datasets in machine learning. Journal of "
                         "Machine Learning Research, 18(17), 1–5.", None),
    ("statsmodels", "Seabold, S., & Perktold, J. (2010). Statsmodels: econometric and statistical modeling "
                    "with Python. Proceedings of the 9th Python in Science Conference, 92–96.",
     "10.25080/Majora-92bf1922-011"),
    ("matplotlib", "Hunter, J. D. (2007). Matplotlib: a 2D graphics environment. Computing in Science & "
                   "Engineering, 9(3), 90–95.", "10.1109/MCSE.2007.55"),
    ("pint", "Grecco, H. E., et al. Pint: operate and manipulate physical quantities in Python.", None),
    ("jinja2", "Pallets. Jinja: a fast, expressive, extensible templating engine.", None),
    ("typst", "Mädje, L., Haug, M., et al. Typst: a markup-based typesetting system.", None),
)

_METHOD_REFS = (
    "Kruskal, W. H., & Wallis, W. A. (1952). Use of ranks in one-criterion variance analysis. Journal of the "
    "American Statistical Association, 47(260), 583–621.",
    "Dunn, O. J. (1964). Multiple comparisons using rank sums. Technometrics, 6(3), 241–252.",
    "Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of "
    "Statistics, 6(2), 65–70.",
    "Tomczak, M., & Tomczak, E. (2014). The need to report effect size estimates revisited. Trends in Sport "
    "Sciences, 21(1), 19–25.",
    "Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and validation of cluster "
    "analysis. Journal of Computational and Applied Mathematics, 20, 53–65.",
    "Hubert, L., & Arabie, P. (1985). Comparing partitions. Journal of Classification, 2, 193–218.",
    "Arthur, D., & Vassilvitskii, S. (2007). k-means++: The advantages of careful seeding. Proceedings of the "
    "18th Annual ACM-SIAM Symposium on Discrete Algorithms, 1027–1035.",
    "Fan, R.-E., Chen, P.-H., & Lin, C.-J. (2005). Working set selection using second order information for "
    "training support vector machines. Journal of Machine Learning Research, 6, 1889–1918.",
    "Chang, C.-C., & Lin, C.-J. (2011). LIBSVM: A library for support vector machines. ACM Transactions on "
    "Intelligent Systems and Technology, 2(3), 27:1–27:27.",
)

#: Figures per section, in display order.
_FIGURES = {
    "pca": ("scree", "correlation_circle"),
    "classes": ("pc_scatter", "boxplots"),
    "maps": ("process_maps_thickness", "process_maps_dot", "process_maps_sigma", "dot_mean"),
    "classifier": ("oversampling", "confusion", "decision_maps"),
}

_ANOVA_SHORT = {1: "type I", 2: "type II", 3: "type III"}
_ANOVA_TYPE = {1: "type I (sequential)", 2: "type II (each main effect adjusted for the other)",
               3: "type III (each term adjusted for all others)"}

# --------------------------------------------------------------------------- helpers


def is_synthetic(source: str | None) -> bool:
    """True for the bundled synthetic reference data (file name starts with ``sse_films_reference``)."""
    return bool(source) and str(source).rsplit("/", 1)[-1].startswith("sse_films_reference")


def _alpha(a: float) -> str:
    """A significance level as APA writes it: ``.05``."""
    return fmt_num(a, 3, trim=True).replace("0.", ".", 1) if 0 < a < 1 else fmt_num(a, 3, trim=True)


def _sym(name: str) -> str:
    return by_name(name).symbol


def _head(name: str) -> str:
    """Column header with unit: ``σ (S/cm)``; ``RD`` has no unit."""
    return by_name(name).axis_label


def _var_label(name: str) -> str:
    """``Ionic conductivity σ``."""
    c = by_name(name)
    return f"{c.label} {c.symbol}" if c.symbol.lower() != c.label.lower() else c.label


def _level(p: float) -> str:
    """A P% level: ``3`` or ``7.5``."""
    return fmt_num(p, 3) if float(p) != int(p) else f"{int(p)}"


def _join(items: list[str], conj: str = "and") -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


def _table(headers: list[str], rows: list[list[Any]], *, caption: str = "", note: str = "",
           numeric: list[bool] | None = None, cls: str = "") -> dict[str, Any]:
    """A table as plain values; ``numeric`` right-aligns columns."""
    numeric = numeric if numeric is not None else [False] + [True] * (len(headers) - 1)
    return {"caption": caption, "headers": headers, "rows": [[str(c) for c in r] for r in rows],
            "numeric": numeric, "note": note, "cls": cls}


def _figure(figures: Mapping[str, Any] | None, key: str) -> dict[str, Any]:
    fig = (figures or {}).get(key)
    if fig is None or not getattr(fig, "svg", None):
        return {"key": key, "available": False, "svg": None, "alt": "", "caption": ""}
    svg = str(fig.svg)
    start = svg.find("<svg")
    svg = svg[start:] if start > 0 else svg  # drop an XML declaration / DOCTYPE before <svg
    # The SVG is written by ssereport.figures (matplotlib, which escapes all text) from our own numbers:
    # trusted markup. The HTML inlines it; the PDF (ssereport.report.pdf) places it as an image file.
    return {"key": key, "available": True, "svg": Markup(svg), "alt": str(fig.alt or key),
            "caption": str(fig.caption or "")}


def _figures(figures, section: str) -> list[dict[str, Any]]:
    return [_figure(figures, k) for k in _FIGURES[section]]


def _silhouette_meaning(s: float) -> str:
    if not np.isfinite(s):
        return "could not be computed"
    if s > 0.5:
        return "the classes are well separated"
    if s >= 0.25:
        return "the classes are reasonably separated, with some films near a boundary"
    return "the classes are weakly separated; many films sit between classes"


def _ari_meaning(a: float | None) -> str:
    if a is None or not np.isfinite(a):
        return "stability was not assessed"
    if a > 0.8:
        return "the classes are stable: resampling the films gives almost the same classes"
    if a >= 0.6:
        return "the classes are moderately stable: resampling moves some films to another class"
    return "the classes are unstable: resampling the films changes them substantially"


def _runs(mask: np.ndarray, values: np.ndarray) -> list[tuple[float, float]]:
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


def _classes_overview(d: dict) -> list[dict[str, Any]]:
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
        rows.append({
            "cls": int(cls), "n": counts[cls], "share": fmt_pct(counts[cls] / total),
            "meaning": meaning,
            "sigma": fmt_num(s["conductivity_s_cm"]["median"]),
            "rd": fmt_num(s["rd"]["median"]),
            "thickness": fmt_num(s["thickness_um"]["median"]),
        })
    return rows


def _process_window(r: StudyResults) -> dict[str, Any]:
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
            runs = _runs(dm.predicted[k, i, :] == 1, ls)
            if runs:
                any_window = True
            cells.append(", ".join(fmt_range(a, b) for a, b in runs) or "none")
        rows.append({"p": _level(p), "observed": bool(dm.observed[k]), "cells": cells})
    headers = ["P% (wt%)"] + [f"L:S (µL/mg) at X:B = {fmt_num(v, trim=True)} vol%" for v in xb_levels]
    table = _table(headers, [[row["p"] + ("" if row["observed"] else " *")] + row["cells"] for row in rows],
                   caption="Process window: L:S ranges predicted to give class 1 films.",
                   note=f"The classifier's prediction on a grid with L:S steps of {fmt_num(step, 2, trim=True)} µL/mg. "
                        "* P% level not cast; the prediction is interpolated by the model.")
    # A one-sentence verdict at the middle X:B for the observed levels.
    mid = picks[len(picks) // 2]
    parts = []
    for k, p in enumerate(dm.polymer_levels):
        if not dm.observed[k]:
            continue
        runs = _runs(dm.predicted[k, mid, :] == 1, ls)
        if runs:
            parts.append(f"L:S {', '.join(fmt_range(a, b) for a, b in runs)} µL/mg at {_level(p)} wt%")
    if parts:
        sentence = (f"At X:B = {fmt_num(xb[mid], trim=True)} vol% the classifier predicts class 1 films for "
                    f"{_join(parts)}.")
    else:
        sentence = (f"At X:B = {fmt_num(xb[mid], trim=True)} vol% the classifier predicts no class 1 films at any cast "
                    "P% level.")
    if not any_window:
        sentence += " No tested combination of conditions is predicted to give class 1 films."
    return {"table": table, "sentence": sentence, "xb_levels": [fmt_num(v, trim=True) for v in xb_levels]}


def _describe(r: StudyResults) -> dict[str, Any]:
    df = r.table.data
    rows = []
    for v in FILM_VARIABLES:
        x = df[v].to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        sd = float(x.std(ddof=1)) if len(x) > 1 else float("nan")
        rows.append([_var_label(v), by_name(v).unit if by_name(v).unit != "–" else "–", fmt_int(len(x)),
                     fmt_num(x.mean()), fmt_num(sd), fmt_num(x.min()), fmt_num(x.max())])
    return _table(["Variable", "Unit", "n", "Mean", "SD", "Min", "Max"], rows,
                  caption="Film variables: conditions (first three rows) and measured outputs.",
                  numeric=[False, False, True, True, True, True, True])


def _kruskal_sentence(row: dict, alpha: float) -> str:
    name = _sym(row["variable"])
    h, df_, p, eps = row["H"], row["df"], row["p_value"], row["epsilon_squared"]
    if h is None or not np.isfinite(h):
        return f"{name} was the same for every film, so it cannot differ between classes."
    verb = "differed between classes" if p <= alpha else "did not differ significantly between classes"
    return f"{name} {verb}, H({fmt_int(df_)}) = {fmt_num(h)}, {fmt_p(p)}, ε² = {fmt_fixed(eps, 2)}."


def _dunn_sentence(var: str, rows: list[dict], alpha: float) -> str:
    sig = [f"{r['group1']}–{r['group2']} ({fmt_p(r['p_value'])})" for r in rows if r["p_value"] <= alpha]
    ns = [f"{r['group1']}–{r['group2']} ({fmt_p(r['p_value'])})" for r in rows if r["p_value"] > alpha]
    out = f"For {_sym(var)}, Dunn's tests (Holm-adjusted) "
    if sig:
        out += f"separated classes {_join(sig)}"
        out += f" but not {_join(ns, 'or')}." if ns else "."
    else:
        out += f"separated no pair of classes ({_join(ns)})."
    return out


def _term(term: str) -> str:
    parts = term.split(":")
    if len(parts) == 2 and all(p in FILM_VARIABLES for p in parts):
        return f"{_sym(parts[0])} × {_sym(parts[1])}"
    if term in FILM_VARIABLES:
        return _head(term)
    return term


def build_context(results: StudyResults, *, title: str | None = None, author: str | None = None,
                  figures: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the plain dict the report templates display.

    Parameters
    ----------
    results : StudyResults
        From :func:`ssereport.analyze`.
    title, author : str, optional
        Shown on the report and in the PDF metadata (escaped when displayed).
        Default title: "Film quality report: <input file>"; default author: "ssereport".
    figures : mapping of str to FigureOutput, optional
        From :func:`ssereport.figures.render_figures`; a missing figure is
        replaced by a short note.

    Returns
    -------
    dict
        Strings, numbers, lists and dicts only, except the figure SVGs
        (``markupsafe.Markup``). Keys: ``title``, ``author``, ``meta``,
        ``synthetic``, ``toc`` and one key per section (see ``SECTIONS``).
    """
    from .. import __version__

    d = results.to_dict()
    cfg = results.config
    alpha = cfg.alpha
    inp = d["input"]
    source = str(inp["path"])
    prov = d["provenance"]
    created = prov.get("created") or datetime.now(timezone.utc).isoformat(timespec="seconds")
    title = title if title else f"Film quality report: {source}"
    author = author if author else "ssereport"
    synthetic = is_synthetic(source)
    counts = d["classes"]["counts"]
    n_films = inp["n_analyzed"]
    classes_overview = _classes_overview(d)
    kw = {row["variable"]: row for row in d["kruskal_wallis"]}
    svm = d["svm"]
    pca = d["pca"]
    k_used = pca["n_components_used"]
    cum = float(np.sum(pca["explained_variance_ratio"]))
    an = d["log_anova"]
    an_rows = {row["term"]: row for row in an["table"]}
    resid = an_rows.get("Residual", {})
    window = _process_window(results)
    sil, ari = d["classes"]["silhouette"], d["classes"]["stability_ari"]
    lo, hi = svm["cv_f1_macro_ci95"]
    cv_sentence = (f"Across {svm['cv_repeats']} repeats of {svm['cv_splits']}-fold cross-validation the mean "
                   f"macro F1 was {fmt_num(svm['cv_f1_macro_mean'])}, and 95 % of the folds scored between "
                   f"{fmt_num(lo)} and {fmt_num(hi)}.")

    def kw_sentence(var: str) -> str:
        return _kruskal_sentence(kw[var], alpha) if var in kw else ""

    # ------------------------------------------------------------------ 1 summary
    class_phrase = _join([f"{c['n']} ({c['share']}) in class {c['cls']}" for c in classes_overview])
    verdict = (f"Of the {n_films} films analysed, {class_phrase}. Class 1 films are the target: "
               f"conductive and uniformly thick. {window['sentence']}")
    key_numbers = [
        {"label": "Films analysed", "value": f"{n_films} of {inp['n_rows']} rows"},
        {"label": "Films per class", "value": ", ".join(f"class {c}: {n}" for c, n in counts.items())},
        {"label": f"Variance explained by PC1–PC{k_used}" if k_used > 1 else "Variance explained by PC1",
         "value": fmt_pct(cum)},
        {"label": "Silhouette of the classes", "value": fmt_fixed(sil, 2)},
        {"label": "Bootstrap stability (mean ARI)", "value": fmt_fixed(ari, 2)},
        {"label": "σ between classes", "value": kw_sentence("conductivity_s_cm").rstrip(".")},
        {"label": "RD between classes", "value": kw_sentence("rd").rstrip(".")},
        {"label": "Classifier test macro F1", "value": fmt_num(svm["test_f1_macro"])},
        {"label": "Cross-validated macro F1",
         "value": f"{fmt_num(svm['cv_f1_macro_mean'])} (95 % of folds {fmt_num(lo)}–{fmt_num(hi)})"},
    ]
    config_items = [{"key": k, "value": ", ".join(map(str, v)) if isinstance(v, list) else str(v)}
                    for k, v in prov.get("config", cfg.to_dict()).items()]
    packages = prov.get("packages", {})
    provenance = [
        {"label": "Input file", "mono": False, "value": source},
        {"label": "SHA-256", "mono": True, "value": inp["sha256"] or "–"},
        {"label": "Rows", "mono": False, "value": f"{inp['n_rows']} in the file, {n_films} analysed, "
                                   f"{len(inp['excluded'])} excluded"},
        {"label": "ssereport", "mono": False, "value": str(prov.get("ssereport_version", __version__))},
        {"label": "Python", "mono": False, "value": str(prov.get("python", "–"))},
        {"label": "Libraries", "mono": False, "value": ", ".join(f"{k} {v}" for k, v in packages.items())},
        {"label": "Seed", "mono": False, "value": str(prov.get("seed", cfg.seed))},
        {"label": "Analysis date", "mono": False, "value": created},
        {"label": "Report rendered", "mono": False, "value": datetime.now(timezone.utc).isoformat(timespec="seconds")},
    ]
    summary = {
        "intro": [
            "This report sorts the films into quality classes from their measured properties, tests "
            "whether the classes really differ, and predicts from the manufacturing conditions (P%, L:S, "
            "X:B) which slurries give good films.",
            "The first page gives the verdict; the following sections show the evidence, and the methods "
            "appendix lists every setting so that the analysis can be repeated.",
        ],
        "verdict": verdict,
        "classes": classes_overview,
        "class_table": _table(
            ["Class", "Films", "Share", "Median σ (S/cm)", "Median RD", "Median thickness (µm)", "Meaning"],
            [[c["cls"], c["n"], c["share"], c["sigma"], c["rd"], c["thickness"], c["meaning"]]
             for c in classes_overview],
            caption="Films per quality class.",
            numeric=[False, True, True, True, True, True, False]),
        "window": window,
        "key_numbers": key_numbers,
        "provenance": provenance,
        "config": config_items,
        # what the loader converted, doubted or skipped: on the first page, so that nobody misses it
        "notes": list(inp["notes"]),
    }

    # ------------------------------------------------------------------ 2 data
    excluded = _table(["Row", "Sample ID", "Reason"],
                      [[e["row"], e["sample_id"] if e["sample_id"] is not None else "–", e["reason"]]
                       for e in inp["excluded"]],
                      caption="Rows left out of the analysis.", numeric=[True, False, False])
    data = {
        "intro": [
            f"The input file {source} has {inp['n_rows']} film rows; {n_films} were analysed"
            + (f" and {len(inp['excluded'])} left out (listed below with the reason)." if inp["excluded"]
               else " and none was left out."),
            "The table gives the spread of every manufacturing condition and measured property, so that a "
            "reader can check the ranges against the lab notebook before trusting the statistics.",
        ],
        "variables": _describe(results),
        "excluded": excluded,
        "has_excluded": bool(inp["excluded"]),
        "notes": list(inp["notes"]),
    }

    # ------------------------------------------------------------------ 3 pca
    feats = pca["features"]
    load = pca["loadings"]
    n_show = max(k_used, min(2, len(feats)))
    evr_all = pca["explained_variance_ratio_all"]
    load_rows = [[_var_label(f)] + [fmt_fixed(load[f][j], 2) for j in range(n_show)] for f in feats]
    load_rows.append(["Variance explained"] + [fmt_pct(evr_all[j]) for j in range(n_show)])
    top = sorted(feats, key=lambda f: -abs(load[f][0]))[:3]
    pc1_phrase = _join([f"{_sym(f)} ({fmt_fixed(load[f][0], 2)})" for f in top])
    pca_ctx = {
        "intro": [
            f"Principal component analysis (PCA) condenses the {len(feats)} standardised variables into a few "
            "independent directions (principal components, PCs) that carry most of their variation.",
            "Variables whose arrows point the same way in the correlation circle rise and fall together; "
            "opposite arrows are inversely related; perpendicular arrows are unrelated.",
        ],
        "result": (f"The first {k_used} components explain {fmt_pct(cum)} of the variance (threshold "
                   f"{fmt_pct(pca['variance_threshold'], 0)}); PC1 alone explains "
                   f"{fmt_pct(pca['explained_variance_ratio'][0])} and is dominated by {pc1_phrase}."),
        "figures": _figures(figures, "pca"),
        "loadings": _table(["Variable"] + [f"PC{j + 1}" for j in range(n_show)], load_rows,
                           caption="Loadings: correlation of each standardised variable with each component.",
                           note=f"The first {k_used} components are used for the K-means classes."),
    }

    # ------------------------------------------------------------------ 4 classes
    summ = d["classes"]["summary"]
    labels = sorted(counts, key=int)
    cs_rows = []
    for v in FILM_VARIABLES:
        cs_rows.append([_head(v)] + [fmt_pm(summ[c][v]["mean"], summ[c][v]["sd"]) for c in labels])
    cs_rows.append(["Films (n)"] + [str(counts[c]) for c in labels])
    classes_ctx = {
        "intro": [
            f"K-means grouped the films into {len(counts)} classes by their position on the first {k_used} "
            "principal components, i.e. by their measured properties, without being told any conditions.",
            "Class 1 is, by construction, the conductive class with the most uniform thickness; the last class "
            "has the lowest conductivity.",
        ],
        "result": (f"The silhouette was {fmt_fixed(sil, 2)}: {_silhouette_meaning(sil)}. Over "
                   f"{d['classes']['n_bootstrap']} bootstrap resamples the mean adjusted Rand index (ARI) was "
                   f"{fmt_fixed(ari, 2)}: {_ari_meaning(ari)}."),
        "guide": ("How to read these: a silhouette above 0.5 means well separated classes, 0.25–0.5 reasonable, "
                  "below 0.25 weak. An ARI of 1 means identical classes on every resample, 0 means chance "
                  "agreement; above 0.8 the classes are stable."),
        "figures": _figures(figures, "classes"),
        "summary": _table(["Variable (unit)"] + [f"Class {c}" for c in labels], cs_rows,
                          caption="Class summary: mean ± SD of conditions and outputs."),
        "overview": summary["class_table"],
    }

    # ------------------------------------------------------------------ 5 tests
    kw_rows = [[_var_label(r["variable"]), fmt_num(r["H"]), fmt_int(r["df"]), fmt_p(r["p_value"], prefix=False),
                fmt_fixed(r["epsilon_squared"], 2), fmt_int(r["n"])] for r in d["kruskal_wallis"]]
    dunn_rows = [[_var_label(r["variable"]), f"{r['group1']} vs {r['group2']}", fmt_fixed(r["z"], 2),
                  fmt_p(r["p_unadjusted"], prefix=False), fmt_p(r["p_value"], prefix=False)] for r in d["dunn"]]
    dunn_vars = list(dict.fromkeys(r["variable"] for r in d["dunn"]))
    dunn_sentences = [_dunn_sentence(v, [r for r in d["dunn"] if r["variable"] == v], alpha)
                      for v in ("conductivity_s_cm", "rd") if v in dunn_vars]
    an_table_rows = []
    for row in an["table"]:
        is_res = row["term"] == "Residual"
        an_table_rows.append([_term(row["term"]) if not is_res else "Residual", fmt_int(row["df"]),
                              fmt_num(row["sum_sq"]), fmt_num(row["mean_sq"]), fmt_num(row["F"]) if not is_res
                              else "", fmt_p(row["p_value"], prefix=False) if not is_res else "",
                              fmt_fixed(row["partial_eta_squared"], 3) if not is_res else ""])
    inter = next((r for r in an["table"] if ":" in r["term"]), None)
    df_res = fmt_int(resid.get("df"))
    an_sentences = []
    for row in an["table"]:
        if row["term"] == "Residual":
            continue
        sig = row["p_value"] is not None and row["p_value"] <= alpha
        what = ("The interaction " + _term(row["term"]) if ":" in row["term"]
                else "The main effect of " + _sym(row["term"]))
        an_sentences.append(
            f"{what} on log(RD) was {'significant' if sig else 'not significant'}, "
            f"F({fmt_int(row['df'])}, {df_res}) = {fmt_num(row['F'])}, {fmt_p(row['p_value'])}, "
            f"partial η² = {fmt_fixed(row['partial_eta_squared'], 3)}.")
    synergy = ""
    if inter is not None and inter["p_value"] is not None and inter["p_value"] <= alpha:
        synergy = ("The effect of the cosolvent ratio on uniformity depends on the liquid-to-solid ratio: "
                   "the two must be chosen together, as the paper found.")
    tests_ctx = {
        "intro": [
            "These tests check that the classes differ in more than chance: Kruskal-Wallis compares the "
            "distributions of each variable between classes without assuming normality, and Dunn's pairwise "
            "tests say which classes differ.",
            "The analysis of variance asks whether the cosolvent ratio X:B and the liquid-to-solid ratio L:S, "
            "alone or together, explain the thickness non-uniformity RD (on a log scale).",
        ],
        "kw_sentences": [s for s in (kw_sentence("conductivity_s_cm"), kw_sentence("rd")) if s],
        "kruskal": _table(["Variable", "H", "df", "p", "ε²", "n"], kw_rows,
                          caption="Kruskal-Wallis tests between classes.",
                          note="ε² = H(n + 1)/(n² − 1), the rank-based effect size (0 none, 1 complete separation). "
                               f"Dunn's post-hoc tests were run where p ≤ {_alpha(alpha)}."),
        "dunn_sentences": dunn_sentences,
        "dunn": _table(["Variable", "Classes", "z", "p (unadjusted)", "p (Holm)"], dunn_rows,
                       caption="Dunn's pairwise post-hoc tests, Holm-adjusted within each variable.",
                       numeric=[False, False, True, True, True]),
        "anova_type": _ANOVA_SHORT.get(an["type"], f"type {an['type']}"),
        "anova_sentences": an_sentences,
        "anova_synergy": synergy,
        "anova": _table(["Term", "df", "Sum of squares", "Mean square", "F", "p", "Partial η²"], an_table_rows,
                        caption=(f"ANOVA of log(RD) on X:B (vol%), L:S (µL/mg) and their interaction; "
                                 f"{_ANOVA_TYPE.get(an['type'], '')} sums of squares; n = {an['n']}, "
                                 f"R² = {fmt_fixed(an['r_squared'], 3)}."),
                        note="X:B and L:S enter as continuous predictors; sums of squares are in units of "
                             "log(RD)²."),
    }

    # ------------------------------------------------------------------ 6 maps
    maps = results.maps
    lvl_phrase = _join([f"{_level(p)} wt% ({n} films)" for p, n in zip(maps.polymer_levels, maps.n_films)])
    dm_sentence = ""
    dot = np.asarray(maps.dot_mean, dtype=float)
    if np.isfinite(dot).any():
        i, j = np.unravel_index(np.nanargmin(dot), dot.shape)
        a, b = np.unravel_index(np.nanargmax(dot), dot.shape)
        dm_sentence = (f"Averaged over the P% levels, DoT is lowest ({fmt_num(dot[i, j])} µm) near "
                       f"L:S = {fmt_num(maps.ls[j], trim=True)} µL/mg and X:B = {fmt_num(maps.xb[i], trim=True)} vol%, and highest "
                       f"({fmt_num(dot[a, b])} µm) near L:S = {fmt_num(maps.ls[b], trim=True)} µL/mg and "
                       f"X:B = {fmt_num(maps.xb[a], trim=True)} vol%.")
    maps_ctx = {
        "intro": [
            "The maps show how thickness, its deviation (DoT) and the ionic conductivity σ change with the "
            "liquid-to-solid ratio L:S and the cosolvent ratio X:B, one panel per polymer content P%.",
            "Values are interpolated linearly between the tested conditions; blank areas lie outside the tested "
            "conditions and are not extrapolated.",
        ],
        "result": f"Films per P% level: {lvl_phrase}. {dm_sentence}".strip(),
        "figures": _figures(figures, "maps"),
    }

    # ------------------------------------------------------------------ 7 classifier
    cm = svm["confusion_matrix"]
    clabels = svm["labels"]
    cm_rows = [[f"Class {a}"] + [str(v) for v in row] + [str(sum(row))] for a, row in zip(clabels, cm)]
    pc_rows = [[f"Class {r['class']}", fmt_num(r["precision"]), fmt_num(r["recall"]), fmt_num(r["f1"]),
                fmt_int(r["support"])] for r in svm["per_class"]]
    before, after = svm["counts_before_oversampling"], svm["counts_after_oversampling"]
    os_rows = [[f"Class {c}", str(before.get(c, 0)), str(after.get(c, 0))] for c in sorted(before, key=int)]
    k = results.classifier
    ids = results.table.data["sample_id"]
    wrong = [{"id": str(ids.loc[idx]), "actual": int(a), "predicted": int(p)}
             for idx, a, p in zip(k.test_index, k.y_test, k.y_pred) if int(a) != int(p)]
    wrong_rows = [[w["id"], f"Class {w['actual']}", f"Class {w['predicted']}"] for w in wrong]
    correct = int(np.trace(np.asarray(cm)))
    observed = [_level(p) for p, o in zip(d["decision_map"]["polymer_levels"], d["decision_map"]["observed"]) if o]
    interp = [_level(p) for p, o in zip(d["decision_map"]["polymer_levels"], d["decision_map"]["observed"])
              if not o]
    classifier_ctx = {
        "intro": [
            "A linear support vector machine (SVM) learns to predict a film's class from its manufacturing "
            f"conditions alone ({_join([_head(f) for f in svm['features']])}), so that new slurries can be "
            "judged before they are cast.",
            f"It is trained on {svm['n_train']} films and tested on {svm['n_test']} films it never saw; the "
            "macro F1 score averages precision and recall over the classes (1 = every film right).",
        ],
        "result": (f"On the {svm['n_test']} test films the classifier was right {correct} times, macro "
                   f"F1 = {fmt_num(svm['test_f1_macro'])}. {cv_sentence}"),
        "oversampling_sentence": (
            "Before training, the smaller classes of the training films were randomly oversampled to the size "
            f"of the largest ({_join([f'class {c}: {before[c]} → {after.get(c, 0)}' for c in sorted(before, key=int)])})."),
        "oversampling": _table(["Class", "Training films before", "After oversampling"], os_rows,
                               caption="Class counts of the training films before and after random oversampling."),
        "confusion": _table(["Actual \\ predicted"] + [f"Class {c}" for c in clabels] + ["Films"], cm_rows,
                            caption="Confusion matrix of the test films (rows: actual class; columns: predicted)."),
        "per_class": _table(["Class", "Precision", "Recall", "F1", "Test films"], pc_rows,
                            caption="Per-class precision, recall and F1 on the test films."),
        "misclassified": _table(["Sample ID", "Actual", "Predicted"], wrong_rows,
                                caption="Misclassified test films.", numeric=[False, False, False]),
        "has_misclassified": bool(wrong),
        "maps_sentence": (
            f"The decision maps show the predicted class over L:S × X:B for P% = {_join(observed)} wt% (cast)"
            + (f" and {_join(interp)} wt% (interpolated by the model, marked as such)" if interp else "")
            + "; the films cast at each level are overlaid."),
        "figures": _figures(figures, "classifier"),
    }

    # ------------------------------------------------------------------ 8 methods
    kv = ", ".join(_sym(v) for v in cfg.kruskal_variables)
    large_table = n_films > cfg.large_n  # the analysis subsamples above this size (see the "What ran" lines)
    methods = [
        {"name": "Data validation",
         "text": "Columns are matched by name or alias; every value is checked against its valid range. "
                 "Thickness, DoT and RD are checked against (or computed from) the 9 thickness readings "
                 "when present."},
        {"name": "Principal component analysis",
         "text": f"On the z-scored variables {', '.join(_sym(f) for f in feats)} (P% is left out as a "
                 "qualitative variable, as in the paper). Components are kept until they explain at least "
                 f"{fmt_pct(cfg.pca_variance, 0)} of the variance ({k_used} here). Loadings are the "
                 "correlations between variables and components."},
        {"name": "K-means classes",
         "text": f"K-means (scikit-learn KMeans, Lloyd's algorithm) with k = {cfg.n_clusters} on the first "
                 f"{k_used} PC scores, best inertia of {cfg.kmeans_n_init} k-means++ starts, seed {cfg.seed}. "
                 "The cluster with the lowest median σ becomes the last class; the others are numbered by "
                 "increasing median RD. Quality of the partition: mean silhouette width (silhouette_score) in "
                 f"the clustered PC space. Stability: {d['classes']['n_bootstrap']} bootstrap resamples of the "
                 f"films; on each, K-means is refitted ({cfg.kmeans_n_init} starts), every film is assigned to "
                 "its nearest refitted centroid, and the adjusted Rand index (adjusted_rand_score) against the "
                 "classes is averaged over the resamples.",
         "ran": str(d["classes"].get("method") or "")},
        {"name": "Kruskal-Wallis and Dunn",
         "text": f"Kruskal-Wallis H (scipy.stats.kruskal: tie-corrected, χ² approximation) for {kv}; effect "
                 "size ε² = H(n + 1)/(n² − 1). Dunn's test on mean ranks (scipy.stats.rankdata) with tie "
                 "correction and Holm adjustment (statsmodels multipletests) within each variable, run for the "
                 f"variables with p ≤ {_alpha(cfg.alpha)}. Values that agree to 12 significant digits rank as "
                 "ties."},
        {"name": "ANOVA of log(RD)",
         "text": f"Ordinary least squares model {an['formula']} with continuous predictors, "
                 f"{_ANOVA_TYPE.get(an['type'], '')} sums of squares; partial η² = SS_term/(SS_term + "
                 "SS_residual).",
         "ran": str(an.get("method") or "")},
        {"name": "Support vector machine",
         "text": f"Linear SVM (C = {fmt_num(cfg.svm_c, trim=True)}, one-vs-one as in libsvm) on the standardised "
                 f"conditions {', '.join(_sym(f) for f in svm['features'])}; stratified train/test split with "
                 f"{fmt_pct(cfg.test_size, 0)} test films, seed {cfg.seed}. Every fit is one imbalanced-learn "
                 "pipeline: it standardises its training films, randomly oversamples the smaller classes to the "
                 "size of the largest and then fits the SVM, so oversampling only copies training films (never "
                 "a test film, nor a held-out fold). "
                 f"Scores: macro F1 on the test films; repeated stratified {svm['cv_splits']}-fold cross-validation "
                 f"({svm['cv_repeats']} repeats, {svm['cv_splits'] * svm['cv_repeats']} fold scores) over "
                 + ("a stratified subsample of the films" if large_table else "all films")
                 + ", reported as the mean with the 2.5th–97.5th percentile range of the fold scores as the "
                 "95 % interval. After this evaluation the same pipeline is refitted on "
                 + ("a stratified subsample of all films" if large_table else "all films")
                 + "; that final model draws the decision maps and the process window on the summary page.",
         "ran": str(svm.get("method") or "")},
        {"name": "Process and decision maps",
         "text": f"Grids of {cfg.grid_size} × {cfg.grid_size} points over the observed L:S and X:B ranges. "
                 "Process maps: films with the same conditions averaged"
                 + (" (with this many distinct conditions, films are first averaged within grid cells)"
                    if bool(getattr(results.maps, "binned", False)) else "")
                 + ", then, for each P% level, bilinear interpolation (scipy.interpolate.RegularGridInterpolator) "
                 "where the level's conditions form a full L:S × X:B grid, otherwise linear interpolation on a "
                 "Delaunay triangulation (scipy.interpolate.LinearNDInterpolator); no extrapolation. DoT "
                 "averaged over the levels. Decision maps: the final classifier's prediction for every integer "
                 "P% between the lowest and highest cast level (levels not cast are interpolated by the model).",
         "ran": str(getattr(results.maps, "method", "") or "")},
    ]
    references = [{"text": PAPER["text"], "doi": PAPER["doi"]}]
    references += [{"text": t + (f" (version {packages[n]} used)" if n in packages else ""), "doi": doi}
                   for n, t, doi in _REFERENCES]
    references += [{"text": t, "doi": None} for t in _METHOD_REFS]
    cls_all = d["classes"]["class"]
    films_rows = []
    df = results.table.data
    n_table = len(df)
    limit = max(int(MAX_FILM_ROWS), 0)
    for (row_no, rec), cls in zip(df.head(limit).iterrows(), cls_all):
        films_rows.append([str(rec["sample_id"]), fmt_int(row_no), _level(rec["polymer_wt_pct"]),
                           fmt_num(rec["ls_ratio"]), fmt_num(rec["xylene_vol_pct"]),
                           fmt_num(rec["thickness_um"]), fmt_num(rec["conductivity_s_cm"]), fmt_num(rec["rd"]),
                           str(cls)])
    films_truncated = n_table > limit
    films_caption = ("Every analysed film with its class." if not films_truncated else
                     f"The first {fmt_int(limit)} of the {fmt_int(n_table)} analysed films with their class.")
    films_note = ("Row: the row of the input file as a spreadsheet counts it (header = row 1)." if not films_truncated else
                  f"Only the first {fmt_int(limit)} films (in file order) are listed here, to keep the report "
                  f"small; all {fmt_int(n_table)} films with their class are in the results JSON (classes.sample_id, "
                  "classes.row, classes.class), which is attached inside the PDF. "
                  "Row: the row of the input file as a spreadsheet counts it (header = row 1).")
    methods_ctx = {
        "intro": [
            "This appendix lists each method with the settings used, so that the analysis can be repeated "
            "exactly: the same input file (SHA-256 on the summary page) and settings give the same numbers.",
            "The input file and the full results (JSON) are attached inside the PDF version of this report.",
        ],
        "methods": methods,
        "config": config_items,
        "references": references,
        "films": _table(["Sample ID", "Row", _head("polymer_wt_pct"), _head("ls_ratio"), _head("xylene_vol_pct"),
                         _head("thickness_um"), _head("conductivity_s_cm"), "RD", "Class"], films_rows,
                        caption=films_caption, note=films_note,
                        numeric=[False] + [True] * 8, cls="compact"),
        "films_truncated": films_truncated,
        "films_shown": len(films_rows),
        "films_total": n_table,
    }

    keywords = ["solid-state electrolyte", "film quality", "PCA", "K-means", "Kruskal-Wallis", "ANOVA", "SVM",
                "ssereport"]
    return {
        "title": title,
        "author": author,
        "lang": "en",
        "generator": f"ssereport {prov.get('ssereport_version', __version__)}",
        "meta": {
            "description": (f"Statistical quality report of {n_films} solid-state-electrolyte films from "
                            f"{source}: PCA, K-means classes, Kruskal-Wallis, ANOVA and SVM classifier."),
            "keywords": ", ".join(keywords),
            "created": created,
            "modified": created,
        },
        "synthetic": synthetic,
        "synthetic_notice": ("These data are the SYNTHETIC reference set bundled with ssereport, simulated to "
                             "show the trends of Chen, Duquesnoy et al. (2021). They are not measurements; do "
                             "not cite these numbers as experimental results."),
        "toc": [{"id": sid, "number": i + 1, "title": t} for i, (sid, t) in enumerate(SECTIONS)],
        "summary": summary,
        "data": data,
        "pca": pca_ctx,
        "classes": classes_ctx,
        "tests": tests_ctx,
        "maps": maps_ctx,
        "classifier": classifier_ctx,
        "methods": methods_ctx,
        "conditions": [_head(c) for c in CONDITIONS],
    }
