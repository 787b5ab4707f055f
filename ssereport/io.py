"""Loading and validating film tables (CSV, XLSX).

Every problem in a file is collected and reported at once, naming the file, the
row as the user counts it in the spreadsheet (header = row 1), the column as
written in the file, the value received and what was expected.

The module is long (about 1,000 lines) because it is one pipeline with one
message vocabulary: CSV dialects and encodings, XLSX sheets, header mapping
and units, the fast path for clean files and the careful path that explains
every bad cell. Splitting it would scatter the shared helpers that keep the
messages identical on both paths; the parsing itself is pandas, csv,
openpyxl and Pint.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError, Problem
from .schema import ALIASES, COLUMNS, READINGS, REQUIRED, by_name, normalize_header
from .units import HeaderUnit, header_unit, unit_text

__all__ = ["FilmTable", "Exclusion", "load_films", "validate_films", "DEFAULT_MAX_FILE_MB"]

#: Files larger than this are refused (a lab table is a few kB; override with ``max_file_mb``).
DEFAULT_MAX_FILE_MB = 50.0
#: Relative tolerance between given thickness/DoT/RD and the values from the 9 readings.
CONSISTENCY_RTOL = 0.01
_MAX_XLSX_UNCOMPRESSED = 200 * 2**20
_MAX_XLSX_RATIO = 200


@dataclass(frozen=True)
class Exclusion:
    """A row left out of the analysis (only with ``drop_invalid=True``)."""

    row: int
    sample_id: str | None
    reason: str


@dataclass(frozen=True, eq=False)
class FilmTable:
    """A validated film table.

    Attributes
    ----------
    data : pandas.DataFrame
        Canonical columns, numeric columns as float64; the index ``row`` holds
        the row number as the user counts it in the file.
    source : str
        File name (or ``"<DataFrame>"``).
    sha256 : str or None
        SHA-256 of the file's bytes.
    n_rows : int
        Data rows in the file (blank rows not counted).
    excluded : tuple of Exclusion
        Rows left out with ``drop_invalid=True``, each with its reason.
    notes : tuple of str
        Things the loader did that a user should know (ignored columns,
        values computed from the 9 readings, units converted, decimal commas,
        encodings, the sheet read).
    headers : dict of str to str
        Canonical column -> the header as written in the file, so that a
        message can name the column the user knows.
    units : dict of str to HeaderUnit
        Canonical column -> the unit read from its header and Pint's factor to
        the canonical unit (only columns whose header carries a unit).
    mapped : dict of str to str
        Canonical column -> the ``[columns]`` entry that mapped its header.
    """

    data: pd.DataFrame
    source: str
    sha256: str | None
    n_rows: int
    excluded: tuple[Exclusion, ...] = ()
    notes: tuple[str, ...] = ()
    path: str | None = field(default=None)
    headers: dict[str, str] = field(default_factory=dict)
    units: dict[str, HeaderUnit] = field(default_factory=dict)
    mapped: dict[str, str] = field(default_factory=dict)

    def column_map(self) -> list[str]:
        """One line per column used: header as written -> canonical name (unit conversion, [columns])."""
        lines = []
        for canon, header in self.headers.items():
            extra = []
            if canon in self.mapped:
                extra.append(f"from [columns] {self.mapped[canon]!r}")
            u = self.units.get(canon)
            if u is not None and u.converts:
                extra.append(f"{u.unit} -> {u.canonical}, ×{u.factor:.6g}")
            lines.append(f"{header!r} -> {canon}" + (f" ({'; '.join(extra)})" if extra else ""))
        return lines

    @property
    def n_analyzed(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        """One line: source, films, rows, exclusions, notes."""
        from .display import film_table_repr

        return film_table_repr(self)

    def _repr_html_(self) -> str:
        """Provenance, the first rows, excluded rows and notes, for Jupyter (:mod:`ssereport.report.notebook`)."""
        from .display import film_table_html

        return film_table_html(self)


# --------------------------------------------------------------------------- reading


def _sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _decode(raw: bytes, notes: list[str]) -> str:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode Text" export
        notes.append("the file is UTF-16 (Excel 'Unicode Text'); it was read as such")
        return raw.decode("utf-16")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
        notes.append("the file is not UTF-8; it was read as Windows-1252 (Latin-1)")
    return text


def _sniff(text: str, source: str) -> str:
    if not text.strip():
        raise DataError("the file is empty; expected a header row and one row per film", source)
    first = next((line for line in text[:20000].splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=counts.get)
    if counts[delimiter] == 0:
        raise DataError(
            f"could not find a column separator in the header line {first[:80]!r}; "
            "expected comma-, semicolon- or tab-separated columns", source)
    return delimiter


def _csv_rows(text: str, delimiter: str, source: str = ""):
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


def _fast_csv(text: str, delimiter: str, decimal_comma: bool, required, notes: list[str], columns=None):
    """Vectorized reading of a clean CSV; None if anything needs the careful path.

    Large tables are read with pandas' C parser and checked column by column.
    Any irregularity (a blank line, a quoted line break, an unparseable,
    missing, non-finite or out-of-range value, a duplicate ID, readings that
    disagree) returns None, and the row-by-row path produces the exact
    messages. Both paths give identical data for a clean file.
    """
    first_nl = text.find("\n")
    if first_nl <= 0 or not text[:first_nl].strip():
        return None
    header = next(csv.reader([text[:first_nl].rstrip("\r")], delimiter=delimiter))
    hd = _map_headers(header, "", required=required, columns=columns)
    if hd.problems:
        return None
    mapping, ignored, has_readings = hd.mapping, hd.ignored, hd.has_readings
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    try:
        df = pd.read_csv(io.StringIO(text), sep=delimiter, header=0, usecols=list(mapping.values()),
                         dtype={j: ("float64" if by_name(c).numeric else "str") for c, j in mapping.items()},
                         decimal="," if decimal_comma else ".", keep_default_na=False, na_values=[""],
                         skip_blank_lines=False, engine="c", names=None)
    except (ValueError, TypeError, pd.errors.ParserError):
        return None
    if len(df) != n_lines - 1 or len(df) == 0:
        return None
    df.columns = [header[j] for j in range(len(header)) if j in set(mapping.values())]
    out = {}
    for canon, j in mapping.items():
        col = df[str(header[j])] if str(header[j]) in df.columns else None
        if col is None:
            return None
        if by_name(canon).numeric:
            x = col.to_numpy(dtype="float64")
            if canon in hd.units:
                x = hd.units[canon].convert(x)
            c = by_name(canon)
            if not np.isfinite(x).all():
                return None
            if c.low is not None and (np.any(x < c.low) or (c.low_open and np.any(x == c.low))):
                return None
            if c.high is not None and (np.any(x > c.high) or (c.high_open and np.any(x == c.high))):
                return None
            out[canon] = x
        else:
            v = col.astype("str").str.strip()
            if canon == "sample_id" and ((v == "").any() or not v.is_unique
                                         or _summary_word([v.iloc[-1]]) is not None):  # a Mean row last
                return None
            out[canon] = v.to_numpy()
    data = pd.DataFrame(out)
    data.index = pd.Index(np.arange(2, len(data) + 2), name="row")
    if has_readings:
        r = data[list(READINGS)].to_numpy()
        mean = r.mean(axis=1)
        sd = r.std(axis=1, ddof=1)
        computed = {"thickness_um": (mean, 1e-3), "dot_um": (sd, 1e-3), "rd": (sd / mean, 1e-5)}
        for name, (value, atol) in computed.items():
            if name in data.columns:
                if np.any(np.abs(data[name].to_numpy() - value) > np.maximum(CONSISTENCY_RTOL * np.abs(value), atol)):
                    return None
            else:
                data[name] = value
        if np.any(data["rd"].to_numpy() >= 1):
            return None
    if ignored:
        notes.append("columns not used by ssereport were ignored: " + ", ".join(repr(c) for c in ignored))
    notes.extend(hd.unit_notes())
    _derive(data, mapping, has_readings, notes)
    order = [c.name for c in COLUMNS if c.name in data.columns]
    data = data[order]
    for c in order:
        data[c] = data[c].astype("float64" if by_name(c).numeric else "str")
    return data, len(data), hd


def _check_xlsx_zip(raw: bytes, source: str) -> None:
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


def _pick_sheet(names: list[str], sheet: str, source: str) -> str:
    """``--sheet``: the exact name, else the one name that matches ignoring case."""
    if sheet in names:
        return sheet
    folded = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    raise DataError(f"no sheet named {sheet!r}; the workbook has {names}", source)


def _has_table(ws, required, columns) -> bool:
    """Whether one of the first 10 rows of a sheet names every required column."""
    for row in ws.iter_rows(max_row=10, values_only=True):
        header = ["" if c is None else str(c) for c in row]
        if not any(h.strip() for h in header):
            continue
        hd = _map_headers(header, "", required=required, columns=columns)
        if not any(p.message.startswith("required column") for p in hd.problems):
            return True
    return False


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


def _read_xlsx(raw: bytes, source: str, sheet: str | None, notes: list[str], required=REQUIRED, columns=None):
    _check_xlsx_zip(raw, source)
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
            name = _pick_sheet(names, sheet, source)
        else:
            name = names[0]
            if len(names) > 1 and not _has_table(wb[name], required, columns):
                candidates = [n for n in names[1:] if _has_table(wb[n], required, columns)]
                if len(candidates) == 1:
                    notes.append(f"the first sheet, {name!r}, holds no film table; read the sheet "
                                 f"{candidates[0]!r} instead (choose another with --sheet)")
                    name = candidates[0]
                elif len(candidates) > 1:
                    raise DataError(
                        f"the first sheet, {name!r}, holds no film table, and {len(candidates)} other sheets do: "
                        f"{candidates}; choose one with --sheet NAME, e.g. --sheet {candidates[0]!r}", source)
            elif len(names) > 1:
                notes.append(f"the workbook has {len(names)} sheets; read the first, {name!r} "
                             "(choose another with --sheet)")
        rows, percent = _sheet_cells(wb[name])
    finally:
        wb.close()
    start = 0
    while start < len(rows) and not any(c is not None and str(c).strip() for c in rows[start]):
        start += 1
    if start == len(rows):
        others = [n for n in names if n != name]
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
    return header, body, implied


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


# --------------------------------------------------------------------------- parsing

_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DEC_COMMA = re.compile(r"^[+-]?\d+,\d+([eE][+-]?\d+)?$")


def _parse_number(value, decimal_comma: bool) -> float | None:
    """Return the float, or None if ``value`` is not a plain finite number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        x = float(value)
        return x if math.isfinite(x) else None
    text = str(value).strip().replace("\u2212", "-")
    if _NUM.match(text):
        x = float(text)
        return x if math.isfinite(x) else None
    if decimal_comma and _DEC_COMMA.match(text):
        return float(text.replace(",", "."))
    return None


