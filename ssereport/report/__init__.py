"""Reports: results -> context dict (:mod:`.context`) -> HTML/PDF (:mod:`.render`).

Formatting of numbers lives in :mod:`ssereport.format`; the PDF is laid out by Typst
(:mod:`.pdf`). Imports are lazy so that ``import ssereport.report`` stays cheap
(Typst and the figure code load only when a report is rendered).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["build_context", "render_html", "render_pdf", "render_report"]

_EXPORTS = {"build_context": "context", "render_html": "render", "render_pdf": "render",
            "render_report": "render"}


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'ssereport.report' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
