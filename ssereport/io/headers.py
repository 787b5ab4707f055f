"""The header row: names -> canonical variables (aliases, ``[columns]``), units (Pint), a units row,
and the explanation of a missing variable.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass

from ..errors import Problem
from ..schema import ALIASES, READINGS, by_name, normalize_header
from ..units import HeaderUnit, header_unit, registry, unit_text

_PERCENT = re.compile(r"(?:wt|vol|w/w|v/v|mass)?\s*\.?\s*%|fraction", re.IGNORECASE)
_NO_UNIT_CELLS = {"-", "–", "—", "1", "a.u.", "unitless", "dimensionless", "none", "n/a"}


@dataclass
class Headers:
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

    @property
    def missing(self) -> list[str]:
        """Required variables not found (from the problems)."""
        return [p.column_missing for p in self.problems if isinstance(p, _Missing)]


@dataclass(frozen=True)
class _Missing(Problem):
    """A required variable with no header (explained by :func:`explain_missing`)."""

    column_missing: str = ""


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


def map_headers(header: list[str], *, required: tuple[str, ...], columns=None,
                implied: dict[int, str] | None = None, row_units: dict[int, str] | None = None,
                units_row: int | None = None) -> Headers:
    """Map each header to its variable and unit.

    ``row_units``: column position -> unit text from a units row (row number
    ``units_row``), used where the header carries none; a header unit that
    disagrees with it is a problem naming both.
    """
    mapping: dict[str, int] = {}
    problems: list[Problem] = []
    ignored: list[str] = []
    seen: dict[str, str] = {}
    units: dict[str, HeaderUnit] = {}
    mapped: dict[str, str] = {}
    implied = implied or {}
    row_units = row_units or {}
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
        from_row = row_units.get(j) if by_name(canon).numeric else None
        if from_row is not None:
            if unit is not None and not _same_unit(unit, from_row):
                problems.append(Problem(
                    f"the header says {unit!r} but the units row (row {units_row}) says {from_row!r}; expected "
                    "one unit per column — correct or delete one of them", column=str(h).strip()))
                continue
            unit = unit or (None if from_row.lower() in _NO_UNIT_CELLS else from_row)
        try:
            u = _column_unit(canon, str(h).strip(), unit, implied.get(j))
        except ValueError as exc:
            text = str(exc)
            if from_row is not None and unit_text(h) is None:
                text = text.replace("in the header", f"in the units row (row {units_row})")
            problems.append(Problem(text, column=str(h).strip()))
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
            problems.append(_Missing(
                f"required column {name!r} ({col.label}, {col.unit}) is missing; "
                f"expected a header {name!r} or one of {also}{hint}", column_missing=name))
    headers = {canon: str(header[j]).strip() for canon, j in mapping.items()}
    return Headers(mapping, problems, ignored, has_readings, units, headers, mapped)


def score_header(header: list[str], required: tuple[str, ...], columns=None) -> tuple[int, bool]:
    """(variables the header row names, whether it names every required one): to choose an XLSX sheet."""
    hd = map_headers(header, required=required, columns=columns)
    return len(hd.mapping), not hd.missing


# --------------------------------------------------------------------------- units row


def _same_unit(a: str, b: str) -> bool:
    if a.strip() == b.strip():
        return True
    try:
        q = registry().Quantity(1.0, a)
        return abs(float(q.to(b).magnitude) - 1.0) < 1e-9
    except Exception:  # Pint raises many kinds for text that is no unit
        return False


def _unit_cell(text: str) -> bool:
    """Whether a cell of the row under the header reads as a unit (Pint) or as 'no unit' ('-')."""
    text = text.strip().strip("()[]").strip()
    if not text:
        return False
    if text.lower() in _NO_UNIT_CELLS:
        return True
    if re.fullmatch(r"[+-]?[\d.,eE+-]+", text):  # a number is no unit
        return False
    if _PERCENT.fullmatch(text):  # the percent units a header may carry (see _column_unit)
        return True
    try:
        registry().Quantity(1.0, text)
    except Exception:  # Pint raises many kinds for text that is no unit
        return False
    return True


def units_row(header: list[str], body, *, required: tuple[str, ...], columns=None) -> dict[int, str] | None:
    """A units row right under the header (``wt% | µL/mg | vol% | µm | …``): column -> unit text, or None.

    The first non-blank row is a units row when every filled cell under a
    numeric variable reads as a unit with Pint (or as "no unit", ``-``), and at
    least two of them are units.
    """
    first = next(((r, cells) for r, cells in body if any(str(c).strip() for c in cells if c is not None)), None)
    if first is None:
        return None
    _, cells = first
    hd = map_headers(header, required=required, columns=columns)
    numeric = [j for c, j in hd.mapping.items() if by_name(c).numeric]
    texts = {j: ("" if j >= len(cells) or cells[j] is None else cells[j]) for j in numeric}
    if any(not isinstance(v, str) for v in texts.values()):
        return None  # a number in an XLSX cell
    filled = {j: v.strip() for j, v in texts.items() if v.strip()}
    if not all(_unit_cell(v) for v in filled.values()):
        return None
    if sum(v.strip("()[] ").lower() not in _NO_UNIT_CELLS for v in filled.values()) < 2:
        return None  # a film with '-' in its cells is a film, not a units row
    return {j: v.strip("()[] ") for j, v in filled.items()}


# --------------------------------------------------------------------------- a missing variable explained


def closest_header(variable: str, candidates: list[str]) -> tuple[str, float] | None:
    """The unrecognised header most like ``variable``'s name or aliases (difflib), with its score.

    A header that contains one of the variable's aliases as a word (``Binder P
    (wt%)`` holds ``binder``) scores at least 0.9, one with an abbreviation of 4
    letters or more (``Cond.``) at least 0.8; below 0.6 there is no suggestion.
    """
    col = by_name(variable)
    names = [normalize_header(n) for n in (variable, col.label, *col.aliases)]
    best = None
    for h in candidates:
        norm = normalize_header(h)
        words = set(re.findall(r"[^\s_()\[\]/,;]+", norm)) | {norm}
        score = max(difflib.SequenceMatcher(None, norm, n).ratio() for n in names)
        if any(n in words for n in names if len(n) >= 3):
            score = max(score, 0.9)
        elif any(n.startswith(w.rstrip(".")) for w in words if len(w.rstrip(".")) >= 4 for n in names):
            score = max(score, 0.8)  # an abbreviation: 'Cond.' for conductivity
        if best is None or score > best[1]:
            best = (h, score)
    return best if best is not None and best[1] >= 0.6 else None


def columns_line(header: str, variable: str) -> str:
    """The TOML line of a ``[columns]`` table mapping ``header`` to ``variable`` (JSON strings are TOML strings)."""
    return f"{json.dumps(header, ensure_ascii=False)} = {json.dumps(variable)}"


def explain_missing(hd: Headers, *, sheet: str | None = None, others: list[str] | None = None) -> list[Problem]:
    """The problems of a header row with required variables missing, in at most 5 lines.

    Which sheet was read (and the others), the missing variables, the headers
    found but not recognised, and for each missing variable the closest
    unrecognised header with the ``[columns]`` line that maps it.
    """
    out: list[Problem] = [p for p in hd.problems if not isinstance(p, _Missing)]
    missing = hd.missing
    if sheet is not None:
        also = (f"; the workbook also has {', '.join(repr(o) for o in others)} (choose one with --sheet NAME)"
                if others else "")
        out.append(Problem(f"read the sheet {sheet!r}{also}"))
    if len(missing) == 1:
        out.append(next(p for p in hd.problems if isinstance(p, _Missing)))
    else:
        names = ", ".join(f"{m!r} ({by_name(m).symbol})" for m in missing)
        hint = " — or map your headers to them in a [columns] table (--columns)" if hd.ignored else ""
        out.append(Problem(f"{len(missing)} required columns are missing: {names}; expected their names or "
                           f"aliases as headers (see docs/input-contract.md){hint}"))
    if hd.ignored:
        shown = ", ".join(repr(h) for h in hd.ignored[:12]) + (", …" if len(hd.ignored) > 12 else "")
        out.append(Problem(f"headers found but not recognised: {shown}"))
    pairs, taken = [], set()
    for m in missing:
        hit = closest_header(m, [h for h in hd.ignored if h not in taken])
        if hit is not None:
            pairs.append((m, hit[0]))
            taken.add(hit[0])
    for m, h in pairs[:2]:
        out.append(Problem(f"{h!r} is probably {m!r}: to map it, put this line in a [columns] table "
                           f"(--columns FILE): {columns_line(h, m)}"))
    if len(pairs) > 2:
        out.append(Problem("and in the same table: " + "; ".join(columns_line(h, m) for m, h in pairs[2:])))
    return out