def _describe(value) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _in_range(x: float, col) -> bool:
    if col.low is not None and (x < col.low or (col.low_open and x == col.low)):
        return False
    if col.high is not None and (x > col.high or (col.high_open and x == col.high)):
        return False
    return True


@dataclass
class _Headers:
    """What the header row says: column positions, units, problems."""

    mapping: dict[str, int]
    problems: list[Problem]
    ignored: list[str]
    has_readings: bool
    units: dict[str, HeaderUnit]
    headers: dict[str, str]
    mapped: dict[str, str]

    def unit_notes(self) -> list[str]:
        return [u.note() for u in self.units.values() if u.converts]


def _user_target(h, columns) -> tuple[str | None, str | None]:
    """The ``[columns]`` entry for header ``h``: (key, target) or (None, None)."""
    if not columns:
        return None, None
    text = str(h).strip()
    if text in columns:
        return text, columns[text]
    norm = normalize_header(h)
    for key, target in columns.items():
        if normalize_header(key) == norm and unit_text(key) == unit_text(h):
            return key, target
    return None, None


def _column_unit(canon: str, header: str, unit: str | None, implied: str | None):
    """HeaderUnit for a numeric column whose header carries ``unit`` (or a unit implied by the cells)."""
    col = by_name(canon)
    reason = ""
    if implied is not None and col.pint_unit == "percent" and unit in (None, "%", "wt%", "vol%", "fraction"):
        # Excel stores "5 %" as 0.05 whatever the header says
        unit, reason = implied, "the cells are formatted as percent in Excel, so they hold fractions"
    if unit is None or not col.numeric:
        return None
    if unit in (col.unit, col.pint_unit) or (col.pint_unit == "percent" and unit in ("%", "wt%", "vol%")):
        return HeaderUnit(header, unit, col.unit, col.pint_unit, 1.0)  # the canonical unit: Pint not needed
    return header_unit(header, unit, canonical=col.unit, pint_canonical=col.pint_unit,
                       what=col.label.lower(), reason=reason)


