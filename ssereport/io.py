"""Loading and validating film tables (CSV, XLSX).

Every problem in a file is collected and reported at once, naming the file, the
row as the user counts it in the spreadsheet (header = row 1), the column as
written in the file, the value received and what was expected.
"""

from __future__ import annotations

import csv
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
        values computed from the 9 readings, decimal commas, encodings).
    """

    data: pd.DataFrame
    source: str
    sha256: str | None
    n_rows: int
    excluded: tuple[Exclusion, ...] = ()
    notes: tuple[str, ...] = ()
    path: str | None = field(default=None)

    @property
    def n_analyzed(self) -> int:
        return len(self.data)


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


def _fast_csv(text: str, delimiter: str, decimal_comma: bool, required, notes: list[str]):
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
    mapping, problems, ignored, has_readings = _map_headers(header, "", required=required)
    if problems:
        return None
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
            if canon == "sample_id" and ((v == "").any() or not v.is_unique):
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
    _derive(data, mapping, has_readings, notes)
    if ignored:
        notes.append("columns not used by ssereport were ignored: " + ", ".join(repr(c) for c in ignored))
    order = [c.name for c in COLUMNS if c.name in data.columns]
    data = data[order]
    for c in order:
        data[c] = data[c].astype("float64" if by_name(c).numeric else "str")
    return data, len(data)


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


def _read_xlsx(raw: bytes, source: str, sheet: str | None, notes: list[str]):
    _check_xlsx_zip(raw, source)
    import openpyxl  # heavy; only when needed

    def sheet_rows(data_only: bool):
        try:
            wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=data_only)
        except Exception as exc:  # openpyxl raises many kinds
            raise DataError(f"could not read the XLSX workbook ({type(exc).__name__}: {exc})", source) from None
        try:
            names = wb.sheetnames
            name = names[0] if sheet is None else sheet
            if name not in names:
                raise DataError(f"no sheet named {sheet!r}; the workbook has {names}", source)
            return names, name, [list(r) for r in wb[name].iter_rows(values_only=True)]
        finally:
            wb.close()

    names, name, rows = sheet_rows(True)
    if sheet is None and len(names) > 1:
        notes.append(f"the workbook has {len(names)} sheets; read the first, {name!r} (choose another with --sheet)")
    start = 0
    while start < len(rows) and not any(c is not None and str(c).strip() for c in rows[start]):
        start += 1
    if start == len(rows):
        others = [n for n in names if n != name]
        also = f"; the workbook also has {others} — choose one with --sheet" if others else ""
        raise DataError(f"the sheet {name!r} is empty; expected a header row and one row per film{also}", source)
    header = ["" if c is None else str(c) for c in rows[start]]
    if any(c is None for r in rows[start + 1:] for c in r[: len(header)]):
        _check_formulas(sheet_rows(False)[2], rows, start, header, source)
    body = [(i + 1, ["" if c is None else c for c in r]) for i, r in enumerate(rows) if i > start]
    return header, body


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


def _map_headers(header: list[str], source: str, *, required: tuple[str, ...]):
    mapping: dict[str, int] = {}
    problems: list[Problem] = []
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for j, h in enumerate(header):
        if not str(h).strip():
            continue
        canon = ALIASES.get(normalize_header(h))
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
            problems.append(Problem(
                f"required column {name!r} ({col.label}, {col.unit}) is missing; "
                f"expected a header {name!r} or one of {also}"))
    return mapping, problems, ignored, has_readings


def validate_films(
    header: list[str],
    body: list[tuple[int, list]],
    *,
    source: str = "<table>",
    decimal_comma: bool = False,
    drop_invalid: bool = False,
    required: tuple[str, ...] | None = None,
    notes: list[str] | None = None,
):
    """Map headers, parse and check every cell; return (data, excluded, notes, n_rows).

    Raises
    ------
    DataError
        Listing every problem, unless ``drop_invalid`` and only row-level problems.
    """
    notes = list(notes or [])
    required = REQUIRED if required is None else required
    mapping, table_problems, ignored, has_readings = _map_headers(header, source, required=required)
    if ignored:
        notes.append("columns not used by ssereport were ignored: " + ", ".join(repr(c) for c in ignored))
    if table_problems:
        hint = _header_further_down(header, body, mapping, required)
        raise DataError([hint] if hint else table_problems, source)

    header_of = {canon: str(header[j]).strip() for canon, j in mapping.items()}
    row_problems: dict[int, list[Problem]] = {}
    records: list[dict] = []
    rownums: list[int] = []
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
            x = _parse_number(raw, decimal_comma)
            if x is None:
                hint = ""
                if not decimal_comma and _DEC_COMMA.match(text):
                    hint = " (a decimal comma? write 1.2, or save the file semicolon-separated)"
                probs.append(Problem(f"not a number; expected {col.expected}{hint}", rownum,
                                     header_of[canon], _describe(raw)))
                continue
            if not _in_range(x, col):
                probs.append(Problem(f"out of range; expected {col.expected}", rownum, header_of[canon],
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

    # duplicate sample IDs
    if "sample_id" in mapping:
        first_row: dict[str, int] = {}
        for rec, rownum in zip(records, rownums):
            sid = rec.get("sample_id")
            if not sid:
                continue
            if sid in first_row:
                row_problems.setdefault(rownum, []).append(Problem(
                    f"duplicate sample_id (also in row {first_row[sid]}); expected a unique film ID",
                    rownum, header_of["sample_id"], _describe(sid)))
            else:
                first_row[sid] = rownum

    _explain_patterns(row_problems, records, rownums, body, mapping, header_of)
    excluded: list[Exclusion] = []
    if row_problems:
        if not drop_invalid:
            probs = [p for r in sorted(row_problems) for p in row_problems[r]]
            raise DataError(probs, source)
        keep_recs, keep_rows = [], []
        for rec, rownum in zip(records, rownums):
            if rownum in row_problems:
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
    return data, tuple(excluded), tuple(notes), len(records) + len(excluded)



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


def unusual(data: pd.DataFrame) -> list[str]:
    """Notes on values that are valid but unusual (analysed as they are, flagged for the user)."""
    out = []
    med = data.median(numeric_only=True)
    xb = data["xylene_vol_pct"]
    if xb.max() <= 1 and xb.max() > 0:
        out.append("every X:B is ≤ 1: given as a fraction? X:B is the vol% of xylene (0–100); "
                   "the values were analysed as they are")
    n_p = data["polymer_wt_pct"].nunique()
    if n_p > 12:
        out.append(f"P% has {n_p} distinct levels (a design usually has a few, e.g. 3, 5, 7, 10 wt%); "
                   "decision maps are drawn at up to 12 levels across the range")
    if med["ls_ratio"] > 10:
        out.append(f"the median L:S is {med['ls_ratio']:g} µL/mg, far above the usual 0.5–2 µL/mg: check the unit")
    if med["conductivity_s_cm"] > 0.05:
        out.append(f"the median σ is {med['conductivity_s_cm']:g} S/cm, above any sulfide electrolyte film: "
                   "check the unit (mS/cm?)")
    if med["thickness_um"] < 1 or med["thickness_um"] > 5000:
        out.append(f"the median thickness is {med['thickness_um']:g} µm: check the unit (mm?)")
    return out


def load_films(
    path: str | Path,
    *,
    sheet: str | None = None,
    drop_invalid: bool = False,
    max_file_mb: float = DEFAULT_MAX_FILE_MB,
    required: tuple[str, ...] | None = None,
) -> FilmTable:
    """Read and validate a film table from CSV or XLSX.

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.txt``/``.tsv`` (comma, semicolon or tab separated) or
        ``.xlsx``/``.xlsm`` file with one row per film.
    sheet : str, optional
        XLSX sheet name (default: the first sheet).
    drop_invalid : bool, default False
        Exclude rows with problems instead of stopping; every excluded row is
        listed in ``FilmTable.excluded`` with its reason.
    max_file_mb : float, default 50
        Refuse larger files.
    required : tuple of str, optional
        Canonical columns that must be present (default: all required ones).

    Returns
    -------
    FilmTable

    Raises
    ------
    DataError
        With every problem found (file, row, column, value, expected).
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
    if suffix in (".xlsx", ".xlsm"):
        header, body = _read_xlsx(raw, source, sheet, notes)
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
        fast = _fast_csv(text, delimiter, decimal_comma, REQUIRED if required is None else required, notes)
        if fast is not None:
            data, n_rows = fast
            if decimal_comma and "," in text:
                notes.append("decimal commas were read as decimal points")
            return FilmTable(data=data, source=source, sha256=digest, n_rows=n_rows, excluded=(),
                             notes=tuple(notes + unusual(data)), path=str(p))
        header, body = _csv_rows(text, delimiter, source)
    data, excluded, notes2, n_rows = validate_films(
        header, body, source=source, decimal_comma=decimal_comma, drop_invalid=drop_invalid,
        required=required, notes=notes)
    if decimal_comma and any("," in str(c) for _, r in body for c in r):
        notes2 = notes2 + ("decimal commas were read as decimal points",)
    return FilmTable(data=data, source=source, sha256=digest, n_rows=n_rows,
                     excluded=excluded, notes=tuple(notes2) + tuple(unusual(data)), path=str(p))


def table_from_frame(df: pd.DataFrame, *, drop_invalid: bool = False, source: str = "<DataFrame>") -> FilmTable:
    """Validate an in-memory DataFrame the same way as a file (rows numbered from 2)."""
    header = [str(c) for c in df.columns]
    body = [(i + 2, list(r)) for i, r in enumerate(df.itertuples(index=False, name=None))]
    data, excluded, notes, n_rows = validate_films(header, body, source=source, drop_invalid=drop_invalid)
    return FilmTable(data=data, source=source, sha256=None, n_rows=n_rows, excluded=excluded,
                     notes=tuple(notes) + tuple(unusual(data)))
