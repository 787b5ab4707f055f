"""Bytes -> cells: the file checks, decoding, CSV dialect, the fast pandas reader and XLSX sheets.

Nothing here knows what a film is beyond the header scoring used to pick an
XLSX sheet (:func:`ssereport.io.headers.score_header`); the cells are checked
in :mod:`ssereport.io.validate`.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pandas as pd

from ..errors import DataError, Problem
from ..schema import ALIASES, normalize_header

#: Files larger than this many MiB are refused (a lab table is a few kB; override with ``max_file_mb``).
DEFAULT_MAX_FILE_MB = 50.0
_MAX_XLSX_UNCOMPRESSED = 200 * 2**20
_MAX_XLSX_RATIO = 200
_ZIP = b"PK\x03\x04"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_TEXT_CONTROLS = {9, 10, 12, 13, 26}  # tab, LF, FF, CR, Ctrl-Z (an old DOS end of file)


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def looks_binary(head: bytes) -> bool:
    """Whether the first bytes of a file are not text (and not a zip or UTF-16 text).

    A NUL byte, or more than 5 % control characters, is binary: text in any
    8-bit encoding has neither. UTF-16 text starts with its byte-order mark.
    """
    if not head or head.startswith(_ZIP) or head[:2] in _UTF16_BOMS:
        return False
    if b"\0" in head:
        return True
    controls = sum(1 for b in head if (b < 32 and b not in _TEXT_CONTROLS) or b == 127)
    return controls > 0.05 * len(head)


def read_checked(p: Path, source: str, max_file_mb: float, *, xlsx: bool) -> bytes:
    """The file's bytes, after refusing a binary file (from its first KiB) and one over the size limit."""
    with p.open("rb") as fh:
        head = fh.read(1024)
    if not xlsx and looks_binary(head):
        raise DataError("not a text table or XLSX (the first KiB of the file is binary data); expected a CSV "
                        "(comma, semicolon or tab) or an .xlsx workbook", source)
    size = p.stat().st_size
    if size > max_file_mb * 2**20:
        raise DataError(
            f"the file is {size / 2**20:.1f} MiB; refused above {max_file_mb:g} MiB "
            "(a lab table is a few kB; raise the limit with --max-file-mb / max_file_mb if this is intended)",
            source)
    return p.read_bytes()


def decode(raw: bytes, notes: list[str]) -> str:
    if raw[:2] in _UTF16_BOMS:  # Excel's "Unicode Text" export
        notes.append("the file is UTF-16 (Excel 'Unicode Text'); it was read as such")
        return raw.decode("utf-16")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
        notes.append("the file is not UTF-8; it was read as Windows-1252 (Latin-1)")
    return text


def sniff(text: str, source: str) -> str:
    """The column separator: comma, semicolon or tab.

    :class:`csv.Sniffer` decides among the candidates found in the header line,
    from the first lines of the file (a header such as ``σ (mS/cm, 25 °C)`` in a
    semicolon-separated file holds a comma too).
    """
    if not text.strip():
        raise DataError("the file is empty; expected a header row and one row per film", source)
    lines = [line for line in text[:20000].splitlines() if line.strip()]
    first = lines[0]
    counts = {d: first.count(d) for d in (",", ";", "\t") if d in first}
    if not counts:
        raise DataError(
            f"could not find a column separator in the header line {first[:80]!r}; "
            "expected comma-, semicolon- or tab-separated columns", source)
    if len(counts) == 1:
        return next(iter(counts))
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters="".join(counts)).delimiter
    except csv.Error:
        return max(counts, key=counts.get)


