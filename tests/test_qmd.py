"""The Quarto template cannot rot: its Python cells run in order, as `quarto render` would run them.

Quarto itself is not installed here; the cells are extracted from report.qmd,
the parameters substituted (the reference data), and executed in one namespace.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ssereport.report.figures import FIGURES
from ssereport.report.markdown import md
from ssereport.report.sections import STUDY_SECTIONS
from ssereport.report.vocab import Table

ROOT = Path(__file__).resolve().parents[1]
QMD = ROOT / "ssereport" / "templates" / "report.qmd"
CELL = re.compile(r"^```\{python\}[^\n]*\n(.*?)^```\s*$", re.S | re.M)


def _cells() -> list[str]:
    return CELL.findall(QMD.read_text(encoding="utf-8"))


def test_qmd_has_a_parameters_cell_first():
    cells = _cells()
    assert len(cells) == 3  # parameters, set-up, and one generic walk over the section registry
    assert "#| tags: [parameters]" in cells[0]
    ns: dict = {}
    exec(compile(cells[0], f"{QMD}:parameters", "exec"), ns)
    assert ns["data"] == "data/sse_films_reference.csv"
    # every option of `ssereport report` is a parameter (passed by --engine quarto)
    for name in ("config", "columns", "seed", "title", "author", "sheet", "max_file_mb"):
        assert ns[name] is None, name
    assert ns["drop_invalid"] is False


def test_quarto_project_renders_the_qmd_to_html_and_typst():
    text = (ROOT / "_quarto.yml").read_text(encoding="utf-8")
    assert "ssereport/templates/report.qmd" in text
    assert "embed-resources: true" in text
    assert re.search(r"^\s+typst:", text, re.M)
    assert re.search(r"^\s+data: data/sse_films_reference.csv", text, re.M)
    for name in ("config", "columns", "seed", "title", "author", "sheet", "drop_invalid", "max_file_mb"):
        assert re.search(rf"^\s+{name}: ", text, re.M), name
    assert "execute-dir: project" in text


TITLE = 'Batch "7": σ & films'


@pytest.fixture(scope="module")
def executed(reference_path, fast_config_file, tmp_path_factory) -> tuple[dict, str, Path]:
    """The cells run once, in order, in one namespace, with the ``-P`` parameters ``quarto render`` passes
    (``--engine quarto`` sends every option of ``ssereport report``, ``tests/test_engines.py``): the namespace,
    what the cells printed and the folder they ran in."""
    import contextlib
    import io
    import os

    folder = tmp_path_factory.mktemp("qmd")
    cells = _cells()
    ns: dict = {"__name__": "__quarto__"}
    exec(compile(cells[0], f"{QMD}:cell1", "exec"), ns)
    ns.update(data=str(reference_path), title=TITLE, author="Dr. Ada", seed=7, max_file_mb=9.0,
              config=str(fast_config_file))
    printed = io.StringIO()
    cwd = os.getcwd()
    os.chdir(folder)  # figures are written beside the document, as Quarto would
    try:
        with contextlib.redirect_stdout(printed):
            for i, cell in enumerate(cells[1:], start=2):
                exec(compile(cell, f"{QMD}:cell{i}", "exec"), ns)
    finally:
        os.chdir(cwd)
    return ns, printed.getvalue(), folder


def test_the_qmd_uses_the_parameters(executed):
    """The parameters drive the document: title, author, seed and settings reach the analysis and the context."""
    ns, _, _ = executed
    assert ns["ctx"]["title"] == TITLE and ns["ctx"]["author"] == "Dr. Ada"
    assert ns["r"].config.seed == 7 and ns["ctx"]["summary"].provenance[6].value == "7"
    assert ns["r"].config.n_bootstrap == 0 and ns["r"].config.cv_repeats == 1  # from the config file


def test_qmd_cells_execute_and_show_the_report(executed):
    ns, out, tmp_path = executed
    ctx = ns["ctx"]
    for i, (sid, title) in enumerate([(t["id"], t["title"]) for t in ctx["toc"]], start=1):
        assert f"## {i}. {title}" in out
    assert f"> {md(ctx['tests'].kw_sentences[0])}" in out
    assert f"> {md(ctx['classifier'].result)}" in out
    assert f"> {md(ctx['summary'].verdict)}" in out
    # every table of every section, with its caption and its cells
    for sid in STUDY_SECTIONS.ids():
        section = ctx[sid]
        fields = section.values() if isinstance(section, dict) else vars(section).values()
        for table in [v for v in fields if isinstance(v, Table) and v.rows]:
            assert f": {md(table.caption)}" in out, (sid, table.caption)
            assert "| " + " | ".join(md(c) for c in table.rows[-1]) + " |" in out, (sid, table.caption)
    for kv in ctx["summary"].key_numbers:
        assert f"- **{md(kv.label)}**: {md(kv.value)}" in out
    figs = sorted(p.name for p in (tmp_path / "_report_figures").glob("*.svg"))
    assert figs == sorted(f"{k}.svg" for k in FIGURES)
    assert "](_report_figures/scree.svg){fig-alt=" in out
    assert "SYNTHETIC" in out


def test_the_qmd_holds_no_per_section_code():
    """The template runs the analysis and prints the sections through one generic walk: no section id, no
    function, no layout of its own."""
    text = "\n".join(_cells()[1:])
    assert "def " not in text and "show_" not in text and "SHOW" not in text
    for sid in STUDY_SECTIONS.ids():
        assert f'"{sid}"' not in text and f"'{sid}'" not in text and f".{sid}" not in text, sid


@pytest.mark.parametrize(("text", "expected"), [
    ("<script>alert(1)</script>", r"\<script\>alert(1)\</script\>"),
    ("a|b *c* [d]", r"a\|b \*c\* \[d\]"),
])
def test_qmd_escapes_user_text_for_markdown(text, expected):
    assert "from ssereport.report.markdown import document_markdown, md" in _cells()[1]
    assert md(text) == expected
