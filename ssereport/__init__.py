"""ssereport: statistical quality reports for solid-state-electrolyte films.

After Chen, Duquesnoy et al., "Fabrication of High-Quality Thin Solid-State
Electrolyte Films Assisted by Machine Learning", ACS Energy Lett. 2021.

The public names are imported lazily, so that ``ssereport --help`` does not
pay for pandas and NumPy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Config": "config",
    "load_config": "config",
    "ConfigError": "errors",
    "DataError": "errors",
    "FilmTable": "io",
    "load_films": "io",
    "StudyResults": "pipeline",
    "analyze": "pipeline",
    "compare_studies": "qa.compare",
    "fit_model": "qa.model",
    "judge_batch": "qa.judge",
    "load_model": "qa.model",
    "render_report": "report.render",
}

__all__ = sorted(_EXPORTS) + ["__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from .config import Config, load_config
    from .errors import ConfigError, DataError
    from .io import FilmTable, load_films
    from .pipeline import StudyResults, analyze
    from .qa.compare import compare_studies
    from .qa.judge import judge_batch
    from .qa.model import fit_model, load_model
    from .report.render import render_report


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'ssereport' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
