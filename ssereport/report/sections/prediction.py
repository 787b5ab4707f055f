"""Sections 6 and 7 of the study report: process maps and the SVM classifier."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...format import fmt_int, fmt_num
from ..vocab import Figure, Table, shown
from .common import cv_sentence, head, join, level, make_table, section_figures
from .registry import SectionInput

__all__ = ["ClassifierSection", "MapsSection", "classifier", "maps"]


@dataclass(frozen=True, eq=False)
class MapsSection:
    """Section "maps": the registry's figures of section "maps" with what they show."""

    intro: tuple[str, ...]
    result: str = shown(role="result")
    figures: tuple[Figure, ...] = shown()


@dataclass(frozen=True, eq=False)
class ClassifierSection:
    """Section "classifier": class balance, test scores, misclassified films, decision maps.

    ``figures`` are the registry's figures of section "classifier"; the partials place the ones they know
    by key beside their tables (``oversampling``, ``confusion``, ``decision_maps``) and the others after.
    """

    intro: tuple[str, ...]
    result: str = shown(role="result")
    oversampling_sentence: str = shown(title="Class balance")
    oversampling: Table = shown()
    confusion: Table = shown(title="Test films")
    per_class: Table = shown()
    misclassified: Table = shown()
    has_misclassified: bool = shown(role="hidden")
    maps_sentence: str = shown(title="Decision maps")
    figures: tuple[Figure, ...] = shown()


def maps(inp: SectionInput) -> MapsSection:
    """Thickness, DoT and σ interpolated over L:S × X:B, one panel per P% level."""
    m = inp.results.maps
    lvl_phrase = join([f"{level(p)} wt% ({n} films)" for p, n in zip(m.polymer_levels, m.n_films)])
    dm_sentence = ""
    dot = np.asarray(m.dot_mean, dtype=float)
    if np.isfinite(dot).any():
        i, j = np.unravel_index(np.nanargmin(dot), dot.shape)
        a, b = np.unravel_index(np.nanargmax(dot), dot.shape)
        dm_sentence = (f"Averaged over the P% levels, DoT is lowest ({fmt_num(dot[i, j])} µm) near "
                       f"L:S = {fmt_num(m.ls[j], trim=True)} µL/mg and X:B = {fmt_num(m.xb[i], trim=True)} vol%, "
                       f"and highest ({fmt_num(dot[a, b])} µm) near L:S = {fmt_num(m.ls[b], trim=True)} µL/mg and "
                       f"X:B = {fmt_num(m.xb[a], trim=True)} vol%.")
    return MapsSection(
        intro=(
            "The maps show how thickness, its deviation (DoT) and the ionic conductivity σ change with the "
            "liquid-to-solid ratio L:S and the cosolvent ratio X:B, one panel per polymer content P%.",
            "Values are interpolated linearly between the tested conditions; blank areas lie outside the tested "
            "conditions and are not extrapolated.",
        ),
        result=f"Films per P% level: {lvl_phrase}. {dm_sentence}".strip(),
        figures=section_figures(inp, "maps"),
    )


def classifier(inp: SectionInput) -> ClassifierSection:
    """The linear SVM: class balance, test scores, misclassified films and decision maps."""
    d, results = inp.d, inp.results
    svm = d["svm"]
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
    dm = d["decision_map"]
    observed = [level(p) for p, o in zip(dm["polymer_levels"], dm["observed"]) if o]
    interp = [level(p) for p, o in zip(dm["polymer_levels"], dm["observed"]) if not o]
    return ClassifierSection(
        intro=(
            "A linear support vector machine (SVM) learns to predict a film's class from its manufacturing "
            f"conditions alone ({join([head(f) for f in svm['features']])}), so that new slurries can be "
            "judged before they are cast.",
            f"It is trained on {svm['n_train']} films and tested on {svm['n_test']} films it never saw; the "
            "macro F1 score averages precision and recall over the classes (1 = every film right).",
        ),
        result=(f"On the {svm['n_test']} test films the classifier was right {correct} times, macro "
                   f"F1 = {fmt_num(svm['test_f1_macro'])}. {cv_sentence(svm)}"),
        oversampling_sentence=(
            "Before training, the smaller classes of the training films were randomly oversampled to the size "
            f"of the largest ({join([f'class {c}: {before[c]} → {after.get(c, 0)}' for c in sorted(before, key=int)])})."),
        oversampling=make_table(["Class", "Training films before", "After oversampling"], os_rows,
                                caption="Class counts of the training films before and after random "
                                        "oversampling."),
        confusion=make_table(["Actual \\ predicted"] + [f"Class {c}" for c in clabels] + ["Films"], cm_rows,
                             caption="Confusion matrix of the test films (rows: actual class; columns: "
                                     "predicted)."),
        per_class=make_table(["Class", "Precision", "Recall", "F1", "Test films"], pc_rows,
                             caption="Per-class precision, recall and F1 on the test films."),
        misclassified=make_table(["Sample ID", "Actual", "Predicted"], wrong_rows,
                                 caption="Misclassified test films.", numeric=[False, False, False]),
        has_misclassified=bool(wrong),
        maps_sentence=(
            f"The decision maps show the predicted class over L:S × X:B for P% = {join(observed)} wt% (cast)"
            + (f" and {join(interp)} wt% (interpolated by the model, marked as such)" if interp else "")
            + "; the films cast at each level are overlaid."),
        figures=section_figures(inp, "classifier"),
    )
