"""Every engine gets every option: `report --engine quarto` (a stand-in quarto on PATH) and --engine weasyprint."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from ssereport.cli import main

from .conftest import REFERENCE_CSV, need_weasyprint

QMD = Path(__file__).resolve().parents[1] / "ssereport" / "templates" / "report.qmd"
CELL = re.compile(r"^```\{python\}[^\n]*\n(.*?)^```\s*$", re.S | re.M)

TITLE = 'Batch "7": σ & films'

#: A stand-in for Quarto: records its arguments and the --execute-params file, renders nothing.
STAND_IN = """#!/bin/sh
printf '%s\\n' "$@" > "$QUARTO_RECORD/argv"
while [ $# -gt 0 ]; do
  if [ "$1" = "--execute-params" ]; then cp "$2" "$QUARTO_RECORD/params.yml"; fi
  shift
done
"""


@pytest.fixture
def quarto(tmp_path, monkeypatch):
    """A `quarto` on PATH that writes what it received into the returned folder."""
    bin_dir, record = tmp_path / "bin", tmp_path / "record"
    bin_dir.mkdir()
    record.mkdir()
    exe = bin_dir / "quarto"
    exe.write_text(STAND_IN, encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("QUARTO_RECORD", str(record))
    return record


def test_quarto_receives_every_option(quarto, tmp_path, capsys):
    settings = tmp_path / "settings.toml"
    settings.write_text("alpha = 0.01\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["report", str(REFERENCE_CSV), "--engine", "quarto", "--out", str(out), "--title", TITLE,
                 "--author", "Dr. Ada", "--seed", "7", "--config", str(settings), "--drop-invalid",
                 "--max-file-mb", "9", "--format", "pdf", "--quiet"]) == 0
    argv = (quarto / "argv").read_text(encoding="utf-8").splitlines()
    assert argv[0] == "render" and argv[1].endswith("report.qmd")
    assert argv[argv.index("--to") + 1] == "typst"  # --format pdf: Quarto's typst format only
    assert argv[argv.index("--output-dir") + 1] == str(out.resolve())
    params = json.loads((quarto / "params.yml").read_text(encoding="utf-8"))  # JSON is YAML
    assert params["title"] == TITLE and params["seed"] == 7
    assert params["author"] == "Dr. Ada" and params["drop_invalid"] is True and params["max_file_mb"] == 9.0
    assert params["config"] == str(settings.resolve()) and params["data"] == str(REFERENCE_CSV.resolve())
    assert params["sheet"] is None and params["columns"] is None


def test_quarto_both_formats_render_every_format_of_the_qmd(quarto, tmp_path):
    assert main(["report", str(REFERENCE_CSV), "--engine", "quarto", "--out", str(tmp_path / "o"), "-q"]) == 0
    argv = (quarto / "argv").read_text(encoding="utf-8").splitlines()
    assert argv[argv.index("--to") + 1] == "all"


def test_quarto_settings_errors_stop_before_quarto_as_with_typst(quarto, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("alpha = 2\n", encoding="utf-8")
    for engine in ("typst", "quarto"):
        assert main(["report", str(REFERENCE_CSV), "--engine", engine, "--config", str(bad),
                     "--out", str(tmp_path / engine)]) == 2
    typst_err, quarto_err = capsys.readouterr().err.strip().splitlines()
    assert typst_err == quarto_err and "alpha" in quarto_err
    missing = tmp_path / "missing.csv"
    assert main(["report", str(missing), "--engine", "quarto", "--out", str(tmp_path / "m")]) == 2
    assert "missing.csv" in capsys.readouterr().err
    assert not (quarto / "argv").exists()  # Quarto was never called


def test_the_qmd_uses_the_parameters(reference_path, tmp_path, monkeypatch, capsys):
    """What the stand-in received drives the document: title, author and seed reach the context."""
    monkeypatch.chdir(tmp_path)
    cells = CELL.findall(QMD.read_text(encoding="utf-8"))
    ns: dict = {"__name__": "__quarto__"}
    exec(compile(cells[0], f"{QMD}:parameters", "exec"), ns)
    ns.update(data=str(reference_path), title=TITLE, author="Dr. Ada", seed=7, max_file_mb=9.0)
    exec(compile(cells[1], f"{QMD}:setup", "exec"), ns)
    assert ns["ctx"]["title"] == TITLE and ns["ctx"]["author"] == "Dr. Ada"
    assert ns["r"].config.seed == 7 and ns["ctx"]["summary"].provenance[6].value == "7"


def test_report_engine_weasyprint_writes_pdf_a(tmp_path, capsys, fast_config_file):
    need_weasyprint()
    from pypdf import PdfReader

    out = tmp_path / "o"
    assert main(["report", str(REFERENCE_CSV), "--engine", "weasyprint", "--format", "pdf", "--title", TITLE,
                 "--out", str(out), "-q", "--config", str(fast_config_file)]) == 0
    reader = PdfReader(out / "sse_films_reference.pdf")
    assert reader.metadata.title == TITLE
    assert set(reader.attachments) == {"sse_films_reference.csv", "sse_films_reference.results.json"}
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")3", xmp)
