"""Results -> the context a report template displays: one typed section object per registered section.

This is the *structure* layer between the analysis (numbers at full precision)
and the presentation (the Jinja templates of the HTML, the Typst templates of
the PDF and the Quarto document, which only display). Each section is one
function in :mod:`ssereport.report.sections`, registered once, in order, with
its title (:data:`~ssereport.report.sections.STUDY_SECTIONS`); this module
calls them and adds the document's title, metadata and table of contents.
Every narrative sentence is generated from the numbers in APA style, as plain
text (no emphasis or other markup), so that every presentation shows the same
words. Rounding happens only through :mod:`ssereport.format`.

The only markup that is marked safe is the SVG of the figures, which our own
code generates (:func:`ssereport.report.figures.render_figures`); every other string,
including titles and sample IDs from the input file, is escaped by the HTML
templates and placed as text by the Typst templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..schema import CONDITIONS
from .sections import STUDY_SECTIONS, Section, SectionInput
from .sections.common import head
from .sections.methods import MAX_FILM_ROWS, PAPER
from .vocab import toc

if TYPE_CHECKING:  # pragma: no cover
    from ..pipeline import StudyResults

__all__ = ["MAX_FILM_ROWS", "PAPER", "SECTIONS", "SYNTHETIC_NOTICE", "build_context", "is_synthetic"]


def __getattr__(name: str) -> Any:
    if name == "SECTIONS":  # read at access time, so that a registered section is included
        return tuple((s.id, s.title) for s in STUDY_SECTIONS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


SYNTHETIC_NOTICE = ("These data are the SYNTHETIC reference set bundled with ssereport, simulated to show the "
                    "trends of Chen, Duquesnoy et al. (2021). They are not measurements; do not cite these "
                    "numbers as experimental results.")
"""The notice on every document made from the bundled synthetic data (:func:`is_synthetic`)."""


def is_synthetic(source: str | None) -> bool:
    """True for the bundled synthetic reference data (file name starts with ``sse_films_reference``)."""
    return bool(source) and str(source).rsplit("/", 1)[-1].startswith("sse_films_reference")


def build_context(results: StudyResults, *, title: str | None = None, author: str | None = None,
                  figures: Mapping[str, Any] | None = None,
                  sections: Iterable[Section] | None = None) -> dict[str, Any]:
    """Build the context the report templates display.

    Parameters
    ----------
    results : StudyResults
        From :func:`ssereport.analyze`.
    title, author : str, optional
        Shown on the report and in the PDF metadata (escaped when displayed).
        Default title: "Film quality report: <input file>"; default author: "ssereport".
    figures : mapping of str to FigureOutput, optional
        From :func:`ssereport.report.figures.render_figures`; a missing figure is
        replaced by a short note.
    sections : iterable of Section, optional
        Default: the registry :data:`ssereport.report.sections.STUDY_SECTIONS`.

    Returns
    -------
    dict
        Keys: ``title``, ``author``, ``meta``, ``synthetic``, ``toc`` (``id``,
        ``number``, ``title``, ``html`` and ``typst`` partials of each section,
        in order) and one key per section id with the frozen dataclass its
        function returned (formatted strings, :class:`~ssereport.report.vocab.Table`,
        :class:`~ssereport.report.vocab.Figure`, lists of them); the figure SVGs
        are the only markup (``markupsafe.Markup``). The Typst renderer gets it
        as plain JSON through :func:`ssereport.report.vocab.plain`.

    Examples
    --------
    >>> import ssereport
    >>> from ssereport.report.context import build_context
    >>> r = ssereport.analyze(ssereport.load_films("data/sse_films_reference.csv"))
    >>> ctx = build_context(r, figures={})
    >>> [(t["number"], t["title"]) for t in ctx["toc"]][:2]
    [(1, 'Summary'), (2, 'Data')]
    >>> ctx["summary"].verdict[:30]
    'Of the 110 films analysed, 60 '
    """
    from .. import __version__

    sections = tuple(STUDY_SECTIONS if sections is None else sections)
    ids = [s.id for s in sections]
    reserved = {"title", "author", "lang", "generator", "meta", "synthetic", "synthetic_notice", "toc",
                "conditions", "pdf"}
    clash = sorted(set(ids) & reserved) or sorted({i for i in ids if ids.count(i) > 1})
    if clash:
        raise ValueError(f"section ids {clash}: reserved or repeated; expected unique ids other than "
                         f"{sorted(reserved)}")
    d = results.to_dict()
    prov = d["provenance"]
    created = prov.get("created") or datetime.now(timezone.utc).isoformat(timespec="seconds")
    inp = SectionInput(results=results, figures=figures or {}, created=created, d=d)
    source = str(d["input"]["path"])
    n_films = d["input"]["n_analyzed"]
    title = title if title else f"Film quality report: {source}"
    author = author if author else "ssereport"
    synthetic = is_synthetic(source)
    body = {s.id: s.build(inp) for s in sections}

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
        "synthetic_notice": SYNTHETIC_NOTICE,
        "toc": toc(sections),
        **body,
        "conditions": [head(c) for c in CONDITIONS],
    }
