"""The suggestion one-pager: context dicts, HTML (Jinja) and PDF/A (Typst).

(The compare report is :mod:`ssereport.report.compare`.) Compute (``ssereport.analysis.suggest``),
structure (the context builders here), present (``templates/suggest.*``):
the templates only display the dicts built here, as for the study report.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..files import atomic_write, safe_stem
from ..schema import by_name
from ..format import fmt_num

__all__ = ["next_experiments_section", "render_suggestions", "suggest_context"]

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
