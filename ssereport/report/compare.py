"""The compare report as a document of the report vocabulary: sections, typed blocks, HTML and PDF/A.

Compute (:func:`ssereport.compare_studies` -> :class:`~ssereport.analysis.compare.Comparison`),
structure (the section functions here, each returning a frozen dataclass of
formatted strings, :class:`~ssereport.report.vocab.Table` and
:class:`~ssereport.report.vocab.Figure`), present (one HTML partial
``templates/compare/_<id>.html.j2`` and one Typst partial
``templates/compare/<id>.typ`` per section, assembled by ``compare.html.j2`` and
``compare.typ`` over :data:`COMPARE_SECTIONS`).

The first section leads with the headline (every shifted variable with its
direction and size), then answers the two questions apart: did film quality
change (with the films beyond A's acceptance limits), and does A's recipe →
class model still predict B's classes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..files import atomic_write, safe_stem
from ..schema import FILM_VARIABLES, by_name
from ..format import fmt_num, fmt_p, fmt_pct
from .vocab import Figure, Section, SectionRegistry, Table, toc

__all__ = ["COMPARE_SECTIONS", "CompareInput", "compare_context", "render_compare"]

QUALITY_QUESTION = "Did film quality change?"
MODEL_QUESTION = "Does A's recipe → class model still predict B's classes?"


@dataclass(frozen=True, eq=False)
class CompareInput:
    """What every compare section receives: the comparison (which holds both studies) and the date."""

    comparison: Any
    created: str


@dataclass(frozen=True, eq=False)
class SummaryBlock:
    headline: str
    studies: str
    b_note: str
    quality_question: str
    quality_answer: str
    limits: Table | None
    model_question: str
    model_answer: str


@dataclass(frozen=True, eq=False)
class ShiftsBlock:
    intro: tuple[str, ...]
    table: Table
    method: str


@dataclass(frozen=True, eq=False)
class TableBlock:
    intro: tuple[str, ...]
    table: Table


@dataclass(frozen=True, eq=False)
class WindowBlock:
    intro: tuple[str, ...]
    table: Table
    figure: Figure


@dataclass(frozen=True, eq=False)
class ChartBlock:
    variable: str
    center: str
    sigma: str
    flags: tuple[str, ...]
    figure: Figure


@dataclass(frozen=True, eq=False)
class ChartsBlock:
    note: str
    charts: tuple[ChartBlock, ...]


@dataclass(frozen=True, eq=False)
class MethodsBlock:
    paragraphs: tuple[str, ...]


def _head(name: str) -> str:
    return by_name(name).axis_label if name in FILM_VARIABLES else name


def _figure(key: str, fig, alt: str, caption: str) -> Figure:
    from markupsafe import Markup

    from ..plots._base import to_svg

    return Figure(key=key, svg=Markup(to_svg(fig, key=key, title=caption, desc=alt)), alt=alt, caption=caption)


def _limits_table(c) -> Table | None:
    if c.limits is None:
        return None
    rows = []
    for r in c.limits.table.to_dict(orient="records"):
        if r["variable"] == "any":
            what = "Either limit (the film would fail QA)"
        else:
            col = by_name(r["variable"])
            unit = f" {col.unit}" if col.unit not in ("", "–", "-") else ""
            what = f"{col.symbol} {'<' if r['kind'] == 'min' else '>'} {fmt_num(r['limit'])}{unit} ({r['label']})"
        rows.append([what, f"{r['n_a_beyond']} of {r['n_a']} ({fmt_pct(r['share_a'])})",
                     f"{r['n_b_beyond']} of {r['n_b']} ({fmt_pct(r['share_b'])})"])
    basis = ("the class-1 acceptance limits ssereport fit derives from A (σ ≥ 5th percentile, RD ≤ 95th "
             "percentile of A's class-1 films)" if c.limits.basis == "class1" else "the spec limits")
    return Table(headers=("Films beyond", "A (films, %)", "B (films, %)"), rows=rows,
                 caption="Consequence for quality: films beyond A's acceptance limits",
                 note=f"Limits: {basis}; every film of each study is counted, whatever its class.")


def summary(inp: CompareInput) -> SummaryBlock:
    """Headline first; then the two questions, each answered on its own."""
    c = inp.comparison
    return SummaryBlock(
        headline=c.headline,
        studies=f"A (reference): {c.source_a}, {c.n_a} films. B: {c.source_b}, {c.n_b} films.",
        b_note=(f"B was not analysed on its own ({c.b_note}); its films are compared in A's classes, and only A's "
                "class-1 window is drawn.") if c.b_note else "",
        quality_question=QUALITY_QUESTION, quality_answer=c.quality_answer(), limits=_limits_table(c),
        model_question=MODEL_QUESTION, model_answer=c.model_answer())


def _ci(r) -> str:
    lo, hi = fmt_num(r.shift_ci_low), fmt_num(r.shift_ci_high)
    return f"{fmt_num(r.shift)} [{lo}, {hi}]"


def shifts(inp: CompareInput) -> ShiftsBlock:
    """Per variable: medians, change, Hodges–Lehmann shift with its interval, Holm p, effect, direction."""
    c = inp.comparison
    rows = [[_head(r.variable), fmt_num(r.median_a), fmt_num(r.median_b),
             (f"{r.change_pct:+.1f}".replace("-", "−") if r.change_pct == r.change_pct else "–"), _ci(r),
             fmt_num(r.statistic), fmt_p(r.p_holm, prefix=False), f"{r.effect_size:+.2f}".replace("-", "−"),
             r.direction if r.shifted else "no"]
            for r in c.variables.itertuples(index=False)]
    table = Table(
        headers=("Variable (unit)", "Median A", "Median B", "Change (%)",
                 "Shift B − A [95 % CI]", "U", "p (Holm)", "Effect",
                 "Shifted"),
        rows=rows, caption="What changed: distribution shift of each variable (Mann-Whitney U, two-sided)",
        numeric=(False,) + (True,) * 7 + (False,), cls="compact",
        note=("Medians and shifts in the unit of the variable (first column). Change: 100 × (median B / median A − 1). "
              "Shift: Hodges–Lehmann estimate of B − A with its 95 % interval. Effect: rank-biserial correlation "
              f"(Cliff's delta), > 0 when A's values tend to be larger. Shifted: Holm-adjusted p ≤ {c.alpha:g}, "
              "with the direction of B against A."))
    n_shift = int(c.variables["shifted"].sum())
    intro = (f"Each film variable of B against A: {n_shift} of {len(c.variables)} shifted "
             f"(Holm-adjusted p ≤ {c.alpha:g}). The change is that of the medians; the shift, with its 95 % "
             "interval, is the typical difference between a film of B and a film of A.",)
    return ShiftsBlock(intro=intro, table=table, method=c.shift_method)


def classes(inp: CompareInput) -> TableBlock:
    c = inp.comparison
    rows = [[str(int(r["class"])), f"{int(r['n_a'])} ({fmt_pct(r['share_a'])})",
             f"{int(r['n_b'])} ({fmt_pct(r['share_b'])})" if r["n_b"] >= 0 else "–",
             f"{int(r['n_b_in_a'])} ({fmt_pct(r['share_b_in_a'])})"]
            for r in c.classes.to_dict(orient="records")]
    table = Table(
        headers=("Class", "A (films, %)", "B, own classes (films, %)", "B in A's classes (films, %)"), rows=rows,
        caption="Films per quality class", numeric=(False, True, True, True),
        note=(f"A vs B in A's classes: χ² = {c.class_test['statistic']:.2f}, df = {c.class_test['dof']}, "
              f"{fmt_p(c.class_test['p_value'])} (scipy.stats.chi2_contingency)."))
    intro = ("B's own classes come from K-means on B alone: they rank B's films against each other, so B's class-1 "
             "share says nothing about whether B's films are as good as A's. 'B in A's classes' places each of "
             "B's films at the nearest A centroid (A's PCA): that column compares the two studies on A's scale.",)
    return TableBlock(intro=intro, table=table)


def window(inp: CompareInput) -> WindowBlock:
    from ..plots.suggest import window_overlay

    c = inp.comparison
    own_b = c.grid["class1_b"] is not None
    rows = [[fmt_num(r["polymer_wt_pct"], trim=True), fmt_pct(r["share_a"]),
             fmt_pct(r["share_b"]) if own_b else "–", fmt_pct(r["agreement"]) if own_b else "–"]
            for r in c.window.to_dict(orient="records")]
    table = Table(headers=("P (wt%)", "Class 1, A (% of grid)", "Class 1, B (% of grid)", "Agreement (% of grid)"),
                  rows=rows, caption="Share of the L:S × X:B grid predicted class 1", numeric=(True,) * 4)
    if own_b:
        intro = (f"Class-1 windows overlap by {fmt_pct(c.window_jaccard, 0)} (Jaccard, on A's decision-map grid). "
                 "Each study's class 1 is its own best films: the windows say where each study's best recipes "
                 "are, not how good those films are (see the summary for that).",)
    else:
        intro = (f"B was not analysed on its own ({c.b_note}): only A's class-1 window is drawn.",)
    fig = _figure("window", window_overlay(c),
                  alt=f"Class-1 regions of A (filled) and B (dashed outline) per P% level; Jaccard overlap "
                      f"{c.window_jaccard:.2f}.",
                  caption="Class-1 process window of A (filled) and B (dashed boundary) over L:S (µL/mg) and X:B "
                          "(vol%) per P (wt%).")
    return WindowBlock(intro=intro, table=table, figure=fig)


def imr(inp: CompareInput) -> ChartsBlock:
    c = inp.comparison
    charts = []
    if c.imr is not None:
        from ..plots.batch import control_chart

        n_a = c.imr["n_a"]
        for v, ch in c.imr["charts"].items():
            sym = by_name(v).symbol
            charts.append(ChartBlock(
                variable=_head(v), center=fmt_num(ch.center), sigma=fmt_num(ch.sigma),
                flags=tuple(f"{ch.labels[f.index]} ({f.panel}: rules {', '.join(map(str, f.rules))})"
                            for f in ch.flags),
                figure=_figure(f"imr_{v}", control_chart(ch, [0, n_a], ["A", "B"]),
                               alt=f"I-MR chart of {sym}: {n_a} films of A then {len(ch.values) - n_a} of B in "
                                   f"date order; {len(ch.flags)} flagged point(s).",
                               caption=f"I-MR chart of {sym} ({by_name(v).unit}): individuals (top) with the centre "
                                       "line and ±3σ limits of A's class-1 films, moving range (bottom); A's films, "
                                       "then B's after the vertical rule, each in date order.")))
    return ChartsBlock(note=c.imr_note, charts=tuple(charts))


def methods(inp: CompareInput) -> MethodsBlock:
    c = inp.comparison
    return MethodsBlock(paragraphs=(c.method + ".", c.shift_method + "."))


def _s(id_: str, title: str, build) -> Section:
    return Section(id_, title, build, html=f"compare/_{id_}.html.j2", typst=f"compare/{id_}.typ")


#: The sections of the compare report, in order.
COMPARE_SECTIONS = SectionRegistry((
    _s("summary", "Summary", summary),
    _s("shifts", "What changed", shifts),
    _s("classes", "Quality classes", classes),
    _s("window", "Class-1 process windows", window),
    _s("imr", "I-MR control charts", imr),
    _s("methods", "Methods", methods),
))



def compare_context(comparison, *, title: str | None = None, author: str | None = None,
                    sections: Iterable[Section] | None = None) -> dict[str, Any]:
    """The compare document: metadata, ``toc`` and one typed block per section id.

    Parameters
    ----------
    comparison : Comparison
        From :func:`ssereport.compare_studies`.
    title, author : str, optional
    sections : iterable of Section, optional
        Default :data:`COMPARE_SECTIONS`.

    Returns
    -------
    dict
        ``title, author, lang, generator, meta, synthetic, synthetic_notice, byline, toc`` and each
        section's block under its id.
    """
    from .. import __version__
    from .context import SYNTHETIC_NOTICE, is_synthetic

    c = comparison
    sections = tuple(COMPARE_SECTIONS if sections is None else sections)
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    inp = CompareInput(comparison=c, created=created)
    author = author or "ssereport"
    generator = f"ssereport {__version__}"
    ctx: dict[str, Any] = {
        "title": title or f"{c.source_b} compared with {c.source_a}", "author": author, "lang": "en",
        "generator": generator,
        "meta": {"description": f"Comparison of two film studies: {c.source_a} (A) and {c.source_b} (B). "
                                f"{c.headline}",
                 "keywords": "solid-state electrolyte, comparison, Mann-Whitney, Hodges-Lehmann, Holm, ssereport",
                 "created": created, "modified": created},
        "synthetic": is_synthetic(c.source_a) or is_synthetic(c.source_b), "synthetic_notice": SYNTHETIC_NOTICE,
        "byline": f"{author} · {created} · {generator}",
        "toc": toc(sections),
    }
    clash = sorted(set(ctx) & {s.id for s in sections})
    if clash:
        raise ValueError(f"section ids {clash}: reserved; expected ids other than {sorted(ctx)}")
    ctx.update({s.id: s.build(inp) for s in sections})
    return ctx


def _html(ctx: dict[str, Any]) -> str:
    from .render import environment, partials

    env = environment()
    return env.get_template("compare.html.j2").render(**ctx, sections_ctx=ctx, partials=partials(ctx["toc"], env))


def render_compare(comparison, out_dir, *, formats=("html", "pdf"), title=None, author=None) -> dict[str, Path]:
    """Write ``<A>_vs_<B>.compare.json``, ``.html`` and ``.pdf`` (PDF/A-3b, the JSON attached) into ``out_dir``.

    Returns
    -------
    dict
        ``{"json": path, "html": path, "pdf": path}`` for what was written.
    """
    from .pdf import Attachment, compile_pdf

    c = comparison
    stem = safe_stem(f"{Path(str(c.source_a)).stem}_vs_{Path(str(c.source_b)).stem}", default="compare") + ".compare"
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = compare_context(c, title=title, author=author)
    out = {"json": atomic_write(out_dir / f"{stem}.json", c.to_json())}
    formats = tuple(formats)
    if "html" in formats:
        out["html"] = atomic_write(out_dir / f"{stem}.html", _html(ctx))
    if "pdf" in formats:
        out["pdf"] = compile_pdf("compare.typ", ctx, out_dir / f"{stem}.pdf", attachments=[
            Attachment(path=out["json"], description="Comparison (ssereport JSON)", relationship="data")])
    return out
