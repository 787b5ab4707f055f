"""Cells -> a checked film table: numbers, ranges, IDs, the 9 readings -> thickness, DoT and RD.

One set of checks (:func:`in_range`, :func:`readings_stats`, :func:`disagrees`,
:func:`summary_word`) serves both paths: :func:`validate_frame` applies them
column by column to a clean table read by pandas and answers None at the first
irregularity; :func:`validate` applies them cell by cell and explains every
problem.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ..schema import COLUMNS, READINGS, REQUIRED, by_name
from . import diagnose
from .headers import Headers, explain_missing, map_headers, units_row

#: Relative tolerance between given thickness/DoT/RD and the values from the 9 readings.
CONSISTENCY_RTOL = 0.01
#: Absolute tolerance of each value computed from the readings (rounding in the file).
_READINGS_ATOL = {"thickness_um": 1e-3, "dot_um": 1e-3, "rd": 1e-5}

_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DEC_COMMA = re.compile(r"^[+-]?\d+,\d+([eE][+-]?\d+)?$")
_DEC_POINT = re.compile(r"^[+-]?\d*\.\d+([eE][+-]?\d+)?$")
_RATIO = re.compile(r"^\s*(\d+(?:\.\d*)?)\s*:\s*(\d+(?:\.\d*)?)\s*$")
#: First cell of a row of statistics typed below the films.
_SUMMARY_WORDS = frozenset({
    "mean", "average", "avg", "ave", "sd", "std", "stdev", "std dev", "std. dev", "standard deviation", "se", "sem",
    "median", "min", "max", "minimum", "maximum", "total", "sum", "count", "n", "cv", "rsd", "variance", "var",
    "mean ± sd", "mean±sd", "mittelwert", "summe", "moyenne", "total:", "range"})


@dataclass(frozen=True)
class Exclusion:
    """A row left out of the analysis (only with ``drop_invalid=True``)."""

    row: int
    sample_id: str | None
    reason: str


# --------------------------------------------------------------------------- the shared checks


def in_range(x, col):
    """Whether ``x`` (a number or an array) is finite and within the column's valid range."""
    x = np.asarray(x, dtype="float64")
    ok = np.isfinite(x)
    if col.low is not None:
        ok &= (x > col.low) if col.low_open else (x >= col.low)
    if col.high is not None:
        ok &= (x < col.high) if col.high_open else (x <= col.high)
    return ok


def readings_stats(readings) -> dict[str, np.ndarray]:
    """Thickness (mean), DoT (sample SD, n − 1) and RD (SD / mean) of each row of 9 readings."""
    r = np.atleast_2d(np.asarray(readings, dtype="float64"))
    mean = r.mean(axis=1)
    sd = r.std(axis=1, ddof=1)
    return {"thickness_um": mean, "dot_um": sd, "rd": sd / mean}


def disagrees(name: str, given, computed):
    """Whether a given thickness/DoT/RD differs from the one computed from the readings by more than 1 %."""
    given, computed = np.asarray(given, dtype="float64"), np.asarray(computed, dtype="float64")
    return np.abs(given - computed) > np.maximum(CONSISTENCY_RTOL * np.abs(computed), _READINGS_ATOL[name])


def summary_word(cells) -> str | None:
    """The word of a row of statistics (``Mean``, ``SD`` …) in these cells, or None."""
    for c in cells:
        text = "" if c is None else str(c).strip()
        if text and text.lower().rstrip(":. ") in _SUMMARY_WORDS:
            return text
    return None


def parse_number(value, decimal_comma: bool) -> float | None:
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


def decimal_columns(body, hd: Headers) -> tuple[dict[str, str], list[Problem]]:
    """Numeric columns written with decimal commas (-> one such cell), and one problem per column that mixes
    both conventions.

    A column is read with decimal commas when some text cells hold a number
    with a decimal comma (``"0,95"``) and none a number with a decimal point.
    """
    comma: dict[str, str] = {}
    problems = []
    for canon, j in hd.mapping.items():
        if not by_name(canon).numeric:
            continue
        with_comma = with_point = None
        for rownum, cells in body:
            v = cells[j] if j < len(cells) else None
            if not isinstance(v, str):
                continue
            text = v.strip()
            if with_comma is None and _DEC_COMMA.match(text):
                with_comma = (rownum, text)
            elif with_point is None and _DEC_POINT.match(text):
                with_point = (rownum, text)
            if with_comma and with_point:
                break
        if with_comma and with_point:
            problems.append(Problem(
                f"mixes decimal commas and decimal points (row {with_comma[0]}: {with_comma[1]!r}, row "
                f"{with_point[0]}: {with_point[1]!r}); expected one convention in a column — write every number "
                "with a decimal point", column=hd.headers[canon]))
        elif with_comma:
            comma[canon] = with_comma[1]
    return comma, problems


# --------------------------------------------------------------------------- the fast path


