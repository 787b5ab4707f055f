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


# --------------------------------------------------------------------------- a figure = one registry entry

def test_every_figure_names_a_section_and_is_shown_there_in_registry_order(reference_results):
    from ssereport.report.context import build_context
    from ssereport.report.figures import FIGURES, FigureSpec
    from ssereport.report.sections import STUDY_SECTIONS

    ctx = build_context(reference_results, figures={})
    shown = [f.key for sid in STUDY_SECTIONS.ids() for f in getattr(ctx[sid], "figures", None) or ()]
    assert shown == list(FIGURES)  # each figure once, in its section, sections in report order
    assert {s.section for s in FIGURES.values()} <= set(STUDY_SECTIONS.ids())
    with pytest.raises(ValueError, match="section is empty"):
        FigureSpec("x", dummy_counts, alt=str, caption=str)


def dummy_counts(results, *, ax=None, **style):
    """The dummy figure's plotting function: films per class as bars (a ``plots``-style function)."""
    from matplotlib.figure import Figure

    ax = ax if ax is not None else Figure(figsize=(4, 3)).add_subplot()
    counts = results.clusters.counts
    ax.bar([f"Class {c}" for c in counts], list(counts.values()), **style)
    ax.set_xlabel("Quality class")
    ax.set_ylabel("Films (count)")
    return ax


DUMMY_CAPTION = "Dummy figure added by one registry entry: films per class (count)."


@pytest.fixture
def dummy_figure(monkeypatch):
    """The one place the dummy figure is added: its registry entry (shown in section "classes", after the others)."""
    from ssereport.report.figures import FIGURES, FigureSpec

    spec = FigureSpec("dummy_counts", dummy_counts,
                      alt=lambda r: "Bars of films per class: " + ", ".join(
                          f"class {c} {n} films" for c, n in r.clusters.counts.items()) + ".",
                      caption=lambda r: DUMMY_CAPTION, title="Dummy films per class",
                      needs={"clusters"}, section="classes")
    monkeypatch.setitem(FIGURES, "dummy_counts", spec)
    return spec


def test_a_registered_figure_reaches_the_html_the_pdf_and_the_qmd(dummy_figure, reference_results, tmp_path,
                                                                  monkeypatch, capsys):
    import io

    from pypdf import PdfReader

    import ssereport
    from ssereport.report._figproc import ORDER, FigureProcess
    from ssereport.report.render import render_html, render_pdf

    alt = dummy_figure.alt(reference_results)
    assert alt == "Bars of films per class: class 1 60 films, class 2 29 films, class 3 21 films."
    # the figure process of `ssereport report` draws it in its child, as soon as the classes are there
    assert ORDER.index("dummy_counts") < ORDER.index("oversampling")
    with FigureProcess() as figs:
        figs.finish(reference_results)
        drawn = figs.collect(reference_results)
    assert list(drawn)[-1] == "dummy_counts" and "Films (count)" in drawn["dummy_counts"].svg

    html = render_html(reference_results, figures=drawn)
    classes = html[html.index('<section class="report-section" id="classes"'):html.index('id="tests"')]
    assert f'aria-label="{alt}"' in classes and DUMMY_CAPTION in classes
    assert classes.index("fig-boxplots") < classes.index("fig-dummy_counts")  # registry order within the section

    path = render_pdf(reference_results, tmp_path / "r.pdf", figures=drawn)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert DUMMY_CAPTION in text

    qmd = ROOT / "ssereport" / "templates" / "report.qmd"
    cells = re.findall(r"^```\{python\}[^\n]*\n(.*?)^```\s*$", qmd.read_text(encoding="utf-8"), re.S | re.M)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(ssereport, "analyze", lambda *a, **k: reference_results)  # the same study, not rerun
    ns: dict = {"__name__": "__quarto__"}
    exec(compile(cells[0], f"{qmd}:parameters", "exec"), ns)
    ns["data"] = str(ROOT / "data" / "sse_films_reference.csv")
    for i, cell in enumerate(cells[1:], start=2):
        exec(compile(cell, f"{qmd}:cell{i}", "exec"), ns)
    out = capsys.readouterr().out
    assert f"![{DUMMY_CAPTION}](_report_figures/dummy_counts.svg)" in out
    section = out[out.index("## 4. Quality classes"):out.index("## 5. ")]
    assert "_report_figures/dummy_counts.svg" in section
    assert "Films (count)" in (tmp_path / "_report_figures" / "dummy_counts.svg").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- outputs unchanged

def test_the_study_results_json_is_byte_identical_to_before_the_redesign(reference_results):
    """The study results JSON of the reference data is the one of e9a88c6 (before issue 22), timestamps and the
    ``next_experiments`` block (issue 21) aside.

    ``tests/reference/study_results_e9a88c6.json.gz`` is ``ssereport analyze data/sse_films_reference.csv
    --json`` run in a worktree of commit e9a88c6 (gzip -9 -n).
    """
    import gzip
    import json

    before = gzip.decompress((ROOT / "tests" / "reference" / "study_results_e9a88c6.json.gz").read_bytes())
    before = before.decode("utf-8")
    now = reference_results.to_json()
    old, new = json.loads(before)["provenance"], json.loads(now)["provenance"]
    if (old["packages"], old["python"]) != (new["packages"], new["python"]):
        pytest.skip("this environment's Python or libraries differ from the reference's; the provenance "
                    "block would differ")
    assert now.count(new["created"]) == 1
    now = now.replace(new["created"], old["created"])
    # issue 21 changed one block on purpose: "next_experiments" is now the recommended operating window
    # (tests/test_suggest.py checks it); everything else is byte-identical
    start, end = '\n  "next_experiments": ', '\n  "provenance": '
    assert json.loads(now)["next_experiments"]["goal"] == "window"
    assert now[:now.index(start)] == before[:before.index(start)]
    assert now[now.index(end):] == before[before.index(end):]
