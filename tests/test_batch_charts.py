"""Charts a technician can read (issue 19): limits drawn, failures marked on the right chart only,
process signals worded as such.

The example batches B (one film fails on RD, two high-σ films) and C (every film fails σ and RD)
are judged against a model of the reference data; the charts' artists are inspected directly.
"""

from __future__ import annotations

import numpy as np
import pytest

from ssereport import load_films
from ssereport.analysis.control import reference_charts
from ssereport.plots import batch as pb
from ssereport.qa.index import build_index_context
from ssereport.qa.judge import judge_batch
from ssereport.qa.reasons import finding_text

from .conftest import ROOT

BATCHES = [ROOT / "data" / "batches" / f"batch_2026-03-{d}.csv" for d in ("02_A", "09_B", "16_C")]


@pytest.fixture(scope="module")
def model(reference_model):
    return reference_model


@pytest.fixture(scope="module")
def judged(model):
    return [judge_batch(model, load_films(p)) for p in BATCHES]


def _by_label(ax, label):
    return [c for c in ax.get_children() if getattr(c, "get_label", lambda: None)() == label]


def _failing(results, var):
    """(index over all films in time order, sample id) of the films failing ``var``'s limit."""
    out, j = [], 0
    for r in results:
        for _, f in r.films.iterrows():
            if any(x.variable == var for x in f["reasons"]):
                out.append((j, f["sample_id"]))
            j += 1
    return out


@pytest.mark.parametrize("var", ["conductivity_s_cm", "rd"])
def test_control_chart_draws_the_limit_and_marks_each_failure_only(judged, model, var):
    films = [f for r in judged for _, f in r.films.iterrows()]
    starts = list(np.cumsum([0] + [len(r.films) for r in judged[:-1]]))
    charts = reference_charts({v: [float(f[v]) for f in films] for v in ("conductivity_s_cm", "rd")},
                              [str(f["sample_id"]) for f in films], model.class1)
    limit = next(lim.value for lim in judged[0].limits if lim.variable == var)
    fails = _failing(judged, var)
    assert fails  # B's RD film and C's nine films: the test has something to find
    fig = pb.control_chart(charts[var], starts, [r.batch_id for r in judged], limits=[limit] * len(judged),
                           limit_label="acceptance limit", limit_tag="min" if var != "rd" else "max",
                           failed=[i for i, _ in fails], failed_ids=[s for _, s in fails])
    ax = fig.axes[0]
    # the acceptance limit: one segment per batch at the limit, labelled with its value
    segs = [s for c in _by_label(ax, "_acceptance-limit") for s in c.get_segments()]
    assert len(segs) == len(judged) and all(np.allclose(s[:, 1], limit) for s in segs)
    assert any(t.get_text().startswith(("min ", "max ")) for t in ax.texts)
    # one red cross per failing film, at its index and value, each labelled with its id
    (crosses,) = _by_label(ax, "_failures")
    xy = crosses.get_offsets()
    assert sorted(xy[:, 0].astype(int).tolist()) == [i for i, _ in fails]
    np.testing.assert_allclose(xy[:, 1], [films[i][var] for i, _ in fails])
    assert sorted(t.get_text() for t in ax.texts if t.get_label() == "_failure-id") == sorted(s for _, s in fails)
    # no failure marker on a film that passes this variable; its flags are process signals
    passing = set(range(len(films))) - {i for i, _ in fails}
    assert not passing & set(xy[:, 0].astype(int).tolist())
    signals = {int(x) for c in _by_label(ax, "_signals") for x in c.get_offsets()[:, 0]}
    flagged = {f.index for f in charts[var].flags if f.panel == "individuals"}
    assert signals == flagged - {i for i, _ in fails} and signals <= passing


def test_index_rule_table_separates_failures_from_process_signals(judged, model):
    reports = [r.to_dict() for r in judged]
    ctx = build_index_context(reports, [], studies=[], out=None, model=model)["sections"]["control"]
    rows = ctx.violations
    failures = [r for r in rows if r.kind == "failure"]
    signals = [r for r in rows if r.kind == "process signal"]
    # every reason record is one failure row, worded from the record, and nothing else is a failure
    expected = [(r["batch_id"], f["sample_id"], finding_text(x)) for r in reports for f in r["films"]
                for x in f["reasons"]]
    assert sorted((r.batch, r.sample, r.rules) for r in failures) == sorted(expected)
    assert list(rows[: len(failures)]) == failures  # failures first
    passing = {(r["batch_id"], f["sample_id"]) for r in reports for f in r["films"] if f["pass"]}
    assert not {(r.batch, r.sample) for r in failures} & passing
    # B's high-σ films break a rule on the good side of the σ limit: unusual, not a failure
    high = [r for r in signals if r.batch == "2026-03-09_B" and r.variable.startswith("σ")
            and "moving range" not in r.variable]
    assert high and all(r.rules.startswith("unusual (high σ): ") for r in high)
    assert ctx.n_failures == len(failures) == 19 and ctx.n_signals == len(signals)