def _map_headers(header: list[str], source: str, *, required: tuple[str, ...], columns=None,
                 implied: dict[int, str] | None = None) -> _Headers:
    mapping: dict[str, int] = {}
    problems: list[Problem] = []
    ignored: list[str] = []
    seen: dict[str, str] = {}
    units: dict[str, HeaderUnit] = {}
    mapped: dict[str, str] = {}
    implied = implied or {}
    for j, h in enumerate(header):
        if not str(h).strip():
            continue
        key, target = _user_target(h, columns)
        if target is not None:
            canon = ALIASES.get(normalize_header(target))
            unit = unit_text(target) or unit_text(h)
        else:
            canon = ALIASES.get(normalize_header(h))
            unit = unit_text(h)
        if canon is None:
            ignored.append(str(h))
            continue
        if canon in mapping:
            problems.append(Problem(
                f"both {seen[canon]!r} and {h!r} mean {canon!r}; expected each variable once — "
                "delete or rename one of them", column=str(h)))
            continue
        mapping[canon] = j
        seen[canon] = str(h)
        if key is not None:
            mapped[canon] = key
        try:
            u = _column_unit(canon, str(h).strip(), unit, implied.get(j))
        except ValueError as exc:
            problems.append(Problem(str(exc), column=str(h).strip()))
            continue
        if u is not None:
            units[canon] = u
    readings = [r for r in READINGS if r in mapping]
    if readings and len(readings) != len(READINGS):
        missing = [r for r in READINGS if r not in mapping]
        problems.append(Problem(
            f"only {len(readings)} of the 9 thickness readings are present (missing {', '.join(missing)}); "
            "expected all 9 (thickness_1 … thickness_9) or none"))
    has_readings = len(readings) == len(READINGS)
    derivable = {"thickness_um", "dot_um", "rd"} if has_readings else set()
    if "thickness_um" in mapping and "dot_um" in mapping:
        derivable.add("rd")
    for name in required:
        if name not in mapping and name not in derivable:
            col = by_name(name)
            also = ", ".join(repr(a) for a in col.aliases[:4])
            hint = (" — or map your header to it in a [columns] table (--columns)" if ignored else "")
            problems.append(Problem(
                f"required column {name!r} ({col.label}, {col.unit}) is missing; "
                f"expected a header {name!r} or one of {also}{hint}"))
    headers = {canon: str(header[j]).strip() for canon, j in mapping.items()}
    return _Headers(mapping, problems, ignored, has_readings, units, headers, mapped)


