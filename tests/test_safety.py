"""Determinism, concurrent writes, safe exports and safe loading/rendering."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import zipfile

import pytest

from ssereport import DataError, load_films
from ssereport.export import films_csv, safe_cell

from .conftest import REFERENCE_CSV, ROOT

_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\+00:00|Z| UTC)?")


def _undated(text: str) -> str:
    return _STAMP.sub("<date>", text)


def test_two_runs_identical_apart_from_dates(fast_results, fast_config, tmp_path):
    from ssereport import analyze
    from ssereport.report.render import render_report

    outs = []
    # the session's fast_results is the first run: analyze(load_films(REFERENCE_CSV)) with the fast settings
    # (the default settings' results JSON, bootstrap included, is compared the same way in test_pipeline)
    for i, r in enumerate([fast_results, analyze(load_films(REFERENCE_CSV), fast_config)]):
        paths = render_report(r, tmp_path / f"run{i}", formats=("html",))
        outs.append({k: p.read_text(encoding="utf-8") for k, p in paths.items()})
    a, b = outs
    ja, jb = json.loads(a["json"]), json.loads(b["json"])
    ja["provenance"].pop("created"), jb["provenance"].pop("created")
    assert ja == jb
    assert _undated(a["html"]) == _undated(b["html"])
    assert a["csv"] == b["csv"]


def test_concurrent_runs_into_one_folder(tmp_path, fast_config_file):
    out = tmp_path / "shared"
    cmd = [sys.executable, "-m", "ssereport", "report", str(REFERENCE_CSV), "--out", str(out), "--format", "html",
           "-q", "--config", str(fast_config_file)]  # the fast settings: what is tested is the writing
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    names = sorted(p.name for p in out.iterdir())
    assert names == ["sse_films_reference.films.csv", "sse_films_reference.html",
                     "sse_films_reference.results.json"]  # no temporary file left
    json.loads((out / "sse_films_reference.results.json").read_text())  # complete, valid
    assert (out / "sse_films_reference.html").read_text().rstrip().endswith("</html>")


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=x"])
def test_safe_cell_neutralises_formulas(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell("SSE-001") == "SSE-001" and safe_cell(-1.5) == -1.5


def test_films_csv_is_safe_and_complete():
    from ssereport import Config, analyze

    r = analyze(load_films(ROOT / "tests" / "bad_inputs" / "html_script_ids.csv"), Config(n_bootstrap=0, cv_repeats=1))
    rows = list(csv.DictReader(io.StringIO(films_csv(r))))
    assert len(rows) == r.table.n_analyzed
    ids = [row["sample_id"] for row in rows]
    assert not any(i.startswith(("=", "+", "-", "@")) for i in ids)
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in ids
    assert [int(row["class"]) for row in rows] == r.clusters.labels.tolist()


#: Strings that would be code or markup if a template read them as anything but text.
HOSTILE = ('#eval("1+1") $x^2$ *b* _i_ <script>x</script> @ref ] \\ `r` //c',
           '#read("/etc/passwd") #image("/etc/passwd")',
           "= heading\n- item {[(\")]} & % ~")


def _pdf_text(path) -> str:
    """The PDF's text without any whitespace (a long string may wrap at a space or a slash)."""
    from pypdf import PdfReader

    return "".join("".join(page.extract_text().split()) for page in PdfReader(path).pages)


def _flat(text: str) -> str:
    return "".join(text.split())


def test_typst_root_is_confined(reference_results, tmp_path, monkeypatch):
    """The Typst compilation reads only its temporary root: no absolute path, no parent, no URL, no package."""
    from ssereport.errors import RenderError
    from ssereport.report import pdf as pdf_module
    from ssereport.report.render import render_pdf

    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    real = pdf_module._template_text
    attempts = {
        "absolute path": f'#read("{secret}")',
        "parent folder": '#read("../../secret.txt")',
        "file URL": f'#image("file://{secret}")',
        "http URL": '#image("http://127.0.0.1:9/x.png")',
    }
    out = tmp_path / "out"
    out.mkdir()
    for what, source in attempts.items():
        monkeypatch.setattr(pdf_module, "_template_text",
                            lambda name, s=source: s.encode() if name == "report.typ" else real(name))
        with pytest.raises(RenderError, match=r"Typst template 'report.typ' failed: "
                                              r"(file not found|path .* would escape the project root)"):
            render_pdf(reference_results, out / "x.pdf", figures={})
        assert list(out.iterdir()) == [], what


@pytest.mark.parametrize("href", ["file:///etc/passwd", "/etc/passwd", "../../../etc/passwd",
                                  "http://127.0.0.1:9/x.png"])
def test_figure_svg_cannot_reach_outside(reference_results, tmp_path, href):
    from ssereport.errors import RenderError
    from ssereport.report.figures import FigureOutput
    from ssereport.report.render import render_pdf

    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="100pt" height="50pt">'
           f'<image width="100" height="50" href="{href}"/></svg>')
    fig = FigureOutput(key="scree", svg=svg, alt="x", caption="x.")
    with pytest.raises(RenderError, match="failed to load linked image"):
        render_pdf(reference_results, tmp_path / "x.pdf", figures={"scree": fig})
    assert list(tmp_path.iterdir()) == []


