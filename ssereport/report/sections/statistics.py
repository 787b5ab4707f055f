"""Sections 3-5 of the study report: principal components, quality classes and the statistical tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...format import fmt_fixed, fmt_int, fmt_num, fmt_p, fmt_pct, fmt_pm
from ...schema import FILM_VARIABLES
from ..vocab import Figure, Table, shown
from .common import (ANOVA_SHORT, ANOVA_TYPE, alpha_text, ari_meaning, classes_overview, dunn_sentence, head, join,
                     kw_sentence, make_table, section_figures, silhouette_meaning, sym, term_label, var_label)
from .overview import class_table
from .registry import SectionInput

__all__ = ["ClassesSection", "PcaSection", "TestsSection", "classes", "pca", "tests"]


@dataclass(frozen=True, eq=False)
class PcaSection:
    """Section "pca": variance explained, the registry's figures of section "pca", the loadings."""

    intro: tuple[str, ...]
    result: str = shown(role="result")
    figures: tuple[Figure, ...] = shown()
    loadings: Table = shown()


@dataclass(frozen=True, eq=False)
class ClassesSection:
    """Section "classes": separation and stability of the K-means classes, their figures and profiles."""

    intro: tuple[str, ...]
    result: str = shown(role="result")
    guide: str = shown()
    figures: tuple[Figure, ...] = shown()
    summary: Table = shown()
    overview: Table = shown(role="hidden")  # the summary section's class table


@dataclass(frozen=True, eq=False)
class TestsSection:
    """Section "tests": Kruskal-Wallis and Dunn between the classes, the ANOVA of log(RD)."""

    intro: tuple[str, ...]
    kw_sentences: tuple[str, ...] = shown(role="result")
    dunn_sentences: tuple[str, ...] = shown(role="result")
    kruskal: Table = shown(title="Kruskal-Wallis")
    dunn: Table = shown(title="Dunn post-hoc tests (Holm)")
    anova_type: str = shown(role="hidden")  # in the partials' heading and the ANOVA table's caption
    anova_sentences: tuple[str, ...] = shown(title="ANOVA of log(RD)", role="result")
    anova_synergy: str = shown(role="result")
    anova: Table = shown()


def pca(inp: SectionInput) -> PcaSection:
    """Variance explained, the correlation circle and the loadings."""
    p = inp.d["pca"]
    k_used = p["n_components_used"]
    cum = float(np.sum(p["explained_variance_ratio"]))
    feats = p["features"]
    load = p["loadings"]
    n_show = max(k_used, min(2, len(feats)))
    evr_all = p["explained_variance_ratio_all"]
    load_rows = [[var_label(f)] + [fmt_fixed(load[f][j], 2) for j in range(n_show)] for f in feats]
    load_rows.append(["Variance explained"] + [fmt_pct(evr_all[j]) for j in range(n_show)])
    top = sorted(feats, key=lambda f: -abs(load[f][0]))[:3]
    pc1_phrase = join([f"{sym(f)} ({fmt_fixed(load[f][0], 2)})" for f in top])
    return PcaSection(
        intro=(
            f"Principal component analysis (PCA) condenses the {len(feats)} standardised variables into a few "
            "independent directions (principal components, PCs) that carry most of their variation.",
            "Variables whose arrows point the same way in the correlation circle rise and fall together; "
            "opposite arrows are inversely related; perpendicular arrows are unrelated.",
        ),
        result=(f"The first {k_used} components explain {fmt_pct(cum)} of the variance (threshold "
                   f"{fmt_pct(p['variance_threshold'], 0)}); PC1 alone explains "
                   f"{fmt_pct(p['explained_variance_ratio'][0])} and is dominated by {pc1_phrase}."),
        figures=section_figures(inp, "pca"),
        loadings=make_table(["Variable"] + [f"PC{j + 1}" for j in range(n_show)], load_rows,
                            caption="Loadings: correlation of each standardised variable with each component.",
                            note=f"The first {k_used} components are used for the K-means classes."),
    )


def classes(inp: SectionInput) -> ClassesSection:
    """K-means classes: separation (silhouette), stability (bootstrap ARI) and their profiles."""
    d = inp.d
    counts = d["classes"]["counts"]
    k_used = d["pca"]["n_components_used"]
    sil, ari = d["classes"]["silhouette"], d["classes"]["stability_ari"]
    summ = d["classes"]["summary"]
    labels = sorted(counts, key=int)
    cs_rows = [[head(v)] + [fmt_pm(summ[c][v]["mean"], summ[c][v]["sd"]) for c in labels] for v in FILM_VARIABLES]
    cs_rows.append(["Films (n)"] + [str(counts[c]) for c in labels])
    return ClassesSection(
        intro=(
            f"K-means grouped the films into {len(counts)} classes by their position on the first {k_used} "
            "principal components, i.e. by their measured properties, without being told any conditions.",
            "Class 1 is, by construction, the conductive class with the most uniform thickness; the last class "
            "has the lowest conductivity.",
        ),
        result=(f"The silhouette was {fmt_fixed(sil, 2)}: {silhouette_meaning(sil)}. Over "
                   f"{d['classes']['n_bootstrap']} bootstrap resamples the mean adjusted Rand index (ARI) was "
                   f"{fmt_fixed(ari, 2)}: {ari_meaning(ari)}."),
        guide=("How to read these: a silhouette above 0.5 means well separated classes, 0.25–0.5 reasonable, "
                  "below 0.25 weak. An ARI of 1 means identical classes on every resample, 0 means chance "
                  "agreement; above 0.8 the classes are stable."),
        figures=section_figures(inp, "classes"),
        summary=make_table(["Variable (unit)"] + [f"Class {c}" for c in labels], cs_rows,
                           caption="Class summary: mean ± SD of conditions and outputs."),
        overview=class_table(classes_overview(d)),
    )


