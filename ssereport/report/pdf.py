"""Context dict -> PDF/A-3b through Typst: the presentation layer of the PDF reports.

The Typst templates (``templates/report.typ``, ``templates/batch.typ`` and the
shared ``templates/_common.typ``) only display: they read one JSON file,
``context.json``, written here from the same context dict the HTML templates
display (:func:`ssereport.report.context.build_context`,
:func:`ssereport.report.batch.build_batch_context`). Every string of the
context, including titles, sample IDs and file names from the input, reaches
the page as a string value placed as text; no Typst markup is ever built from
data and nothing is evaluated.

The study report's sections are Typst partials (``templates/sections/<id>.typ``,
each a function ``render(sec, s)``) that ``report.typ`` imports in the order of
the section registry (:mod:`ssereport.report.sections`); they are copied into
the Typst root as ``sections/<id>.typ``.

Each compilation runs in a fresh temporary directory that is the Typst root
and holds everything the document may read: the templates, ``context.json``,
the figures (``fig-<n>.svg``) and copies of the files to attach
(``att-<n>``). Typst reads nothing outside its root, has no network access for
images, and the directory is removed afterwards, whatever happens. The PDF is
written with :func:`ssereport.files.atomic_write`, so a failed compilation
never leaves a file behind.

Fonts: DejaVu Sans (regular and bold) and DejaVu Sans Mono, shipped in
``ssereport/fonts`` (the files of Debian's ``fonts-dejavu-core``), and no other
font, so the output does not depend on what a machine has installed. PDF/A forbids text that a font
cannot draw, so a character none of them has (CJK, emoji, control characters)
is shown as U+FFFD "�" instead of stopping the report; the PDF metadata
(title, author) keep the strings as they are, but for control characters.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import tempfile
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..errors import RenderError
from ..files import atomic_write

__all__ = ["FONT_FILES", "TEMPLATES", "Attachment", "compile_pdf", "data_attachments", "displayable", "find_fonts",
           "plain_context"]

#: The Typst templates a report can be compiled from (package data in ``ssereport/templates``).
TEMPLATES: tuple[str, ...] = ("report.typ", "batch.typ", "suggest.typ", "compare.typ")
#: Files every template may import.
_SHARED: tuple[str, ...] = ("_common.typ",)

#: The fonts the PDF uses, by file name. They ship with the package (``ssereport/fonts``, Bitstream Vera
#: licence), so a PDF looks the same on every machine, Windows and macOS included.
FONT_FILES: tuple[str, ...] = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf")
_FONT_DIRS: tuple[str, ...] = (str(Path(__file__).resolve().parents[1] / "fonts"),
                               "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
                               "/usr/share/fonts/TTF", "/usr/share/fonts/dejavu-sans-fonts",
                               "/usr/share/fonts/truetype", "/usr/local/share/fonts")

_MIME = {".csv": "text/csv", ".tsv": "text/tab-separated-values", ".txt": "text/plain",
         ".json": "application/json",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12"}
_RELATIONSHIPS = ("source", "data", "alternative", "supplement", "unspecified")


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the PDF (PDF/A-3 associated file).

    Attributes
    ----------
    path : Path
        The file; embedded byte for byte under its own name.
    description : str
        Shown by PDF readers next to the file.
    relationship : {"source", "data", "alternative", "supplement", "unspecified"}
        Its relation to the document (PDF/A-3 ``AFRelationship``).
    """

    path: Path
    description: str
    relationship: str = "data"

    @property
    def mime(self) -> str:
        return _MIME.get(self.path.suffix.lower(), "application/octet-stream")


@lru_cache(maxsize=1)
def find_fonts() -> tuple[Path, ...]:
    """The font files of :data:`FONT_FILES`.

    Looked up in the package's own ``fonts`` folder first, then in the usual
    font folders, then among the system fonts Typst finds (for an installation
    whose package data were stripped).

    Raises
    ------
    RenderError
        If one of them is missing everywhere (reinstall ssereport, or install
        Debian's ``fonts-dejavu-core``).
    """
    found: dict[str, Path] = {}
    for folder in _FONT_DIRS:
        for name in FONT_FILES:
            p = Path(folder) / name
            if name not in found and p.is_file():
                found[name] = p
    if len(found) < len(FONT_FILES):
        import typst

        for info in typst.Fonts(include_system_fonts=True, include_embedded_fonts=False).fonts():
            name = Path(info.path).name if info.path else ""
            if name in FONT_FILES and name not in found:
                found[name] = Path(info.path)
    missing = [n for n in FONT_FILES if n not in found]
    if missing:
        raise RenderError(f"the PDF needs the fonts {', '.join(missing)} (DejaVu Sans), which were not found in "
                          f"{', '.join(_FONT_DIRS)} nor among the system fonts; expected them installed, e.g. with "
                          "the Debian package fonts-dejavu-core")
    return tuple(found[n] for n in FONT_FILES)


