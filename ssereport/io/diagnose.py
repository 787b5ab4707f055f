"""Diagnoses: one message for a flood of cell problems with one cause, and notes on unusual values.

The checks themselves are in :mod:`ssereport.io.validate`; here their problems
are grouped (the same problem in many rows, a column of RD in percent, a units
row, the real header further down) and valid but unusual values are noted.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import Problem, row_ranges
from ..schema import ALIASES, by_name, normalize_header
from .headers import Headers

#: More cells than this failing for the same reason in one column are one line (count, first rows, example).
MANY_CELLS = 20


def collapse(problems: list[Problem], n_records: int) -> list[Problem]:
    """Group problems so that a systematic one is one line.

    The same problem (column, message, value) in several rows is one problem
    listing the rows. The same message with different values in one column,
    for more than :data:`MANY_CELLS` cells or for at least 5 cells and half the
    rows, is one line: the count, the first rows and one example.
    """
    by_reason: dict[tuple, list[Problem]] = {}
    for p in problems:
        if p.row is not None and not p.rows and p.column is not None:
            by_reason.setdefault((p.column, p.message), []).append(p)
    systematic = {key for key, group in by_reason.items()
                  if len({p.value for p in group}) > 1  # one value in every row: one line listing the rows
                  and (len(group) > MANY_CELLS or (len(group) >= 5 and 2 * len(group) >= n_records))}
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        if p.row is not None and not p.rows and (p.column, p.message) in systematic:
            key = ("reason", p.column, p.message)
        elif p.row is not None and not p.rows:
            key = (p.column, p.message, p.value)
        else:
            key = (id(p),)
        groups.setdefault(key, []).append(p)
    out = []
    for key, group in groups.items():
        first = group[0]
        if key[0] == "reason":
            rows = [p.row for p in group]
            shown = row_ranges(rows[:5]) + (", …" if len(rows) > 5 else "")
            what, _, expected = first.message.partition("; expected")
            out.append(Problem(f"{what} in {len(group)} cells (rows {shown}; e.g. row {first.row}: {first.value!r})"
                               + (f"; expected{expected}" if expected else ""), column=first.column))
        elif len(group) == 1:
            out.append(first)
        else:
            out.append(Problem(first.message, row=first.row, column=first.column, value=first.value,
                               rows=tuple(p.row for p in group)))
    return out


_UNIT_WORDS = re.compile(r"^[\s\[\(]*(wt ?%|vol ?%|%|µl/mg|ul/mg|µm|um|g/cm3|g/cm³|ω|ohm|s/cm|-|–|µl|mg|mm|"
                         r"unit|units|\(.*\))[\s\]\)]*$", re.IGNORECASE)


def header_further_down(header, body, mapping, required) -> Problem | None:
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


def explain_patterns(row_problems, records, rownums, body, mapping, header_of) -> None:
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
            and sum(bool(_UNIT_WORDS.match(t)) for t in texts if t) >= max(2, len(probs) // 2)
            and sum(t not in ("-", "–") for t in texts if t) >= 2):  # a film of dashes is a film
        filled = [repr(t) for t in texts if t]
        shown = ", ".join(filled[:6]) + (", …" if len(filled) > 6 else "")
        row_problems[first] = [Problem(
            f"looks like a units row ({shown}), but not every cell is a unit ssereport can read; write units "
            "such as 'µL/mg' and '-' for none, or put the units in the header instead, e.g. 'L:S (µL/mg)'",
            first)]
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


def unusual(data: pd.DataFrame, hd: Headers | None = None) -> list[str]:
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


def unused_mapping(columns, hd: Headers) -> list[str]:
    unused = [k for k in (columns or {}) if k not in hd.mapped.values()]
    return ([f"[columns] entries that match no header in the file: {', '.join(repr(k) for k in unused)}"]
            if unused else [])


