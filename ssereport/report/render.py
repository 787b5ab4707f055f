"""Render a study's results to a self-contained HTML file and a PDF/A-3b with its evidence attached.

Both come from one context dict (:func:`ssereport.report.context.build_context`):
the HTML through the Jinja templates, the PDF through the Typst template
``report.typ`` (:mod:`ssereport.report.pdf`).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import atomic_write, safe_stem

if TYPE_CHECKING:  # pragma: no cover
    from ..pipeline import StudyResults

__all__ = ["ENGINES", "FORMATS", "environment", "render_html", "render_pdf", "render_report"]

#: Output formats of :func:`render_report`.
FORMATS: tuple[str, ...] = ("html", "pdf")
#: PDF engines: Typst (default, ``templates/report.typ``) or WeasyPrint (the HTML report, optional extra).
ENGINES: tuple[str, ...] = ("typst", "weasyprint")


@functools.lru_cache(maxsize=1)
def environment():
    """The Jinja environment of the report templates (found inside the installed package).

    Autoescaping is on for every template and undefined names are errors. One
    environment serves the whole process (Jinja's own advice), so each template is
    compiled once, not once per report: that was a third of a batch report's time.
    """
    from jinja2 import Environment, PackageLoader, StrictUndefined

    from markupsafe import Markup

    from ..theme import css_variables

    env = Environment(loader=PackageLoader("ssereport", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False,
                      keep_trailing_newline=True)
    # the theme's colours as CSS custom properties, inlined before style.css (our own constant text)
    env.globals["theme_css"] = Markup(css_variables())
    return env


def _figures(results: StudyResults, pending: Any = None) -> dict[str, Any]:
    if pending is not None:  # a FigureProcess (report/_figproc.py) that has been drawing meanwhile
        return pending.collect(results)
    from .figures import render_figures

    return render_figures(results)


def render_html(results: StudyResults, *, title: str | None = None, author: str | None = None,
                figures: dict[str, Any] | None = None) -> str:
    """The report as one self-contained HTML document.

    Parameters
    ----------
    results : StudyResults
        From :func:`ssereport.analyze`.
    title, author : str, optional
        Shown as text (never as markup) and written into the metadata.
    figures : dict, optional
        Pre-rendered figures (``key -> FigureOutput``); by default
        :func:`ssereport.report.figures.render_figures` draws them (with :mod:`ssereport.plots`).

    Returns
    -------
    str
        HTML with inline CSS and inline SVG figures: no external resource, no JavaScript.
    """
    from .context import build_context

    if figures is None:
        figures = _figures(results)
    return _html(build_context(results, title=title, author=author, figures=figures))


def partial(name: str, env: Any = None) -> Any:
    """A section partial: a template of the package (relative name) or a file (absolute path).

    A file is compiled with the same environment (autoescape, strict undefined), so
    a partial outside the package (a plug-in's, a test's) behaves like the built-in ones.
    """
    env = env if env is not None else environment()
    path = Path(name)
    if path.is_absolute():
        return env.from_string(path.read_text(encoding="utf-8"))
    return env.get_template(name)


def partials(toc: Any, env: Any = None) -> dict[str, Any]:
    """The HTML partial of every section of a table of contents (:func:`ssereport.report.vocab.toc`), by id."""
    env = env if env is not None else environment()
    return {sec["id"]: partial(sec["html"], env) for sec in toc}


def _html(context: dict[str, Any]) -> str:
    env = environment()
    return env.get_template("report.html.j2").render(**context, sections_ctx=context,
                                                     partials=partials(context["toc"], env))


def render_pdf(results: StudyResults, out_path: str | Path, *, title: str | None = None,
               author: str | None = None, figures: dict[str, Any] | None = None,
               attachments: Sequence[str | Path] = (), context: dict[str, Any] | None = None,
               engine: str = "typst") -> Path:
    """Write the report as a PDF/A-3b file with ``attachments`` embedded.

    Parameters
    ----------
    results : StudyResults
        From :func:`ssereport.analyze`; also describes the attachments.
    out_path : str or Path
        Written atomically (temporary file, then rename): a failure leaves no file.
    title, author, figures
        As for :func:`render_html` (ignored when ``context`` is given).
    attachments : sequence of path
        Files to embed (the input data, the results JSON); each once, byte for
        byte. A path listed twice is embedded once.
    context : dict, optional
        The dict of :func:`ssereport.report.context.build_context` when the
        caller has built it already (:func:`render_report` shares it with the
        HTML); its ``meta`` becomes the PDF metadata, its headings the bookmarks.
    engine : {"typst", "weasyprint"}
        Typst lays out ``templates/report.typ``; WeasyPrint lays out the HTML
        report with its print CSS (:mod:`ssereport.report.weasy`, optional
        extra ``ssereport[weasyprint]``). Both write PDF/A-3b with the same
        attachments and metadata.

    Returns
    -------
    Path
        ``out_path``.

    Raises
    ------
    ssereport.errors.RenderError
        If Typst cannot lay out the template (names the template and Typst's message).

    Notes
    -----
    Laid out by Typst from ``templates/report.typ`` in a temporary folder that
    holds the context (JSON), the figures and the attachments and nothing else:
    the PDF reads no other file and no URL (:mod:`ssereport.report.pdf`).
    """
    from .context import build_context

    if engine not in ENGINES:
        raise ValueError(f"engine: got {engine!r}, expected one of {list(ENGINES)}")
    if context is None:
        if figures is None:
            figures = _figures(results)
        context = build_context(results, title=title, author=author, figures=figures)
    from .pdf import compile_pdf, data_attachments

    if engine == "weasyprint":
        from .weasy import compile_weasyprint

        return compile_weasyprint(_html(context), out_path, attachments=data_attachments(results.table, attachments))
    return compile_pdf("report.typ", context, out_path, attachments=data_attachments(results.table, attachments))


def _input_path(results: StudyResults) -> Path | None:
    path = getattr(results.table, "path", None)
    if path and Path(path).is_file():
        return Path(path)
    return None


def render_report(results: StudyResults, out_dir: str | Path, *, formats: Iterable[str] = FORMATS,
                  title: str | None = None, author: str | None = None, stem: str | None = None,
                  timings: dict[str, float] | None = None,
                  progress: Callable[[str], None] | None = None, engine: str = "typst",
                  figures: Any = None) -> dict[str, Path]:
    """Write ``<stem>.results.json``, ``<stem>.html`` and ``<stem>.pdf`` into ``out_dir``.

    Parameters
    ----------
    results : StudyResults
    out_dir : str or Path
        Created if missing.
    formats : iterable of {"html", "pdf"}
        The results JSON is always written (first, so the PDF can carry it).
    title, author : str, optional
    stem : str, optional
        File-name stem; made safe with :func:`ssereport.files.safe_stem`.
        Default: the input file's stem.
    timings : dict, optional
        If given, filled with the seconds spent on ``figures``, ``html`` (the
        context and the HTML) and ``pdf``.
    progress : callable, optional
        Called with the name of each step as it starts (``"figures"``,
        ``"html"``, ``"pdf"``), for a progress display.
    engine : {"typst", "weasyprint"}
        The PDF engine (see :func:`render_pdf`).
    figures : ssereport.report._figproc.FigureProcess, optional
        A process that has been drawing the figures while the analysis ran;
        by default they are drawn here. The files are the same either way.

    Returns
    -------
    dict
        ``{"json": path, "csv": path, "html": path, "pdf": path}`` for the files
        written; ``<stem>.films.csv`` has one row per film with its class, with
        text cells neutralised against spreadsheet formula injection.

    Raises
    ------
    ValueError
        For an unknown format or engine.

    Notes
    -----
    The figures are drawn by :func:`ssereport.report.figures.render_figures` (matplotlib),
    the HTML by Jinja2 and the PDF by Typst or WeasyPrint; the R analogue is
    ``rmarkdown::render()`` with both an HTML and a PDF output format.

    Examples
    --------
    >>> import tempfile
    >>> import ssereport
    >>> results = ssereport.analyze(ssereport.load_films("data/sse_films_reference.csv"))
    >>> out = ssereport.render_report(results, tempfile.mkdtemp(), formats=["html"], title="Films")
    >>> sorted(out), out["html"].name
    (['csv', 'html', 'json'], 'sse_films_reference.html')
    >>> '<h2 id="h-summary">1. Summary</h2>' in out["html"].read_text(encoding="utf-8")
    True
    """
    if engine not in ENGINES:
        raise ValueError(f"engine: got {engine!r}, expected one of {list(ENGINES)}")
    formats = tuple(dict.fromkeys(f.strip().lower() for f in formats))
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f"formats: got {bad!r}, expected a subset of {list(FORMATS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    source = Path(str(results.table.source)).stem
    stem = safe_stem(stem if stem else source, default="report")
    timings = timings if timings is not None else {}
    if formats and hasattr(figures, "finish"):  # a FigureProcess draws the last figures while the JSON is written
        figures.finish(results)
    out: dict[str, Path] = {}
    out["json"] = atomic_write(out_dir / f"{stem}.results.json", results.to_json())
    from ..export import films_csv

    out["csv"] = atomic_write(out_dir / f"{stem}.films.csv", films_csv(results))
    if not formats:
        return out
    from .context import build_context

    step = progress or (lambda name: None)
    t0 = time.perf_counter()
    step("figures")
    figures = _figures(results, figures)
    t1 = time.perf_counter()
    step("html")
    context = build_context(results, title=title, author=author, figures=figures)
    if "html" in formats:
        out["html"] = atomic_write(out_dir / f"{stem}.html", _html(context))
    t2 = time.perf_counter()
    timings["figures"], timings["html"] = t1 - t0, t2 - t1
    if "pdf" in formats:
        step("pdf")
        attach = [p for p in (_input_path(results), out["json"]) if p is not None]
        out["pdf"] = render_pdf(results, out_dir / f"{stem}.pdf", attachments=attach, context=context,
                                engine=engine)
        timings["pdf"] = time.perf_counter() - t2
    return out
