"""Every engine gets every option: `report --engine quarto` (a stand-in quarto on PATH) and --engine weasyprint.

What the .qmd does with the parameters Quarto receives: ``tests/test_qmd.py``.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from markupsafe import escape

from ssereport.cli import main

from .conftest import REFERENCE_CSV

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


def test_report_engine_weasyprint_gets_the_html_report_and_the_attachments(tmp_path, monkeypatch, fast_config_file):
    """``--engine weasyprint`` lays out the HTML report with the title and the two attachments.

    A stand-in records what the engine receives; the PDF WeasyPrint itself makes from the same call (PDF/A-3b,
    metadata, attachments, bookmarks) is checked in ``tests/test_report.py`` (its ``engine`` fixture).
    """
    from ssereport.report import weasy

    received = {}

    def stand_in(html, out_path, *, attachments=()):
        received.update(html=html, out_path=Path(out_path), attachments=list(attachments))
        Path(out_path).write_bytes(b"%PDF-stand-in")
        return Path(out_path)

    monkeypatch.setattr(weasy, "compile_weasyprint", stand_in)
    out = tmp_path / "o"
    assert main(["report", str(REFERENCE_CSV), "--engine", "weasyprint", "--format", "pdf", "--title", TITLE,
                 "--out", str(out), "-q", "--config", str(fast_config_file)]) == 0
    assert received["out_path"] == out / "sse_films_reference.pdf"
    assert f"<title>{escape(TITLE)}</title>" in received["html"]
    assert "@page" in received["html"]  # the HTML report with its print CSS (page size, margins, page numbers)
    names = sorted(a.path.name for a in received["attachments"])
    assert names == ["sse_films_reference.csv", "sse_films_reference.results.json"]
    assert sorted(p.name for p in out.iterdir()) == ["sse_films_reference.films.csv", "sse_films_reference.pdf",
                                                     "sse_films_reference.results.json"]