def test_hostile_strings_are_shown_verbatim_in_the_study_pdf(reference_results, tmp_path):
    import dataclasses

    from pypdf import PdfReader

    from ssereport.report.render import render_pdf

    table = reference_results.table
    data = table.data.copy()
    for i, text in enumerate(HOSTILE):
        data.iloc[i, data.columns.get_loc("sample_id")] = text
    results = dataclasses.replace(reference_results, table=dataclasses.replace(table, data=data))
    name = 'films #eval("x") $a$ [b].csv'  # an input file name is shown (provenance) and attached
    source = tmp_path / name
    source.write_bytes(REFERENCE_CSV.read_bytes())
    out = render_pdf(results, tmp_path / "x.pdf", title=HOSTILE[0], author=HOSTILE[1], figures={},
                     attachments=[source])
    text = _pdf_text(out)
    for s in HOSTILE:
        assert text.count(_flat(s)) >= 1, s  # the sample ids, in the film appendix
    assert text.count(_flat(HOSTILE[0])) >= len(PdfReader(out).pages)  # title: running header on every page
    reader = PdfReader(out)
    assert reader.metadata.title == HOSTILE[0] and reader.metadata.author == HOSTILE[1]
    assert reader.outline[0].title == HOSTILE[0]
    assert reader.attachments[name] == [source.read_bytes()]


def test_hostile_strings_are_shown_verbatim_in_the_batch_pdf(reference_results, tmp_path):
    from pypdf import PdfReader

    from ssereport.qa.judge import judge_batch
    from ssereport.qa.model import fit_model
    from ssereport.qa.report import render_batch_pdf

    model = fit_model(reference_results)
    df = load_films(ROOT / "data" / "batches" / "batch_2026-03-02_A.csv").data.copy().drop(columns=["batch_id"])
    df["sample_id"] = [HOSTILE[i % len(HOSTILE)] + f" {i}" for i in range(len(df))]
    r = judge_batch(model, df, batch_id=HOSTILE[0])
    out = render_batch_pdf(r, tmp_path / "b.pdf", model=model)
    text = _pdf_text(out)
    for i in range(len(df)):
        assert _flat(HOSTILE[i % len(HOSTILE)] + f" {i}") in text
    assert _flat(f"Batch {HOSTILE[0]}: {r.verdict.upper()}.") in text
    assert PdfReader(out).metadata.title == f"Batch {HOSTILE[0]} — {r.verdict.upper()}"


def test_characters_without_a_glyph_do_not_stop_the_pdf(reference_results, tmp_path):
    """PDF/A forbids missing glyphs: CJK, emoji and control characters are drawn as U+FFFD, kept in the metadata."""
    import dataclasses
    import xml.etree.ElementTree as ET

    from pypdf import PdfReader

    from ssereport.report.render import render_pdf

    title = "薄膜 films 🙂 Ж\x07ü"
    table = reference_results.table
    data = table.data.copy()
    data.iloc[0, data.columns.get_loc("sample_id")] = "样品-1\x00"
    results = dataclasses.replace(reference_results, table=dataclasses.replace(table, data=data))
    from ssereport.report.figures import FigureOutput

    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="200pt" height="40pt">'
           '<text x="5" y="20" font-family="DejaVu Sans">批次 σ label</text></svg>')
    fig = FigureOutput(key="scree", svg=svg, alt="批次", caption="Label 批次.")
    out = render_pdf(results, tmp_path / "x.pdf", title=title, figures={"scree": fig})
    text = _pdf_text(out)
    assert "\ufffd\ufffdfilms\ufffdЖ\ufffdü" in text and "\ufffd\ufffd-1\ufffd" in text
    assert "\ufffd\ufffdσlabel" in text and "Label\ufffd\ufffd." in text  # the figure's text and its caption
    reader = PdfReader(out)
    assert reader.metadata.title == "薄膜 films 🙂 Ж\ufffdü"  # no control character in the XMP (XML 1.0)
    ET.fromstring(reader.trailer["/Root"]["/Metadata"].get_object().get_data())


def test_font_coverage_matches_fonttools():
    ttlib = pytest.importorskip("fontTools.ttLib")

    from ssereport.report.pdf import _KNOWN, _cmap, _coverage, find_fonts

    assert _KNOWN <= _coverage()  # the characters displayable() lets through without a look-up
    for font in find_fonts():
        reference = frozenset(ttlib.TTFont(font).getBestCmap())
        assert _cmap(font) == reference, font
        assert _cmap(font, fmt=4) == {c for c in reference if c < 0xFFFF}, font  # the BMP subtable


def test_zip_bomb_xlsx_is_refused_without_unpacking(tmp_path, monkeypatch):
    import ssereport.io as sio

    monkeypatch.setattr(sio.read, "_MAX_XLSX_UNCOMPRESSED", 2 * 2**20)
    p = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 2**20))
    assert p.stat().st_size < 100_000
    with pytest.raises(DataError, match="unpacks to 20 MB.*refused"):
        load_films(p)


def test_model_file_is_data_only(tmp_path):
    # a pickle or a Python payload is refused as "not JSON"; nothing is executed
    import pickle

    from ssereport.errors import ModelError
    from ssereport.qa.model import load_model

    p = tmp_path / "evil.json"
    p.write_bytes(pickle.dumps({"schema_version": "ssereport-model/1"}))
    with pytest.raises(ModelError, match="not a valid model file"):
        load_model(p)


def test_no_shell_true_in_package():
    for path in (ROOT / "ssereport").rglob("*.py"):
        assert "shell=True" not in path.read_text(encoding="utf-8"), path
