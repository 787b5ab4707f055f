"""HTML and PDF/A reports (ssereport.report): content, escaping, self-containment, attachments."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from markupsafe import escape

from ssereport.report.context import SECTIONS, build_context
from ssereport.format import fmt_fixed, fmt_num, fmt_p, fmt_pct
from ssereport.report.render import environment, render_html, render_pdf, render_report
from ssereport.report.figures import FIGURES

from .conftest import need_weasyprint

TITLE = "Reference films — σ, ρ, Ω & µm²"
AUTHOR = "Test Author"
EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def report(reference_results, tmp_path_factory):
    """The reference report, rendered once for this module (HTML, PDF and results JSON)."""
    out = tmp_path_factory.mktemp("report")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    paths = render_report(reference_results, out, title=TITLE, author=AUTHOR, timings=timings)
    timings["total"] = time.perf_counter() - t0
    return {"dir": out, "paths": paths, "timings": timings,
            "html": paths["html"].read_text(encoding="utf-8")}


@pytest.fixture(scope="module", params=["typst", "weasyprint"])
def engine(request) -> str:
    """The PDF engines: every PDF check runs on both (WeasyPrint lays out the HTML report)."""
    if request.param == "weasyprint":
        need_weasyprint()
    return request.param


@pytest.fixture(scope="module")
def pdf_path(report, engine, reference_results, reference_path):
    """The reference report's PDF from ``engine``, with the same title, author and attachments."""
    if engine == "typst":
        return report["paths"]["pdf"]
    return render_pdf(reference_results, report["dir"] / f"{engine}.pdf", title=TITLE, author=AUTHOR,
                      attachments=[reference_path, report["paths"]["json"]], engine=engine)


@pytest.fixture(scope="module")
def pdf(pdf_path):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(pdf_path.read_bytes()))


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    """The text of each page of :func:`pdf` (pypdf's text extraction, once per engine: it is the slow part)."""
    return [page.extract_text() for page in pdf.pages]


@pytest.fixture(scope="module")
def pdf_text(pages) -> str:
    """The text of every page, lines joined by spaces (a table cell or sentence may wrap)."""
    return " ".join(" ".join(page.split()) for page in pages)


# --------------------------------------------------------------------------- files


def test_writes_the_three_files_with_the_input_stem(report):
    names = {p.name for p in report["paths"].values()}
    assert names == {"sse_films_reference.html", "sse_films_reference.pdf", "sse_films_reference.results.json",
                     "sse_films_reference.films.csv"}
    assert all(p.parent == report["dir"] and p.stat().st_size > 0 for p in report["paths"].values())


def test_atomic_writes_leave_no_temporary_files(report):
    leftovers = [p.name for p in report["dir"].iterdir() if p.name.endswith(".part") or p.name.startswith(".")]
    assert leftovers == []


def test_results_json_is_the_results(report, reference_results):
    assert report["paths"]["json"].read_text(encoding="utf-8") == reference_results.to_json()


def test_stem_is_made_safe_and_formats_are_checked(reference_results, tmp_path):
    out = render_report(reference_results, tmp_path, formats=(), stem="../../etc/<b>passwd")
    assert list(out) == ["json", "csv"]
    assert out["json"].parent == tmp_path
    assert out["json"].name == "etc_b_passwd.results.json"
    assert out["csv"].name == "etc_b_passwd.films.csv"
    with pytest.raises(ValueError, match=r"expected a subset of \['html', 'pdf'\]"):
        render_report(reference_results, tmp_path, formats=("docx",))


def test_templates_are_found_in_the_package():
    names = set(environment().list_templates())
    assert {"report.html.j2", "report.typ", "batch.typ", "_common.typ"} <= names
    for sid, _ in SECTIONS:
        assert f"sections/_{sid}.html.j2" in names


# --------------------------------------------------------------------------- HTML content


def test_html_has_every_section_heading_in_order(report):
    html = report["html"]
    positions = [html.find(f'id="h-{sid}">{i}. {title}</h2>') for i, (sid, title) in enumerate(SECTIONS, 1)]
    assert all(p > 0 for p in positions), positions
    assert positions == sorted(positions)


