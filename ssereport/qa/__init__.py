"""Quality assurance of production batches against a reference study.

``model``   the reference model (:func:`fit_model`, JSON with the skops-serialised pipeline, :func:`load_model`)
``spec``    spec limits and the acceptance rule (:func:`load_spec`, :func:`acceptance_limits`)
``judge``   one batch -> :class:`BatchResult` (:func:`judge_batch`)
``run``     many batch files, in parallel, and the report index (:func:`run_batches`)
``figures`` the batch and index figures (from :mod:`ssereport.plots.batch`)
``report``  the batch report context and its HTML / PDF
``index``   the index page context and its HTML
``watch``   ``ssereport watch``: judge every file that lands in a folder
``history`` the batch history database (:func:`open_history`, SQLite or PostgreSQL; Alembic migrations)

The names below are imported lazily, so ``import ssereport.qa`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ReferenceModel": "model", "fit_model": "model", "load_model": "model", "save_model": "model",
    "Spec": "spec", "load_spec": "spec", "acceptance_limits": "spec",
    "BatchResult": "judge", "judge_batch": "judge",
    "run_batches": "run", "write_index": "run",
    "render_batch_html": "report", "render_batch_pdf": "report",
    "History": "history", "open_history": "history",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'ssereport.qa' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