_RATIO = re.compile(r"^\s*(\d+(?:\.\d*)?)\s*:\s*(\d+(?:\.\d*)?)\s*$")
#: First cell of a row of statistics typed below the films.
_SUMMARY_WORDS = frozenset({
    "mean", "average", "avg", "ave", "sd", "std", "stdev", "std dev", "std. dev", "standard deviation", "se", "sem",
    "median", "min", "max", "minimum", "maximum", "total", "sum", "count", "n", "cv", "rsd", "variance", "var",
    "mean ± sd", "mean±sd", "mittelwert", "summe", "moyenne", "total:", "range"})


def _summary_word(cells) -> str | None:
    for c in cells:
        text = "" if c is None else str(c).strip()
        if text and text.lower().rstrip(":. ") in _SUMMARY_WORDS:
            return text
    return None


@dataclass
class _Validated:
    data: pd.DataFrame
    excluded: tuple[Exclusion, ...]
    notes: tuple[str, ...]
    n_rows: int
    headers: _Headers


def validate_films(
    header: list[str],
    body: list[tuple[int, list]],
    *,
    source: str = "<table>",
    decimal_comma: bool = False,
    drop_invalid: bool = False,
    required: tuple[str, ...] | None = None,
    notes: list[str] | None = None,
    columns: dict[str, str] | None = None,
):
    """Map headers, parse and check every cell; return (data, excluded, notes, n_rows).

    Raises
    ------
    DataError
        Listing every problem, unless ``drop_invalid`` and only row-level problems.
    """
    v = _validate(header, body, source=source, decimal_comma=decimal_comma, drop_invalid=drop_invalid,
                  required=required, notes=notes, columns=columns)
    return v.data, v.excluded, v.notes, v.n_rows


