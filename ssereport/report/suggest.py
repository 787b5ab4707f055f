"""The suggestion document and the compare report: contexts, HTML (Jinja) and PDF/A (Typst).

Compute (``ssereport.analysis.suggest`` / ``compare``), structure (the
context builders here), present (``templates/suggest.*``, ``compare.*``):
the templates only display what is built here, as for the study report. The
suggestion document is a :class:`~ssereport.report.vocab.SectionRegistry`
(:data:`SUGGEST_SECTIONS`) whose section is the study report's "Next
experiments" (:mod:`ssereport.report.sections.next_experiments`): one object,
one HTML partial, one Typst partial.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..files import atomic_write, safe_stem
from ..schema import by_name
from ..format import fmt_num, fmt_p, fmt_pct
from .sections.next_experiments import NextExperiments, next_experiments_content
from .vocab import Figure, Section, SectionRegistry

__all__ = ["SUGGEST_SECTIONS", "SuggestInput", "compare_context", "render_compare", "render_suggestions",
           "suggest_context", "suggestion_figure"]

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


@dataclass(frozen=True, eq=False)
class SuggestInput:
    """What the sections of the suggestion document receive.

    Attributes
    ----------
    results : StudyResults
    suggestions : Suggestions
        From :func:`ssereport.analysis.suggest.next_experiments`.
    figure : Figure
        The decision maps with the points marked (:func:`ssereport.plots.suggest.suggestion_maps`).
    """

    results: Any
    suggestions: Any
    figure: Figure


def _suggest_section(si: SuggestInput) -> NextExperiments:
    return next_experiments_content(si.suggestions, figures=(si.figure,))


#: The suggestion document (``ssereport suggest --out``): one section, the same object and partials as the
#: study report's "Next experiments".
SUGGEST_SECTIONS = SectionRegistry((Section("next_experiments", "Next experiments", _suggest_section),))


def suggestion_figure(results, suggestions) -> Figure:
    """The decision maps with ``suggestions`` marked, as a :class:`~ssereport.report.vocab.Figure`."""
    from markupsafe import Markup

    from ..plots._base import to_svg
    from ..plots.suggest import suggestion_maps

    t = suggestions.table
    what = "recommended operating points" if suggestions.goal == "window" else "suggested conditions"
    alt = (f"Decision maps of the SVM with the {len(t)} {what} numbered in order: "
           + "; ".join(f"{i}: P {fmt_num(r.polymer_wt_pct, trim=True)} wt%, L:S {r.ls_ratio:.2f} µL/mg, "
                       f"X:B {fmt_num(r.xylene_vol_pct, trim=True)} vol%"
                       for i, r in enumerate(t.itertuples(index=False), 1)))
    caption = (f"The {what} on the SVM's decision maps over L:S (µL/mg) and X:B (vol%) per P (wt%), numbered as "
               "in the table.")
    fig = suggestion_maps(results, suggestions)
    return Figure(key="suggestions", svg=Markup(to_svg(fig, key="suggestions", title=caption, desc=alt)), alt=alt,
                  caption=caption)


def suggest_context(results, suggestions, *, title: str | None = None, author: str | None = None,
                    sections: SectionRegistry = SUGGEST_SECTIONS) -> dict[str, Any]:
    """Context of the suggestion document (``templates/suggest.html.j2`` and ``suggest.typ``).

    Keys of :func:`_base`, ``byline``, ``study`` (one sentence on the study), ``toc`` (``id``, ``number``,
    ``title``, ``html``, ``typst`` of each section) and one key per section id with its built object.
    """
    src = results.table.source
    ctx = _base(title or f"Next experiments for {src}", author,
                f"Recommended film conditions for {src} (ssereport suggest --goal {suggestions.goal}).",
                "solid-state electrolyte, operating window, design of experiments, ssereport",
                _synthetic(results.table))
    ctx["byline"] = f"{ctx['author']} · {ctx['meta']['created']} · {ctx['generator']}"
    ctx["study"] = (f"From {results.table.n_analyzed} films of {src}: classes "
                    + ", ".join(f"{c}: {n}" for c, n in results.clusters.counts.items())
                    + f"; SVM cross-validated macro F1 {results.classifier.cv_f1_macro_mean:.3f}.")
    si = SuggestInput(results=results, suggestions=suggestions, figure=suggestion_figure(results, suggestions))
    ctx["toc"] = [{"id": s.id, "number": i, "title": s.title, "html": str(s.html_template),
                   "typst": str(s.typst_template)} for i, s in enumerate(sections, 1)]
    for s in sections:
        ctx[s.id] = s.build(si)
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
        from .render import partial

        env = environment()
        partials = {sec["id"]: partial(sec["html"], env) for sec in ctx.get("toc", [])}
        out["html"] = atomic_write(out_dir / f"{stem}.html", env.get_template(f"{template}.html.j2").render(
            **ctx, sections_ctx=ctx, partials=partials))
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
