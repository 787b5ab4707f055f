"""The report vocabulary: what every ssereport document is made of.

A *document* (the study report, a batch report, the batch index, the
suggestion and comparison reports) is an ordered :class:`SectionRegistry` of
:class:`Section` objects. A section's ``build`` function turns the document's
input (results, figures) into a typed, frozen object — a dataclass holding
strings (already formatted for people), :class:`Table` and :class:`Figure`
objects and lists of them — which its HTML partial (Jinja) and Typst partial
display; templates never compute.

Modelled on great_tables (a frozen description of what is shown, handed to
renderers) and on ydata-profiling's ``report/structure`` layer.

Jinja reads a dataclass's fields as attributes, as it reads a dict's keys, so
a partial written for a dict displays the dataclass unchanged; the Typst
renderer receives the same objects as JSON through :func:`plain`.

Examples
--------
>>> t = Table(headers=("Variable", "n"), rows=(("σ", "110"),), caption="Counts.")
>>> t.numeric
(False, True)
>>> plain(t)["rows"]
[['σ', '110']]
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

__all__ = ["Figure", "KeyValue", "Section", "SectionRegistry", "Table", "plain", "shown", "toc"]

#: Roles of a section object's field for the generic renderers (:mod:`ssereport.report.markdown`): ``text``
#: (paragraphs, tables, figures, lists), ``result`` (the section's findings, set apart), ``heading`` (a list
#: item's name, set in bold) and ``hidden`` (for the partials only: flags, counts, values shown elsewhere).
ROLES = ("text", "result", "heading", "hidden")


def shown(*, title: str = "", role: str = "text", **field_options: Any) -> Any:
    """A field of a section object, with how the generic renderers show it.

    Parameters
    ----------
    title : str
        A subheading the generic renderers set before the field's content (none when the content is empty).
    role : {"text", "result", "heading", "hidden"}
        See :data:`ROLES`.
    **field_options
        Passed to :func:`dataclasses.field` (``default=``, ``default_factory=``).

    Examples
    --------
    >>> @dataclass(frozen=True)
    ... class Outliers:
    ...     result: str = shown(role="result")
    ...     films: Table = shown(title="Outlying films")
    >>> dataclasses.fields(Outliers)[1].metadata["title"]
    'Outlying films'
    """
    if role not in ROLES:
        raise ValueError(f"role: got {role!r}, expected one of {ROLES}")
    return field(metadata={"title": title, "role": role}, **field_options)


@dataclass(frozen=True, eq=False)
class KeyValue:
    """A labelled value in a list: a key number, a provenance entry, a setting.

    Attributes
    ----------
    label, value : str
        Shown as ``label: value``.
    mono : bool
        Set the value in the monospaced font (checksums, file names).
    """

    label: str = shown(role="heading")
    value: str = shown()
    mono: bool = shown(role="hidden", default=False)


@dataclass(frozen=True, eq=False)
class Table:
    """A table as a document shows it: every cell already a string.

    Parameters
    ----------
    headers : sequence of str
        Column headers, each with its unit (``σ (S/cm)``).
    rows : sequence of sequence
        Cells; converted to ``str``.
    caption, note : str
        Shown above and below the table.
    numeric : sequence of bool, optional
        Right-aligned columns; default: every column but the first.
    cls : str
        An extra CSS class of the HTML table.
    """

    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    caption: str = ""
    note: str = ""
    numeric: Sequence[bool] | None = None
    cls: str = ""

    def __post_init__(self) -> None:
        headers = tuple(str(h) for h in self.headers)
        rows = tuple(tuple(str(c) for c in r) for r in self.rows)
        for i, r in enumerate(rows):
            if len(r) != len(headers):
                raise ValueError(f"table {self.caption!r}: row {i} has {len(r)} cells, expected {len(headers)} "
                                 f"(one per header)")
        numeric = (tuple(bool(x) for x in self.numeric) if self.numeric is not None
                   else (False,) + (True,) * (len(headers) - 1))
        if len(numeric) != len(headers):
            raise ValueError(f"table {self.caption!r}: numeric has {len(numeric)} flags, expected {len(headers)}")
        object.__setattr__(self, "headers", headers)
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "numeric", numeric)


@dataclass(frozen=True, eq=False)
class Figure:
    """A drawn figure as a document shows it.

    Attributes
    ----------
    key : str
        The figure registry's key.
    svg : Markup or None
        Inline SVG written by matplotlib from our own numbers (trusted
        markup); ``None`` when the figure could not be drawn (the document
        then shows a note).
    alt : str
        What the figure shows, with its key numbers.
    caption : str
        One sentence naming the units.
    """

    key: str
    svg: Markup | None = None
    alt: str = ""
    caption: str = ""

    @property
    def available(self) -> bool:
        return self.svg is not None

    @classmethod
    def from_output(cls, key: str, output: Any | None) -> Figure:
        """From a drawn figure (anything with ``svg``, ``alt``, ``caption``), or a missing one."""
        if output is None or not getattr(output, "svg", None):
            return cls(key=key)
        svg = str(output.svg)
        start = svg.find("<svg")
        svg = svg[start:] if start > 0 else svg  # drop an XML declaration / DOCTYPE before <svg
        return cls(key=key, svg=Markup(svg), alt=str(getattr(output, "alt", "") or key),
                   caption=str(getattr(output, "caption", "") or ""))


@dataclass(frozen=True)
class Section:
    """One section of a document.

    Parameters
    ----------
    id : str
        Anchor and context key (``[a-z][a-z0-9_]*``).
    title : str
        Heading and table-of-contents entry; the number comes from the order.
    build : callable
        ``build(input) -> object``: what the partials display (a frozen
        dataclass of strings, :class:`Table` and :class:`Figure`).
    html : str or Path, optional
        Jinja partial: a template name under ``ssereport/templates`` (default
        ``sections/_<id>.html.j2``) or a file path.
    typst : str or Path, optional
        Typst partial defining ``render(sec, s)``: a template name (default
        ``sections/<id>.typ``) or a file path.
    """

    id: str
    title: str
    build: Callable[[Any], Any] = field(repr=False)
    html: str | Path | None = None
    typst: str | Path | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(self.id)):
            raise ValueError(f"section id: got {self.id!r}, expected lower-case letters, digits and '_', "
                             "starting with a letter")
        if not callable(self.build):
            raise TypeError(f"section {self.id!r}: build must be callable, got {type(self.build).__name__}")

    @property
    def html_template(self) -> str | Path:
        return self.html if self.html is not None else f"sections/_{self.id}.html.j2"

    @property
    def typst_template(self) -> str | Path:
        return self.typst if self.typst is not None else f"sections/{self.id}.typ"


class SectionRegistry:
    """The ordered sections of a document; iterate it for :class:`Section` objects.

    The order is fixed where the registry is created; :meth:`register` adds a
    section (a plug-in, or a test's dummy), :meth:`added` does so for the
    duration of a ``with`` block.
    """

    def __init__(self, sections: Sequence[Section] = ()) -> None:
        self._sections: tuple[Section, ...] = ()
        self._lock = threading.Lock()
        for s in sections:
            self.register(s)

    def __iter__(self) -> Iterator[Section]:
        return iter(self._sections)

    def __len__(self) -> int:
        return len(self._sections)

    def __getitem__(self, section_id: str) -> Section:
        for s in self._sections:
            if s.id == section_id:
                return s
        raise KeyError(f"no section {section_id!r}; expected one of {self.ids()}")

    def __repr__(self) -> str:
        return f"SectionRegistry({', '.join(self.ids())})"

    def ids(self) -> list[str]:
        return [s.id for s in self._sections]

    def register(self, section: Section, *, before: str | None = None) -> Section:
        """Add ``section`` at the end, or just before the section ``before``.

        Raises
        ------
        ValueError
            If a section with the same id is registered, or ``before`` is unknown.
        """
        with self._lock:
            ids = self.ids()
            if section.id in ids:
                raise ValueError(f"section {section.id!r} is registered already; expected a new id")
            if before is None:
                self._sections = (*self._sections, section)
            elif before not in ids:
                raise ValueError(f"before: got {before!r}, expected one of {ids}")
            else:
                i = ids.index(before)
                self._sections = (*self._sections[:i], section, *self._sections[i:])
        return section

    def unregister(self, section_id: str) -> Section:
        """Remove and return the section ``section_id``."""
        with self._lock:
            section = self[section_id]
            self._sections = tuple(s for s in self._sections if s.id != section_id)
        return section

    @contextlib.contextmanager
    def added(self, section: Section, *, before: str | None = None) -> Iterator[Section]:
        """Register ``section`` inside a ``with`` block only."""
        self.register(section, before=before)
        try:
            yield section
        finally:
            self.unregister(section.id)

    def toc(self) -> list[dict[str, Any]]:
        """The table of contents of these sections (see :func:`toc`)."""
        return toc(self._sections)


def toc(sections: Iterable[Section]) -> list[dict[str, Any]]:
    """``[{"id", "number", "title", "html", "typst"}]``: numbers from the order, starting at 1, and each
    section's HTML and Typst partial (a template name or a file path, as text)."""
    return [{"id": s.id, "number": i, "title": s.title, "html": str(s.html_template),
             "typst": str(s.typst_template)} for i, s in enumerate(sections, start=1)]


def plain(obj: Any) -> Any:
    """Dataclasses (:class:`Table`, :class:`Figure`, a section's object) as dicts, recursively.

    What the Typst renderer writes as JSON. A :class:`Figure` keeps its SVG as
    ``Markup`` under ``"svg"`` and gains ``"available"``; tuples become lists;
    everything else passes unchanged.
    """
    if isinstance(obj, Markup):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.repr or f.name != "build"}
        if isinstance(obj, Figure):
            out["available"] = obj.available
        return out
    if isinstance(obj, Mapping):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    return obj
