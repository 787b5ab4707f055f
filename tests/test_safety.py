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


def test_two_runs_identical_apart_from_dates(tmp_path):
    from ssereport import analyze
    from ssereport.report.render import render_report

    outs = []
    for i in range(2):
        r = analyze(load_films(REFERENCE_CSV))
        paths = render_report(r, tmp_path / f"run{i}", formats=("html",))
        outs.append({k: p.read_text(encoding="utf-8") for k, p in paths.items()})
    a, b = outs
    ja, jb = json.loads(a["json"]), json.loads(b["json"])
    ja["provenance"].pop("created"), jb["provenance"].pop("created")
    assert ja == jb
    assert _undated(a["html"]) == _undated(b["html"])
    assert a["csv"] == b["csv"]


def test_concurrent_runs_into_one_folder(tmp_path):
    out = tmp_path / "shared"
    cmd = [sys.executable, "-m", "ssereport", "report", str(REFERENCE_CSV), "--out", str(out), "--format", "html",
           "-q"]
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


def test_pdf_renderer_fetches_nothing_but_data_uris(reference_results, tmp_path):
    from weasyprint.urls import FatalURLFetchingError

    from ssereport.report.render import render_pdf

    # (a relative URL cannot even be resolved: render_pdf passes no base URL)
    for url in ("file:///etc/passwd", "http://127.0.0.1:9/x.png"):
        html = f'<!doctype html><html><head><title>t</title></head><body><img src="{url}"></body></html>'
        out = tmp_path / "x.pdf"
        with pytest.raises(FatalURLFetchingError, match="external resource"):
            render_pdf(html, results=reference_results, out_path=out, attachments=[])
        assert not out.exists()
        assert not list(tmp_path.glob("*.part"))


def test_zip_bomb_xlsx_is_refused_without_unpacking(tmp_path, monkeypatch):
    import ssereport.io as sio

    monkeypatch.setattr(sio, "_MAX_XLSX_UNCOMPRESSED", 2 * 2**20)
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
    from ssereport.model import load_model

    p = tmp_path / "evil.json"
    p.write_bytes(pickle.dumps({"schema_version": "ssereport-model/1"}))
    with pytest.raises(ModelError, match="not a valid model file"):
        load_model(p)


def test_no_shell_true_in_package():
    for path in (ROOT / "ssereport").rglob("*.py"):
        assert "shell=True" not in path.read_text(encoding="utf-8"), path
