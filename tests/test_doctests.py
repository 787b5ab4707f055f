"""The Examples of the public docstrings run, as written, against the bundled reference data."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Modules whose docstrings have Examples (paths in them are relative to the project root).
MODULES = ("ssereport.config", "ssereport.io", "ssereport.pipeline", "ssereport.report.context",
           "ssereport.display", "ssereport.report.pdf", "ssereport.report.render",
           "ssereport.report.figures", "ssereport.report.markdown", "ssereport.report.vocab",
           "ssereport.report.sections", "ssereport.qa.compare", "ssereport.analysis.tests")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, monkeypatch):
    monkeypatch.chdir(ROOT)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, report=True)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} failed (see the output)"
