"""The section registry: a section added in one place appears, numbered, in the HTML, the PDF and the qmd."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from ssereport.report.context import build_context
from ssereport.report.render import render_html, render_pdf
from ssereport.report.sections import STUDY_SECTIONS, Section, SectionRegistry
from ssereport.report.vocab import Table, shown

QMD = Path(__file__).resolve().parents[1] / "ssereport" / "templates" / "report.qmd"
CELL = re.compile(r"^```\{python\}[^\n]*\n(.*?)^```\s*$", re.S | re.M)

HTML_PARTIAL = """{% import "_macros.html.j2" as m %}
<section class="report-section" id="{{ sec.id }}" aria-labelledby="h-{{ sec.id }}">
<h2 id="h-{{ sec.id }}">{{ sec.number }}. {{ sec.title }}</h2>
{{ m.intro(s.intro) }}
<p class="result">{{ s.result }}</p>
{{ m.table(s.counts) }}
</section>
"""

TYPST_PARTIAL = """#import "../_common.typ": *

#let render(sec, s) = {
  section(sec.number, sec.title)
  intro(s.intro)
  result(s.result)
  data-table(s.counts)
}
"""


@dataclass(frozen=True, eq=False)
class DummySection:
    intro: tuple[str, ...]
    result: str = shown(role="result")
    counts: Table = shown()


def dummy(inp):
    """A section function: SectionInput -> a frozen dataclass (here from the results, like the real ones)."""
    n = inp.results.table.n_analyzed
    counts = inp.d["classes"]["counts"]
    return DummySection(intro=("A dummy section added by the test.",),
                        result=f"The dummy section counted {n} films.",
                        counts=Table(caption="Dummy table of class sizes.", headers=["Class", "Films"],
                                     rows=[[f"Class {c}", str(k)] for c, k in counts.items()]))


@pytest.fixture
def dummy_section(tmp_path):
    """The one place the dummy is added: a function, an HTML partial, a Typst partial, registered before Methods."""
    html, typ = tmp_path / "_dummy.html.j2", tmp_path / "dummy.typ"
    html.write_text(HTML_PARTIAL, encoding="utf-8")
    typ.write_text(TYPST_PARTIAL, encoding="utf-8")
    with STUDY_SECTIONS.added(Section("dummy", "Dummy checks", dummy, html=html, typst=typ), before="methods"):
        yield
    assert "dummy" not in STUDY_SECTIONS.ids()  # removed again after the test


def test_registry_holds_the_report_sections_in_order():
    assert STUDY_SECTIONS.ids() == ["summary", "data", "pca", "classes", "tests", "maps", "classifier",
                                    "next_experiments", "methods"]
    assert [t["number"] for t in STUDY_SECTIONS.toc()] == list(range(1, 10))
    assert STUDY_SECTIONS["tests"].title == "Statistical tests"


def test_registry_refuses_a_repeated_id_an_unknown_position_and_a_bad_id():
    reg = SectionRegistry((Section("a", "A", dummy),))
    with pytest.raises(ValueError, match="'a' is registered already"):
        reg.register(Section("a", "Again", dummy))
    with pytest.raises(ValueError, match=r"before: got 'zz', expected one of \['a'\]"):
        reg.register(Section("b", "B", dummy), before="zz")
    with pytest.raises(ValueError, match="section id: got 'Bad id'"):
        Section("Bad id", "B", dummy)
    reg.register(Section("b", "B", dummy), before="a")
    assert reg.ids() == ["b", "a"]


def test_dummy_section_is_numbered_in_the_html(dummy_section, reference_results):
    html = render_html(reference_results, figures={})
    n = reference_results.table.n_analyzed
    assert '<h2 id="h-dummy">9. Dummy checks</h2>' in html
    assert '<h2 id="h-methods">10. Methods</h2>' in html
    assert html.index("8. Next experiments") < html.index("9. Dummy checks") < html.index("10. Methods")
    assert '<li><a href="#dummy">Dummy checks</a></li>' in html
    assert f"The dummy section counted {n} films." in html
    assert "Dummy table of class sizes." in html


def test_dummy_section_is_numbered_in_the_pdf(dummy_section, reference_results, tmp_path):
    from pypdf import PdfReader

    path = render_pdf(reference_results, tmp_path / "r.pdf", figures={})
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert text.index("8. Next experiments") < text.index("9. Dummy checks") < text.index("10. Methods")
    assert f"The dummy section counted {reference_results.table.n_analyzed} films." in text
    assert "Dummy table of class sizes." in text


def test_dummy_section_is_numbered_in_the_qmd(dummy_section, reference_path, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    cells = CELL.findall(QMD.read_text(encoding="utf-8"))
    ns: dict = {"__name__": "__quarto__"}
    exec(compile(cells[0], f"{QMD}:parameters", "exec"), ns)
    ns.update(data=str(reference_path))
    for i, cell in enumerate(cells[1:], start=2):
        exec(compile(cell, f"{QMD}:cell{i}", "exec"), ns)
    out = capsys.readouterr().out
    assert out.index("## 8. Next experiments") < out.index("## 9. Dummy checks") < out.index("## 10. Methods")
    assert "> The dummy section counted 110 films." in out
    assert "| Class 1 |" in out and ": Dummy table of class sizes." in out


def test_sections_can_be_given_explicitly(reference_results):
    ctx = build_context(reference_results, figures={},
                        sections=[STUDY_SECTIONS["summary"], Section("dummy", "Dummy checks", dummy)])
    assert [(t["number"], t["title"]) for t in ctx["toc"]] == [(1, "Summary"), (2, "Dummy checks")]
    assert "pca" not in ctx and ctx["dummy"].result.startswith("The dummy section counted")
    with pytest.raises(ValueError, match="reserved or repeated"):
        build_context(reference_results, figures={}, sections=[Section("title", "T", dummy)])