def csv_rows(text: str, delimiter: str, source: str = ""):
    """(header, [(row number as counted in a spreadsheet, cells), …]) of a CSV text."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise DataError(f"not a readable CSV file (line {reader.line_num}: {exc}); save it as 'CSV UTF-8' "
                        "from your spreadsheet program", source) from None
    start = 0  # header = first non-blank line
    while start < len(rows) and not any(c.strip() for c in rows[start]):
        start += 1
    header = rows[start]
    body = [(i + 1, r) for i, r in enumerate(rows) if i > start]
    return header, body


def first_line(text: str, delimiter: str) -> list[str] | None:
    """The cells of the first line, when it is not blank (the fast path needs the header there)."""
    nl = text.find("\n")
    if nl <= 0 or not text[:nl].strip():
        return None
    return next(csv.reader([text[:nl].rstrip("\r")], delimiter=delimiter))


def read_csv_fast(text: str, delimiter: str, header: list[str], usecols: dict[str, int], numeric: set[str],
                  decimal_comma: bool) -> dict[str, pd.Series] | None:
    """The used columns of a clean CSV by pandas' C parser, or None when the file needs the careful path.

    ``usecols``: canonical name -> column position. Numeric columns come as
    float64; anything pandas cannot parse that way, a blank or short line, or a
    row count that differs from the line count returns None.
    """
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    try:
        df = pd.read_csv(io.StringIO(text), sep=delimiter, header=0, usecols=list(usecols.values()),
                         dtype={j: ("float64" if c in numeric else "str") for c, j in usecols.items()},
                         decimal="," if decimal_comma else ".", keep_default_na=False, na_values=[""],
                         skip_blank_lines=False, engine="c")
    except (ValueError, TypeError, pd.errors.ParserError):
        return None
    if len(df) != n_lines - 1 or len(df) == 0:
        return None
    positions = sorted(usecols.values())
    if len(df.columns) != len(positions):
        return None
    by_position = dict(zip(positions, df.columns))
    return {canon: df[by_position[j]] for canon, j in usecols.items()}


# --------------------------------------------------------------------------- XLSX


def check_xlsx_zip(raw: bytes, source: str) -> None:
    import zipfile

    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise DataError("not a valid XLSX file (it is not a zip archive); save the sheet as .xlsx or .csv",
                        source) from None
    total = sum(i.file_size for i in zf.infolist())
    packed = max(1, sum(i.compress_size for i in zf.infolist()))
    if total > _MAX_XLSX_UNCOMPRESSED or total / packed > _MAX_XLSX_RATIO and total > 10 * 2**20:
        raise DataError(
            f"the XLSX file unpacks to {total / 2**20:.0f} MB from {packed / 2**20:.1f} MB; "
            f"refused (expected at most {_MAX_XLSX_UNCOMPRESSED // 2**20} MB, a lab table is far smaller)",
            source)
    if "xl/workbook.xml" not in zf.namelist():
        raise DataError("not a valid XLSX workbook (no xl/workbook.xml inside); save the sheet as .xlsx or .csv",
                        source)


def pick_sheet(names: list[str], sheet: str, source: str) -> str:
    """``--sheet``: the exact name, else the one name that matches ignoring case."""
    if sheet in names:
        return sheet
    folded = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    raise DataError(f"no sheet named {sheet!r}; the workbook has {names}", source)


def _sheet_score(ws, score) -> tuple[int, bool]:
    """The best (variables matched, all required present) over the first 10 rows of a sheet."""
    best = (0, False)
    for row in ws.iter_rows(max_row=10, values_only=True):
        header = ["" if c is None else str(c) for c in row]
        if any(h.strip() for h in header):
            best = max(best, score(header), key=lambda s: (s[1], s[0]))
    return best


def _sheet_cells(ws):
    """Values of a sheet, and per row the columns whose numeric cell is formatted as percent."""
    rows, percent = [], []
    for row in ws.iter_rows():
        values, pct = [], set()
        for j, c in enumerate(row):
            v = getattr(c, "value", None)
            values.append(v)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and "%" in str(
                    getattr(c, "number_format", "") or ""):
                pct.add(j)
        rows.append(values)
        percent.append(pct)
    return rows, percent


def choose_sheet(names: list[str], scores: dict[str, tuple[int, bool]], source: str,
                 notes: list[str]) -> str:
    """The sheet holding the film table.

    The first sheet when it names every required variable; else the one other
    sheet that does (several: an error naming them); else the sheet whose
    headers match the most variables (the first among equals), so that a
    missing variable is explained on the sheet that holds the table.
    """
    first = names[0]
    if scores[first][1]:
        if len(names) > 1:
            notes.append(f"the workbook has {len(names)} sheets; read the first, {first!r} "
                         "(choose another with --sheet)")
        return first
    complete = [n for n in names[1:] if scores[n][1]]
    if len(complete) == 1:
        notes.append(f"the first sheet, {first!r}, holds no film table; read the sheet "
                     f"{complete[0]!r} instead (choose another with --sheet)")
        return complete[0]
    if len(complete) > 1:
        raise DataError(
            f"the first sheet, {first!r}, holds no film table, and {len(complete)} other sheets do: "
            f"{complete}; choose one with --sheet NAME, e.g. --sheet {complete[0]!r}", source)
    best = max(names, key=lambda n: scores[n][0])  # max keeps the first of equals
    if scores[best][0] > scores[first][0]:
        notes.append(f"no sheet names every required variable; read the sheet {best!r}, whose headers match "
                     f"the most ({scores[best][0]}) (choose another with --sheet)")
        return best
    return first


def read_xlsx(raw: bytes, source: str, sheet: str | None, notes: list[str], score):
    """(header, body, implied units, sheet read, other sheet names) of a workbook.

    ``score(header) -> (variables matched, all required present)`` rates a
    candidate header row (see :func:`choose_sheet`).
    """
    check_xlsx_zip(raw, source)
    import openpyxl  # heavy; only when needed

    def open_book(data_only: bool):
        try:
            return openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=data_only)
        except Exception as exc:  # openpyxl raises many kinds
            raise DataError(f"could not read the XLSX workbook ({type(exc).__name__}: {exc})", source) from None

    wb = open_book(True)
    try:
        names = wb.sheetnames
        if sheet is not None:
            name = pick_sheet(names, sheet, source)
        elif len(names) == 1:
            name = names[0]
        else:
            name = choose_sheet(names, {n: _sheet_score(wb[n], score) for n in names}, source, notes)
        rows, percent = _sheet_cells(wb[name])
    finally:
        wb.close()
    others = [n for n in names if n != name]
    start = 0
    while start < len(rows) and not any(c is not None and str(c).strip() for c in rows[start]):
        start += 1
    if start == len(rows):
        also = f"; the workbook also has {others} — choose one with --sheet" if others else ""
        raise DataError(f"the sheet {name!r} is empty; expected a header row and one row per film{also}", source)
    header = ["" if c is None else str(c) for c in rows[start]]
    if any(c is None for r in rows[start + 1:] for c in r[: len(header)]):
        wbf = open_book(False)
        try:
            formulas = [list(r) for r in wbf[name].iter_rows(values_only=True)]
        finally:
            wbf.close()
        _check_formulas(formulas, rows, start, header, source)
    body = [(i + 1, ["" if c is None else c for c in r]) for i, r in enumerate(rows) if i > start]
    # a column is read as fractions when every numeric cell below the header is formatted as percent
    numeric_cols: dict[int, list[bool]] = {}
    for i in range(start + 1, len(rows)):
        for j, v in enumerate(rows[i]):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                numeric_cols.setdefault(j, []).append(j in percent[i])
    implied = {j: "fraction" for j, flags in numeric_cols.items() if flags and all(flags)}
    return header, body, implied, name, others


def _check_formulas(formulas, values, start: int, header: list[str], source: str) -> None:
    """Cells that hold a formula but no saved value (files written by scripts, not by Excel)."""
    problems = []
    for j, h in enumerate(header):
        example = None
        count = 0
        for i in range(start + 1, len(values)):
            v = values[i][j] if j < len(values[i]) else None
            f = formulas[i][j] if i < len(formulas) and j < len(formulas[i]) else None
            if v is None and isinstance(f, str) and f.startswith("="):
                count += 1
                example = example or (i + 1, f)
        if count:
            problems.append(Problem(
                f"{count} cell(s) hold a formula with no saved value (e.g. row {example[0]}: {example[1]!r}); "
                "open and save the file in Excel or LibreOffice so the values are stored"
                + (", or leave the column out: ssereport computes it" if ALIASES.get(normalize_header(h)) == "rd"
                   else ""), column=h))
    if problems:
        raise DataError(problems, source)
