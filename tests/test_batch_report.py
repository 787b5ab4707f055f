"""Batch reports (HTML, PDF/A-3b) and the report index with I-MR control charts.

The three example batches in data/batches/ are judged against a model fitted on
the reference data; PDFs are rendered once per module (``run`` fixture).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from markupsafe import escape

from ssereport import load_films
from ssereport.qa.index import build_index_context, render_index_html
from ssereport.qa.judge import BatchResult, judge_batch
from ssereport.qa.model import save_model
from ssereport.qa.reasons import finding_text
from ssereport.qa.report import build_batch_context, render_batch_html, render_batch_pdf
from ssereport.qa.run import collect_reports, run_batches
from ssereport.qa.spec import Spec
from ssereport.format import fmt_num

from .conftest import REFERENCE_CSV, ROOT

BATCHES = sorted((ROOT / "data" / "batches").glob("*.csv"))
STEMS = ["2026-03-02_A", "2026-03-09_B", "2026-03-16_C"]
VERDICTS = {"2026-03-02_A": "pass", "2026-03-09_B": "pass", "2026-03-16_C": "fail"}
#: References to resources outside the page (namespace URIs such as xmlns="http://www.w3.org/2000/svg" are not).
_EXTERNAL = re.compile(r"""(?:\bsrc|\bhref)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""",
                       re.IGNORECASE)
#: BatchResult does not (yet) carry its model, so run_batches renders batch pages without figures.
_NO_MODEL_ON_RESULT = "model" not in BatchResult.__dataclass_fields__


def _bad_csv(path: Path) -> Path:
    df = pd.read_csv(BATCHES[0]).astype({"ls_ratio": object})
    df.loc[2, "ls_ratio"] = "abc"
    df.to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def model(reference_model):
    return reference_model


@pytest.fixture(scope="module")
def results(model):
    return {r.batch_id: r for r in (judge_batch(model, load_films(p)) for p in BATCHES)}


@pytest.fixture(scope="module")
def html(results, model):
    out, times = {}, {}
    for key, r in results.items():
        t0 = time.perf_counter()
        out[key] = render_batch_html(r, model=model)
        times[key] = time.perf_counter() - t0
    return out


@pytest.fixture(scope="module")
def run(model, tmp_path_factory):
    """run_batches on the three examples with every format (the module's only PDF rendering)."""
    out = tmp_path_factory.mktemp("reports")
    t0 = time.perf_counter()
    outcomes = run_batches(BATCHES, model, out, formats=("json", "html", "pdf"))
    return {"out": out, "outcomes": outcomes, "seconds": time.perf_counter() - t0}


@pytest.fixture(scope="module")
def pdfs(run):
    from pypdf import PdfReader

    return {s: PdfReader(run["out"] / f"{s}.pdf") for s in STEMS}


@pytest.fixture(scope="module")
def index(run):
    return (run["out"] / "index.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- batch HTML

def test_examples_have_the_expected_verdicts(results):
    assert {k: r.verdict for k, r in results.items()} == VERDICTS


def test_html_title_and_verdict_badge_in_text(html):
    c = html["2026-03-16_C"]
    assert "<title>Batch 2026-03-16_C — FAIL</title>" in c
    assert re.search(r'<span class="badge fail">✗ FAIL</span>', c)  # text, not colour only
    a = html["2026-03-02_A"]
    assert "<h1 class=\"report-title\">Batch 2026-03-02_A — PASS</h1>" in a
    assert '<span class="badge pass">✓ PASS</span>' in a


def test_html_lists_every_film_and_the_reasons_of_the_failing_batch(html, results):
    for key, r in results.items():
        for sid in r.films["sample_id"]:
            assert str(escape(sid)) in html[key]
    c, r = html["2026-03-16_C"], results["2026-03-16_C"]
    reasons = [x for rs in r.films["reasons"] for x in rs]
    assert reasons and all(str(escape(finding_text(x))) in c for x in reasons)
    notes = [x for ns in r.films["notes"] for x in ns]
    assert notes and all(str(escape(finding_text(x))) in c for x in notes)
    assert "thickness_um =" not in c and "thickness = " in c  # labels and units, not column names
    assert c.count('class="result-fail">FAIL</td>') == 9
    # the rule is stated with its numbers, and no reason quotes a class
    assert ("a film passes when its measurements are within the limits of the good (class 1) reference "
            "films (σ ≥ 3.21 × 10⁻⁴ S/cm, 5th percentile of class-1 reference films; RD ≤ 0.101, 95th "
            "percentile of class-1 reference films)") in c
    assert all("class 3" not in finding_text(x) for x in reasons)
    assert ": extrapolation" in c and "&nbsp;†" in c  # out-of-range cells flagged
    assert "All 9 films fail." in c and "Failing films:" not in c  # not every id listed
    # failures and range notes apart; a passing film has notes only, never "Fails:"
    b = html["2026-03-09_B"]
    assert "Fails:" in c and b.count("Fails:") == 1 and "Note (outside reference range):" in b
    assert "Reasons:" not in b + c


def test_html_counts_and_units(html):
    b = html["2026-03-09_B"]
    for text in ("<dt>Films</dt><dd>12</dd>", "<dt>Pass</dt><dd>11 (92 %)</dd>", "<dt>Fail</dt><dd>1 (8 %)</dd>",
                 "<dt>Nearest reference class (PCA; orientation, not the verdict)</dt><dd>class 1 (high σ, low RD) ×",
                 "<dt>Out of reference range</dt><dd>2 films (extrapolation)"):
        assert text.replace(" %", "\u00a0%") in b, text
    for head in ("P% (wt%)", "L:S (µL/mg)", "X:B (vol%)", "thickness (µm)", "σ (S/cm)", "SVM margin (–)",
                 "nearest reference class (PCA)", "recipe class (SVM)"):
        assert f">{head}</th>" in b, head
    # the short class headers are explained in the note below the table; the PCA leaves P% out
    assert "Nearest reference class (PCA): the class of the nearest centroid in the reference PCA (incl. L:S, X:B): " \
           "where the film lies, not whether it passes; recipe class (SVM): class expected from the recipe (SVM)." in b
    # never "good" next to a film, and the nearest class sits next to the result
    assert "(good)" not in b
    assert re.search(r">nearest reference class \(PCA\)</th><th[^>]*>result</th>", b)
    assert "recipe included" not in b and "incl. recipe" not in b


def test_every_figure_has_alt_text_and_caption(html):
    for page in html.values():
        figs = re.findall(r'<figure role="img" aria-label="([^"]*)" class="fig fig-(\w+)">', page)
        assert [k for _, k in figs] == ["pc_map", "decision_maps", "class1"]
        assert all(len(alt) > 60 for alt, _ in figs)
        assert page.count("<figcaption>") == 3


def test_html_provenance(html, results):
    a, r = html["2026-03-02_A"], results["2026-03-02_A"]
    assert r.table.sha256 in a and r.model_info["data"]["sha256"] in a
    assert "batch_2026-03-02_A.csv" in a and "sse_films_reference.csv" in a
    assert r.model_info["created"] in a


def test_findings_are_worded_with_labels_and_units():
    # numbers as in the film table (3 significant figures), units from the record
    assert finding_text({"variable": "conductivity_s_cm", "value": 9.166e-4, "limit": 8.696e-4, "op": ">",
                         "unit": "S/cm", "source": "reference range (extrapolation)"}) == \
        "σ = 9.17 × 10⁻⁴ S/cm, above the highest reference film (8.7 × 10⁻⁴ S/cm): extrapolation"
    assert finding_text({"variable": "rd", "value": 0.2685, "limit": 0.101, "op": ">", "unit": "",
                         "source": "95th percentile of class-1 reference films"}) == \
        "RD = 0.269 > 0.101 (95th percentile of class-1 reference films)"
    assert finding_text({"variable": "resistance_ohm", "value": 150.9, "limit": 142, "op": ">", "unit": "Ω",
                         "source": "reference range (extrapolation)"}).startswith("Ohmic resistance = 151 Ω,")
    assert finding_text({"variable": "thickness_um", "value": 12, "limit": 20, "op": "<", "unit": "µm",
                         "source": "spec"}) == "thickness = 12 µm < spec limit 20 µm"


def test_html_provenance_names_rows_model_and_software(html, results):
    a, r = html["2026-03-02_A"], results["2026-03-02_A"]
    assert f"<dt>Rows</dt><dd>{len(r.films)} in the file, {len(r.films)} judged, 0 excluded</dd>" in a
    assert r.model.to_dict()["checksum"] in a
    for label in ("Reference model checksum", "Model settings", "Model libraries", "Python"):
        assert f"<dt>{label}</dt>" in a, label


def test_html_is_self_contained(html):
    for page in html.values():
        assert not _EXTERNAL.search(page)
        assert "<script" not in page.lower()


def test_without_a_model_the_report_says_the_figures_are_missing(results):
    page = render_batch_html(results["2026-03-02_A"], model=None) if _NO_MODEL_ON_RESULT else None
    if page is not None:
        assert "<figure" not in page and "The figures need the reference model" in page


def test_spec_limits_give_capability_table(model):
    spec = Spec(sigma_min=3e-4, rd_max=0.1, thickness_min=30, thickness_max=60)
    r = judge_batch(model, load_films(BATCHES[1]), spec=spec)
    page = render_batch_html(r, model=model)
    assert "Process capability" in page and "1.33 or more" in page
    for head in ("Cp", "Cpk", "Pp", "Ppk"):
        assert f">{head}</th>" in page
    # σ has a lower limit only: Cp and Pp are undefined and shown as an en dash
    cap = page[page.index("<caption>Process capability"):]
    row = re.search(r"<tr><td>σ \(S/cm\)</td>(.*?)</tr>", cap).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells[5] == "–" and cells[7] == "–" and cells[6] != "–"  # Cp, Pp undefined; Cpk given
    assert "spec limit" in page  # drawn in the strip plot legend


def test_user_strings_are_escaped(model):
    df = load_films(BATCHES[0]).data.copy()
    df["sample_id"] = [f"<script>alert({i})</script>" for i in range(len(df))]
    df = df.drop(columns=["batch_id"])
    bad = "<script>x</script> $a$ & co"
    r = judge_batch(model, df, batch_id=bad)
    page = render_batch_html(r, model=model)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(0)&lt;/script&gt;" in page
    assert str(escape(bad)) in page
    d = r.to_dict()
    d["_stem"] = "x"
    idx = render_index_html([d], [{"source": "<script>.csv", "error": "<b>boom</b>"}], studies=[], out=None,
                            model=model)
    assert "<script" not in idx.lower() and "<b>boom" not in idx
    assert str(escape(bad)) in idx and "&lt;b&gt;boom&lt;/b&gt;" in idx


# --------------------------------------------------------------------------- one source for the words

class _Paragraphs(HTMLParser):
    """The text of every ``<p>`` of a page (entities decoded, tags such as <strong> and <code> dropped)."""

    def __init__(self):
        super().__init__()
        self.paragraphs: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self._open = []

    def handle_endtag(self, tag):
        if tag == "p" and self._open is not None:
            self.paragraphs.append(" ".join("".join(self._open).split()))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open.append(data)


def _html_paragraphs(page: str) -> list[str]:
    parser = _Paragraphs()
    parser.feed(page)
    return parser.paragraphs


def _pdf_text(path: Path) -> str:
    """The PDF's text without the running header (title; section) and the page numbers."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    title = reader.metadata.title
    pages = []
    for i, page in enumerate(reader.pages):
        lines = page.extract_text().splitlines()
        if i > 0 and lines and lines[0].startswith(title):  # page 1 repeats the title as its h1
            lines = lines[1:]
        pages.append("\n".join(ln for ln in lines if ln.strip() != f"{i + 1} / {len(reader.pages)}"))
    return "\n".join(pages)


def _squash(text: str) -> str:
    """Text for comparing paragraphs across layouts: no whitespace, no ASCII hyphen (line breaks and
    hyphenation in the PDF), no soft hyphen."""
    return re.sub(r"[\s\-\u00ad]+", "", text)


def _context_prose(ctx: dict) -> set[str]:
    """Every string of the context's prose: ctx['text'] (segments joined), the summary, the verdict, table notes."""
    out: set[str] = set()

    def walk(v):
        if isinstance(v, str):
            out.add(" ".join(v.split()))
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            if v and all(isinstance(x, dict) and set(x) == {"text", "code"} for x in v):  # one segmented paragraph
                out.add(" ".join("".join(x["text"] for x in v).split()))
            else:
                for x in v:
                    walk(x)

    walk(ctx["text"])
    walk(list(ctx["sections"]["summary"].paragraphs))
    walk(f"{ctx['text']['verdict_lead']} {ctx['verdict']['sentence']}")
    walk(ctx["sections"]["reference"].table.note)
    return out


@pytest.mark.parametrize("with_model", [True, False], ids=["model", "no-model"])
@pytest.mark.parametrize("spec", [None, Spec(sigma_min=3e-4, rd_max=0.1, thickness_min=30, thickness_max=60)],
                         ids=["no-spec", "spec"])
def test_html_and_pdf_show_the_same_prose_from_the_context(model, tmp_path, with_model, spec):
    # Batch C fails (the summary names the failing films); the bundled reference data is synthetic (notice shown).
    r = judge_batch(model, load_films(BATCHES[2]), spec=spec)
    ctx = build_batch_context(r, model=model if with_model else None)
    page = render_batch_html(r, context=ctx)
    pdf_text = _squash(_pdf_text(render_batch_pdf(r, tmp_path / "b.pdf", context=ctx)))
    paragraphs = _html_paragraphs(page)
    prose = _context_prose(ctx)
    expected = 10 + (2 if spec is not None else 0) + (1 if not with_model else 0)
    assert len(paragraphs) >= expected, paragraphs
    assert any("synthetic data set" in p for p in paragraphs)
    assert any(("1.33 or more" if spec is not None else "No spec limits were given") in p for p in paragraphs)
    assert any("The figures need the reference model" in p for p in paragraphs) is not with_model
    for p in paragraphs:
        # The HTML template writes no sentence of its own: every paragraph is a string of the context ...
        assert p in prose, f"HTML paragraph not from the context: {p!r}"
        # ... and the PDF shows the same words.
        assert _squash(p) in pdf_text, f"HTML paragraph missing from the PDF text: {p!r}"
    # every table note of the HTML is in the PDF too (the class-1 note only with the model, the capability note
    # only with spec limits)
    assert ("floored at 0" in page) is with_model and (_squash(ctx["sections"]["reference"].table.note) in pdf_text) is with_model
    assert (_squash(ctx["text"]["capability_note"]) in pdf_text) is (spec is not None)


def test_batch_templates_write_no_sentences():
    """Prose lives in qa/report.py (ctx['text'], the section objects); the templates hold short labels only."""
    from ssereport.qa.report import BATCH_SECTIONS
    from ssereport.report.render import environment

    env = environment()
    root = Path(__import__("ssereport").__file__).parent / "templates"
    typ = "\n".join((root / name).read_text(encoding="utf-8")
                    for name in ("batch.typ", *(str(s.typst_template) for s in BATCH_SECTIONS)))
    html = "\n".join(env.loader.get_source(env, name)[0]
                     for name in ("batch.html.j2", *(str(s.html_template) for s in BATCH_SECTIONS)))
    code = "\n".join(ln.split("//")[0] if not ln.lstrip().startswith("//") else "" for ln in typ.splitlines())
    literals = re.findall(r'"((?:[^"\\]|\\.)*)"', code)
    text = re.sub(r"\{[{%#].*?[}%#]\}", " ", html, flags=re.S)
    runs = [" ".join(t.split()) for t in re.split(r"<[^>]*>", text)]
    for s in literals + runs:
        assert len(s.split()) < 10 and not re.search(r"[a-z]\.(\s|$)", s), f"prose in a batch template: {s!r}"
    # the section titles come from the registry (one place for both); the short labels both templates write
    assert [s.title for s in BATCH_SECTIONS] == ["Summary", "Films", "Films on the reference maps",
                                                 "σ and RD against the reference class-1 films",
                                                 "Spec limits and capability", "Provenance"]
    for label in ("Fails:", "Note (outside reference range):"):
        assert label in html and label in typ, label


def test_index_templates_write_no_sentences():
    """The index's prose lives in qa/index.py (the section objects); its templates hold short labels only."""
    from ssereport.qa.index import INDEX_SECTIONS, MONTH_SECTIONS
    from ssereport.report.render import environment

    env = environment()
    names = {"index.html.j2", *(str(s.html_template) for s in (*INDEX_SECTIONS, *MONTH_SECTIONS))}
    html = "\n".join(env.loader.get_source(env, name)[0] for name in sorted(names))
    text = re.sub(r"\{[{%#].*?[}%#]\}", " ", html, flags=re.S)
    for piece in (" ".join(t.split()) for t in re.split(r"<[^>]*>", text)):
        assert len(piece.split()) < 10 and not re.search(r"[a-z]\.(\s|$)", piece), \
            f"prose in an index template: {piece!r}"


def test_class1_limits_floor_the_lower_limit_at_zero_like_the_index(model, run, html):
    c1 = model.class1
    assert c1["rd"]["mean"] - 3 * c1["rd"]["sd"] < 0 < c1["conductivity_s_cm"]["mean"] - 3 * c1["conductivity_s_cm"]["sd"]
    ctx = build_batch_context(judge_batch(model, load_films(BATCHES[0])), model=model, figures={})
    table = ctx["sections"]["reference"].table
    assert table.headers[-1] == "mean ± 3 SD limits" and "lower limit is floored at 0" in table.note
    limits = {row[0]: row[-1] for row in table.rows}
    rd, sigma = limits["RD"], limits["σ (S/cm)"]
    assert rd == f"{fmt_num(0.0)} – {fmt_num(c1['rd']['mean'] + 3 * c1['rd']['sd'])}" and "−" not in rd
    s = c1["conductivity_s_cm"]
    assert sigma == f"{fmt_num(s['mean'] - 3 * s['sd'])} – {fmt_num(s['mean'] + 3 * s['sd'])}"  # not floored
    # the same limits as the control charts of the index
    index = build_index_context(collect_reports(run["out"]), [], studies=[], out=run["out"], model=model)
    for label, _n, _center, _sd, lcl, ucl in index["sections"]["control"].limits.rows:
        assert limits[label] == f"{lcl} – {ucl}"
    page = html["2026-03-02_A"]
    assert f'<td class="num">{rd}</td>' in page and "lower limit is floored at 0" in page


def test_lower_control_limit():
    from ssereport.analysis.control import imr_chart, lower_control_limit

    assert lower_control_limit(0.04, 0.0244) == 0.0
    assert lower_control_limit(0.04, 0.0244, None) == pytest.approx(0.04 - 3 * 0.0244)
    assert lower_control_limit(5e-4, 1e-4) == pytest.approx(2e-4)
    assert lower_control_limit(1.0, 1.0, lower_bound=-0.5) == -0.5
    assert imr_chart("rd", [0.03, 0.05], ["a", "b"], center=0.04, sigma=0.0244).lcl == 0.0


# --------------------------------------------------------------------------- PDF

def test_run_writes_every_file(run):
    names = {p.name for p in run["out"].iterdir()} - {"history.sqlite-wal", "history.sqlite-shm"}  # SQLite's, while open
    assert names == {f"{s}.{x}" for s in STEMS for x in ("json", "html", "pdf")} | {"index.html", "index-2026-03.html",
                                                                                   "history.sqlite"}
    assert all(o["error"] is None for o in run["outcomes"])


def test_pdf_is_pdf_a_3b(pdfs):
    for reader in pdfs.values():
        xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
        assert re.search(r"pdfaid:part(>|=\")3", xmp), xmp[:300]
        assert re.search(r"pdfaid:conformance(>|=\")B", xmp)


def test_pdf_attaches_the_batch_data_and_json_once_byte_identical(pdfs, run):
    for csv in BATCHES:
        stem = csv.stem.removeprefix("batch_")
        reader = pdfs[stem]
        json_path = run["out"] / f"{stem}.json"
        att = reader.attachments
        assert set(att) == {csv.name, json_path.name}
        assert att[csv.name] == [csv.read_bytes()]
        assert att[json_path.name] == [json_path.read_bytes()]
        af = [ref.idnum for ref in reader.trailer["/Root"]["/AF"]]
        assert len(af) == 2 and len(set(af)) == 2


def test_pdf_text_has_verdict_reasons_and_title(pdfs, results):
    reader = pdfs["2026-03-16_C"]
    text = "\n".join(p.extract_text() for p in reader.pages)
    flat = " ".join(text.split())
    assert "Batch 2026-03-16_C — FAIL" in text
    assert "✗ FAIL" in text and "Batch 2026-03-16_C: FAIL." in flat  # the verdict in words, not colour only
    assert "(5th percentile of class-1 reference films)" in flat
    r = results["2026-03-16_C"]
    for sid in r.films["sample_id"]:
        assert sid in text
    for reason in {finding_text(x) for rs in r.films["reasons"] for x in rs}:
        assert " ".join(reason.split()) in flat, reason
    assert len(re.findall(r"\bFAIL\b", flat)) >= 9 + 2  # every film's result, the badge and the title
    n = len(reader.pages)
    assert 2 <= n <= 6
    assert all(f"{i + 1} / {n}" in reader.pages[i].extract_text() for i in range(n))
    assert reader.metadata.title == "Batch 2026-03-16_C — FAIL"
    assert reader.metadata.author.startswith("ssereport ")
    assert "(FAIL: 0 of 9 films pass)" in reader.metadata.subject
    assert "quality control" in reader.metadata["/Keywords"]


def test_pdf_has_bookmarks_units_and_figures_with_alt_text(pdfs):
    from .test_report import _alt_texts, _outline_titles

    for stem, reader in pdfs.items():
        titles = _outline_titles(reader.outline)
        assert titles == [f"Batch {stem} — {VERDICTS[stem].upper()}", "1. Summary", "2. Films",
                          "3. Films on the reference maps", "4. σ and RD against the reference class-1 films",
                          "5. Spec limits and capability", "6. Provenance"]
        alts = _alt_texts(reader)
        assert len(alts) == 3 and all(len(a) > 60 for a in alts)
        text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
        for unit in ("(wt%)", "(µL/mg)", "(vol%)", "(µm)", "(S/cm)", "margin (–)"):
            assert unit in text, unit


def test_missing_pdf_fonts_are_an_error_entry_not_a_crash(model, tmp_path, monkeypatch):
    from ssereport.report import pdf as pdf_module

    monkeypatch.setattr(pdf_module, "FONT_FILES", (*pdf_module.FONT_FILES, "NoSuchFont-ssereport.ttf"))
    pdf_module.find_fonts.cache_clear()
    try:
        outcomes = run_batches(BATCHES[:1], model, tmp_path, formats=("json", "pdf"))
    finally:
        pdf_module.find_fonts.cache_clear()
    assert len(outcomes) == 1
    assert outcomes[0]["error"].startswith(f"{BATCHES[0].name}: the PDF was not written: the PDF needs the fonts "
                                           "NoSuchFont-ssereport.ttf")
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob(".*.part"))


# --------------------------------------------------------------------------- index

def _index_rows(page: str) -> list[tuple[str, str]]:
    table = page[page.index('id="batches"'):page.index('id="control"')]
    return re.findall(r'<tr><td>([^<]+)</td><td>[^<]*</td><td><span class="badge (pass|fail)">', table)


def test_index_lists_batches_in_time_order_with_verdicts(index):
    assert _index_rows(index) == [(s, VERDICTS[s]) for s in STEMS]
    assert "Errors in the last run" not in index


def test_index_links_exist(index, run):
    hrefs = re.findall(r'href="([^"#]+)"', index)
    assert len(hrefs) == 10  # 3 reports x 3 files and the month page index-2026-03.html
    assert all((run["out"] / h).is_file() for h in hrefs)


def test_index_control_charts(index, model):
    figs = re.findall(r'<figure role="img" aria-label="([^"]*)" class="fig fig-(imr_\w+)">', index)
    assert [k for _, k in figs] == ["imr_sigma", "imr_rd"]
    assert all("31 films of 3 batches" in alt for alt, _ in figs)
    # the failing batch C (low σ, high RD): its films are failure rows quoting the reason, not rule signals
    assert re.search(r'<tr class="fail-row"><td class="nowrap"><span class="badge fail">✗ FAIL</span></td>'
                     r'<td class="nowrap">2026-03-16_C</td><td class="nowrap">B26-0316C-01</td><td>RD</td>'
                     r'<td class="num">[^<]+</td><td>RD = 0.216 &gt; 0.101 \(95th percentile of class-1 reference '
                     r'films\)</td>', index)
    assert not _EXTERNAL.search(index) and "<script" not in index.lower()
    assert "<style>" in index


def test_index_without_model_has_no_charts(run):
    page = render_index_html(collect_reports(run["out"]), [], studies=[], out=run["out"], model=None)
    assert "<figure" not in page and "need the reference model" in page
    assert [b for b, _ in _index_rows(page)] == STEMS


def test_index_links_study_reports(tmp_path, run, model):
    (tmp_path / "study.results.json").write_text("{}")
    (tmp_path / "study.html").write_text("<p>")
    page = render_index_html([], [], studies=["study.results.json"], out=tmp_path, model=model)
    assert '<a href="study.html">HTML</a>' in page and '<a href="study.results.json">JSON</a>' in page
    assert 'href="study.pdf"' not in page  # no link to a file that is not there


_INDEX_DUMMY_PARTIAL = """{% import "_macros.html.j2" as m %}
<section class="batch-section" id="{{ sec.id }}" aria-labelledby="h-{{ sec.id }}">
<h2 id="h-{{ sec.id }}">{{ sec.title }}</h2>
{{ m.intro(s.intro) }}{{ m.table(s.errors) }}
</section>
"""


def test_dummy_section_added_to_the_index_is_written(tmp_path):
    """An index section is one function and one HTML partial; a build returning None leaves its section out."""
    from dataclasses import dataclass

    from ssereport.qa.index import INDEX_SECTIONS
    from ssereport.report.vocab import Section, Table

    @dataclass(frozen=True, eq=False)
    class Dummy:
        intro: tuple[str, ...]
        errors: Table

    def dummy(inp):
        return Dummy(intro=(f"The dummy saw {len(inp.reports)} batches & <b>{len(inp.errors)}</b> error.",),
                     errors=Table(caption="Dummy table of errors.", headers=["file", "error"],
                                  rows=[[e["source"], e["error"]] for e in inp.errors]))

    partial = tmp_path / "_dummy.html.j2"
    partial.write_text(_INDEX_DUMMY_PARTIAL, encoding="utf-8")
    assert INDEX_SECTIONS.ids() == ["errors", "batches", "months", "studies", "control"]
    with INDEX_SECTIONS.added(Section("dummy", "Dummy checks", dummy, html=partial), before="control"), \
            INDEX_SECTIONS.added(Section("nothing", "Nothing to show", lambda inp: None, html=partial)):
        page = render_index_html([], [{"source": "a.csv", "error": "bad"}], studies=[], out=None, model=None)
    assert '<h2 id="h-dummy">Dummy checks</h2>' in page
    assert page.index('id="h-errors"') < page.index('id="h-batches"') < page.index('id="h-dummy"') \
        < page.index('id="h-control"')
    assert "The dummy saw 0 batches &amp; &lt;b&gt;1&lt;/b&gt; error." in page  # escaped like the built-in ones
    assert "<caption>Dummy table of errors.</caption>" in page and "<td>a.csv</td>" in page
    assert "Nothing to show" not in page
    assert INDEX_SECTIONS.ids() == ["errors", "batches", "months", "studies", "control"]  # removed again


def test_bad_file_gets_an_error_entry_and_the_good_ones_are_written(model, tmp_path):
    bad = _bad_csv(tmp_path / "bad batch.csv")
    out = tmp_path / "out"
    outcomes = run_batches([*BATCHES, bad], model, out, formats=("json", "html"))
    errors = [o for o in outcomes if o["error"]]
    assert len(errors) == 1 and errors[0]["source"] == "bad batch.csv"
    assert {f"{s}.{x}" for s in STEMS for x in ("json", "html")} <= {p.name for p in out.iterdir()}
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "Errors in the last run" in page and "bad batch.csv" in page
    assert str(escape(errors[0]["error"])) in page
    assert [b for b, _ in _index_rows(page)] == STEMS


@pytest.mark.xfail(_NO_MODEL_ON_RESULT, strict=True,
                   reason="run_batches calls render_batch_html(result) and BatchResult does not carry its model")
def test_reports_written_by_run_batches_have_figures(run):
    page = (run["out"] / "2026-03-16_C.html").read_text(encoding="utf-8")
    assert page.count('<figure role="img"') == 3


# --------------------------------------------------------------------------- CLI

def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssereport", *map(str, args)], capture_output=True, text=True)


def _without_created(path: Path) -> dict:
    d = json.loads(path.read_text(encoding="utf-8"))
    d["provenance"].pop("created")
    return d


@pytest.mark.slow
def test_cli_end_to_end(tmp_path, fast_config_file, ssereport_cli):
    """``fit`` then ``batch``; ``batch --jobs 2`` through the real entry point (``python -m ssereport``) gives the
    same reports. (A subprocess, not this process: forking a process whose OpenMP threads have run, as the tests'
    analyses have here, can hang the workers; ``ssereport batch`` forks before any.)"""
    m = tmp_path / "m.json"
    ran = ssereport_cli("fit", REFERENCE_CSV, "--model", m, "-q", "--config", fast_config_file)
    assert ran.returncode == 0, ran.stderr
    out = tmp_path / "out"
    ran = ssereport_cli("batch", *BATCHES, "--model", m, "--out", out, "-q")
    assert ran.returncode == 1, ran.stderr  # batch C fails: exit 1, every report written
    assert ran.stdout == "" and ran.stderr == ""
    for s in STEMS:
        for x in ("html", "pdf", "json"):
            assert (out / f"{s}.{x}").stat().st_size > 0
    assert (out / "index.html").is_file()
    out2 = tmp_path / "out2"
    proc = _cli("batch", *BATCHES, "--model", m, "--out", out2, "-q", "--jobs", "2", "--format", "json,html",
                "--exit-zero")
    assert proc.returncode == 0, proc.stderr
    for s in STEMS:
        assert _without_created(out / f"{s}.json") == _without_created(out2 / f"{s}.json")
        strip = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00")
        h1, h2 = ((o / f"{s}.html").read_text(encoding="utf-8") for o in (out, out2))
        assert strip.sub("T", h1) == strip.sub("T", h2)


def test_cli_bad_file_exits_2_and_the_others_are_written(model, tmp_path, ssereport_cli):
    m = save_model(model, tmp_path / "m.json")
    out = tmp_path / "out"
    bad = _bad_csv(tmp_path / "bad.csv")
    proc = ssereport_cli("batch", *BATCHES, bad, "--model", m, "--out", out, "-q", "--format", "json")
    assert "Traceback" not in proc.stderr and "bad.csv, row 4, column 'ls_ratio'" in proc.stderr
    assert {f"{s}.json" for s in STEMS} <= {p.name for p in out.iterdir()}
    assert "Errors in the last run" in (out / "index.html").read_text(encoding="utf-8")
    assert proc.returncode == 2


def test_batch_exit_status_pass_fail_unreadable(model, tmp_path, capsys):
    """0 when every batch passes, 1 when one fails, 2 for an unreadable file (and no report for it)."""
    from ssereport.cli import main

    m = str(save_model(model, tmp_path / "m.json"))
    passing, failing = str(BATCHES[0]), str(BATCHES[2])
    unreadable = tmp_path / "unreadable.csv"
    unreadable.write_bytes(b"\x00\x01 not a table")
    common = ["--model", m, "--format", "json", "-q"]
    assert main(["batch", passing, "--out", str(tmp_path / "a"), *common]) == 0
    assert main(["batch", passing, failing, "--out", str(tmp_path / "b"), *common]) == 1
    assert {p.name for p in (tmp_path / "b").glob("*.json")} == {"2026-03-02_A.json", "2026-03-16_C.json"}
    assert main(["batch", failing, "--out", str(tmp_path / "c"), "--exit-zero", *common]) == 0
    assert main(["batch", passing, str(unreadable), "--out", str(tmp_path / "d"), *common]) == 2
    assert not list((tmp_path / "d").glob("unreadable*"))
    assert main(["batch", failing, str(unreadable), "--out", str(tmp_path / "e"), "--exit-zero", *common]) == 2
    assert main(["batch", passing, "--out", str(tmp_path / "f"), "--no-such-option", *common]) == 2
    err = capsys.readouterr().err
    assert "unreadable.csv" in err and "Traceback" not in err


def test_batch_help_states_the_exit_status():
    from typer.testing import CliRunner

    from ssereport.cli import app

    text = " ".join(CliRunner().invoke(app, ["batch", "--help"], terminal_width=200).output.split())
    assert "0 when every batch passes, 1 when any batch fails" in text and "--exit-zero" in text
    assert "2 on an input or usage error" in text


def test_model_fixture_round_trips(model, tmp_path):
    from ssereport.qa.model import load_model

    p = save_model(model, tmp_path / "m.json")
    r1 = judge_batch(model, load_films(BATCHES[2]))
    r2 = judge_batch(load_model(p), load_films(BATCHES[2]))
    assert render_batch_html(r1, model=model).count("FAIL") == render_batch_html(r2, model=load_model(p)).count("FAIL")


def test_index_rule_table_lists_every_flagged_point_of_every_chart(index, model, run):
    """One source of truth: the table has a row per ControlChart.flags entry, moving-range flags included."""
    from ssereport.analysis.control import imr_chart

    films = [f for r in collect_reports(run["out"]) for f in r["films"]]
    charts = [imr_chart(v, [f[v] for f in films], [f["sample_id"] for f in films],
                        center=model.class1[v]["mean"], sigma=model.class1[v]["sd"])
              for v in ("conductivity_s_cm", "rd")]
    n_flags = sum(len(ch.flags) for ch in charts)
    assert sum(len(ch.mr_violations) for ch in charts) == 4  # σ: film 22; RD: films 14, 22, 28
    # a flag on a film failing that variable is shown as the failure (its reason), every other one as a signal
    failing = {v: {i for i, f in enumerate(films) if any(r["variable"] == v for r in f["reasons"])}
               for v in ("conductivity_s_cm", "rd")}
    on_failures = sum(1 for ch in charts for fl in ch.flags
                      if fl.panel == "individuals" and fl.index in failing[ch.variable])
    n_reasons = sum(len(f["reasons"]) for f in films)
    table = index[index.index("<h3>Failures and process signals</h3>"):]
    table = table[:table.index("</table>")]
    assert len(re.findall(r'<tr class="signal-row">', table)) == n_flags - on_failures
    assert len(re.findall(r'<tr class="fail-row">', table)) == n_reasons == 19
    assert (f"<caption>{n_reasons} failures (a film outside its acceptance limit) and {n_flags - on_failures} "
            f"process signals (unusual, within the limit)</caption>") in table
    assert table.count("<td>RD, moving range</td>") == 3
    assert "MR: moving range above its upper limit" in table
    assert table.index('class="fail-row"') < table.index('class="signal-row"')  # failures first


def test_loading_notes_on_the_first_page(results, model, tmp_path):
    import dataclasses

    from pypdf import PdfReader

    r = results["2026-03-02_A"]
    note = "column 'X:B': every value is ≤ 1; read as a fraction and multiplied by 100 (vol%)"
    r = dataclasses.replace(r, table=dataclasses.replace(r.table, notes=(note,)))
    page = render_batch_html(r, model=model)
    assert page.index(str(escape(note))) < page.index('id="h-summary"')  # above the first section
    pdf = render_batch_pdf(r, tmp_path / "a.pdf", model=model)
    first = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert "Notes on the batch file" in first and note in first


def test_limits_are_compared_with_enough_digits():
    from ssereport.format import fmt_compare, fmt_trimmed

    assert fmt_compare(1.7e-4, 3e-4) == ("1.7 × 10⁻⁴", "3 × 10⁻⁴")
    assert fmt_compare(0.21, 0.1009175) == ("0.21", "0.101")
    # 3 digits would read "0.101 > 0.101": more digits until they differ
    assert fmt_compare(0.10095, 0.1009175) == ("0.10095", "0.10092")
    assert fmt_trimmed(100.0) == "100" and fmt_trimmed(3.0e-4) == "3 × 10⁻⁴"


def test_level_maps_are_the_models_predictions_evaluated_once_per_level(model, monkeypatch):
    """The decision panels' grid at one P% is model.predict on that grid, computed once per process and level."""
    import numpy as np

    from ssereport.plots import batch as pb
    from ssereport.qa.model import ReferenceModel

    calls = []
    real = ReferenceModel.predict

    def spy(self, data):
        if len(data) == pb.GRID ** 2:  # a grid (judge_batch predicts the films too)
            calls.append(float(data["polymer_wt_pct"].iloc[0]))
        return real(self, data)

    monkeypatch.setattr(ReferenceModel, "predict", spy)
    pb.level_map.cache_clear()
    pred, margin = pb.level_map(model, 5.0)
    (l0, l1), (b0, b1) = model.ranges["ls_ratio"], model.ranges["xylene_vol_pct"]
    gx, gy = np.meshgrid(np.linspace(l0, l1, pb.GRID), np.linspace(b0, b1, pb.GRID))
    want, want_margin = real(model, pd.DataFrame({"polymer_wt_pct": 5.0, "ls_ratio": gx.ravel(),
                                                  "xylene_vol_pct": gy.ravel()}))
    assert (pred.ravel() == want).all() and np.allclose(margin.ravel(), want_margin)
    assert not pred.flags.writeable  # shared by every batch: nobody may change it
    a = pd.read_csv(ROOT / "data" / "batches" / "batch_2026-03-02_A.csv")
    for _ in range(2):  # two batches with the same levels: no new evaluation
        pb.decision_panels(model, judge_batch(model, load_films(ROOT / "data" / "batches" / "batch_2026-03-02_A.csv")))
    assert sorted(calls) == sorted([5.0] + sorted({float(p) for p in a["polymer_wt_pct"]} - {5.0}))
    pb.level_map.cache_clear()


def test_batch_workers_get_the_model_once_so_level_maps_are_reused(model, tmp_path, monkeypatch):
    """With --jobs, each file's arguments are pickled to a worker; the model is not among them but
    given once to each worker (its initializer), so one worker evaluates a P% level's map once."""
    import pickle

    from ssereport.plots import batch as pb
    from ssereport.qa import run as qrun

    class InProcessPool:  # what ProcessPoolExecutor does with the arguments, in this process
        def __init__(self, max_workers, mp_context=None, initializer=None, initargs=()):
            self.init = (initializer, pickle.loads(pickle.dumps(initargs)))

        def __enter__(self):
            if self.init[0] is not None:
                self.init[0](*self.init[1])
            return self

        def __exit__(self, *exc):
            return False

        def map(self, fn, *iterables):
            return [fn(*pickle.loads(pickle.dumps(args))) for args in zip(*iterables)]

    monkeypatch.setattr(qrun, "ProcessPoolExecutor", InProcessPool)
    files = sorted((ROOT / "data" / "batches").glob("*.csv"))
    again = pd.read_csv(files[1]).assign(batch_id="2026-03-10_B2")  # batch B's P% levels a second time
    again.to_csv(tmp_path / "batch_2026-03-10_B2.csv", index=False)
    files.append(tmp_path / "batch_2026-03-10_B2.csv")
    levels = {float(p) for f in files for p in pd.read_csv(f)["polymer_wt_pct"]}
    pb.level_map.cache_clear()
    outcomes = run_batches(files, model, tmp_path / "out", formats=("json", "html"), jobs=2)
    assert [o["verdict"] for o in outcomes] == ["pass", "pass", "fail", "pass"]
    assert pb.level_map.cache_info().misses == len(levels)  # each level once, not once per file
    pb.level_map.cache_clear()
