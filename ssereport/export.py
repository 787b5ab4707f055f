"""Per-film CSV export, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

__all__ = ["films_csv", "safe_cell"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Neutralise text that a spreadsheet would run as a formula (OWASP CSV injection).

    Text starting with ``= + - @`` (or a tab / carriage return) gets a leading
    apostrophe, which spreadsheets show as plain text. Numbers are left alone.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> safe_cell(-0.5)
    -0.5
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def films_csv(results) -> str:
    """One row per analysed film: ID, spreadsheet row, class, conditions and measurements.

    Columns: ``sample_id, row, class, polymer_wt_pct, ls_ratio, xylene_vol_pct,
    thickness_um, density_g_cm3, resistance_ohm, conductivity_s_cm, dot_um, rd``.
    """
    from .schema import FILM_VARIABLES

    d = results.data
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["sample_id", "row", "class", *FILM_VARIABLES])
    for row, rec in zip(d.index, d.to_dict(orient="records")):
        w.writerow([safe_cell(rec["sample_id"]), int(row), int(rec["class"]),
                    *(repr(float(rec[v])) for v in FILM_VARIABLES)])
    return buf.getvalue()
