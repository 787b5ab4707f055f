"""The command line: exit codes, one readable message, no traceback, no output on error."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from ssereport.cli import main

from .conftest import REFERENCE_CSV


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssereport", *args], capture_output=True, text=True)


def test_analyze_writes_strict_json(tmp_path, capsys):
    out = tmp_path / "out.json"
    assert main(["analyze", str(REFERENCE_CSV), "--json", str(out), "--quiet"]) == 0
    d = json.loads(out.read_text())
    assert d["input"]["path"] == "sse_films_reference.csv"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left
    assert capsys.readouterr().out == ""


def test_bad_data_exit_2_one_message_no_file(tmp_path):
    df = pd.read_csv(REFERENCE_CSV).head(15).astype({"ls_ratio": object})
    df.loc[2, "ls_ratio"] = "abc"
    bad = tmp_path / "batch 7 – März.csv"  # spaces and non-ASCII in the path
    df.to_csv(bad, index=False)
    out = tmp_path / "out"
    proc = run("analyze", str(bad), "--json", str(out / "r.json"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "batch 7 – März.csv, row 4, column 'ls_ratio': got 'abc', not a number" in proc.stderr
    assert not out.exists()


def test_drop_invalid_from_cli(tmp_path):
    df = pd.read_csv(REFERENCE_CSV).astype({"ls_ratio": object})
    df.loc[2, "ls_ratio"] = "abc"
    bad = tmp_path / "b.csv"
    df.to_csv(bad, index=False)
    out = tmp_path / "r.json"
    assert main(["analyze", str(bad), "--json", str(out), "--drop-invalid", "--quiet"]) == 0
    d = json.loads(out.read_text())
    assert d["input"]["n_rows"] == 110 and d["input"]["n_analyzed"] == 109
    assert d["input"]["excluded"][0]["row"] == 4 and "not a number" in d["input"]["excluded"][0]["reason"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "does-not-exist.csv"], "file not found"),
        (["analyze", str(REFERENCE_CSV), "--config", "nope.toml"], "config file not found"),
        (["analyze"], "Missing argument"),
        (["analyze", str(REFERENCE_CSV), "--bogus"], "No such option"),
    ],
)
def test_usage_errors(args, message, capsys):
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_validate_command(capsys):
    assert main(["validate", str(REFERENCE_CSV)]) == 0
    assert "110 valid film(s) of 110 row(s)" in capsys.readouterr().out


def test_help_and_version():
    proc = run("--help")
    assert proc.returncode == 0 and "analyze" in proc.stdout
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("ssereport ")


def test_help_does_not_import_heavy_libraries():
    code = ("import sys; from ssereport.cli import main; main(['--help']); "
            "print(sorted(m for m in ('pandas', 'sklearn', 'matplotlib', 'typst', 'scipy') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_quarto_engine_without_quarto_names_the_default(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # no quarto binary anywhere on PATH
    assert main(["report", str(REFERENCE_CSV), "--engine", "quarto", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "needs the `quarto` program on PATH" in err and "--engine typst" in err
    assert not (tmp_path / "o").exists()


def test_report_rejects_unknown_format_and_engine(capsys):
    assert main(["report", str(REFERENCE_CSV), "--format", "docx"]) == 2
    assert "--format: got 'docx'" in capsys.readouterr().err
    assert main(["report", str(REFERENCE_CSV), "--engine", "latex"]) == 2
    assert "--engine: got 'latex'" in capsys.readouterr().err


def test_unwritable_output_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert main(["analyze", str(REFERENCE_CSV), "--json", str(blocker / "out.json"), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ssereport: error: cannot read or write") and "not-a-folder" in err
    assert "Traceback" not in err and "internal error" not in err
