"""Render a study's results to a self-contained HTML file and a PDF/A-3b with its evidence attached."""

from __future__ import annotations

from collections.abc import Callable

import gc
import time
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import atomic_write, safe_stem

if TYPE_CHECKING:  # pragma: no cover
    from ..pipeline import StudyResults

__all__ = ["FORMATS", "environment", "render_html", "render_pdf", "render_report"]

#: Output formats of :func:`render_report`.
FORMATS: tuple[str, ...] = ("html", "pdf")

_MIME = {".csv": "text/csv", ".tsv": "text/tab-separated-values", ".txt": "text/plain",
         ".json": "application/json",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12"}


def environment():
    """The Jinja environment of the report templates (found inside the installed package).

    Autoescaping is on for every template and undefined names are errors.
    """
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(loader=PackageLoader("ssereport", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False,
                       keep_trailing_newline=True)


def _figures(results: StudyResults) -> dict[str, Any]:
    from ..figures import render_figures

    return render_figures(results)


def render_html(results: StudyResults, *, title: str | None = None, author: str | None = None,
                figures: dict[str, Any] | None = None, figure_mode: str = "inline") -> str:
    """The report as one self-contained HTML document.

    Parameters
    ----------
    results : StudyResults
        From :func:`ssereport.analyze`.
    title, author : str, optional
        Shown as text (never as markup) and written into the metadata.
    figures : dict, optional
        Pre-rendered figures (``key -> FigureOutput``); by default
        :func:`ssereport.figures.render_figures` draws them.
    figure_mode : {"inline", "img"}
        Inline SVG (for the HTML file) or ``<img>`` with a ``data:`` URI (the
        source of the PDF: WeasyPrint lays it out much faster).

    Returns
    -------
    str
        HTML with inline CSS and inline SVG figures: no external resource, no JavaScript.
    """
    from .context import build_context

    if figures is None:
        figures = _figures(results)
    ctx = build_context(results, title=title, author=author, figures=figures, figure_mode=figure_mode)
    return environment().get_template("report.html.j2").render(**ctx)


def _url_fetcher():
    """A WeasyPrint URL fetcher that serves ``data:`` URLs and refuses everything else."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class DataOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not str(url).lower().startswith("data:"):
                raise FatalURLFetchingError(
                    f"the report refers to an external resource {str(url)[:200]!r}; "
                    "expected only inline data: URLs (reports make no network or file requests)")
            return super().fetch(url, headers)

    return DataOnlyFetcher(allowed_protocols=("data",), fail_on_errors=True)


def _dedupe_attachments(document, pdf) -> None:
    """WeasyPrint finisher: list each embedded file once in the catalog's /AF array.

    WeasyPrint 70's PDF/A-3 step appends every file specification to /AF twice
    (once from the EmbeddedFiles name tree, once from scanning the objects).
    """
    af = pdf.catalog.get("AF")
    if af is None:
        return
    seen: list[Any] = []
    for ref in list(af):
        if ref not in seen:
            seen.append(ref)
    af.clear()
    af.extend(seen)


def render_pdf(html: str, *, results: StudyResults, out_path: str | Path,
               attachments: Sequence[str | Path] = ()) -> None:
    """Render ``html`` to a PDF/A-3b file with ``attachments`` embedded.

    Parameters
    ----------
    html : str
        From :func:`render_html`; its ``<title>``, ``<meta name="author">``,
        ``description``, ``keywords`` and ``dcterms.created/modified`` become the
        PDF metadata; ``h1``/``h2``/``h3`` become bookmarks.
    results : StudyResults
        Used to describe the attachments.
    out_path : str or Path
        Written atomically (temporary file, then rename).
    attachments : sequence of path
        Files to embed (the input data, the results JSON); each once, byte for byte.
        A path listed twice is embedded once.

    Notes
    -----
    Only ``data:`` URLs are fetched; any other resource reference stops the
    rendering with ``weasyprint.urls.FatalURLFetchingError``.
    """
    import weasyprint

    files: list[Path] = []
    for a in attachments:
        p = Path(a)
        if p.resolve() not in [f.resolve() for f in files]:
            files.append(p)
    atts = []
    for p in files:
        if not p.is_file():
            raise FileNotFoundError(f"attachment {str(p)!r} does not exist; expected the input data file "
                                    "or the results JSON")
        if p.suffix.lower() == ".json":
            description = "Results of the analysis (ssereport results JSON)"
            relationship = "Data"
        else:
            description = f"Input film data ({results.table.source}, SHA-256 {results.table.sha256})"
            relationship = "Source"
        atts.append(weasyprint.Attachment(string=p.read_bytes(), name=p.name, description=description,
                                          relationship=relationship))
    fetcher = _url_fetcher()
    with warnings.catch_warnings():
        # WeasyPrint 70 opens its sRGB ICC profile (needed for PDF/A) and never closes it; the
        # ResourceWarning is raised when the document is freed, so collect it inside this block.
        warnings.simplefilter("ignore", ResourceWarning)
        doc = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher)
        pdf = doc.write_pdf(None, pdf_variant="pdf/a-3b", attachments=atts, finisher=_dedupe_attachments)
        del doc
        gc.collect()
    atomic_write(out_path, pdf)


def _input_path(results: StudyResults) -> Path | None:
    path = getattr(results.table, "path", None)
    if path and Path(path).is_file():
        return Path(path)
    return None


def render_report(results: StudyResults, out_dir: str | Path, *, formats: Iterable[str] = FORMATS,
                  title: str | None = None, author: str | None = None, stem: str | None = None,
                  timings: dict[str, float] | None = None,
                  progress: Callable[[str], None] | None = None) -> dict[str, Path]:
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
        If given, filled with the seconds spent on ``figures``, ``html`` and ``pdf``.
    progress : callable, optional
        Called with the name of each step as it starts (``"figures"``,
        ``"html"``, ``"pdf"``), for a progress display.

    Returns
    -------
    dict
        ``{"json": path, "csv": path, "html": path, "pdf": path}`` for the files
        written; ``<stem>.films.csv`` has one row per film with its class, with
        text cells neutralised against spreadsheet formula injection.

    Raises
    ------
    ValueError
        For an unknown format.
    """
    formats = tuple(dict.fromkeys(f.strip().lower() for f in formats))
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f"formats: got {bad!r}, expected a subset of {list(FORMATS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    source = Path(str(results.table.source)).stem
    stem = safe_stem(stem if stem else source, default="report")
    timings = timings if timings is not None else {}
    out: dict[str, Path] = {}
    out["json"] = atomic_write(out_dir / f"{stem}.results.json", results.to_json())
    from ..export import films_csv

    out["csv"] = atomic_write(out_dir / f"{stem}.films.csv", films_csv(results))
    if not formats:
        return out
    step = progress or (lambda name: None)
    t0 = time.perf_counter()
    step("figures")
    figures = _figures(results)
    t1 = time.perf_counter()
    step("html")
    html = render_html(results, title=title, author=author, figures=figures)
    t2 = time.perf_counter()
    timings["figures"], timings["html"] = t1 - t0, t2 - t1
    if "html" in formats:
        out["html"] = atomic_write(out_dir / f"{stem}.html", html)
    if "pdf" in formats:
        step("pdf")
        attach = [p for p in (_input_path(results), out["json"]) if p is not None]
        out["pdf"] = out_dir / f"{stem}.pdf"
        pdf_html = render_html(results, title=title, author=author, figures=figures, figure_mode="img")
        render_pdf(pdf_html, results=results, out_path=out["pdf"], attachments=attach)
        timings["pdf"] = time.perf_counter() - t2
    return out