def _cmap(path: Path, *, fmt: int | None = None) -> frozenset[int]:
    """The code points a TrueType font maps to a glyph (its Unicode ``cmap``: format 12, else 4, or ``fmt``)."""
    data = Path(path).read_bytes()
    (n_tables,) = struct.unpack_from(">H", data, 4)
    tables = {struct.unpack_from(">4s", data, 12 + 16 * i)[0]: struct.unpack_from(">I", data, 20 + 16 * i)[0]
              for i in range(n_tables)}
    if b"cmap" not in tables:
        raise RenderError(f"font {str(path)!r} has no cmap table; expected a TrueType font")
    off = tables[b"cmap"]
    (n,) = struct.unpack_from(">H", data, off + 2)
    subtables: dict[int, int] = {}
    for i in range(n):
        platform, encoding, sub = struct.unpack_from(">HHI", data, off + 4 + 8 * i)
        (kind,) = struct.unpack_from(">H", data, off + sub)
        if (platform == 0 or (platform == 3 and encoding in (1, 10))) and kind in (4, 12):
            subtables.setdefault(kind, off + sub)
    if fmt is not None:
        subtables = {k: v for k, v in subtables.items() if k == fmt}
    points: set[int] = set()
    if 12 in subtables:  # groups of consecutive code points
        so = subtables[12]
        (groups,) = struct.unpack_from(">I", data, so + 12)
        for k in range(groups):
            first, last, glyph = struct.unpack_from(">III", data, so + 16 + 12 * k)
            points.update(range(first + (glyph == 0), last + 1))
    elif 4 in subtables:  # segments of the Basic Multilingual Plane
        so = subtables[4]
        (segx2,) = struct.unpack_from(">H", data, so + 6)
        seg = segx2 // 2
        ends = struct.unpack_from(f">{seg}H", data, so + 14)
        starts = struct.unpack_from(f">{seg}H", data, so + 16 + segx2)
        deltas = struct.unpack_from(f">{seg}h", data, so + 16 + 2 * segx2)
        ro_off = so + 16 + 3 * segx2
        offsets = struct.unpack_from(f">{seg}H", data, ro_off)
        for k in range(seg):
            for c in range(starts[k], min(ends[k], 0xFFFE) + 1):
                if offsets[k] == 0:
                    glyph = (c + deltas[k]) & 0xFFFF
                else:
                    (glyph,) = struct.unpack_from(">H", data, ro_off + 2 * k + offsets[k] + 2 * (c - starts[k]))
                    glyph = (glyph + deltas[k]) & 0xFFFF if glyph else 0
                if glyph:
                    points.add(c)
    return frozenset(points)


#: Whitespace Typst lays out without a glyph (line breaks, tabs).
_NO_GLYPH_NEEDED = frozenset("\t\n\r\u2028\u2029")


@lru_cache(maxsize=1)
def _coverage() -> frozenset[str]:
    """Every character one of the PDF fonts can draw, and the whitespace Typst lays out without a glyph."""
    points: set[int] = set()
    for font in find_fonts():
        points |= _cmap(font)
    return frozenset(map(chr, points)) | _NO_GLYPH_NEEDED


#: Any character but printable ASCII, tab and line breaks (all of which the fonts draw).
_NOT_PLAIN_ASCII = re.compile(r"[^\t\n\r\x20-\x7e]")
#: Characters DejaVu Sans is known to draw (checked against its cmap by the tests): Latin-1, Greek and the
#: symbols of the reports. Text made of these needs no look-up in the font files.
_KNOWN = frozenset(chr(c) for c in [*range(0xA0, 0x100), *range(0x391, 0x3A2), *range(0x3A3, 0x3CA)]) | frozenset(
    "–—−×±≤≥→←↑↓…·•′″‘’“”†‡‰€⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻₀₁₂₃₄₅₆₇₈₉✓✗√∞≈≠∑∆∂∫µΩ\u2009\u202f\u200b\ufffd")


