"""The suggestion document: context, HTML (Jinja) and PDF/A (Typst).

(The compare report is :mod:`ssereport.report.compare`.) Compute (``ssereport.analysis.suggest``),
structure (the context builders here), present (``templates/suggest.*``):
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
from ..format import fmt_num
from .context import SYNTHETIC_NOTICE, is_synthetic
from .sections.next_experiments import NextExperiments, next_experiments_content
from .vocab import Figure, Section, SectionRegistry, toc

__all__ = ["SUGGEST_SECTIONS", "SuggestInput", "render_suggestions", "suggest_context", "suggestion_figure"]



def _base(title: str, author: str | None, description: str, keywords: str, synthetic: bool) -> dict[str, Any]:
    from .. import __version__

    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return {"title": title, "author": author or "ssereport", "lang": "en", "generator": f"ssereport {__version__}",
            "meta": {"description": description, "keywords": keywords, "created": created, "modified": created},
            "synthetic": synthetic, "synthetic_notice": SYNTHETIC_NOTICE}


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
                is_synthetic(str(results.table.source)))
    ctx["byline"] = f"{ctx['author']} · {ctx['meta']['created']} · {ctx['generator']}"
    ctx["study"] = (f"From {results.table.n_analyzed} films of {src}: classes "
                    + ", ".join(f"{c}: {n}" for c, n in results.clusters.counts.items())
                    + f"; SVM cross-validated macro F1 {results.classifier.cv_f1_macro_mean:.3f}.")
    si = SuggestInput(results=results, suggestions=suggestions, figure=suggestion_figure(results, suggestions))
    ctx["toc"] = toc(sections)
    for s in sections:
        ctx[s.id] = s.build(si)
    return ctx


def _write(template: str, ctx: dict[str, Any], out_dir: Path, stem: str, formats: Iterable[str],
           json_text: str) -> dict[str, Path]:
    from .pdf import Attachment, compile_pdf
    from .render import environment

    out_dir.mkdir(parents=True, exist_ok=True)
    out = {"json": atomic_write(out_dir / f"{stem}.json", json_text)}
    formats = tuple(formats)
    if "html" in formats:
        from .render import partials

        env = environment()
        out["html"] = atomic_write(out_dir / f"{stem}.html", env.get_template(f"{template}.html.j2").render(
            **ctx, sections_ctx=ctx, partials=partials(ctx.get("toc", []), env)))
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
