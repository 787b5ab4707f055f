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


def test_drop_invalid_from_cli(tmp_path, fast_config_file):
    df = pd.read_csv(REFERENCE_CSV).astype({"ls_ratio": object})
    df.loc[2, "ls_ratio"] = "abc"
    bad = tmp_path / "b.csv"
    df.to_csv(bad, index=False)
    out = tmp_path / "r.json"
    assert main(["analyze", str(bad), "--json", str(out), "--drop-invalid", "--quiet",
                 "--config", str(fast_config_file)]) == 0
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
            "print(sorted(m for m in ('pandas', 'sklearn', 'matplotlib', 'typst', 'scipy', 'pint', 'openpyxl') "
            "if m in sys.modules))")
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


def test_unwritable_output_is_a_clear_error(tmp_path, capsys, fast_config_file):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert main(["analyze", str(REFERENCE_CSV), "--json", str(blocker / "out.json"), "-q",
                 "--config", str(fast_config_file)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ssereport: error: cannot read or write") and "not-a-folder" in err
    assert "Traceback" not in err and "internal error" not in err


# --------------------------------------------------------------------------- issue 13: notes, -h, analyse, [columns]


def _ms_cm_file(tmp_path):
    df = pd.read_csv(REFERENCE_CSV)
    df = df.assign(conductivity_s_cm=df["conductivity_s_cm"] * 1000).rename(
        columns={"conductivity_s_cm": "Conductivity (mS/cm)"})
    p = tmp_path / "ms.csv"
    df.to_csv(p, index=False)
    return p


NOTE = "ssereport: note: ms.csv: column 'Conductivity (mS/cm)': mS/cm converted to S/cm (×0.001)\n"


def test_analyze_and_fit_print_loading_notes_once_on_stderr(tmp_path, capsys, fast_config_file):
    p = _ms_cm_file(tmp_path)
    assert main(["analyze", str(p), "--config", str(fast_config_file)]) == 0
    out, err = capsys.readouterr()
    assert err == NOTE  # once, on stderr; stdout keeps the summary
    assert "mS/cm" not in out and "Classes:" in out
    assert main(["analyze", str(p), "--quiet", "--config", str(fast_config_file)]) == 0
    assert capsys.readouterr() == ("", "")  # --quiet: nothing but errors (the notes stay in the JSON)
    assert main(["fit", str(p), "--model", str(tmp_path / "m.json"), "--config", str(fast_config_file)]) == 0
    assert capsys.readouterr().err == NOTE


def test_batch_prints_loading_notes(tmp_path, capsys, fast_config_file):
    cfg = str(fast_config_file)
    assert main(["fit", str(REFERENCE_CSV), "--model", str(tmp_path / "m.json"), "--config", cfg, "-q"]) == 0
    df = pd.read_csv(REFERENCE_CSV.parent / "batches" / "batch_2026-03-02_A.csv")
    df = df.assign(conductivity_s_cm=df["conductivity_s_cm"] * 1000).rename(
        columns={"conductivity_s_cm": "σ (mS/cm)"})
    p = tmp_path / "batch.csv"
    df.to_csv(p, index=False)
    capsys.readouterr()
    assert main(["batch", str(p), "--model", str(tmp_path / "m.json"), "--out", str(tmp_path / "o"),
                 "--format", "json"]) == 0
    err = capsys.readouterr().err
    assert err == "ssereport: note: batch.csv: column 'σ (mS/cm)': mS/cm converted to S/cm (×0.001)\n"


def test_report_shows_notes_on_first_page(tmp_path, capsys, fast_config_file):
    p = _ms_cm_file(tmp_path)
    assert main(["report", str(p), "--out", str(tmp_path / "o"), "--format", "html",
                 "--config", str(fast_config_file)]) == 0
    assert capsys.readouterr().err == NOTE
    html = (tmp_path / "o" / "ms.html").read_text(encoding="utf-8")
    summary = html[html.index('id="summary"'):html.index('id="data"')]
    assert "Notes from loading the file" in summary
    assert "column &#39;Conductivity (mS/cm)&#39;: mS/cm converted to S/cm (×0.001)" in summary


def test_short_help_and_analyse_alias(tmp_path, capsys, fast_config_file):
    short, long = run("-h"), run("--help")
    assert short.returncode == 0 and short.stdout == long.stdout and "analyze" in short.stdout
    assert "analyse" not in long.stdout  # a hidden alias
    sub = run("analyze", "-h")
    assert sub.returncode == 0 and "--json" in sub.stdout
    out = tmp_path / "r.json"
    assert main(["analyse", str(REFERENCE_CSV), "--json", str(out), "--quiet", "--config", str(fast_config_file)]) == 0
    assert json.loads(out.read_text())["input"]["n_analyzed"] == 110


def test_validate_prints_the_column_mapping(tmp_path, capsys):
    df = pd.read_csv(REFERENCE_CSV).rename(columns={"conductivity_s_cm": "Leitfähigkeit (mS/cm)"})
    df["Leitfähigkeit (mS/cm)"] *= 1000
    p = tmp_path / "de.csv"
    df.to_csv(p, index=False)
    assert main(["validate", str(p)]) == 2
    assert "or map your header to it in a [columns] table (--columns)" in capsys.readouterr().err
    cols = tmp_path / "map.toml"
    cols.write_text('[columns]\n"Leitfähigkeit (mS/cm)" = "conductivity_s_cm"\n', encoding="utf-8")
    assert main(["validate", str(p), "--columns", str(cols)]) == 0
    out = capsys.readouterr().out
    assert ("  column: 'Leitfähigkeit (mS/cm)' -> conductivity_s_cm (from [columns] 'Leitfähigkeit (mS/cm)'; "
            "mS/cm -> S/cm, ×0.001)") in out
    assert "  column: 'sample_id' -> sample_id" in out
    # the same table in the settings file, next to the analysis settings
    settings = tmp_path / "settings.toml"
    settings.write_text('seed = 7\n[columns]\n"Leitfähigkeit (mS/cm)" = "conductivity_s_cm"\n', encoding="utf-8")
    assert main(["validate", str(p), "--config", str(settings)]) == 0
    assert "from [columns]" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text('[columns]\n"Leitfähigkeit (mS/cm)" = "conductivity"\n"x" = "nonsense"\n', encoding="utf-8")
    assert main(["validate", str(p), "--columns", str(bad)]) == 2
    assert "bad.toml: [columns] 'x': got 'nonsense', expected one of" in capsys.readouterr().err

