"""Sections 1 and 2 of the study report: the summary (verdict on page one) and the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

from ...format import fmt_fixed, fmt_num, fmt_pct
from ..vocab import KeyValue, Table, shown
from .common import (ClassRow, ProcessWindow, classes_overview, config_items, describe, join, kw_sentence,
                     make_table, process_window)
from .next_experiments import recommended_window
from .registry import SectionInput

__all__ = ["DataSection", "SummarySection", "data", "summary"]


@dataclass(frozen=True, eq=False)
class SummarySection:
    """Section "summary": the verdict on page one, with the process window, key numbers and provenance."""

    intro: tuple[str, ...]
    verdict: str = shown(role="result")
    notes: tuple[str, ...] = shown(title="Notes from loading the file")
    class_table: Table = shown()
    window: ProcessWindow = shown(title="Process window")
    #: the recommended operating window (issue 21): one line with its first point, next to the process window
    recommended: str = shown(role="result")
    key_numbers: tuple[KeyValue, ...] = shown(title="Key numbers")
    provenance: tuple[KeyValue, ...] = shown(title="Provenance")
    config: tuple[KeyValue, ...] = shown(title="Settings")
    classes: tuple[ClassRow, ...] = shown(role="hidden")  # in class_table


@dataclass(frozen=True, eq=False)
class DataSection:
    """Section "data": the variables' spread, the excluded rows and the loader's notes."""

    intro: tuple[str, ...]
    variables: Table = shown()
    excluded: Table = shown(title="Excluded rows")
    has_excluded: bool = shown(role="hidden")
    notes: tuple[str, ...] = shown(title="Notes from loading the file")


def summary(inp: SectionInput) -> SummarySection:
    """The verdict, the classes, the process window, the key numbers and the provenance."""
    from ... import __version__

    d, cfg, results = inp.d, inp.config, inp.results
    alpha = cfg.alpha
    source_inp = d["input"]
    source = str(source_inp["path"])
    prov = d["provenance"]
    counts = d["classes"]["counts"]
    n_films = source_inp["n_analyzed"]
    overview = classes_overview(d)
    svm = d["svm"]
    pca = d["pca"]
    k_used = pca["n_components_used"]
    cum = float(np.sum(pca["explained_variance_ratio"]))
    window = process_window(results)
    sil, ari = d["classes"]["silhouette"], d["classes"]["stability_ari"]
    lo, hi = svm["cv_f1_macro_ci95"]
    class_phrase = join([f"{c.n} ({c.share}) in class {c.cls}" for c in overview])
    verdict = (f"Of the {n_films} films analysed, {class_phrase}. Class 1 films are the target: "
               f"conductive and uniformly thick. {window.sentence}")
    key_numbers = (
        KeyValue(label="Films analysed", value=f"{n_films} of {source_inp['n_rows']} rows"),
        KeyValue(label="Films per class", value=", ".join(f"class {c}: {n}" for c, n in counts.items())),
        KeyValue(label=f"Variance explained by PC1–PC{k_used}" if k_used > 1 else "Variance explained by PC1",
                 value=fmt_pct(cum)),
        KeyValue(label="Silhouette of the classes", value=fmt_fixed(sil, 2)),
        KeyValue(label="Bootstrap stability (mean ARI)", value=fmt_fixed(ari, 2)),
        KeyValue(label="Kruskal–Wallis test, σ", value=kw_sentence(d, "conductivity_s_cm", alpha).rstrip(".")),
        KeyValue(label="Kruskal–Wallis test, RD", value=kw_sentence(d, "rd", alpha).rstrip(".")),
        KeyValue(label="Classifier test macro F1", value=fmt_num(svm["test_f1_macro"])),
        KeyValue(label="Cross-validated macro F1",
                 value=f"{fmt_num(svm['cv_f1_macro_mean'])} (95 % of folds {fmt_num(lo)}–{fmt_num(hi)})"),
    )
    packages = prov.get("packages", {})
    provenance = (
        KeyValue(label="Input file", value=source),
        KeyValue(label="SHA-256", mono=True, value=source_inp["sha256"] or "–"),
        KeyValue(label="Rows", value=f"{source_inp['n_rows']} in the file, {n_films} analysed, "
                                     f"{len(source_inp['excluded'])} excluded"),
        KeyValue(label="ssereport", value=str(prov.get("ssereport_version", __version__))),
        KeyValue(label="Python", value=str(prov.get("python", "–"))),
        KeyValue(label="Libraries", value=libraries_text(packages)),
        KeyValue(label="Seed", value=str(prov.get("seed", cfg.seed))),
        KeyValue(label="Analysis date", value=inp.created),
        KeyValue(label="Report rendered", value=datetime.now(timezone.utc).isoformat(timespec="seconds")),
    )
    return SummarySection(
        intro=(
            "This report sorts the films into quality classes from their measured properties, tests "
            "whether the classes really differ, and predicts from the manufacturing conditions (P%, L:S, "
            "X:B) which slurries give good films.",
            "This summary gives the verdict; the following sections show the evidence, and the methods "
            "appendix lists every setting so that the analysis can be repeated.",
        ),
        verdict=verdict,
        classes=overview,
        class_table=class_table(overview),
        window=window,
        recommended=recommended_window(results.suggestions),
        key_numbers=key_numbers,
        provenance=provenance,
        config=config_items(d, cfg),
        # what the loader converted, doubted or skipped: on the first page, so that nobody misses it
        notes=tuple(source_inp["notes"]),
    )


def libraries_text(packages: dict[str, str]) -> str:
    """``numpy 2.4.6, …, typst 0.15.2 (Typst compiler 0.15.1), …``: the Python package ``typst`` bundles a
    compiler whose version can differ from the package's, and the PDF metadata states the compiler's."""
    from ...versions import typst_compiler_version

    compiler = typst_compiler_version()
    return ", ".join(f"{k} {v}" + (f" (Typst compiler {compiler})" if k == "typst" and compiler else "")
                     for k, v in packages.items())


def class_table(overview: tuple[ClassRow, ...]) -> Table:
    """Films per quality class (shown in the summary and the classes section)."""
    return make_table(
        ["Class", "Films", "Share", "Median σ (S/cm)", "Median RD", "Median thickness (µm)", "Meaning"],
        [[c.cls, c.n, c.share, c.sigma, c.rd, c.thickness, c.meaning] for c in overview],
        caption="Films per quality class.",
        numeric=[False, True, True, True, True, True, False])


def data(inp: SectionInput) -> DataSection:
    """The input file: variables with their spread, excluded rows, loading notes."""
    src = inp.d["input"]
    source, n_films = str(src["path"]), src["n_analyzed"]
    excluded = make_table(["Row", "Sample ID", "Reason"],
                          [[e["row"], e["sample_id"] if e["sample_id"] is not None else "–", e["reason"]]
                           for e in src["excluded"]],
                          caption="Rows left out of the analysis.", numeric=[True, False, False])
    return DataSection(
        intro=(
            f"The input file {source} has {src['n_rows']} film rows; {n_films} were analysed"
            + (f" and {len(src['excluded'])} left out (listed below with the reason)." if src["excluded"]
               else " and none was left out."),
            "The table gives the spread of every manufacturing condition and measured property, so that a "
            "reader can check the ranges against the lab notebook before trusting the statistics.",
        ),
        variables=describe(inp.results),
        excluded=excluded,
        has_excluded=bool(src["excluded"]),
        notes=tuple(src["notes"]),
    )
