"""HTML report -> PDF/A-3b through WeasyPrint: the ``--engine weasyprint`` alternative to Typst.

WeasyPrint lays out the very HTML document of :func:`ssereport.report.render.render_html`
with its print style sheet (``templates/print.css``: A4 pages, running title and
section, page numbers), so the PDF shows what the HTML shows. The output has
the same two embedded files (the input data, the results JSON) and the same
metadata (title, author, description, keywords, dates) as the Typst PDF
(:func:`ssereport.report.pdf.compile_pdf`); WeasyPrint reads the metadata from
the HTML ``<title>`` and ``<meta>`` elements the template writes.

Optional: ``pip install "ssereport[weasyprint]"`` (it needs the Pango
libraries: Debian ``libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0``).
Typst stays the default engine: it needs no system library and is much faster
on the study report (see the README).

Fonts: the DejaVu files shipped with the package (:func:`ssereport.report.pdf.find_fonts`),
declared with ``@font-face``; WeasyPrint fetches nothing else (any other URL is
refused), so the PDF does not depend on the machine's fonts or network.
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Sequence
from pathlib import Path

from ..errors import RenderError
from ..files import atomic_write
from .pdf import Attachment, find_fonts

__all__ = ["compile_weasyprint"]

#: CSS family, weight and style of each shipped font file.
_FACES = {"DejaVuSans.ttf": ("DejaVu Sans", "normal"), "DejaVuSans-Bold.ttf": ("DejaVu Sans", "bold"),
          "DejaVuSansMono.ttf": ("DejaVu Sans Mono", "normal")}


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint installed, the Pango libraries not
        raise RenderError("--engine weasyprint needs WeasyPrint and the Pango libraries: pip install "
                          "'ssereport[weasyprint]' (and on Debian: apt-get install libpango-1.0-0 "
                          f"libpangoft2-1.0-0 libharfbuzz-subset0); or use the default engine, --engine typst "
                          f"({exc})") from exc
    return weasyprint


def compile_weasyprint(html: str, out_path: str | Path, *, attachments: Sequence[Attachment] = ()) -> Path:
    """Lay out ``html`` (a report of :func:`ssereport.report.render.render_html`) as a PDF/A-3b file.

    Parameters
    ----------
    html : str
        The self-contained HTML report (inline CSS and SVG, no external resource).
    out_path : str or Path
        Written atomically (temporary file, then rename).
    attachments : sequence of Attachment
        Embedded once each, byte for byte, with their description and PDF/A-3
        relationship (``source`` for the input data, ``data`` for the results JSON).

    Returns
    -------
    Path
        ``out_path``.

    Raises
    ------
    RenderError
        If WeasyPrint (or Pango) is not installed, or the layout fails.

    Notes
    -----
    ``weasyprint.HTML(string=...).write_pdf(pdf_variant="pdf/a-3b", attachments=...)``.
    The R Markdown equivalent is ``pagedown::chrome_print()`` on an HTML report.
    """
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fonts = {p.name: p for p in find_fonts()}
    allowed = {p.resolve().as_uri() for p in fonts.values()}

    class FontsOnly(URLFetcher):
        """Fetches the shipped font files and nothing else (no network, no other file)."""

        def fetch(self, url, headers=None):
            if url not in allowed:
                raise ValueError(f"ssereport: the PDF reads no resource but its fonts; refused {url!r}")
            return super().fetch(url, headers)

    fetcher = FontsOnly(allowed_protocols=("file",))
    faces = "".join(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: normal; '
                    f'src: url("{fonts[name].resolve().as_uri()}"); }}\n'
                    for name, (family, weight) in _FACES.items() if name in fonts)
    font_config = FontConfiguration()
    css = weasyprint.CSS(string=faces, font_config=font_config, url_fetcher=fetcher)
    files, seen = [], set()
    for a in attachments:
        p = Path(a.path)
        if not p.is_file():
            raise FileNotFoundError(f"attachment {str(p)!r} does not exist; expected the input data file or the "
                                    "results JSON")
        if p.resolve() in seen:
            continue
        seen.add(p.resolve())
        files.append(weasyprint.Attachment(string=p.read_bytes(), name=p.name, description=a.description,
                                           relationship=a.relationship.capitalize()))
    try:
        with warnings.catch_warnings():
            # WeasyPrint 70 opens its sRGB output-intent profile (PDF/A) and never closes it: the file is
            # collected here, where that one ResourceWarning is expected, not at some later point.
            warnings.filterwarnings("ignore", category=ResourceWarning, message=r"unclosed file .*sRGB2014\.icc")
            pdf = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(
                stylesheets=[css], font_config=font_config, pdf_variant="pdf/a-3b", pdf_tags=True,
                attachments=files)
            gc.collect()
    except Exception as exc:  # WeasyPrint's own errors have no common base class
        raise RenderError(f"WeasyPrint could not lay out the HTML report: {exc}") from exc
    if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF-"):
        raise RenderError(f"WeasyPrint returned no PDF (got {type(pdf).__name__})")
    return atomic_write(out_path, pdf)
