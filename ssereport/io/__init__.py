"""Loading and validating film tables (CSV, XLSX).

Every problem in a file is collected and reported at once, naming the file, the
row as the user counts it in the spreadsheet (header = row 1), the column as
written in the file, the value received and what was expected.

One module per concern, one message vocabulary:

* :mod:`~ssereport.io.read` — bytes -> cells: size and binary checks, decoding,
  the CSV dialect (:class:`csv.Sniffer`), pandas' fast reader, XLSX sheets;
* :mod:`~ssereport.io.headers` — header names, units (Pint), a units row,
  ``[columns]``, and the explanation of a missing variable;
* :mod:`~ssereport.io.validate` — cells, ranges, IDs, the 9 readings -> DoT/RD,
  with the same checks for the fast path and the careful path;
* :mod:`~ssereport.io.diagnose` — one message per systematic problem, and notes
  on unusual values;
* this module — :class:`FilmTable` and :func:`load_films`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..schema import COLUMNS, REQUIRED, by_name
from ..units import HeaderUnit
from . import read
from .diagnose import unused_mapping, unusual
from .headers import map_headers, score_header
from .read import DEFAULT_MAX_FILE_MB, csv_rows
from .validate import CONSISTENCY_RTOL, Exclusion, derive, validate, validate_films, validate_frame

__all__ = ["FilmTable", "Exclusion", "load_films", "validate_films", "table_from_frame", "DEFAULT_MAX_FILE_MB",
           "CONSISTENCY_RTOL", "unusual"]

#: Kept for callers of the former single module.
_csv_rows = csv_rows


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
        from ..display import film_table_repr

        return film_table_repr(self)

    def _repr_html_(self) -> str:
        """Provenance, the first rows, excluded rows and notes, for Jupyter (:mod:`ssereport.display`)."""
        from ..display import film_table_html

        return film_table_html(self)


def _fast_csv(text: str, delimiter: str, decimal_comma: bool, required, notes: list[str], columns=None):
    """A clean CSV read by pandas and checked column by column; None if anything needs the careful path."""
    header = read.first_line(text, delimiter)
    if header is None:
        return None
    hd = map_headers(header, required=required, columns=columns)
    if hd.problems:
        return None
    numeric = {c for c in hd.mapping if by_name(c).numeric}
    cols = read.read_csv_fast(text, delimiter, header, hd.mapping, numeric, decimal_comma)
    if cols is None:
        return None
    data = validate_frame(cols, hd)
    if data is None:
        return None
    if hd.ignored:
        notes.append("columns not used by ssereport were ignored: " + ", ".join(repr(c) for c in hd.ignored))
    notes.extend(hd.unit_notes())
    derive(data, hd.mapping, hd.has_readings, notes)
    order = [c.name for c in COLUMNS if c.name in data.columns]
    data = data[order]
    for c in order:
        data[c] = data[c].astype("float64" if by_name(c).numeric else "str")
    return data, len(data), hd


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
        Refuse larger files (MiB, 2**20 bytes).
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
    suffix = p.suffix.lower()
    if suffix in (".xls", ".ods", ".numbers"):
        raise DataError(f"{suffix} files are not supported; expected .csv or .xlsx (save the sheet as .xlsx)",
                        source)
    xlsx = suffix in (".xlsx", ".xlsm")
    raw = read.read_checked(p, source, max_file_mb, xlsx=xlsx)
    digest = read.sha256(raw)
    notes: list[str] = []
    req = REQUIRED if required is None else required
    implied = sheet_read = others = None
    if xlsx:
        header, body, implied, sheet_read, others = read.read_xlsx(
            raw, source, sheet, notes, lambda h: score_header(h, req, columns))
        decimal_comma = False
    else:
        if raw[:4] == b"PK\x03\x04":
            raise DataError("this looks like an XLSX workbook with a wrong extension; rename it to .xlsx", source)
        text = read.decode(raw, notes)
        del raw
        delimiter = read.sniff(text, source)
        if delimiter != ",":
            notes.append({";": "semicolon", "\t": "tab"}[delimiter] + "-separated file")
        decimal_comma = delimiter != ","
        fast = _fast_csv(text, delimiter, decimal_comma, req, notes, columns)
        if fast is not None:
            data, n_rows, hd = fast
            if decimal_comma and "," in text:
                notes.append("decimal commas were read as decimal points")
            return FilmTable(data=data, source=source, sha256=digest, n_rows=n_rows, excluded=(),
                             notes=tuple(notes + unused_mapping(columns, hd) + unusual(data, hd)),
                             path=str(p), headers=hd.headers, units=hd.units, mapped=hd.mapped)
        header, body = csv_rows(text, delimiter, source)
    v = validate(header, body, source=source, decimal_comma=decimal_comma, drop_invalid=drop_invalid,
                 required=required, notes=notes, columns=columns, implied=implied, sheet=sheet_read,
                 others=others)
    return FilmTable(data=v.data, source=source, sha256=digest, n_rows=v.n_rows, excluded=v.excluded,
                     notes=v.notes + tuple(unused_mapping(columns, v.headers) + unusual(v.data, v.headers)),
                     path=str(p), headers=v.headers.headers, units=v.headers.units, mapped=v.headers.mapped)


def table_from_frame(df: pd.DataFrame, *, drop_invalid: bool = False, source: str = "<DataFrame>") -> FilmTable:
    """Validate an in-memory DataFrame the same way as a file (rows numbered from 2)."""
    header = [str(c) for c in df.columns]
    body = [(i + 2, list(r)) for i, r in enumerate(df.itertuples(index=False, name=None))]
    v = validate(header, body, source=source, decimal_comma=False, drop_invalid=drop_invalid, required=None,
                 notes=None)
    return FilmTable(data=v.data, source=source, sha256=None, n_rows=v.n_rows, excluded=v.excluded,
                     notes=tuple(v.notes) + tuple(unusual(v.data, v.headers)), headers=v.headers.headers,
                     units=v.headers.units, mapped=v.headers.mapped)