def tests(inp: SectionInput) -> TestsSection:
    """Kruskal-Wallis and Dunn between the classes; the ANOVA of log(RD) on X:B and L:S."""
    d = inp.d
    alpha = inp.config.alpha
    an = d["log_anova"]
    resid = next((row for row in an["table"] if row["term"] == "Residual"), {})
    kw_rows = [[var_label(r["variable"]), fmt_num(r["H"]), fmt_int(r["df"]), fmt_p(r["p_value"], prefix=False),
                fmt_fixed(r["epsilon_squared"], 2), fmt_int(r["n"])] for r in d["kruskal_wallis"]]
    dunn_rows = [[var_label(r["variable"]), f"{r['group1']} vs {r['group2']}", fmt_fixed(r["z"], 2),
                  fmt_p(r["p_unadjusted"], prefix=False), fmt_p(r["p_value"], prefix=False)] for r in d["dunn"]]
    dunn_vars = list(dict.fromkeys(r["variable"] for r in d["dunn"]))
    dunn_sentences = [dunn_sentence(v, [r for r in d["dunn"] if r["variable"] == v], alpha)
                      for v in ("conductivity_s_cm", "rd") if v in dunn_vars]
    an_table_rows = []
    for row in an["table"]:
        is_res = row["term"] == "Residual"
        an_table_rows.append([term_label(row["term"]) if not is_res else "Residual", fmt_int(row["df"]),
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
        what = ("The interaction " + term_label(row["term"]) if ":" in row["term"]
                else "The main effect of " + sym(row["term"]))
        an_sentences.append(
            f"{what} on log(RD) was {'significant' if sig else 'not significant'}, "
            f"F({fmt_int(row['df'])}, {df_res}) = {fmt_num(row['F'])}, {fmt_p(row['p_value'])}, "
            f"partial η² = {fmt_fixed(row['partial_eta_squared'], 3)}.")
    synergy = ""
    if inter is not None and inter["p_value"] is not None and inter["p_value"] <= alpha:
        synergy = ("The effect of the cosolvent ratio on uniformity depends on the liquid-to-solid ratio: "
                   "the two must be chosen together, as the paper found.")
    kw_sentences = [kw_sentence(d, v, alpha) for v in ("conductivity_s_cm", "rd")]
    return TestsSection(
        intro=(
            "These tests check that the classes differ in more than chance: Kruskal-Wallis compares the "
            "distributions of each variable between classes without assuming normality, and Dunn's pairwise "
            "tests say which classes differ.",
            "The analysis of variance asks whether the cosolvent ratio X:B and the liquid-to-solid ratio L:S, "
            "alone or together, explain the thickness non-uniformity RD (on a log scale).",
        ),
        kw_sentences=tuple(s for s in kw_sentences if s),
        kruskal=make_table(["Variable", "H", "df", "p", "ε²", "n"], kw_rows,
                           caption="Kruskal-Wallis tests between classes.",
                           note="ε² = H(n + 1)/(n² − 1), the rank-based effect size (0 none, 1 complete "
                                f"separation). Dunn's post-hoc tests were run where p ≤ {alpha_text(alpha)}."),
        dunn_sentences=tuple(dunn_sentences),
        dunn=make_table(["Variable", "Classes", "z", "p (unadjusted)", "p (Holm)"], dunn_rows,
                        caption="Dunn's pairwise post-hoc tests, Holm-adjusted within each variable.",
                        numeric=[False, False, True, True, True]),
        anova_type=ANOVA_SHORT.get(an["type"], f"type {an['type']}"),
        anova_sentences=tuple(an_sentences),
        anova_synergy=synergy,
        anova=make_table(["Term", "df", "Sum of squares", "Mean square", "F", "p", "Partial η²"], an_table_rows,
                         caption=(f"ANOVA of log(RD) on X:B (vol%), L:S (µL/mg) and their interaction; "
                                  f"{ANOVA_TYPE.get(an['type'], '')} sums of squares; n = {an['n']}, "
                                  f"R² = {fmt_fixed(an['r_squared'], 3)}."),
                         note="X:B and L:S enter as continuous predictors; sums of squares are in units of "
                              "log(RD)²."),
    )
