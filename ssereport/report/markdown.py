"""Any section object as Markdown: what the Quarto document (``templates/report.qmd``) prints.

One generic walk over what a section's ``build`` returned (see
:mod:`ssereport.report.vocab`): its fields in order, each shown by its type —
a string as a paragraph, a list of strings as paragraphs, a
:class:`~ssereport.report.vocab.Table` as a pipe table with its caption and
note, a :class:`~ssereport.report.vocab.Figure` as an image file with its alt
text and caption, a list of small dataclasses (key numbers, settings,
methods, references) as a bulleted list, a nested object by the same walk. A
field's :func:`~ssereport.report.vocab.shown` metadata adds a subheading
(``title``), sets a finding apart as a quote (``role="result"``) or leaves it
to the partials (``role="hidden"``). So the ``.qmd`` holds no per-section code:
a section added to the registry shows there as it is.

Every string is escaped (:func:`md`): titles, sample IDs and sentences show
literally, never as Markdown or HTML.

Examples
--------
>>> from ssereport.report.vocab import Table
>>> print(section_markdown({"result": "3 < 4 *films*", "t": Table(["a", "n"], [["x", 1]])}, fig_dir=None))
> 3 \\< 4 \\*films\\*
<BLANKLINE>
| a | n |
|:---|---:|
| x | 1 |
<BLANKLINE>
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .vocab import Figure, Table

__all__ = ["document_markdown", "md", "md_figure", "md_table", "section_markdown"]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+!|$@~^&])")


def md(text: Any) -> str:
    """Escape text (titles, sample IDs, sentences) so Markdown shows it literally."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def md_table(t: Table) -> str:
    """A table as a Markdown pipe table with its caption and note (an empty table: its caption and "none")."""
    if not t.rows:
        return f"*{md(t.caption.rstrip('.') or 'Table')}: none.*\n"
    head = "| " + " | ".join(md(h) for h in t.headers) + " |"
    align = "|" + "|".join("---:" if n else ":---" for n in t.numeric) + "|"
    rows = ["| " + " | ".join(md(c) for c in row) + " |" for row in t.rows]
    out = "\n".join([head, align, *rows])
    if t.caption:
        out += f"\n\n: {md(t.caption)}"
    if t.note:
        out += f"\n\n*{md(t.note)}*"
    return out + "\n"


def md_figure(f: Figure, fig_dir: Path | None) -> str:
    """Write a figure's SVG to ``fig_dir/<key>.svg`` and reference it with its alt text and caption."""
    if not f.available or fig_dir is None:
        return f"*Figure {md(f.key)} could not be drawn for these data.*\n"
    fig_dir = Path(fig_dir)
    fig_dir.mkdir(parents=True, exist_ok=True)
    path = fig_dir / f"{f.key}.svg"
    path.write_text(str(f.svg), encoding="utf-8")
    alt = str(f.alt).replace('"', "'")
    return f'![{md(f.caption)}]({path.as_posix()}){{fig-alt="{md(alt)}"}}\n'


def _fields(obj: Any) -> list[tuple[Any, str, str]]:
    """``(value, title, role)`` of each field of a dataclass or mapping, in order."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [(getattr(obj, f.name), f.metadata.get("title", ""), f.metadata.get("role", "text"))
                for f in dataclasses.fields(obj)]
    if isinstance(obj, Mapping):
        return [(v, "", "result" if k == "result" else "text") for k, v in obj.items()]
    raise TypeError(f"section object: got {type(obj).__name__}, expected a dataclass or a mapping")


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, tuple)) and not value)


def _item(obj: Any) -> str:
    """A small dataclass or mapping as one list item: its heading fields in bold, then its other strings."""
    head, rest = [], []
    for value, _title, role in _fields(obj):
        if role == "hidden" or not isinstance(value, str) or not value:
            continue
        (head if role == "heading" else rest).append(md(value))
    return "- " + " ".join([f"**{h}**:" if rest else f"**{h}**" for h in head] + [" — ".join(rest)]).strip()


def _block(value: Any, role: str, fig_dir: Path | None) -> str:
    if isinstance(value, Table):
        return md_table(value)
    if isinstance(value, Figure):
        return md_figure(value, fig_dir)
    if isinstance(value, str):
        return (f"> {md(value)}\n" if role == "result" else f"{md(value)}\n") if value else ""
    if isinstance(value, (list, tuple)):
        if value and all(dataclasses.is_dataclass(v) and not isinstance(v, (Table, Figure)) or isinstance(v, Mapping)
                         for v in value):
            return "\n".join(_item(v) for v in value) + "\n"
        return "\n".join(b for b in (_block(v, role, fig_dir) for v in value) if b)
    if isinstance(value, Mapping) and {"headers", "rows"} <= value.keys():  # a table as a plain dict
        return md_table(Table(**value))
    if dataclasses.is_dataclass(value) or isinstance(value, Mapping):
        return section_markdown(value, fig_dir=fig_dir)
    return ""  # flags and counts: for the partials


def section_markdown(obj: Any, *, fig_dir: Path | None) -> str:
    """The body of one section (what its ``build`` returned) as Markdown, fields in order.

    Parameters
    ----------
    obj : dataclass or mapping
        A section object (strings, :class:`Table`, :class:`Figure`, lists and nested objects).
    fig_dir : Path or None
        Where the figures' SVG files are written (``None``: figures are shown as a note).
    """
    parts = []
    for value, title, role in _fields(obj):
        if role == "hidden" or _empty(value):
            continue
        block = _block(value, role, fig_dir)
        if block:
            parts.append((f"### {md(title)}\n\n" if title else "") + block)
    return "\n".join(parts)


def document_markdown(ctx: Mapping[str, Any], *, fig_dir: Path | None) -> str:
    """A whole document from its context (:func:`ssereport.report.context.build_context`): the title
    line, the synthetic-data notice, then every section of ``ctx["toc"]`` with its number and title."""
    out = [f"**{md(ctx['title'])}** · {md(ctx['author'])} · {md(ctx['meta']['created'])}\n"]
    if ctx.get("synthetic"):
        out.append(f"::: {{.callout-warning}}\n{md(ctx['synthetic_notice'])}\n:::\n")
    for sec in ctx["toc"]:
        out.append(f"## {sec['number']}. {md(sec['title'])}\n")
        out.append(section_markdown(ctx[sec["id"]], fig_dir=fig_dir))
    return "\n".join(out)
