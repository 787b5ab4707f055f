"""The package's shape (issue 22): one-way layers without import cycles, and a figure added by one registry entry.

The layers and the acyclic contract are import-linter contracts in ``pyproject.toml``
(``[tool.importlinter]``); ``lint-imports`` checks them here, and a copy of the
package with a planted upward import (at module level, inside a function, under
``TYPE_CHECKING``) shows that the check would catch one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", "pyproject.toml"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def _contracts() -> dict[str, dict]:
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in conf["tool"]["importlinter"]["contracts"]}


def test_import_contracts_are_kept():
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def test_the_layers_are_the_issues_order():
    layers = _contracts()["layers"]
    assert layers["exhaustive"] is True  # a new top-level module must be given its layer
    names = [[m.strip() for m in re.split(r"[:|]", layer)] for layer in layers["layers"]]
    flat = [m for layer in names for m in layer]
    order = ["cli", "qa", "report", "plots", "pipeline", "analysis", "io", "format", "display", "schema"]
    index = {m: i for i, layer in enumerate(names) for m in layer}
    assert [index[m] for m in order] == sorted(index[m] for m in order)
    assert index["pipeline"] == index["analysis"]
    assert {"format", "display", "schema", "units", "config", "errors", "files", "theme"} <= set(names[-1])
    assert len(flat) == len(set(flat))


def test_the_old_homes_are_gone():
    pkg = ROOT / "ssereport"
    for gone in ("model.py", "batch.py", "figures.py", "report/filters.py", "report/notebook.py"):
        assert not (pkg / gone).exists(), gone


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory) -> Path:
    """The package's Python files and the import-linter configuration, copied to a scratch directory."""
    root = tmp_path_factory.mktemp("layers")
    shutil.copytree(ROOT / "ssereport", root / "ssereport", ignore=shutil.ignore_patterns(
        "templates", "fonts", "__pycache__", "*.typ", "*.j2"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.mark.parametrize(("module", "line", "broken"), [
    # core must not reach the report layer: at module level ...
    ("format.py", "from .report import vocab  # planted\n", "layers"),
    # ... nor lazily, inside a function (as io.py and pipeline.py once did for their notebook reprs) ...
    ("schema.py", "def _planted():\n    from .report.render import render_report\n", "layers"),
    # ... nor for type checking only
    ("pipeline.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .plots import study\n",
     "layers"),
    # a cycle inside one layer
    ("report/vocab.py", "def _planted():\n    from . import context\n", "acyclic"),
])
def test_a_planted_import_breaks_a_contract(package_copy, module, line, broken):
    path = package_copy / "ssereport" / module
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original + "\n\n" + line, encoding="utf-8")
        out = _lint(package_copy)
    finally:
        path.write_text(original, encoding="utf-8")
    assert out.returncode != 0
    name = _contracts()[broken]["name"]
    assert re.search(re.escape(name[:40]) + r".*BROKEN", out.stdout.replace("\n", " ")), out.stdout