def test_index_html_states_the_kind_of_each_row(judged, model):
    from ssereport.qa.index import render_index_html

    html = render_index_html([r.to_dict() for r in judged], [], studies=[], out=None, model=model)
    assert "19 failures (a film outside its acceptance limit) and" in html
    assert html.count('<tr class="fail-row">') == 19 and '<tr class="signal-row">' in html
    assert "unusual (high σ)" in html
    # the limit is in the charts' SVG with its label, and every failing id is written on a chart
    assert "acceptance limit (5th percentile of class-1 reference films)" in html
    for _, sid in _failing(judged, "rd"):
        assert html.count(sid) >= 3  # σ and/or RD chart label, the table row(s)


def test_strip_plot_crosses_a_film_only_on_the_variable_it_failed(judged, model):
    b = judged[1]  # B: one film fails, on RD only
    fig = pb.against_class1(model, b)
    ax_sigma, ax_rd = fig.axes[:2]
    (bad,) = [i for i, rs in enumerate(b.films["reasons"]) if rs]

    def crossed(ax):
        return sorted(int(round(x)) for c in ax.collections if str(c.get_label()).endswith("-fail")
                      for x in c.get_offsets()[:, 0])

    assert crossed(ax_rd) == [bad + 1] and crossed(ax_sigma) == []
    ids = [t.get_text() for t in ax_rd.texts if t.get_label() == "_failure-id"]
    assert ids == [b.films["sample_id"].iloc[bad]]
    # the acceptance limit is drawn on both panels at its value
    for ax, lim in zip((ax_sigma, ax_rd), b.limits):
        assert any(np.allclose(line.get_ydata(), lim.value) for line in ax.get_lines())
    # every film is inside the axes (RD of C's films lies far beyond the reference band)
    c = judged[2]
    ax = pb.against_class1(model, c).axes[1]
    lo, hi = ax.get_ylim()
    assert lo <= c.films["rd"].min() and c.films["rd"].max() <= hi


# --------------------------------------------------------------------------- the batch document's sections

def test_a_dummy_section_registered_once_is_in_the_batch_html_and_pdf(judged, model, tmp_path):
    """One registry entry (a build function, an HTML partial, a Typst partial) puts a section in both outputs,
    numbered after the others, in the PDF's bookmarks too."""
    from dataclasses import dataclass

    from pypdf import PdfReader

    from ssereport.qa.report import BATCH_SECTIONS, render_batch_html, render_batch_pdf
    from ssereport.report.vocab import Section, Table

    @dataclass(frozen=True)
    class Worst:
        sentence: str
        table: Table

    def worst(inp):  # BatchSectionInput -> a typed object
        f = inp.result.films.sort_values("rd", ascending=False).iloc[0]
        return Worst(sentence=f"The highest RD is film {f['sample_id']}.",
                     table=Table(headers=("sample", "RD (–)"), rows=((f["sample_id"], f"{f['rd']:.3f}"),),
                                 caption="Highest RD"))

    html_p, typ_p = tmp_path / "_worst.html.j2", tmp_path / "worst.typ"
    html_p.write_text('{% import "_macros.html.j2" as m %}<section id="{{ sec.id }}"><h2 id="h-{{ sec.id }}">'
                      "{{ sec.number }}. {{ sec.title }}</h2><p>{{ s.sentence }}</p>{{ m.table(s.table) }}</section>\n",
                      encoding="utf-8")
    typ_p.write_text('#import "../_common.typ": *\n#let render(sec, s) = {\n'
                     '  section(sec.number, sec.title, new-page: false)\n  par(s.sentence)\n  data-table(s.table)\n}\n',
                     encoding="utf-8")
    c = judged[2]
    top = c.films.sort_values("rd", ascending=False)["sample_id"].iloc[0]
    with BATCH_SECTIONS.added(Section("worst", "Worst film", worst, html=html_p, typst=typ_p)):
        html = render_batch_html(c, model=model)
        pdf = render_batch_pdf(c, tmp_path / "c.pdf", model=model)
    assert "worst" not in BATCH_SECTIONS.ids()
    assert '<h2 id="h-worst">7. Worst film</h2>' in html and f"The highest RD is film {top}." in html
    assert "<caption>Highest RD</caption>" in html
    reader = PdfReader(pdf)
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "7. Worst film" in text and f"The highest RD is film {top}." in text
    from .test_report import _outline_titles

    assert _outline_titles(reader.outline)[-2:] == ["6. Provenance", "7. Worst film"]