def displayable(text: str) -> str:
    r"""``text`` with every character the PDF fonts cannot draw replaced by U+FFFD.

    PDF/A forbids text drawn with a missing glyph, and Typst stops with an
    error on it; a CJK sample ID or an emoji in a title must not stop the
    report. Whitespace and invisible format characters (category Cf) pass.
    Also applied to the figure SVGs as a whole: markup is ASCII, so only
    the text of labels and attributes can change.

    Examples
    --------
    >>> displayable("Film σ = 5 µS/cm")
    'Film σ = 5 µS/cm'
    >>> displayable("膜 A\x07")
    '� A�'
    """
    others = set(_NOT_PLAIN_ASCII.findall(text))
    if others <= _KNOWN:
        return text
    covered = _coverage()
    bad = {c for c in others - covered if unicodedata.category(c) != "Cf"}
    if not bad:
        return text
    return _NOT_PLAIN_ASCII.sub(lambda m: "\ufffd" if m[0] in bad else m[0], text)


def _metadata_text(text: Any) -> str:
    """A string for the PDF metadata (XMP is XML 1.0): control characters and lone surrogates become U+FFFD."""
    text = str(text or "")
    return "".join("\ufffd" if (unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r")
                   or c in "\ufffe\uffff" else c for c in text)


def plain_context(context: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The context as plain JSON data for Typst, and the figure SVGs it refers to.

    Every figure dict (one with a ``markupsafe.Markup`` SVG under ``"svg"``)
    gets ``"file": "fig-<n>.svg"`` instead of the SVG; ``svgs[n]`` is that
    SVG. Strings and SVGs pass through :func:`displayable`; numbers, booleans and None
    pass unchanged; tuples become lists; dataclasses (the report vocabulary,
    :mod:`ssereport.report.vocab`) become dicts first.

    Raises
    ------
    TypeError
        For a value JSON cannot hold (the context is built from plain data only).
    """
    from .vocab import plain

    svgs: list[str] = []

    def walk(value: Any, where: str) -> Any:
        if isinstance(value, Markup):
            raise TypeError(f"context value at {where}: got markup outside a figure; expected plain text")
        if isinstance(value, str):
            return displayable(value)
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, Mapping):
            out = {}
            for k, v in value.items():
                if k == "svg" and isinstance(v, Markup):
                    out["file"] = f"fig-{len(svgs)}.svg"
                    svgs.append(displayable(str(v)))
                elif k == "svg":
                    out["file"] = None
                else:
                    out[str(k)] = walk(v, f"{where}.{k}")
            return out
        if isinstance(value, (list, tuple)):
            return [walk(v, f"{where}[{i}]") for i, v in enumerate(value)]
        raise TypeError(f"context value at {where}: got {type(value).__name__}, expected str, number, bool, None, "
                        "list or dict")

    return walk(plain(context), "context"), svgs


def _date(created: str | None) -> datetime:
    """The report's date (ISO 8601 text of the context) as an aware UTC datetime, to the second."""
    try:
        d = datetime.fromisoformat(str(created))
    except (TypeError, ValueError):
        d = datetime.now(timezone.utc)
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.astimezone(timezone.utc).replace(microsecond=0)


def _template_text(name: str) -> bytes:
    return (resources.files("ssereport") / "templates" / name).read_bytes()


def _section_partials(plain: dict[str, Any]) -> dict[str, bytes]:
    """The Typst partials of the sections in ``plain["toc"]``, by the path they get in the Typst root.

    A partial is a template of the package (``sections/<id>.typ``) or, for a
    section registered from outside the package, an absolute file path; either
    way it is copied to ``sections/<id>.typ`` and the toc entry points there.
    """
    out: dict[str, bytes] = {}
    for sec in plain.get("toc") or []:
        if not isinstance(sec, dict) or not sec.get("typst"):
            continue
        src, rel = str(sec["typst"]), f"sections/{sec['id']}.typ"
        text = Path(src).read_bytes() if Path(src).is_absolute() else _template_text(src)
        out[rel] = text
        sec["typst"] = rel
    return out


def compile_pdf(template: str, context: Mapping[str, Any], out_path: str | Path, *,
                attachments: Sequence[Attachment] = ()) -> Path:
    """Compile a Typst report template with ``context`` into a PDF/A-3b file.

    Parameters
    ----------
    template : {"report.typ", "batch.typ"}
        The template (see :data:`TEMPLATES`).
    context : mapping
        The context dict of the HTML report; converted by :func:`plain_context`
        and written as ``context.json``. Its ``meta.created`` (ISO 8601) is the
        PDF's creation date; with a fixed context the output is byte-identical.
    out_path : str or Path
        Written atomically (temporary file, then rename).
    attachments : sequence of Attachment
        Embedded once each, byte for byte, under their file names (a file
        listed twice is embedded once).

    Returns
    -------
    Path
        ``out_path``.

    Raises
    ------
    RenderError
        If Typst stops with an error (the message names the template and
        Typst's message); nothing is written then.
    FileNotFoundError
        If an attachment does not exist.

    Notes
    -----
    Typst warnings (a missing font or glyph, for instance) are re-issued as
    Python ``UserWarning`` naming the template. The R Markdown equivalent is
    ``rmarkdown::render(output_format = "pdf_document")`` with a LaTeX
    template; here the layout engine is Typst (the ``typst`` Python package).
    """
    import typst

    from ..theme import typst_variables

    if template not in TEMPLATES:
        raise ValueError(f"template: got {template!r}, expected one of {list(TEMPLATES)}")
    files: list[Attachment] = []
    for a in attachments:
        p = Path(a.path)
        if not p.is_file():
            raise FileNotFoundError(f"attachment {str(p)!r} does not exist; expected the input data file or the "
                                    "results JSON")
        if a.relationship not in _RELATIONSHIPS:
            raise ValueError(f"attachment {p.name!r}: relationship {a.relationship!r}, expected one of "
                             f"{list(_RELATIONSHIPS)}")
        if p.resolve() not in [Path(f.path).resolve() for f in files]:
            files.append(Attachment(path=p, description=a.description, relationship=a.relationship))
    plain, svgs = plain_context(context)
    partials = _section_partials(plain)
    meta = context.get("meta") or {}
    created = _date(meta.get("created"))
    plain["pdf"] = {
        # PDF metadata need no glyph: the strings as they are (batch reports name the generator as author)
        "document": {"title": _metadata_text(context.get("title")),
                     "author": _metadata_text(context.get("author") or context.get("generator")),
                     "description": _metadata_text(meta.get("description")),
                     "keywords": _metadata_text(meta.get("keywords"))},
        "date": {"year": created.year, "month": created.month, "day": created.day, "hour": created.hour,
                 "minute": created.minute, "second": created.second},
        "attachments": [{"file": f"att-{i}", "name": _metadata_text(f.path.name), "mime": f.mime,
                         "description": _metadata_text(f.description), "relationship": f.relationship}
                        for i, f in enumerate(files)],
    }
    with tempfile.TemporaryDirectory(prefix="ssereport-typst-") as tmp:
        root, font_dir = Path(tmp) / "root", Path(tmp) / "fonts"
        root.mkdir()
        font_dir.mkdir()
        for font in find_fonts():
            (font_dir / font.name).symlink_to(font)
        for name in (template, *_SHARED):
            (root / name).write_bytes(_template_text(name))
        for rel, text in partials.items():  # the section partials report.typ imports (sections/<id>.typ)
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(text)
        (root / "theme.typ").write_text(typst_variables(), encoding="utf-8")  # colours of ssereport.theme
        (root / "context.json").write_text(json.dumps(plain, ensure_ascii=False, allow_nan=False),
                                           encoding="utf-8")
        for i, svg in enumerate(svgs):
            (root / f"fig-{i}.svg").write_text(svg, encoding="utf-8")
        for i, f in enumerate(files):
            shutil.copyfile(f.path, root / f"att-{i}")
        fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(font_dir)])
        compiler = typst.Compiler(root=str(root), font_paths=fonts, ignore_system_fonts=True)
        try:
            pdf, notes = compiler.compile_with_warnings(input=str(root / template), format="pdf",
                                                        pdf_standards=["a-3b"], timestamp=created)
        except typst.TypstError as exc:
            hints = "".join(f"; hint: {h}" for h in (getattr(exc, "hints", None) or []))
            raise RenderError(f"Typst template {template!r} failed: {getattr(exc, 'message', exc)}{hints}") from exc
    for w in notes:
        warnings.warn(f"Typst template {template!r}: {getattr(w, 'message', w)}", UserWarning, stacklevel=2)
    if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF-"):
        raise RenderError(f"Typst template {template!r} returned no PDF (got {type(pdf).__name__})")
    return atomic_write(out_path, pdf)


def data_attachments(table: Any, paths: Sequence[str | Path]) -> list[Attachment]:
    """The files a report embeds, described: its input data (``Source``) and its JSON (``Data``).

    ``table`` is the :class:`~ssereport.io.FilmTable` the report was made from
    (its source and SHA-256 go into the input file's description); a path
    ending in ``.json`` is the results JSON. Shared by the study and batch PDFs
    and by both PDF engines.
    """
    out = []
    for a in paths:
        p = Path(a)
        if p.suffix.lower() == ".json":
            out.append(Attachment(path=p, description="Results of the analysis (ssereport results JSON)",
                                  relationship="data"))
        else:
            out.append(Attachment(path=p, relationship="source",
                                  description=f"Input film data ({table.source}, SHA-256 {table.sha256})"))
    return out