def _text(html: str) -> str:
    """Visible text, roughly: no style, no SVG, no tags, entities decoded."""
    from html import unescape

    html = re.sub(r"<(svg|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_html_shows_the_numbers_of_the_results_json(report, reference_results):
    d = reference_results.to_dict()
    text = _text(report["html"])
    kw = {r["variable"]: r for r in d["kruskal_wallis"]}
    sigma, rd = kw["conductivity_s_cm"], kw["rd"]
    # The example sentence of the spec: "σ differed between classes, H(2) = 75.6, p < .001, ε² = 0.69"
    assert (f"σ differed between classes, H(2) = {fmt_num(sigma['H'])}, {fmt_p(sigma['p_value'])}, "
            f"ε² = {fmt_fixed(sigma['epsilon_squared'], 2)}.") in text
    assert f"H(2) = {fmt_num(rd['H'])}" in text
    svm = d["svm"]
    assert f"macro F1 = {fmt_num(svm['test_f1_macro'])}" in text
    assert f"mean macro F1 was {fmt_num(svm['cv_f1_macro_mean'])}" in text
    lo, hi = svm["cv_f1_macro_ci95"]
    assert f"between {fmt_num(lo)} and {fmt_num(hi)}" in text
    for cls, n in d["classes"]["counts"].items():
        assert f"{n} ({fmt_pct(n / d['input']['n_analyzed'])}) in class {cls}" in text
    inter = next(r for r in d["log_anova"]["table"] if ":" in r["term"])
    assert (f"The interaction X:B × L:S on log(RD) was significant, F(1, 106) = {fmt_num(inter['F'])}, "
            f"{fmt_p(inter['p_value'])}, partial η² = {fmt_fixed(inter['partial_eta_squared'], 3)}.") in text
    assert f"<td class=\"num\">{fmt_p(inter['p_value'], prefix=False)}</td>" in report["html"]
    assert "<td class=\"num\">&lt; .001</td>" in report["html"]
    assert "type II" in text
    assert f"silhouette was {fmt_fixed(d['classes']['silhouette'], 2)}" in text
    assert fmt_pct(sum(d["pca"]["explained_variance_ratio"])) in text
    assert d["input"]["sha256"] in text
    assert "SYNTHETIC" in text
    assert "10.1021/acsenergylett.1c00332" in text
    for sample_id in d["classes"]["sample_id"]:
        assert f"<td>{sample_id}</td>" in report["html"]


def test_html_process_window_comes_from_the_decision_map(report, reference_results):
    ctx = build_context(reference_results, figures={})
    window = ctx["summary"].window
    assert window.xb_levels == ("0", "50", "100")
    rows = window.table.rows
    assert [r[0] for r in rows] == ["3", "4 *", "5", "6 *", "7", "8 *", "9 *", "10"]
    for row in rows:
        for cell in row[1:]:
            run = r"(≤ )?\d\.\d\d(–| to ≥ )\d\.\d\d"
            assert re.fullmatch(rf"{run}(, {run})*|none", cell), cell
            assert f"<td class=\"num\">{cell}</td>" in report["html"]
    # a window that starts at the edge of the tested L:S grid (0.60) is marked, and the note says why
    assert [r[1].startswith("≤ 0.60–") for r in rows[:2]] == [True, True]
    assert "≤ / ≥: the window reaches the edge of the tested L:S range (0.60–1.40 µL/mg)" in window.table.note


def test_summary_wording_after_the_review(report):
    html = report["html"]
    assert "The first page gives" not in html and "This summary gives the verdict" in html
    # the key numbers do not repeat their label, and the typst package names the compiler the PDF states
    assert "σ between classes" not in html and "Kruskal–Wallis test, σ" in html
    assert re.search(r"typst \d+\.\d+\.\d+ \(Typst compiler \d+\.\d+\.\d+\)", html)
    assert "standardized" not in html and "standardised" in html
    # alt texts format numbers as the tables do (true minus sign, no e-notation)
    for desc in re.findall(r"<desc[^>]*>(.*?)</desc>", html, flags=re.S):
        assert not re.search(r"\de[-+]\d\d", desc) and not re.search(r"[(\s]-\d", desc), desc[:200]


def test_fmt_window_marks_the_edges_of_the_grid():
    from ssereport.format import fmt_window

    assert fmt_window(0.6, 1.04, 0.6, 1.4) == "≤ 0.60–1.04"
    assert fmt_window(0.8, 1.4, 0.6, 1.4) == "0.80 to ≥ 1.40"
    assert fmt_window(0.7, 1.1, 0.6, 1.4) == "0.70–1.10"
    assert fmt_window(0.6, 0.6, 0.6, 1.4) == "≤ 0.60"


def test_units_on_column_headers(report):
    html = report["html"]
    for head in ("σ (S/cm)", "thickness (µm)", "L:S (µL/mg)", "X:B (vol%)", "P% (wt%)", "ρ (g/cm³)", "Ω (Ω)"):
        assert f"<th scope=\"col\">{head}</th>" in html or f"<td>{head}</td>" in html or \
            f"<th scope=\"col\" class=\"num\">{head}</th>" in html, head


def test_html_is_self_contained_small_and_without_scripts(report):
    html = report["html"]
    assert len(html.encode("utf-8")) <= 1_000_000
    assert not re.search(r"""\b(src|href|xlink:href)\s*=\s*["']?\s*(https?:|//|file:)""", html, re.I)
    assert not re.search(r"@import", html, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(https?:|//|file:)""", html, re.I)
    assert "<link" not in html
    assert not re.search(r"<script", html, re.I)
    assert not re.search(r"\son[a-z]+\s*=", html, re.I)  # no inline event handlers


def test_every_figure_has_alt_text_and_a_caption(report):
    figures = re.findall(r"<figure\b[^>]*>.*?</figure>", report["html"], flags=re.S)
    assert len(figures) == len(FIGURES)
    for fig in figures:
        label = re.search(r'aria-label="([^"]*)"', fig)
        assert label and label.group(1).strip(), fig[:200]
        assert 'role="img"' in fig
        assert "<svg" in fig
        assert re.search(r"<figcaption>\s*\S", fig)


def test_title_and_sample_ids_are_escaped(reference_results):
    import dataclasses

    table = reference_results.table
    data = table.data.copy()
    data.iloc[0, data.columns.get_loc("sample_id")] = EVIL
    results = dataclasses.replace(reference_results, table=dataclasses.replace(table, data=data))
    html = render_html(results, title=EVIL, author=EVIL, figures={})
    assert EVIL not in html
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in html
    assert '<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>' in html  # the sample ID in the film table


def test_missing_figures_are_reported_not_hidden(reference_results):
    html = render_html(reference_results, figures={})
    assert "<figure" not in html
    assert html.count('class="missing"') == len(FIGURES)


# --------------------------------------------------------------------------- PDF


def _outline_titles(outline) -> list[str]:
    out = []
    for item in outline:
        if isinstance(item, list):
            out.extend(_outline_titles(item))
        else:
            out.append(item.title)
    return out


def _pdf_text(reader) -> str:
    """The text of every page, lines joined by spaces (a table cell or sentence may wrap)."""
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _alt_texts(reader) -> list[str]:
    """The /Alt entries of the tagged PDF's structure tree (the figures' alt text)."""
    from pypdf.generic import ArrayObject, DictionaryObject

    out: list[str] = []

    def walk(node) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, DictionaryObject):
            if "/Alt" in node:
                out.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, ArrayObject):
            for child in node:
                walk(child)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return out


def test_pdf_opens_with_bookmarks_and_metadata(pdf, report):
    assert 12 <= len(pdf.pages) <= 30  # ~17 pages for the 110 reference films
    assert pdf.outline[0].title == TITLE  # the title, with the sections nested under it
    titles = _outline_titles(pdf.outline)
    assert titles[0] == TITLE
    assert [t for t in titles if re.match(r"\d\. ", t)] == [f"{i}. {title}" for i, (_, title) in enumerate(SECTIONS, 1)]
    for sub in ("Process window", "Key numbers", "Kruskal-Wallis", "Decision maps", "References",
                "Films and their classes"):
        assert sub in titles, sub
    meta = pdf.metadata
    assert meta.title == TITLE
    assert meta.author == AUTHOR
    assert meta.subject.startswith("Statistical quality report of 110 solid-state-electrolyte films")
    assert meta["/Keywords"] == ("solid-state electrolyte, film quality, PCA, K-means, Kruskal-Wallis, ANOVA, SVM, "
                                 "ssereport")
    # the creation date is the analysis date of the results (to the second, UTC)
    created = re.search(r'"created": "(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\+00:00"',
                        report["paths"]["json"].read_text(encoding="utf-8"))
    assert meta["/CreationDate"].startswith("D:" + "".join(created.groups()))
    assert meta["/ModDate"].startswith("D:20")


def test_pdf_is_pdf_a_3b(pdf):
    xmp = pdf.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")3", xmp), xmp[:500]
    assert re.search(r"pdfaid:conformance(>|=\")B", xmp)
    assert "/OutputIntents" in pdf.trailer["/Root"]


