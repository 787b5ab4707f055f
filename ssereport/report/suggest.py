"""The suggestion one-pager and the compare report: context dicts, HTML (Jinja) and PDF/A (Typst).

Compute (``ssereport.analysis.suggest`` / ``compare``), structure (the
context builders here), present (``templates/suggest.*``, ``compare.*``):
the templates only display the dicts built here, as for the study report.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..files import atomic_write, safe_stem
from ..schema import by_name
from ..format import fmt_num, fmt_p, fmt_pct

__all__ = ["compare_context", "next_experiments_section", "render_compare", "render_suggestions",
           "suggest_context"]

_SYNTHETIC = ("These data are the SYNTHETIC reference set bundled with ssereport, simulated to show the trends "
              "of Chen, Duquesnoy et al. (2021). They are not measurements; do not cite these numbers as "
              "experimental results.")


def _table(headers, rows, *, caption="", note="", numeric=None, cls="") -> dict[str, Any]:
    return {"headers": list(headers), "rows": [list(r) for r in rows], "caption": caption, "note": note,
            "numeric": list(numeric) if numeric is not None else [False] * len(headers), "cls": cls}


def _figure(key: str, fig, alt: str, caption: str) -> dict[str, Any]:
    from markupsafe import Markup

    from ..plots._base import to_svg

    return {"key": key, "available": True, "svg": Markup(to_svg(fig, key=key, title=caption, desc=alt)),
            "alt": alt, "caption": caption}


def _head(name: str) -> str:
    return by_name(name).axis_label


def _base(title: str, author: str | None, description: str, keywords: str, synthetic: bool) -> dict[str, Any]:
    from .. import __version__

    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return {"title": title, "author": author or "ssereport", "lang": "en", "generator": f"ssereport {__version__}",
            "meta": {"description": description, "keywords": keywords, "created": created, "modified": created},
            "synthetic": synthetic, "synthetic_notice": _SYNTHETIC}


def _synthetic(*tables) -> bool:
    return any(Path(str(t.source)).name == "sse_films_reference.csv" for t in tables)


def next_experiments_section(results, suggestions, *, with_figure: bool = True) -> dict[str, Any]:
    """The "Next experiments" section: lead text, table and figure (for the study report's registry too).

    Parameters
    ----------
    with_figure : bool, default True
        Draw the decision maps with the suggestions marked. The study report
        passes False: its decision-map figure already marks them.

    Returns
    -------
    dict
        ``intro`` (list of str), ``table`` (table dict), ``figure`` (figure dict, or None without
        ``with_figure``), ``method`` (str).
    """
    from ..plots.suggest import suggestion_maps

    t = suggestions.table
    rows = [[str(i), fmt_num(r.polymer_wt_pct, trim=True), f"{r.ls_ratio:.2f}", fmt_num(r.xylene_vol_pct, trim=True),
             str(int(r.predicted_class)), f"{r.uncertainty:.2f}", r.reason]
            for i, r in enumerate(t.itertuples(index=False), 1)]
    n_b = int((t["kind"] == "boundary").sum())
    intro = [f"{len(t)} conditions to cast next, inside the studied ranges: {n_b} on the classifier's class-1 "
             f"boundary, where a new film moves the boundary most (its uncertainty: how far the fold models of its "
             f"repeated cross-validation disagree there), and {len(t) - n_b} in the least explored parts of the "
             f"ranges. No two are "
             f"closer than {suggestions.min_distance:g} (each condition scaled to 0–1 over its range), and none "
             "repeats a cast condition."]
    table = _table(["#", _head("polymer_wt_pct"), _head("ls_ratio"), _head("xylene_vol_pct"), "Predicted class",
                    "Uncertainty", "Why"], rows, caption="Suggested conditions", numeric=[True] * 6 + [False],
                   note="Uncertainty: 1 − the largest share of the committee's votes (0: all fold models agree). "
                        "Predicted class: the SVM fitted on all films; near a boundary the committee (its 50 "
                        "cross-validation fits) may lean the other way.")
    if not with_figure:
        intro.append("They are marked on the decision maps of the classifier section: numbered stars on the "
                     "class-1 boundary, diamonds in unexplored regions.")
        return {"intro": intro, "table": table, "figure": None, "method": suggestions.method}
    fig = _figure("suggestions", suggestion_maps(results, suggestions),
                  alt=f"Decision maps of the SVM with {len(t)} suggested conditions numbered in order: "
                      + "; ".join(f"{i}: P {r[1]}, L:S {r[2]}, X:B {r[3]}" for i, r in enumerate(rows, 1)),
                  caption="Suggested conditions on the SVM's decision maps over L:S (µL/mg) and X:B (vol%) per "
                          "P (wt%): stars on the class-1 boundary, diamonds in unexplored regions, numbered as in "
                          "the table.")
    return {"intro": intro, "table": table, "figure": fig, "method": suggestions.method}


def suggest_context(results, suggestions, *, title: str | None = None, author: str | None = None) -> dict[str, Any]:
    """Context of the suggestion one-pager (``templates/suggest.html.j2`` and ``suggest.typ``)."""
    src = results.table.source
    ctx = _base(title or f"Next experiments for {src}", author,
                f"Suggested next film conditions for {src} (ssereport suggest).",
                "solid-state electrolyte, active learning, design of experiments, ssereport",
                _synthetic(results.table))
    ctx["byline"] = f"{ctx['author']} · {ctx['meta']['created']} · {ctx['generator']}"
    ctx["section"] = next_experiments_section(results, suggestions)
    ctx["study"] = (f"From {results.table.n_analyzed} films of {src}: classes "
                    + ", ".join(f"{c}: {n}" for c, n in results.clusters.counts.items())
                    + f"; SVM cross-validated macro F1 {results.classifier.cv_f1_macro_mean:.3f}.")
    return ctx


def compare_context(comparison, a, b, *, title: str | None = None, author: str | None = None) -> dict[str, Any]:
    """Context of the compare report (``templates/compare.html.j2`` and ``compare.typ``)."""
    from ..plots.suggest import window_overlay

    c = comparison
    tb = b.table if hasattr(b, "clusters") else b
    own_b = c.grid["class1_b"] is not None
    ctx = _base(title or f"{c.source_b} compared with {c.source_a}", author,
                f"Comparison of two film studies: {c.source_a} (A) and {c.source_b} (B).",
                "solid-state electrolyte, comparison, Mann-Whitney, Holm, ssereport", _synthetic(a.table, tb))
    ctx["byline"] = f"{ctx['author']} · {ctx['meta']['created']} · {ctx['generator']}"
    shifted = c.variables.loc[c.variables["shifted"], "variable"].tolist()
    ctx["summary"] = [
        f"A: {c.source_a} ({c.n_a} films). B: {c.source_b} ({c.n_b} films).",
        ("Shifted (Holm-adjusted p ≤ " + f"{c.alpha:g}): " + ", ".join(by_name(v).symbol for v in shifted) + ".")
        if shifted else f"No variable shifted (all Holm-adjusted p > {c.alpha:g}).",
        f"A's classifier on B's films (in A's classes): macro F1 {c.transfer_f1:.3f}, A's own cross-validation "
        f"{c.a_cv_f1:.3f}: the model {'still holds' if c.model_holds else 'does not hold'} for B.",
        (f"Class-1 windows overlap by {c.window_jaccard:.0%} (Jaccard, on A's decision-map grid)." if own_b else
         f"B was not analysed on its own ({c.b_note}); its films are compared in A's classes, and only A's class-1 "
         "window is drawn."),
    ]
    ctx["variables"] = _table(
        ["Variable", "Median A", "Median B", "U", "p", "p (Holm)", "Effect (rank-biserial)", "Shifted"],
        [[_head(r.variable), fmt_num(r.median_a), fmt_num(r.median_b), fmt_num(r.statistic), fmt_p(r.p_value,
          prefix=False), fmt_p(r.p_holm, prefix=False), f"{r.effect_size:+.2f}", "yes" if r.shifted else "no"]
         for r in c.variables.itertuples(index=False)],
        caption="Distribution shift of each variable (Mann-Whitney U, two-sided)", numeric=[False] + [True] * 6 + [False],
        note="Effect: rank-biserial correlation (Cliff's delta), > 0 when A's values tend to be larger.")
    ctx["classes"] = _table(
        ["Class", "A", "B (own classes)", "B in A's classes"],
        [[str(int(r["class"])), f"{int(r['n_a'])} ({fmt_pct(r['share_a'])})",
          f"{int(r['n_b'])} ({fmt_pct(r['share_b'])})" if r["n_b"] >= 0 else "–",
          f"{int(r['n_b_in_a'])} ({fmt_pct(r['share_b_in_a'])})"]
         for r in c.classes.to_dict(orient="records")],
        caption="Films per quality class", numeric=[False, True, True, True],
        note=(f"B's own classes come from K-means on B alone; 'in A's classes' places B's films at the nearest A "
              f"centroid. A vs B in A's classes: χ² = {c.class_test['statistic']:.2f}, df = {c.class_test['dof']}, "
              f"{fmt_p(c.class_test['p_value'])} (scipy.stats.chi2_contingency)."))
    ctx["window"] = _table(
        ["P (wt%)", "Class 1, A", "Class 1, B", "Agreement"],
        [[fmt_num(r["polymer_wt_pct"], trim=True), fmt_pct(r["share_a"]),
          fmt_pct(r["share_b"]) if own_b else "–", fmt_pct(r["agreement"]) if own_b else "–"]
         for r in c.window.to_dict(orient="records")],
        caption="Share of the L:S × X:B grid predicted class 1", numeric=[True] * 4)
    ctx["window_figure"] = _figure(
        "window", window_overlay(c), alt=f"Class-1 regions of A (filled) and B (dashed outline) per P% level; "
                                         f"Jaccard overlap {c.window_jaccard:.2f}.",
        caption="Class-1 process window of A (filled) and B (dashed boundary) over L:S (µL/mg) and X:B (vol%) "
                "per P (wt%).")
    ctx["imr_note"] = c.imr_note
    ctx["imr"] = []
    if c.imr is not None:
        from ..plots.batch import control_chart

        n_a = c.imr["n_a"]
        for v, ch in c.imr["charts"].items():
            sym = by_name(v).symbol
            ctx["imr"].append({
                "variable": _head(v), "center": fmt_num(ch.center), "sigma": fmt_num(ch.sigma),
                "flags": [f"{ch.labels[f.index]} ({f.panel}: rules {', '.join(map(str, f.rules))})"
                          for f in ch.flags],
                "figure": _figure(f"imr_{v}", control_chart(ch, [0, n_a], ["A", "B"]),
                                  alt=f"I-MR chart of {sym}: {n_a} films of A then {len(ch.values) - n_a} of B in "
                                      f"date order; {len(ch.flags)} flagged point(s).",
                                  caption=f"I-MR chart of {sym}: individuals (top) with the centre line and ±3σ "
                                          "limits of A's class-1 films, moving range (bottom); A's films, then B's "
                                          "after the vertical rule, each in date order.")})
    ctx["method"] = c.method
    return ctx


def _write(template: str, ctx: dict[str, Any], out_dir: Path, stem: str, formats: Iterable[str],
           json_text: str) -> dict[str, Path]:
    from .pdf import Attachment, compile_pdf
    from .render import environment

    out_dir.mkdir(parents=True, exist_ok=True)
    out = {"json": atomic_write(out_dir / f"{stem}.json", json_text)}
    formats = tuple(formats)
    if "html" in formats:
        out["html"] = atomic_write(out_dir / f"{stem}.html",
                                   environment().get_template(f"{template}.html.j2").render(**ctx))
    if "pdf" in formats:
        out["pdf"] = compile_pdf(f"{template}.typ", ctx, out_dir / f"{stem}.pdf", attachments=[
            Attachment(path=out["json"], description="Results (ssereport JSON)", relationship="data")])
    return out


def render_suggestions(results, suggestions, out_dir, *, formats=("html", "pdf"), title=None,
                       author=None) -> dict[str, Path]:
    """Write ``<stem>.suggest.json``, ``.html`` and ``.pdf`` (the one-pager) into ``out_dir``."""
    stem = safe_stem(Path(str(results.table.source)).stem, default="study") + ".suggest"
    ctx = suggest_context(results, suggestions, title=title, author=author)
    return _write("suggest", ctx, Path(out_dir), stem, formats, suggestions.to_json())


def render_compare(comparison, a, b, out_dir, *, formats=("html", "pdf"), title=None,
                   author=None) -> dict[str, Path]:
    """Write ``<A>_vs_<B>.compare.json``, ``.html`` and ``.pdf`` into ``out_dir``.

    ``a`` is A's StudyResults; ``b`` B's StudyResults, or its FilmTable when it
    has no analysis of its own (see :func:`ssereport.analysis.compare.compare_studies`).
    """
    stem = safe_stem(f"{Path(str(comparison.source_a)).stem}_vs_{Path(str(comparison.source_b)).stem}",
                     default="compare") + ".compare"
    ctx = compare_context(comparison, a, b, title=title, author=author)
    return _write("compare", ctx, Path(out_dir), stem, formats, comparison.to_json())