def _validate(header, body, *, source, decimal_comma, drop_invalid, required, notes, columns=None,
              implied=None) -> _Validated:
    notes = list(notes or [])
    required = REQUIRED if required is None else required
    hd = _map_headers(header, source, required=required, columns=columns, implied=implied)
    mapping, table_problems, ignored, has_readings = hd.mapping, hd.problems, hd.ignored, hd.has_readings
    if ignored:
        notes.append("columns not used by ssereport were ignored: " + ", ".join(repr(c) for c in ignored))
    if table_problems:
        hint = _header_further_down(header, body, mapping, required)
        raise DataError([hint] if hint else table_problems, source)
    notes.extend(hd.unit_notes())

    header_of = hd.headers
    row_problems: dict[int, list[Problem]] = {}
    records: list[dict] = []
    rownums: list[int] = []
    ratios: list[tuple[int, str, float]] = []
    blank = 0
    for rownum, cells in body:
        if not any(str(c).strip() for c in cells if c is not None):
            blank += 1
            continue
        rec: dict = {}
        probs: list[Problem] = []
        for canon, j in mapping.items():
            col = by_name(canon)
            raw = cells[j] if j < len(cells) else ""
            text = "" if raw is None else str(raw).strip()
            if not col.numeric:
                if canon == "sample_id" and not text:
                    probs.append(Problem(f"empty cell; expected {col.expected}", rownum, header_of[canon]))
                rec[canon] = text
                continue
            if text == "":
                probs.append(Problem(f"empty cell; expected {col.expected}", rownum, header_of[canon]))
                continue
            unit = hd.units.get(canon)
            if canon == "xylene_vol_pct" and isinstance(raw, (dt.time, dt.datetime, dt.timedelta)):
                probs.append(Problem(  # the same text in every such row: collapsed into one line
                    "Excel turned a ratio such as '50:50' into a time; write the vol% of xylene (50), or "
                    "format the column as Text before typing the ratios", rownum, header_of[canon]))
                continue
            m = _RATIO.match(text) if canon == "xylene_vol_pct" else None
            if m is not None and float(m.group(1)) + float(m.group(2)) > 0:
                x = float(m.group(1)) / (float(m.group(1)) + float(m.group(2))) * 100  # xylene share, vol%
                ratios.append((rownum, text, x))
                unit = None
            else:
                x = _parse_number(raw, decimal_comma)
            if x is None:
                hint = ""
                if not decimal_comma and _DEC_COMMA.match(text):
                    hint = " (a decimal comma? write 1.2, or save the file semicolon-separated)"
                probs.append(Problem(f"not a number; expected {col.expected}{hint}", rownum,
                                     header_of[canon], _describe(raw)))
                continue
            if unit is not None and unit.converts:
                x = unit.convert(x)
            if not _in_range(x, col):
                read = (f" (read as {x:.6g} {col.unit} after converting from {unit.unit})"
                        if unit is not None and unit.converts else "")
                probs.append(Problem(f"out of range; expected {col.expected}{read}", rownum, header_of[canon],
                                     _describe(raw)))
                continue
            rec[canon] = x
        if has_readings and not probs:
            probs.extend(_check_readings(rec, rownum, header_of))
        if probs:
            row_problems[rownum] = probs
        records.append(rec)
        rownums.append(rownum)
    if blank:
        notes.append(f"{blank} blank row(s) skipped")
    if not records:
        raise DataError("the table has a header but no data rows; expected one row per film", source)
    if ratios:
        rownum, text, x = ratios[0]
        notes.append(f"column {header_of['xylene_vol_pct']!r}: {len(ratios)} value(s) written as a ratio "
                     f"xylene:isobutyl isobutyrate (e.g. row {rownum}: {text!r}) were read as vol% xylene "
                     f"({text} -> {x:g} vol%)")

    summary = _summary_rows(records, rownums, body)
    if summary:
        for r in summary:
            row_problems.pop(r, None)
        words = ", ".join(repr(w) for w in dict.fromkeys(summary.values()))
        row_problems[min(summary)] = [Problem(
            f"looks like a row of statistics ({words}) below the films, not a film; delete "
            f"{'it' if len(summary) == 1 else 'these rows'} — ssereport computes its own statistics",
            rows=tuple(summary) if len(summary) > 1 else (), row=min(summary))]

    # duplicate sample IDs
    if "sample_id" in mapping:
        first_row: dict[str, int] = {}
        for rec, rownum in zip(records, rownums):
            sid = rec.get("sample_id")
            if not sid or rownum in summary:
                continue
            if sid in first_row:
                row_problems.setdefault(rownum, []).append(Problem(
                    f"duplicate sample_id (also in row {first_row[sid]}); expected a unique film ID",
                    rownum, header_of["sample_id"], _describe(sid)))
            else:
                first_row[sid] = rownum

    _explain_patterns(row_problems, records, rownums, body, mapping, header_of)
    excluded: list[Exclusion] = []
    if row_problems or summary:
        if not drop_invalid:
            probs = _collapse([p for r in sorted(row_problems) for p in row_problems[r]])
            raise DataError(probs, source)
        keep_recs, keep_rows = [], []
        for rec, rownum in zip(records, rownums):
            if rownum in summary:
                excluded.append(Exclusion(rownum, rec.get("sample_id") or None,
                                          f"a row of statistics ({summary[rownum]!r}), not a film"))
            elif rownum in row_problems:
                reason = "; ".join(p.format() for p in row_problems[rownum])
                excluded.append(Exclusion(rownum, rec.get("sample_id") or None, reason))
            else:
                keep_recs.append(rec)
                keep_rows.append(rownum)
        records, rownums = keep_recs, keep_rows
        if not records:
            raise DataError(f"all {len(excluded)} rows are invalid; nothing left to analyse", source)

    data = pd.DataFrame.from_records(records)
    data.index = pd.Index(rownums, name="row")
    _derive(data, mapping, has_readings, notes)
    order = [c.name for c in COLUMNS if c.name in data.columns]
    data = data[order]
    for c in order:
        if by_name(c).numeric:
            data[c] = data[c].astype("float64")
        else:
            data[c] = data[c].astype("str")
    return _Validated(data, tuple(excluded), tuple(notes), len(records) + len(excluded), hd)