def test_pdf_fonts_are_embedded_dejavu(pdf):
    fonts = set()
    for page in pdf.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            # (Typst names them DejaVuSans-Bold, WeasyPrint DejaVu-Sans-Bold)
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1].replace("-", ""))
    assert fonts and fonts <= {"DejaVuSans", "DejaVuSansBold", "DejaVuSansMono"}, fonts


def test_pdf_text_has_page_numbers_and_units(pages, pdf_text, engine):
    n = len(pages)
    for i in (0, n // 2, n - 1):  # report.typ's footer; print.css's for WeasyPrint
        assert (f"{i + 1} / {n}" if engine == "typst" else f"Page {i + 1} of {n}") in pages[i]
    text = "".join(pages[:4])
    for token in ("µL/mg", "σ", "Ω", "ρ", "g/cm³", "ε²"):
        assert token in text, token
    text = pdf_text
    for head in ("Median σ (S/cm)", "Median thickness (µm)", "L:S (µL/mg)", "X:B (vol%)", "P% (wt%)", "ρ (g/cm³)",
                 "Ω (Ω)", "thickness (µm)"):
        assert head in text, head


def test_pdf_shows_the_sections_and_the_numbers_of_the_results_json(pdf_text, reference_results):
    d = reference_results.to_dict()
    text = pdf_text
    positions = [text.find(f"{i}. {title}") for i, (_, title) in enumerate(SECTIONS, 1)]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions
    kw = {r["variable"]: r for r in d["kruskal_wallis"]}
    sigma = kw["conductivity_s_cm"]
    assert (f"σ differed between classes, H(2) = {fmt_num(sigma['H'])}, {fmt_p(sigma['p_value'])}, "
            f"ε² = {fmt_fixed(sigma['epsilon_squared'], 2)}.") in text
    svm = d["svm"]
    assert f"macro F1 = {fmt_num(svm['test_f1_macro'])}" in text
    for cls, n in d["classes"]["counts"].items():  # (pdf_text makes the no-break space before % a space)
        assert f"{n} ({fmt_pct(n / d['input']['n_analyzed'])}) in class {cls}".replace("\xa0", " ") in text
    inter = next(r for r in d["log_anova"]["table"] if ":" in r["term"])
    assert f"F(1, 106) = {fmt_num(inter['F'])}" in text
    assert f"silhouette was {fmt_fixed(d['classes']['silhouette'], 2)}" in text
    assert d["input"]["sha256"] in text
    assert "SYNTHETIC" in text and "10.1021/acsenergylett.1c00332" in text
    assert "What ran:" in text and d["svm"]["method"] in text
    for sample_id in d["classes"]["sample_id"]:  # the appendix lists every film
        assert sample_id in text


def test_pdf_numbers_are_right_aligned(pdf, pages):
    """In the Kruskal-Wallis table the p column is right-aligned: "< .001" starts left of ".048"."""
    page = next(p for p, text in zip(pdf.pages, pages) if "Kruskal-Wallis tests between classes." in text)
    items: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size):
        items.append((text.strip(), round(cm[4] + tm[4], 1), cm[5] + tm[5]))

    page.extract_text(visitor_text=visit)
    top = next(y for t, _, y in items if t == "Kruskal-Wallis tests between classes.")
    bottom = next(y for t, _, y in items if t.startswith("Dunn's pairwise"))
    # (Typst's y grows upwards, WeasyPrint's downwards)
    table = [(t, x) for t, x, y in items if min(top, bottom) < y < max(top, bottom)]
    assert {x for t, x in table if t == "< .001"} and {x for t, x in table if t == ".048"}
    assert len({x for t, x in table if t == "< .001"}) == 1  # one column
    assert {x for t, x in table if t == "< .001"} != {x for t, x in table if t == ".048"}
    assert max(x for t, x in table if t == "< .001") < min(x for t, x in table if t == ".048")