def validate_frame(columns: dict[str, pd.Series], hd: Headers) -> pd.DataFrame | None:
    """The checks of :func:`validate`, column by column, on a table read by pandas; None if any fails.

    Any unparseable, missing, non-finite or out-of-range value, an empty or
    duplicate ID, a row of statistics last, or readings that disagree returns
    None, and :func:`validate` produces the exact messages. Both give identical
    data for a clean file.
    """
    out = {}
    for canon, col in columns.items():
        c = by_name(canon)
        if c.numeric:
            x = col.to_numpy(dtype="float64")
            if canon in hd.units:
                x = hd.units[canon].convert(x)
            if not in_range(x, c).all():
                return None
            out[canon] = x
        else:
            v = col.astype("str").str.strip()
            if canon == "sample_id" and ((v == "").any() or not v.is_unique
                                         or summary_word([v.iloc[-1]]) is not None):  # a Mean row last
                return None
            out[canon] = v.to_numpy()
    data = pd.DataFrame(out)
    data.index = pd.Index(np.arange(2, len(data) + 2), name="row")
    if hd.has_readings:
        computed = readings_stats(data[list(READINGS)].to_numpy())
        for name, value in computed.items():
            if name in data.columns:
                if disagrees(name, data[name].to_numpy(), value).any():
                    return None
            else:
                data[name] = value
        if np.any(data["rd"].to_numpy() >= 1):
            return None
    return data


# --------------------------------------------------------------------------- the careful path


@dataclass
class Validated:
    data: pd.DataFrame
    excluded: tuple[Exclusion, ...]
    notes: tuple[str, ...]
    n_rows: int
    headers: Headers


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
    v = validate(header, body, source=source, decimal_comma=decimal_comma, drop_invalid=drop_invalid,
                 required=required, notes=notes, columns=columns)
    return v.data, v.excluded, v.notes, v.n_rows


def _units_row(header, body, required, columns, notes):
    """(units by column, row number) of a units row under the header, which is taken out of ``body``."""
    found = units_row(header, body, required=required, columns=columns)
    if found is None:
        return None, None, body
    k = next(i for i, (_, cells) in enumerate(body) if any(str(c).strip() for c in cells if c is not None))
    rownum = body[k][0]
    shown = ", ".join(repr(u) for u in list(found.values())[:6]) + (", …" if len(found) > 6 else "")
    notes.append(f"row {rownum} is a units row ({shown}): its units were used for the columns above them, "
                 "read by Pint as units in the header are")
    return found, rownum, body[:k] + body[k + 1:]


def validate(header, body, *, source, decimal_comma, drop_invalid, required, notes, columns=None,
             implied=None, sheet=None, others=None) -> Validated:
    """Every check of every cell, each problem named with its row, column, value and what was expected.

    ``sheet``/``others``: the XLSX sheet read and the workbook's other sheets, named when a required
    variable is missing.
    """
    notes = list(notes or [])
    required = REQUIRED if required is None else required
    row_units, units_rownum, body = _units_row(header, body, required, columns, notes)
    hd = map_headers(header, required=required, columns=columns, implied=implied, row_units=row_units,
                     units_row=units_rownum)
    mapping, table_problems, ignored, has_readings = hd.mapping, hd.problems, hd.ignored, hd.has_readings
    if ignored:
        notes.append("columns not used by ssereport were ignored: " + ", ".join(repr(c) for c in ignored))
    if table_problems:
        hint = diagnose.header_further_down(header, body, mapping, required)
        if hint:
            raise DataError([hint], source)
        raise DataError(explain_missing(hd, sheet=sheet, others=others) if hd.missing else table_problems, source)
    notes.extend(hd.unit_notes())
    comma_cols, mixed = decimal_columns(body, hd)
    if mixed:
        raise DataError(mixed, source)
    if comma_cols and not decimal_comma:
        first = min(comma_cols, key=mapping.get)
        more = f" and {len(comma_cols) - 1} other column(s)" if len(comma_cols) > 1 else ""
        notes.append(f"decimal commas were read as decimal points (quoted numbers such as {comma_cols[first]!r} "
                     f"in column {hd.headers[first]!r}{more})")
    elif comma_cols:
        notes.append("decimal commas were read as decimal points")

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
                x = parse_number(raw, decimal_comma or canon in comma_cols)
            if x is None:
                probs.append(Problem(f"not a number; expected {col.expected}", rownum,
                                     header_of[canon], _describe(raw)))
                continue
            if unit is not None and unit.converts:
                x = unit.convert(x)
            if not in_range(x, col):
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

    summary = _summary_rows(rownums, body)
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

    diagnose.explain_patterns(row_problems, records, rownums, body, mapping, header_of)
    excluded: list[Exclusion] = []
    if row_problems or summary:
        if not drop_invalid:
            probs = diagnose.collapse([p for r in sorted(row_problems) for p in row_problems[r]], len(records))
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
    derive(data, mapping, has_readings, notes)
    order = [c.name for c in COLUMNS if c.name in data.columns]
    data = data[order]
    for c in order:
        data[c] = data[c].astype("float64" if by_name(c).numeric else "str")
    return Validated(data, tuple(excluded), tuple(notes), len(records) + len(excluded), hd)


def _summary_rows(rownums, body) -> dict[int, str]:
    """Rows of statistics (Mean, SD, Total, …) at the end of the table: row -> the word found."""
    cells_of = dict(body)
    found: dict[int, str] = {}
    for rownum in reversed(rownums):
        word = summary_word(cells_of.get(rownum, []))
        if word is None:
            break
        found[rownum] = word
    return dict(sorted(found.items()))


def derive(data: pd.DataFrame, mapping, has_readings: bool, notes: list[str]) -> None:
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
    computed = {k: float(v[0]) for k, v in readings_stats(vals).items()}
    probs = []
    for name, value in computed.items():
        if name in rec:
            given = rec[name]
            if disagrees(name, given, value):
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