def _summary_rows(records, rownums, body) -> dict[int, str]:
    """Rows of statistics (Mean, SD, Total, …) at the end of the table: row -> the word found."""
    cells_of = dict(body)
    found: dict[int, str] = {}
    for rownum in reversed(rownums):
        word = _summary_word(cells_of.get(rownum, []))
        if word is None:
            break
        found[rownum] = word
    return dict(sorted(found.items()))


def _collapse(problems: list[Problem]) -> list[Problem]:
    """The same problem (column, message, value) in several rows -> one problem listing the rows."""
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        key = (p.column, p.message, p.value) if p.row is not None and not p.rows else (id(p),)
        groups.setdefault(key, []).append(p)
    out = []
    for group in groups.values():
        first = group[0]
        if len(group) == 1:
            out.append(first)
        else:
            out.append(Problem(first.message, row=first.row, column=first.column, value=first.value,
                               rows=tuple(p.row for p in group)))
    return out


_UNIT_WORDS = re.compile(r"^[\s\[\(]*(wt ?%|vol ?%|%|µl/mg|ul/mg|µm|um|g/cm3|g/cm³|ω|ohm|s/cm|-|–|µl|mg|mm|"
                         r"unit|units|\(.*\))[\s\]\)]*$", re.IGNORECASE)


def _header_further_down(header, body, mapping, required) -> Problem | None:
    """If the real header is a few rows further down (title rows, merged cells), say so."""
    found = sum(1 for name in required if name in mapping)
    for rownum, cells in body[:10]:
        names = {ALIASES.get(normalize_header(c)) for c in cells if c is not None and str(c).strip()}
        hits = sum(1 for name in required if name in names)
        if hits >= max(3, found + 2):
            first = next((str(c).strip() for c in header if str(c).strip()), "")
            return Problem(
                f"the header row is not the first row: row {rownum} holds the column names "
                f"({hits} of {len(required)} required found there); the row(s) above it "
                f"(starting {first[:40]!r}) look like a title or merged header cells — delete them so that "
                "the column names are in the first row")
    return None