def test_pdf_figures_have_alt_text_and_captions(pdf, pdf_text, engine):
    alts = _alt_texts(pdf)
    assert len(alts) == len(FIGURES)
    if engine == "typst":  # the figure's alt text of the context
        assert all(len(a) > 40 for a in alts)
        assert any(a.startswith("Scree plot: PC1 explains") for a in alts)
    else:  # WeasyPrint tags each inline SVG with its <title> (the figure's name)
        assert alts[:2] == ["Scree plot", "Correlation circle"] and all(alts)
    assert "Correlation circle" in pdf_text  # a caption


def test_pdf_embeds_the_input_and_the_results_once_byte_identical(pdf, report, reference_path, engine):
    json_path = report["paths"]["json"]
    attachments = pdf.attachments
    assert set(attachments) == {reference_path.name, json_path.name}
    assert attachments[reference_path.name] == [reference_path.read_bytes()]
    assert attachments[json_path.name] == [json_path.read_bytes()]
    af = [ref.idnum for ref in pdf.trailer["/Root"]["/AF"]]
    # two files, each listed once by Typst; WeasyPrint 70 lists each one twice (one object: embedded once)
    assert len(set(af)) == 2 and len(af) == (2 if engine == "typst" else 4)
    relations = {str(ref.get_object()["/F"]): str(ref.get_object()["/AFRelationship"])
                 for ref in pdf.trailer["/Root"]["/AF"]}
    assert relations == {reference_path.name: "/Source", json_path.name: "/Data"}


