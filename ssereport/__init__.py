"""ssereport: statistical quality reports for solid-state-electrolyte films.

After Chen, Duquesnoy et al., "Fabrication of High-Quality Thin Solid-State
Electrolyte Films Assisted by Machine Learning", ACS Energy Lett. 2021.

The public names are imported lazily, so that ``ssereport --help`` does not
pay for pandas and NumPy.
"""

from __future__ import annotations

import importlib
from typing import Any

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

# No import here, not even under TYPE_CHECKING: every module may read ``ssereport.__version__``, so the
# package itself imports nothing of the layers (tests/test_architecture.py); the names load on first use.


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
