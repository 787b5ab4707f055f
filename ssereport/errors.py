"""Exceptions raised by ssereport.

Every message says what was wrong, where (file, row, column), what was received
and what was expected, so that it can be shown to a user as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ConfigError", "DataError", "HistoryError", "ModelError", "Problem", "RenderError"]


@dataclass(frozen=True)
class Problem:
    """One problem found in an input table.

    Attributes
    ----------
    message : str
        What is wrong and what was expected.
    row : int or None
        Row as the user counts it in the spreadsheet (header = row 1), or None
        for a problem with the whole table or a column.
    column : str or None
        Column header as written in the file.
    value : str or None
        The value received, as text.
    rows : tuple of int
        Several rows with the same problem (one message for all of them).
    """

    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    rows: tuple[int, ...] = ()

    def format(self, source: str | None = None) -> str:
        where = []
        if source:
            where.append(source)
        if self.rows:
            where.append(f"{len(self.rows)} rows ({row_ranges(self.rows)})")
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        got = f"got {self.value!r}, " if self.value is not None else ""
        body = f"{got}{self.message}"
        return f"{prefix}: {body}" if prefix else body


def row_ranges(rows) -> str:
    """Row numbers as short ranges: ``[2, 3, 4, 7]`` -> ``'2–4, 7'``."""
    if not rows:
        return ""
    rows = sorted(set(rows))
    parts: list[str] = []
    start = prev = rows[0] if rows else None
    for r in rows[1:] + [None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        parts.append(str(start) if start == prev else f"{start}–{prev}")
        start = prev = r
    return ", ".join(parts)


class DataError(ValueError):
    """The input data cannot be analysed as it is.

    Parameters
    ----------
    problems : list of Problem or str
        Every problem found (not only the first).
    source : str, optional
        File name shown in front of each problem.
    """

    def __init__(self, problems, source: str | None = None):
        if isinstance(problems, (str, Problem)):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(
            p if isinstance(p, Problem) else Problem(str(p)) for p in problems
        )
        self.source = source
        super().__init__(self._text())

    def _text(self) -> str:
        lines = [p.format(self.source) for p in self.problems]
        if len(lines) == 1:
            return lines[0]
        head = f"{len(lines)} problems in {self.source}:" if self.source else f"{len(lines)} problems:"
        return "\n".join([head] + [f"  - {line}" for line in lines])


class ConfigError(ValueError):
    """An option or configuration value is not valid."""


class HistoryError(ConfigError):
    """The batch history database cannot be opened, is locked past the timeout, is corrupt, or refused a write.

    A :class:`ConfigError` (a ``--db`` to fix, a lock to wait for, a file to
    move away), so every command reports it as one message with exit code 2;
    the batch whose judgement it could not record gets no report files.
    """


class ModelError(ValueError):
    """A model file is missing, not a model, of another version, truncated or edited."""


class RenderError(RuntimeError):
    """A report template could not be turned into a document (a Typst error).

    Not a problem of the user's data: the message names the template and the
    layout engine's message, for a bug report.
    """