def test_pdf_is_deterministic_for_a_fixed_context(reference_results, reference_path, tmp_path):
    ctx = build_context(reference_results, title=TITLE, author=AUTHOR, figures={})
    a = render_pdf(reference_results, tmp_path / "a.pdf", context=ctx, attachments=[reference_path])
    b = render_pdf(reference_results, tmp_path / "b.pdf", context=ctx, attachments=[reference_path, reference_path])
    assert a.read_bytes() == b.read_bytes()  # (the path listed twice is embedded once)


def test_pdf_without_figures_says_so(reference_results, tmp_path):
    from pypdf import PdfReader

    out = render_pdf(reference_results, tmp_path / "x.pdf", figures={})
    text = _pdf_text(PdfReader(out))
    assert text.count("could not be drawn for these data") == len(FIGURES)
    assert _alt_texts(PdfReader(out)) == []


def test_pdf_draws_hand_written_svg_with_text_and_an_embedded_png(reference_results, tmp_path):
    """A figure as the SVG figure code writes it: <text> in DejaVu Sans and a raster panel as a data: URI."""
    import base64
    import struct
    import zlib

    from pypdf import PdfReader

    from ssereport.report.figures import FigureOutput

    def png(w: int, h: int) -> bytes:  # an RGB gradient, written by hand (no imaging library needed)
        raw = b"".join(b"\x00" + b"".join(bytes((x * 60 % 256, y * 80 % 256, 128)) for x in range(w))
                       for y in range(h))

        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

    uri = "data:image/png;base64," + base64.b64encode(png(4, 3)).decode("ascii")
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="300pt" height="120pt" viewBox="0 0 300 120">'
           f'<image x="10" y="10" width="160" height="100" preserveAspectRatio="none" href="{uri}"/>'
           '<text x="180" y="60" font-family="DejaVu Sans" font-size="11">σ (S/cm) panel</text></svg>')
    fig = FigureOutput(key="scree", svg=svg, alt="A test panel with a label.", caption="A test figure.")
    out = render_pdf(reference_results, tmp_path / "x.pdf", figures={"scree": fig})
    reader = PdfReader(out)
    page = next(p for p in reader.pages if "A test figure." in p.extract_text())
    assert "σ (S/cm) panel" in page.extract_text()  # SVG text stays text
    assert "A test panel with a label." in _alt_texts(reader)
    assert len(page.images) == 1 and page.images[0].image.size == (4, 3)  # the PNG, embedded as it is


def test_pdf_template_error_is_a_clear_error_and_writes_nothing(reference_results, tmp_path, monkeypatch):
    import tempfile

    from ssereport.errors import RenderError
    from ssereport.report import pdf as pdf_module

    broken = b'#let ctx = json("context.json")\n#ctx.no_such_key\n'
    real = pdf_module._template_text
    monkeypatch.setattr(pdf_module, "_template_text", lambda name: broken if name == "report.typ" else real(name))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RenderError, match=r"Typst template 'report.typ' failed: .*no_such_key"):
        render_pdf(reference_results, out / "x.pdf", figures={})
    assert list(out.iterdir()) == []  # no PDF, no temporary file
    assert list(scratch.iterdir()) == []  # the Typst root was removed