def _explain_patterns(row_problems, records, rownums, body, mapping, header_of) -> None:
    """Replace a flood of per-cell problems by one message when they share an obvious cause."""
    if not records:
        return
    numeric = [c for c in mapping if by_name(c).numeric]
    cells_of = dict(body)
    # a units row right below the header
    first = rownums[0]
    probs = row_problems.get(first, [])
    cells = cells_of.get(first, [])
    texts = [str(cells[mapping[c]]).strip() for c in numeric if mapping[c] < len(cells)]
    if (len(probs) >= 3 and len(probs) >= len(numeric) // 2 and texts
            and sum(bool(_UNIT_WORDS.match(t)) for t in texts if t) >= max(2, len(probs) // 2)):
        filled = [repr(t) for t in texts if t]
        shown = ", ".join(filled[:6]) + (", …" if len(filled) > 6 else "")
        row_problems[first] = [Problem(
            f"looks like a units row ({shown}); delete it and put units in the header instead, "
            "e.g. 'L:S (µL/mg)'", first)]
    # RD given in percent
    if "rd" in mapping:
        rd_rows = [r for r in rownums if any(p.column == header_of["rd"] and "out of range" in p.message
                                             for p in row_problems.get(r, []))]
        raw = []
        for r in rd_rows:
            cells = cells_of[r]
            try:
                raw.append(float(str(cells[mapping["rd"]]).replace(",", ".")))
            except (ValueError, IndexError):
                pass
        if len(rd_rows) >= 3 and len(rd_rows) >= 0.8 * len(records) and raw and min(raw) >= 1 and max(raw) <= 100:
            med = float(np.median(raw))
            for r in rd_rows:
                row_problems[r] = [p for p in row_problems[r] if p.column != header_of["rd"]]
                if not row_problems[r]:
                    del row_problems[r]
            row_problems.setdefault(rd_rows[0], []).insert(0, Problem(
                f"{len(rd_rows)} of {len(records)} values are ≥ 1 (median {med:g}); RD given in percent? "
                "expected a fraction < 1 (RD = DoT/thickness) — divide the column by 100",
                column=header_of["rd"]))


def _derive(data: pd.DataFrame, mapping, has_readings: bool, notes: list[str]) -> None:
    """Say which values came from the 9 readings; compute RD from DoT and thickness when it is missing."""
    if has_readings:
        derived = [c for c in ("thickness_um", "dot_um", "rd") if c not in mapping]
        if derived:
            notes.append(f"{', '.join(derived)} computed from the 9 thickness readings")
    elif "rd" not in mapping:
        data["rd"] = data["dot_um"] / data["thickness_um"]
        notes.append("rd computed as dot_um / thickness_um")


def _check_readings(rec: dict, rownum: int, header_of: dict[str, str]) -> list[Problem]:
    vals = np.array([rec[r] for r in READINGS], dtype=float)
    mean = float(vals.mean())
    sd = float(vals.std(ddof=1))
    rd = sd / mean
    computed = {"thickness_um": (mean, 1e-3), "dot_um": (sd, 1e-3), "rd": (rd, 1e-5)}
    probs = []
    for name, (value, atol) in computed.items():
        if name in rec:
            given = rec[name]
            if abs(given - value) > max(CONSISTENCY_RTOL * abs(value), atol):
                what = {"thickness_um": "mean", "dot_um": "standard deviation (n − 1)",
                        "rd": "SD / mean"}[name]
                probs.append(Problem(
                    f"disagrees with the {what} of the 9 thickness readings, {value:.6g}, by "
                    f"{abs(given - value) / abs(value) * 100 if value else float('inf'):.1f} %; "
                    f"expected agreement within {CONSISTENCY_RTOL:.0%}",
                    rownum, header_of[name], f"{given:g}"))
        else:
            rec[name] = value
    if not probs and rec.get("rd", 0) >= 1:
        readings = ", ".join(f"{v:g}" for v in vals)
        probs.append(Problem(f"RD from the 9 thickness readings is {rec['rd']:.3g} (≥ 1; readings {readings}); "
                             "expected RD < 1 — is one reading mistyped?", rownum))
    return probs


def unusual(data: pd.DataFrame, hd: _Headers | None = None) -> list[str]:
    """Notes on values that are valid but unusual (analysed as they are, flagged for the user).

    A unit check against the usual scale is made only for columns whose header
    carries no unit; a unit written in the header has been converted by Pint.
    """
    units = hd.units if hd is not None else {}
    headers = hd.headers if hd is not None else {}
    out = []

    def name(canon: str, symbol: str) -> str:
        h = headers.get(canon)
        return f"{symbol} (column {h!r})" if h and h != canon else symbol

    med = data.median(numeric_only=True)
    for canon, symbol in (("xylene_vol_pct", "X:B"), ("polymer_wt_pct", "P%")):
        x = data[canon]
        if canon not in units and 0 < x.max() <= 1:
            what = "vol% of xylene" if canon == "xylene_vol_pct" else "wt% of polymer binder"
            out.append(f"every {name(canon, symbol)} is ≤ 1: given as a fraction (Excel % cells saved as "
                       f"numbers)? {symbol} is the {what} (0–100); the values were analysed as they are — "
                       f"write '{symbol} (fraction)' as the header to have them converted to percent")
    n_p = data["polymer_wt_pct"].nunique()
    if n_p > 12:
        out.append(f"P% has {n_p} distinct levels (a design usually has a few, e.g. 3, 5, 7, 10 wt%); "
                   "decision maps are drawn at up to 12 levels across the range")
    if "ls_ratio" not in units and med["ls_ratio"] > 10:
        out.append(f"the median {name('ls_ratio', 'L:S')} is {med['ls_ratio']:g} µL/mg, far above the usual "
                   "0.5–2 µL/mg: check the unit (write it in the header, e.g. 'L:S (µL/g)', to have it converted)")
    if "conductivity_s_cm" not in units and med["conductivity_s_cm"] > 0.05:
        out.append(f"the median {name('conductivity_s_cm', 'σ')} is {med['conductivity_s_cm']:g} S/cm, above "
                   "any sulfide electrolyte film: check the unit (mS/cm? write it in the header, "
                   "e.g. 'σ (mS/cm)', to have it converted)")
    if "thickness_um" not in units and (med["thickness_um"] < 1 or med["thickness_um"] > 5000):
        out.append(f"the median {name('thickness_um', 'thickness')} is {med['thickness_um']:g} µm: check the "
                   "unit (mm? write it in the header, e.g. 'thickness (mm)', to have it converted)")
    return out


def _unused_mapping(columns, hd: _Headers) -> list[str]:
    unused = [k for k in (columns or {}) if k not in hd.mapped.values()]
    return ([f"[columns] entries that match no header in the file: {', '.join(repr(k) for k in unused)}"]
            if unused else [])


def load_films(
    path: str | Path,
    *,
    sheet: str | None = None,
    drop_invalid: bool = False,
    max_file_mb: float = DEFAULT_MAX_FILE_MB,
    required: tuple[str, ...] | None = None,
    columns: dict[str, str] | None = None,
) -> FilmTable:
    """Read and validate a film table from CSV or XLSX.

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.txt``/``.tsv`` (comma, semicolon or tab separated) or
        ``.xlsx``/``.xlsm`` file with one row per film.
    sheet : str, optional
        XLSX sheet name, matched ignoring case (default: the first sheet; when
        it holds no film table, the one other sheet that does, with a note).
    drop_invalid : bool, default False
        Exclude rows with problems instead of stopping; every excluded row is
        listed in ``FilmTable.excluded`` with its reason.
    max_file_mb : float, default 50
        Refuse larger files.
    required : tuple of str, optional
        Canonical columns that must be present (default: all required ones).
    columns : dict of str to str, optional
        Header as written -> canonical column (or alias, optionally with a unit
        in brackets, ``"conductivity_s_cm (mS/cm)"``), for headers ssereport
        does not recognise; the ``[columns]`` table of a settings file.

    Returns
    -------
    FilmTable

    Raises
    ------
    DataError
        With every problem found (file, row, column, value, expected).

    Notes
    -----
    CSV through the standard library's ``csv`` sniffing and pandas, XLSX
    through openpyxl, units in headers through Pint. The R equivalent is
    ``read.csv()`` / ``readxl::read_excel()`` followed by hand-written checks.

    Examples
    --------
    >>> from ssereport import load_films
    >>> table = load_films("data/sse_films_reference.csv")
    >>> table.n_analyzed, table.n_rows, len(table.excluded)
    (110, 110, 0)
    >>> table.data.columns[:4].tolist()
    ['sample_id', 'polymer_wt_pct', 'ls_ratio', 'xylene_vol_pct']
    """
    p = Path(path)
    source = p.name
    if not p.exists():
        raise DataError(f"file not found: {str(p)!r}; expected a CSV or XLSX file", source)
    if p.is_dir():
        raise DataError(f"{str(p)!r} is a folder; expected a CSV or XLSX file", source)
    size = p.stat().st_size
    if size > max_file_mb * 2**20:
        raise DataError(
            f"the file is {size / 2**20:.1f} MB; refused above {max_file_mb:g} MB "
            "(a lab table is a few kB; raise the limit with --max-file-mb / max_file_mb if this is intended)",
            source)
    raw = p.read_bytes()
    digest = _sha256(raw)
    notes: list[str] = []
    suffix = p.suffix.lower()
    req = REQUIRED if required is None else required
    implied = None
    if suffix in (".xlsx", ".xlsm"):
        header, body, implied = _read_xlsx(raw, source, sheet, notes, req, columns)
        decimal_comma = False
    elif suffix in (".xls", ".ods", ".numbers"):
        raise DataError(f"{suffix} files are not supported; expected .csv or .xlsx (save the sheet as .xlsx)",
                        source)
    else:
        if raw[:4] == b"PK\x03\x04":
            raise DataError("this looks like an XLSX workbook with a wrong extension; rename it to .xlsx", source)
        text = _decode(raw, notes)
        del raw
        delimiter = _sniff(text, source)
        if delimiter != ",":
            notes.append({";": "semicolon", "\t": "tab"}[delimiter] + "-separated file")
        decimal_comma = delimiter != ","
        fast = _fast_csv(text, delimiter, decimal_comma, req, notes, columns)
        if fast is not None:
            data, n_rows, hd = fast
            if decimal_comma and "," in text:
                notes.append("decimal commas were read as decimal points")
            return FilmTable(data=data, source=source, sha256=digest, n_rows=n_rows, excluded=(),
                             notes=tuple(notes + _unused_mapping(columns, hd) + unusual(data, hd)),
                             path=str(p), headers=hd.headers,
                             units=hd.units, mapped=hd.mapped)
        header, body = _csv_rows(text, delimiter, source)
    v = _validate(header, body, source=source, decimal_comma=decimal_comma, drop_invalid=drop_invalid,
                  required=required, notes=notes, columns=columns, implied=implied)
    notes2 = v.notes
    if decimal_comma and any("," in str(c) for _, r in body for c in r):
        notes2 = notes2 + ("decimal commas were read as decimal points",)
    return FilmTable(data=v.data, source=source, sha256=digest, n_rows=v.n_rows, excluded=v.excluded,
                     notes=tuple(notes2) + tuple(_unused_mapping(columns, v.headers) + unusual(v.data, v.headers)),
                     path=str(p),
                     headers=v.headers.headers, units=v.headers.units, mapped=v.headers.mapped)


def table_from_frame(df: pd.DataFrame, *, drop_invalid: bool = False, source: str = "<DataFrame>") -> FilmTable:
    """Validate an in-memory DataFrame the same way as a file (rows numbered from 2)."""
    header = [str(c) for c in df.columns]
    body = [(i + 2, list(r)) for i, r in enumerate(df.itertuples(index=False, name=None))]
    v = _validate(header, body, source=source, decimal_comma=False, drop_invalid=drop_invalid, required=None,
                  notes=None)
    return FilmTable(data=v.data, source=source, sha256=None, n_rows=v.n_rows, excluded=v.excluded,
                     notes=tuple(v.notes) + tuple(unusual(v.data, v.headers)), headers=v.headers.headers,
                     units=v.headers.units, mapped=v.headers.mapped)