def test_missing_fonts_are_a_clear_error(monkeypatch):
    from ssereport.errors import RenderError
    from ssereport.report import pdf as pdf_module

    monkeypatch.setattr(pdf_module, "FONT_FILES", (*pdf_module.FONT_FILES, "NoSuchFont-ssereport.ttf"))
    pdf_module.find_fonts.cache_clear()
    try:
        with pytest.raises(RenderError, match=r"needs the fonts NoSuchFont-ssereport\.ttf .*fonts-dejavu-core"):
            pdf_module.find_fonts()
    finally:
        pdf_module.find_fonts.cache_clear()


def test_pdf_templates_are_package_data_and_never_evaluate():
    from importlib import resources

    from ssereport.report.pdf import TEMPLATES

    folder = resources.files("ssereport") / "templates"
    partials = [f"sections/{p.name}" for p in (folder / "sections").iterdir() if p.name.endswith(".typ")]
    assert len(partials) >= 8  # one per section of the registry
    for name in (*TEMPLATES, "_common.typ", *partials):
        text = (folder / name).read_text(encoding="utf-8")
        assert "eval(" not in text and '"@' not in text, name  # no evaluation of data, no packages
        reads = re.findall(r"\b(json|read|image)\(([^,)]*)", text)
        assert {arg.strip() for _, arg in reads} <= {'"context.json"', "a.file", "f.file"}, reads


def test_render_times_are_recorded(report):
    t = report["timings"]
    assert {"figures", "html", "pdf"} <= set(t)
    assert t["html"] < 5


# --------------------------------------------------------------------------- large tables


def _films_table(html: str) -> str:
    start = html.index("Films and their classes")
    return html[start:html.index("</table>", start)]


def _make_large(n: int):
    """``benchmarks/make_large.py``'s generator (jittered copies of the reference films)."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "make_large.py"
    spec = importlib.util.spec_from_file_location("_make_large", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_large(n)


def test_film_table_lists_every_film_when_small(reference_results):
    ctx = build_context(reference_results, figures={})
    films = ctx["methods"].films
    assert len(films.rows) == reference_results.table.n_analyzed
    assert films.caption == "Every analysed film with its class."
    assert not ctx["methods"].films_truncated


def test_film_table_is_capped_for_large_tables(monkeypatch):
    """Above MAX_FILM_ROWS films the appendix lists the first ones and says where all are."""
    import ssereport
    import importlib

    context = importlib.import_module("ssereport.report.sections.methods")  # the methods section owns the limit

    results = ssereport.analyze(_make_large(150))
    monkeypatch.setattr(context, "MAX_FILM_ROWS", 100)
    html = render_html(results, figures={})
    table = _films_table(html)
    assert table.count("<tr>") - 1 == 100  # the header row is not a film
    ids = results.table.data["sample_id"].tolist()
    assert f"<td>{ids[99]}</td>" in table and f"<td>{ids[100]}</td>" not in table
    assert "The first 100 of the 150 analysed films" in table
    note = html[html.index("</table>", html.index("Films and their classes")):]
    assert "all 150 films with their class are in the results JSON" in note
    assert len(results.to_dict()["classes"]["class"]) == 150  # ... and they are
    # the HTML does not grow with the number of films beyond the limit
    monkeypatch.setattr(context, "MAX_FILM_ROWS", 50)
    smaller = render_html(results, figures={})
    assert _films_table(smaller).count("<tr>") - 1 == 50
    assert len(smaller) < len(html)


def test_methods_show_what_ran(report, reference_results):
    html = report["html"]
    d = reference_results.to_dict()
    assert d["classes"]["method"] and str(escape(d["classes"]["method"])) in html
    assert d["svm"]["method"] and str(escape(d["svm"]["method"])) in html
    assert "k-means++ starts" in html and "refitted on all films" in html
    assert "2.5th–97.5th percentile range of the fold scores" in html


def test_pdf_fonts_ship_with_the_package():
    """The PDF does not depend on the machine's fonts: the three DejaVu files are package data."""
    from importlib import resources

    from ssereport.report import pdf as pdf_module

    pdf_module.find_fonts.cache_clear()
    try:
        fonts = pdf_module.find_fonts()
    finally:
        pdf_module.find_fonts.cache_clear()
    shipped = resources.files("ssereport") / "fonts"
    assert [f.name for f in fonts] == list(pdf_module.FONT_FILES)
    for f in fonts:
        assert f.parent == pdf_module.Path(str(shipped)).resolve()
        assert f.read_bytes()[:4] == b"\x00\x01\x00\x00"  # a TrueType font, not a placeholder
    assert "Bitstream" in (shipped / "LICENSE").read_text(encoding="utf-8")
